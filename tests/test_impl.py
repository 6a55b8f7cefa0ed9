"""The --impl switch: learner, reference, a file, a folder, and one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from runner import impl, manifest

LEVEL1, LEVEL4 = manifest.level(1), manifest.level(4)


def test_reference_and_learner_resolve():
    ref = impl.load("reference", LEVEL1)
    assert ref.Value.__module__ == "reference.engine"
    learner = impl.load("learner", LEVEL1)
    assert learner.files["value"] == LEVEL1.path / "value.py"


def test_a_file_and_a_folder(tmp_path):
    (tmp_path / "value.py").write_text("class Value:\n    pass\n")
    assert impl.load(str(tmp_path / "value.py"), LEVEL1).Value.__name__ == "Value"
    assert impl.load(str(tmp_path), LEVEL1).Value.__name__ == "Value"


def test_level4_folder_is_a_package(tmp_path):
    (tmp_path / "value.py").write_text("class Value:\n    pass\n")
    (tmp_path / "nn.py").write_text("from .value import Value\nclass MLP:\n    V = Value\n")
    run = impl.load(str(tmp_path), LEVEL4)
    assert run.nn.MLP.V is run.Value


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "missing.py", "no such file or folder"),
        (lambda p: (p / "empty.py").write_text("x = 1\n") and p / "empty.py", "defines no Value"),
        (lambda p: (p / "notes.txt").write_text("hi") and p / "notes.txt", "expected a .py file"),
        (lambda p: p, "the folder has no value.py"),
    ],
)
def test_errors_are_one_line(tmp_path, make, message):
    with pytest.raises(impl.ImplError, match=message) as e:
        impl.load(str(make(tmp_path)), LEVEL1)
    assert "\n" not in str(e.value)


def test_pytest_reports_a_bad_impl_in_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "katas", "--level=1", f"--impl={tmp_path / 'nope.py'}", "-q",
         "-p", "no:cacheprovider"],
        cwd=manifest.ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode != 0
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if "nope.py" in line]
    assert lines and "no such file or folder" in lines[0]
    assert "Traceback" not in proc.stdout + proc.stderr


def test_unknown_level_is_a_usage_error():
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "katas", "--level=9", "-q", "-p", "no:cacheprovider"],
        cwd=manifest.ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 4 and "there is no level 9" in proc.stdout + proc.stderr


def test_manifest_is_consistent():
    for lv in manifest.levels():
        assert lv.path.is_dir(), lv.folder
        for name in lv.files:
            assert (lv.stub_path / name).exists(), f"{lv.stub}/{name}"
        assert len(lv.hints) == 3
        assert manifest.level_of_path(lv.path / "x.py") == lv
