"""Bug hunts: every hunt is caught by its level's tests, and its FIX makes them pass in the right place.

Each hunt is driven twice in a fresh pytest process, as ``nox -s bughunt -- check``
does it: planted (some test must fail) and with its FIX applied (every test
passes, and the change falls inside the hunt's WHERE function). Level 4's slow
training test is left out here: the self-test proves every model bug is caught
without it, so the learner's full run (which includes it) can only catch more.
"""

from __future__ import annotations

import json
import re

import pytest

from runner import manifest
from tools import progress
from tools.bughunt import catalogue, check, cli, records, scaffold

HUNTS = catalogue.hunts()
FAST = ["-q", "-m", "not slow"]


# -- the catalogue -------------------------------------------------------------


def test_the_catalogue_rises_in_difficulty_and_covers_the_topic():
    assert len(HUNTS) >= 12
    assert [h.number for h in HUNTS] == list(range(1, len(HUNTS) + 1))
    assert [h.difficulty for h in HUNTS] == sorted(h.difficulty for h in HUNTS)
    units = {lv.number for lv in manifest.levels()} | {st.name for st in manifest.stages().values() if st.folder}
    for h in HUNTS:
        assert h.level in units and h.file in h.files, h
        assert len(h.hints) == 3 and h.symptom and h.lesson and h.title, h
        assert h.buggy != h.fix, h
    assert {h.file for h in HUNTS} == {"value.py", "nn.py"}  # engines and training code


@pytest.mark.parametrize("h", HUNTS, ids=[f"{h.number}-{h.slug}" for h in HUNTS])
def test_the_planted_bug_sits_in_its_function(h):
    """Planting changes the reference only inside WHERE (imports aside), and FIX undoes it exactly."""
    files = scaffold.planted(h)
    pristine = scaffold.pristine(h.file)
    changes = check.changes_in(h.file, pristine, files[h.file])
    assert changes and all(c.function and check._within(c.function, h.where) for c in changes), changes
    assert scaffold.fixed(h, files[h.file]) == pristine.replace(*h.extra[0]) if h.extra else pristine
    for name in h.files:
        if name != h.file:
            assert files[name] == scaffold.pristine(name)


# -- every hunt, without and with its fix ----------------------------------------


@pytest.mark.parametrize("h", HUNTS, ids=[f"{h.number}-{h.slug}" for h in HUNTS])
def test_each_hunt_fails_as_planted_and_passes_with_its_fix(h, state):
    folder = scaffold.plant(h)
    assert folder.is_relative_to(state)
    planted = check.run_tests(h, folder, FAST + ["-x"], echo=False)
    assert not planted.ok and planted.failures, f"hunt {h.number} is not caught:\n{planted.output[-3000:]}"

    path = folder / h.file
    path.write_text(scaffold.fixed(h, path.read_text()))
    verdict = check.verdict(h, folder, FAST, echo=False)
    assert verdict.tests.ok, f"hunt {h.number} with its FIX:\n{verdict.tests.output[-3000:]}"
    assert verdict.in_place and verdict.solved, verdict.changes


# -- where the change is ------------------------------------------------------------


def test_a_fix_with_changes_elsewhere_is_not_accepted(state):
    h = catalogue.hunt("mul_operand")
    folder = scaffold.plant(h)
    path = folder / "value.py"
    text = scaffold.fixed(h, path.read_text())
    add_line = 'out = Value(self.data + other.data, (self, other), "+")'
    assert add_line in text
    path.write_text(text.replace(add_line, 'out = Value(other.data + self.data, (self, other), "+")'))
    v = check.verdict(h, folder, FAST, echo=False)
    assert v.tests.ok and not v.solved
    assert [c.function for c in v.misplaced] == ["Value.__add__"]
    shown = cli._describe(v, h)
    assert "changed other code too" in shown and "Value.__add__" in shown


def test_comments_blank_lines_and_imports_do_not_count(state):
    h = catalogue.hunt("float32")
    folder = scaffold.plant(h)
    path = folder / "value.py"
    text = scaffold.fixed(h, path.read_text()).replace("import numpy\n", "")
    text = text.replace("    # -- backpropagation", "    # -- backpropagation (read me twice)\n")
    path.write_text(text)
    changes = check.where_changed(h, folder)
    assert [c.function for c in changes] == ["Value.__init__"]


def test_a_change_in_the_other_file_is_never_the_fix(state):
    h = catalogue.hunt("update_sign")
    folder = scaffold.plant(h)
    engine = folder / "value.py"
    engine.write_text(engine.read_text().replace("self.grad = 0.0\n", "self.grad = 0.0  \nself_grad = 0\n", 1))
    assert any(c.file == "value.py" and c.function is None for c in check.where_changed(h, folder))


# -- the command line and the records ---------------------------------------------


def test_a_hunt_start_to_finish(state, capsys):
    assert cli.main(["2", "--minutes", "10"]) == 0
    out = capsys.readouterr().out
    h = catalogue.hunt(2)
    assert h.symptom in out and "nox -s bughunt -- check" in out and "10 minutes" in out
    folder = scaffold.current()
    assert folder is not None and folder.parent == state / "bughunt"
    assert {p.name for p in folder.iterdir()} >= {"value.py", "README.md", "probe.py", "hunt.json", ".planted"}
    assert h.symptom in (folder / "README.md").read_text()

    assert cli.main(["check"]) == 1  # nothing changed
    assert "Nothing changed yet" in capsys.readouterr().out
    assert cli.main(["hint"]) == 0 and h.hints[0] in capsys.readouterr().out
    assert cli.main(["hint"]) == 0 and h.hints[1] in capsys.readouterr().out

    path = folder / "value.py"
    path.write_text(scaffold.fixed(h, path.read_text()))
    assert cli.run_check(FAST, echo=False) == 0
    out = capsys.readouterr().out
    assert "Solved: hunt 2" in out and "with 2 hint(s)" in out and "of 10:00" in out
    assert scaffold.current() is None

    (rec,) = records.history()
    assert (rec["hunt"], rec["outcome"], rec["hints"], rec["minutes"], rec["checks"]) == (2, "solved", 2, 10, 2)
    assert cli.main(["--list"]) == 0
    listed = next(line for line in capsys.readouterr().out.splitlines() if h.title in line)
    assert "2 hint(s)" in listed

    problems: list[str] = []
    lines = progress.bughunt_lines(problems)
    assert any("1 of" in line and "solved" in line for line in lines) and not problems


def test_a_model_hunts_train_py_trains_its_own_network_with_the_bug(state):
    """train.py runs the hunt's nn.py (on the escape hatch): the planted wrong update sign shows, the fix
    makes the loss fall."""
    import re
    import subprocess
    import sys

    h = next(h for h in HUNTS if h.file == "nn.py" and "-=" in h.fix and "+=" in h.buggy)
    folder = scaffold.plant(h)

    def losses() -> list[float]:
        done = subprocess.run([sys.executable, str(folder / "train.py")], capture_output=True, text=True, check=True)
        return [float(x) for x in re.findall(r"loss (\S+),", done.stdout)]

    planted = losses()
    assert len(planted) == 4 and not planted[-1] < planted[0], planted
    path = folder / "nn.py"
    path.write_text(scaffold.fixed(h, path.read_text()))
    fixed = losses()
    assert len(fixed) == 4 and fixed[-1] < fixed[0], fixed


def test_the_next_hunt_random_and_reveal(state, capsys):
    records.append({"hunt": 1, "slug": "mul_operand", "outcome": "solved", "elapsed_s": 60.0, "hints": 0})
    assert cli.main([]) == 0
    assert json.loads((scaffold.current() / "hunt.json").read_text())["hunt"] == 2  # the first unsolved
    assert cli.main(["--random"]) == 0
    assert "stays there, unfinished" in capsys.readouterr().out
    h = catalogue.hunt(scaffold.read_meta(scaffold.current())["hunt"])
    assert cli.main(["reveal"]) == 0
    out = capsys.readouterr().out
    assert h.where in out and "+" in out and h.lesson.splitlines()[0] in out
    assert records.history()[-1]["outcome"] == "revealed" and scaffold.current() is None
    assert cli.main(["hint"]) == 1  # no hunt in progress


def test_unknown_hunts_and_damaged_records(state, capsys):
    with pytest.raises(SystemExit):
        cli.main(["99"])
    assert "choose 1-" in capsys.readouterr().err
    records.append({"hunt": 3, "outcome": "solved", "elapsed_s": 30.0, "hints": 1})
    with records.history_path().open("a") as f:
        f.write("{not json\n")
    problems: list[str] = []
    assert len(records.history(problems)) == 1 and problems


# -- names and summaries that do not give the answer away ---------------------------


@pytest.mark.parametrize("h", HUNTS, ids=[f"{h.number}-{h.slug}" for h in HUNTS])
def test_a_hunt_folder_is_named_by_number_and_area_never_by_the_bug(h, state, capsys):
    assert cli.main([str(h.number)]) == 0
    out = capsys.readouterr().out
    folder = scaffold.current()
    area = "network" if h.file == "nn.py" else "engine"
    assert re.fullmatch(rf"\d{{8}}-\d{{6}}-hunt-{h.number:02d}-{area}", folder.name), folder.name
    shown = out + (folder / "README.md").read_text() + (folder / "hunt.json").read_text()
    words = [w for w in h.slug.split("_") if len(w) > 3 and w not in h.title and w not in h.symptom]
    assert h.slug not in shown and not [w for w in words if w in shown.lower()], (words, shown)


def test_a_hunt_started_under_the_old_names_is_still_current_and_its_record_reads(state, capsys):
    """Folders used to be named after the bug, and hunt.json held its slug: such a hunt still goes on."""
    h = catalogue.hunt(1)
    folder = scaffold.plant(h)
    old = folder.with_name(folder.name.replace(scaffold.folder_name(h), h.slug))
    folder.rename(old)
    meta = scaffold.read_meta(old)
    scaffold.write_meta(old, dict(meta, slug=h.slug))
    (state / "bughunt" / "current.json").write_text(json.dumps({"folder": str(old)}))
    assert scaffold.current() == old
    assert cli.main(["hint"]) == 0 and h.hints[0] in capsys.readouterr().out
    assert cli.main(["reveal"]) == 0
    (rec,) = records.history()
    assert (rec["hunt"], rec["outcome"]) == (1, "revealed")


def test_a_level_4_hunts_check_summarises_only_the_tests_that_ran(state, capsys):
    h = next(h for h in HUNTS if h.file == "nn.py")
    assert cli.main([str(h.number)]) == 0
    folder = scaffold.current()
    path = folder / h.file
    path.write_text(scaffold.fixed(h, path.read_text()))
    capsys.readouterr()
    assert cli.run_check(FAST) == 0
    out = capsys.readouterr().out
    assert f"Solved: hunt {h.number}" in out, out[-3000:]
    per_level = re.findall(r"^level (\d) +(\d+) of +(\d+) +passing", out, re.M)
    assert [lv for lv, _, _ in per_level] == ["4"], out[-3000:]  # levels 1-3 did not run: not listed
