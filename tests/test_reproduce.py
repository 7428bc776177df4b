import nbformat
import pytest

from gnnexplain.reproduce import NotebookFailed, find_notebooks, main, run_notebook


def write_notebook(path, *sources):
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    cells[0].metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                        "language": "python"}})
    nbformat.write(nb, path)


@pytest.fixture
def books(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(folder / "00_fine.ipynb", "QUICK = False\nOUT_DIR = '.'",
                   "import pathlib\npathlib.Path(OUT_DIR, 'quick.txt').write_text(str(QUICK))")
    write_notebook(folder / "01_broken.ipynb", "QUICK = False", "x = 1", "raise ValueError('boom in cell two')")
    (folder / "scratch.ipynb").write_text("{}")  # not numbered: never run
    return folder


def test_find_notebooks_filters_by_number_stem_or_name(books):
    assert [p.stem for p in find_notebooks(books)] == ["00_fine", "01_broken"]
    assert [p.stem for p in find_notebooks(books, ["01"])] == ["01_broken"]
    assert [p.stem for p in find_notebooks(books, ["fine", "00_fine"])] == ["00_fine"]
    with pytest.raises(ValueError, match="'nam' matches no notebook; allowed: 00_fine, 01_broken"):
        find_notebooks(books, ["nam"])


def test_run_notebook_injects_parameters(books, tmp_path):
    result = run_notebook(books / "00_fine.ipynb", tmp_path / "out", quick=True)
    assert (tmp_path / "out" / "quick.txt").read_text() == "True"
    assert result.output == tmp_path / "out" / "notebooks" / "00_fine.ipynb" and result.output.exists()


def test_failure_names_notebook_and_cell(books, tmp_path, capsys):
    with pytest.raises(NotebookFailed) as info:
        run_notebook(books / "01_broken.ipynb", tmp_path / "out", quick=True)
    # cell 0 is the parameters cell, papermill inserts the injected parameters as cell 1
    assert info.value.notebook == "01_broken" and info.value.cell == 3
    assert "ValueError: boom in cell two" in str(info.value)

    code = main(["--notebooks", str(books), "--out", str(tmp_path / "out2"), "--quick"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "00_fine done in" in out and "1 of 2 notebooks ran" in out
    assert "notebook 01_broken failed at cell 3: ValueError: boom in cell two" in err


def test_unknown_only_name_exits_with_usage_error(books, capsys):
    with pytest.raises(SystemExit) as info:
        main(["--notebooks", str(books), "--only", "nope"])
    assert info.value.code == 2 and "matches no notebook" in capsys.readouterr().err
