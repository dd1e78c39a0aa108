"""The notebooks in ``notebooks/`` run top to bottom and are stored without outputs.

Each notebook runs in a fresh kernel with the notebook folder as working directory (the
notebooks find the repository root themselves). Their own ``assert`` cells check the
claims their prose makes, so a change in the engine that falsifies a sentence fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 240  # seconds per cell; whole notebooks take seconds to tens of seconds


def test_the_notebooks_are_there():
    assert {path.stem for path in NOTEBOOKS} >= {
        "01-quickstart",
        "02-parameter-sweeps",
        "03-agreement-regions",
        "04-protocols",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs(path):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on the first failure
    shown = sum(
        1
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    )
    assert shown > 0, f"{path.name} shows no figure"
