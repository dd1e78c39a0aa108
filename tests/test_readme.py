"""The README's Python examples run as written (from the repository root)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_python_examples_run(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "the README has Python examples"
    script = tmp_path / "readme_examples.py"
    script.write_text("\n".join(blocks), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "(0.7142857142857143, 0.2857142857142857)" in result.stdout


def test_readme_quick_start_names_commands_that_exist():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text[text.index("## Quick start") : text.index("## The command line")]
    assert "pip install -e . && negosim run scenarios/berlin-2025-12.yaml" in quick
    assert "pip install -e '.[dev]' && python -m pytest" in quick
    assert (ROOT / "scenarios" / "berlin-2025-12.yaml").exists()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[dev]' && python -m pytest" in ci
