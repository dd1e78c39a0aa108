"""The package's shape: cheap import, one-way layering, no unsafe evaluation."""

import ast
import subprocess
import sys
from pathlib import Path

SIM = Path(__file__).resolve().parent.parent / "sim"

# A module may import only from its own layer or layers to its left.
LAYERS = [
    {"sim.rules", "sim.documents"},
    {"sim.schema", "sim.evidence"},
    {"sim.io", "sim.interop"},
    {"sim.compile"},
    {"sim.engine"},
    {"sim.results"},
    {
        "sim.analysis",
        "sim.diagnosis",
        "sim.exact",
        "sim.maps",
        "sim.protocols",
        "sim.sweeps",
        "sim.parameters",
        "sim.designs",
    },
    {"sim.report", "sim.plot"},
    {"sim.cli"},
]


def layer_of(module):
    for index, layer in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in layer):
            return index
    return None


def sim_imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("sim"))


def module_name(path):
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_modules_import_only_from_their_left():
    offenders = []
    for path in SIM.rglob("*.py"):
        own = layer_of(module_name(path))
        if own is None:
            continue
        for imported in sim_imports(path):
            other = layer_of(imported)
            if other is not None and other > own:
                offenders.append(f"{module_name(path)} imports {imported}")
    assert offenders == []


def all_imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_engine_never_imports_pydantic_or_the_model():
    for path in (SIM / "engine").rglob("*.py"):
        for imported in all_imports(path):
            assert not imported.startswith(("pydantic", "sim.schema", "sim.io")), path


def test_importing_sim_loads_no_heavy_library():
    code = (
        "import sys, sim; "
        "heavy = [m for m in ('numpy', 'scipy', 'matplotlib', 'pydantic', 'yaml') "
        "if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_no_eval_exec_or_unsafe_yaml_in_the_package():
    for path in SIM.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec", "compile"), path
            if isinstance(node, ast.Attribute) and node.attr in (
                "load",
                "unsafe_load",
                "full_load",
            ):
                owner = node.value
                assert not (isinstance(owner, ast.Name) and owner.id in ("yaml", "pickle")), path


def test_public_functions_are_not_shadowed_by_submodules():
    code = (
        "import sim, sim.diagnosis, sim.sweeps, sim.analysis, sim.protocols.simulate; "
        "print(all(callable(getattr(sim, n)) and not hasattr(getattr(sim, n), '__path__') "
        "and type(getattr(sim, n)).__name__ == 'function' for n in sim.__all__ "
        "if n not in ('InputError', '__version__')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
