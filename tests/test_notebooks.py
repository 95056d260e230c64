"""The notebooks run from top to bottom on the real data."""

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT


@pytest.mark.parametrize("name", ["evaluation.ipynb", "quickstart.ipynb"])
def test_notebook_executes(name):
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    expected = {"evaluation.ipynb": "precision", "quickstart.ipynb": "vega"}[name]
    assert any(expected in str(o.get("data", {})) for o in outputs)
