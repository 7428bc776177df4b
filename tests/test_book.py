"""The static site of `make book`, built from an executed notebook (made here, not run)."""

import json

import nbformat
import plotly.graph_objects as go
import pytest

from gnnexplain.book import build_book, readme_table
from gnnexplain.viz.notebook import _plotly_renderer_class
from gnnexplain.widgets import NEEDS_KERNEL


def executed_notebook(folder, stem="00_overview"):
    """An executed-looking notebook: plotly.js once, one figure as the workbook's renderer stores it, one explorer."""
    from plotly.offline import get_plotlyjs

    figure = _plotly_renderer_class()().to_mimebundle(go.Figure(go.Bar(x=[0, 1], y=[3, 4], name="bars")).to_dict())
    widget = {"application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0, "model_id": "ab"},
              "text/html": NEEDS_KERNEL, "text/plain": "ExplorerBox(...)"}
    nb = nbformat.v4.new_notebook(metadata={"language_info": {"name": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# 00 · Overview"),
                nbformat.v4.new_code_cell("setup_notebook()", outputs=[nbformat.v4.new_output(
                    "display_data", data={"text/html": f"<script>{get_plotlyjs()}</script>"})]),
                nbformat.v4.new_code_cell("fig", outputs=[nbformat.v4.new_output("display_data", data=figure)]),
                nbformat.v4.new_code_cell("explorer(...)", outputs=[nbformat.v4.new_output("display_data", data=widget)])]
    nb.metadata["papermill"] = {"end_time": "2026-12-07T10:00:00.000000"}
    (folder / "notebooks").mkdir(parents=True)
    nbformat.write(nb, folder / "notebooks" / f"{stem}.ipynb")
    (folder / "results").mkdir()
    (folder / "results" / f"{stem}.json").write_text(json.dumps({"quick": True, "seed": 0}))
    return figure


def test_book_shows_the_readme_table_figures_and_explorer_notes(tmp_path):
    figure = executed_notebook(tmp_path / "out")
    index = build_book(tmp_path / "out", tmp_path / "site")
    landing = index.read_text()
    assert 'href="00_overview.html"' in landing and "quick" in landing and "The explorers" in landing
    assert "01_dgcnn_gradcam" in landing  # the README's other rows, not linked: no such page
    page = (index.parent / "00_overview.html").read_text()
    div = figure["text/html"].split('id="')[1].split('"')[0]
    assert page.count(div) >= 2 and page.count("* plotly.js") == 1
    assert "Interactive explorer." in page and "widget-view+json" not in page
    assert not list(index.parent.rglob("*.ipynb*"))  # no second copy of the notebook and its plotly.js
    build_book(tmp_path / "out", tmp_path / "site")  # a site built before may be rebuilt in place


def test_book_refuses_missing_notebooks_and_foreign_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="make reproduce"):
        build_book(tmp_path / "empty")
    executed_notebook(tmp_path / "out")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="--site"):
        build_book(tmp_path / "out", tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_readme_table_links_only_the_notebooks_built():
    readme = "# x\n\n## What each notebook shows\n\n| notebook | paper |\n|---|---|\n| `00_overview` | a |\n" \
             "| `01_dgcnn_gradcam` | b |\n\n## Next\n"
    table = readme_table(readme, {"00_overview"})
    assert "| [00_overview](00_overview.ipynb) | a |" in table and "| `01_dgcnn_gradcam` | b |" in table
    assert "Next" not in table
    with pytest.raises(ValueError, match="What each notebook shows"):
        readme_table("# no table", set())
