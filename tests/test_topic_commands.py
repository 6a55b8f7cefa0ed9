"""The topic's own commands work as written, from the repository root (docs/topic-map.md).

    pip install -r requirements.txt
    python -c "from utils.finite_difference_checker import check_gradients ..."
    pytest tests/test_basic.py -v        (and tests/test_edge.py, tests/test_stress.py)
    python solutions/level04-pytorch-reference.py
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

from runner import manifest
from tests import topic_run

ROOT = manifest.ROOT
TOPIC_FILES = ["tests/test_basic.py", "tests/test_edge.py", "tests/test_stress.py"]


def run(*args: str, state=None, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    if state is not None:
        env["KATA_STATE_DIR"] = str(state)
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)


# -- the three test files ---------------------------------------------------------------


def test_every_kata_test_is_in_exactly_one_category():
    for lv in manifest.levels():
        names = [n for f in lv.test_files for n in topic_run.test_names(f)]
        assert names, lv
        listed = topic_run.EDGE.get(lv.number, []) + topic_run.STRESS.get(lv.number, [])
        assert set(listed) <= set(names), f"level {lv.number}: {set(listed) - set(names)} are not tests of the level"
        assert len(listed) == len(set(listed)), f"level {lv.number}: a test is listed twice"
    top = manifest.levels()[-1].number
    chosen = [set(topic_run.node_ids(c, top)) for c in topic_run.CATEGORIES]
    everything = {f"{f.relative_to(ROOT).as_posix()}::{n}" for lv in manifest.levels()
                  for f in lv.test_files for n in topic_run.test_names(f)}
    assert set.union(*chosen) == everything and sum(map(len, chosen)) == len(everything)
    assert all(chosen), "every category has tests"
    assert all(nid.startswith("katas/level1/") for nid in topic_run.node_ids("basic", 1))


def test_the_self_test_skips_them(tmp_path):
    others = [f"--ignore={p.relative_to(ROOT)}" for p in (ROOT / "tests").glob("test_*.py")
              if p.relative_to(ROOT).as_posix() not in TOPIC_FILES]
    proc = run("-m", "pytest", "tests", "-q", "-rs", "-p", "no:cacheprovider", "-p", "no:xdist", *others,
               state=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "3 skipped" in proc.stdout and "only when named" in proc.stdout, proc.stdout[-3000:]


def test_named_they_run_the_kata_on_the_engine(tmp_path):
    proc = run("-m", "pytest", *TOPIC_FILES, "-v", "--impl", "reference", "--level", "1", "-p", "no:cacheprovider",
               state=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    out = proc.stdout
    assert "3 passed" in out and out.count("kata: level 1, engine reference") == 3
    assert "katas/level1/test_level1.py::test_add_backward PASSED" in out  # core
    assert "katas/level1/test_level1.py::test_a_plus_a PASSED" in out  # edge
    assert "katas/level1/test_level1.py::test_long_chain PASSED" in out  # stress


def test_on_the_stubs_they_fail_with_the_kata_screen_and_no_traceback(tmp_path):
    proc = run("-m", "pytest", "tests/test_edge.py", "-p", "no:cacheprovider", state=tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    assert "The edge-case tests of levels 1-" in out and "your code in katas/level" in out
    assert "not written yet" in out and "some edge-case tests do not pass yet" in out
    assert "Traceback" not in out and "topic_run.py" not in out


def test_the_furthest_level_is_the_last_one_started(monkeypatch, tmp_path):
    levels = []
    for n in (1, 2, 3):
        lv = manifest.level(n)
        folder = tmp_path / f"level{n}"
        folder.mkdir()
        for name in lv.files:
            (folder / name).write_bytes((lv.stub_path / name).read_bytes() + (b"# mine\n" if n < 3 else b""))
        levels.append(type(lv)(**{**lv.__dict__, "folder": str(folder)}))
    monkeypatch.setattr(topic_run.manifest, "levels", lambda: tuple(levels))
    assert topic_run.furthest_level() == 2


# -- the checker, the PyTorch rung and the requirements -----------------------------------


def test_python_dash_c_with_the_checker_from_the_root():
    code = ("from utils.finite_difference_checker import check_gradients; from utils.autograd_stub import Value; "
            "print(check_gradients(lambda x, y: x * y + x, [2.0, 3.0], Value, names='xy'))")
    proc = run("-c", code)
    assert proc.returncode == 0, proc.stderr
    assert "every gradient agrees with finite differences" in proc.stdout


@pytest.mark.torch
def test_the_pytorch_rung_under_the_topics_name():
    pytest.importorskip("torch")
    proc = run("solutions/level04-pytorch-reference.py")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "The seed example: z = x*y + x at x = 2, y = 3: z = 8, dz/dx = 4, dz/dy = 2" in proc.stdout
    assert "held-out accuracy" in proc.stdout


def _requirements(name: str) -> list[str]:
    out = []
    for line in (ROOT / name).read_text().splitlines():
        line = line.split(" #")[0].strip()
        if line.startswith("-r "):
            out += _requirements(line[3:])
        elif line and not line.startswith("#"):
            out.append(line)
    return out


def test_the_requirements_files_match_pyproject():
    """One command sets up everything (pip install -r requirements.txt), with pyproject's exact specifiers."""
    project = manifest.tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert _requirements("requirements-light.txt") == project["dependencies"]
    nox = [r for r in extras["dev"] if r.startswith("nox")]
    expected = project["dependencies"] + extras["torch"] + extras["viz"] + extras["watch"] + nox
    assert _requirements("requirements.txt") == expected
    assert "torch==2.13.0" in expected


def test_the_solutions_ladder_is_not_named_like_levels():
    rungs = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    assert rungs == ["memory-efficient", "naive", "pytorch", "vectorized"]
    assert [p.name for p in (ROOT / "solutions").glob("level*")] == ["level04-pytorch-reference.py"]
    assert ast.get_docstring(ast.parse((ROOT / "solutions" / "level04-pytorch-reference.py").read_text()))
