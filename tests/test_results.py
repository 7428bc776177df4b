import json

import pytest

from gnnexplain.results import compare_results, main, save_results


def write(folder, name, payload):
    save_results(payload, notebook=name, out_dir=folder)


def test_identical_results_but_timings_compare_equal(tmp_path):
    write(tmp_path / "a", "00_x", {"auc": 0.75, "seconds_per_node": 1.0, "rows": [1, 2], "models_from_cache": True,
                                   "closed form (s)": 0.1, "loop (s, extrapolated)": 3.0, "speed-up": 30})
    write(tmp_path / "b", "00_x", {"auc": 0.75, "seconds_per_node": 9.0, "rows": [1, 2], "models_from_cache": False})
    assert compare_results(tmp_path / "a", tmp_path / "b") == {"00_x": []}


def test_a_changed_number_a_missing_key_and_a_missing_notebook_are_reported(tmp_path):
    write(tmp_path / "a", "00_x", {"auc": {"Grad": 0.75}, "n": 3, "rows": [1, 2]})
    write(tmp_path / "b", "00_x", {"auc": {"Grad": 0.7500001}, "rows": [1]})
    write(tmp_path / "b", "01_y", {})
    report = compare_results(tmp_path / "a", tmp_path / "b")
    assert report["00_x"] == ["/auc/Grad: 0.75 vs 0.7500001", "/n: only in the first", "/rows: 2 vs 1 entries"]
    assert report["01_y"][0].startswith("only in")
    assert compare_results(tmp_path / "a", tmp_path / "b", rel_tol=1e-3)["00_x"][0] == "/n: only in the first"


def test_cli_exit_status(tmp_path, capsys):
    write(tmp_path / "a", "00_x", {"auc": 0.5})
    write(tmp_path / "b", "00_x", {"auc": 0.5})
    assert main([str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert "00_x: identical" in capsys.readouterr().out
    (tmp_path / "b" / "results" / "00_x.json").write_text(json.dumps({"auc": 0.6}))
    assert main([str(tmp_path / "a"), str(tmp_path / "b")]) == 1


def test_bad_folders_and_tolerance_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="results"):
        compare_results(tmp_path / "nothing", tmp_path)
    with pytest.raises(ValueError, match="rel_tol"):
        compare_results(tmp_path, tmp_path, rel_tol=-1)


def test_renamed_keys_compare_equal(tmp_path):
    write(tmp_path / "a", "00_x", {"auc": {"Grad": 0.75, "SA": [0.5]}})
    write(tmp_path / "b", "00_x", {"auc": {"Saliency": 0.75, "Sal": [0.5]}})
    assert compare_results(tmp_path / "a", tmp_path / "b", rename={"Grad": "Saliency", "SA": "Sal"}) == {"00_x": []}
    assert main([str(tmp_path / "a"), str(tmp_path / "b"), "--rename", "Grad=Saliency", "SA=Sal"]) == 0
    with pytest.raises(SystemExit):
        main([str(tmp_path / "a"), str(tmp_path / "b"), "--rename", "Grad"])
