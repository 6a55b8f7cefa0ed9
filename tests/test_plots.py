"""The level-4 plots: a short reference training run writes both pictures as PNG files."""

from __future__ import annotations

import builtins

import pytest

from tools import plots

PNG = b"\x89PNG\r\n\x1a\n"
SHORT = plots.Recipe(steps=3, hidden=(4,), n_train=20, n_test=10)


def test_short_run_writes_both_pngs(tmp_path):
    pytest.importorskip("matplotlib")
    run = plots.train(SHORT, eval_every=1)
    assert len(run.loss) == 3 and run.evaluated == [0, 1, 2, 3]
    assert all(0.0 <= a <= 1.0 for a in run.train_accuracy + run.test_accuracy)
    paths = plots.write_plots(run, tmp_path / "img", resolution=8)
    assert [p.name for p in paths] == list(plots.FILES)
    import matplotlib.image

    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG), f"{path.name} is not a PNG"
        height, width, _ = matplotlib.image.imread(path).shape
        assert width > 300 and height > 200


def test_cli_writes_both_files(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(plots, "DEFAULT", plots.Recipe(hidden=(3,), n_train=10, n_test=6))
    assert plots.main(["--steps", "2", "--out", str(tmp_path), "--resolution", "6", "--quiet"]) == 0
    out = capsys.readouterr().out
    for name in plots.FILES:
        assert (tmp_path / name).read_bytes().startswith(PNG)
        assert name in out
    assert out.startswith("training the reference network: reference/fast_nn.py, reference/fast.py\n"), out


def test_learning_rate_decays_from_start_to_end():
    recipe = plots.Recipe(steps=100)
    assert recipe.lr(0) == 1.0 and recipe.lr(50) == pytest.approx(0.55) and recipe.lr(100) == pytest.approx(0.1)


def test_missing_matplotlib_is_one_clear_line(tmp_path, capsys, monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    assert plots.main(["--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "matplotlib" in err and "pip install" in err
    assert not any(tmp_path.iterdir())
