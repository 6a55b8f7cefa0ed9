"""The README's front door stays true to the manifest and the noxfile."""

from __future__ import annotations

import re

from runner import manifest

README = (manifest.ROOT / "README.md").read_text(encoding="utf-8")
NOXFILE = (manifest.ROOT / "noxfile.py").read_text(encoding="utf-8")


def test_level_map_has_one_row_per_level_of_the_manifest():
    rows = {int(m.group(1)): m.group(0) for m in re.finditer(r"^\| (\d+) \|.*$", README, re.M)}
    assert sorted(rows) == [lv.number for lv in manifest.levels()], "the README's level map and levels.toml differ"
    for lv in manifest.levels():
        assert f"`nox -s {lv.name}`" in rows[lv.number], f"level {lv.number}'s row should say how to run it"
        for path in lv.learner_files:
            rel = path.relative_to(manifest.ROOT).as_posix()
            assert f"`{rel}`" in rows[lv.number], f"level {lv.number}'s row should name {rel}"


def test_every_session_the_readme_names_exists():
    named = set(re.findall(r"nox -s ([a-z0-9]+)(?![A-Za-z0-9])", README))  # not "levelN"
    sessions = {lv.name for lv in manifest.levels()} | set(re.findall(r"^def ([a-z0-9]+)\(session", NOXFILE, re.M))
    assert named <= sessions, f"the README names sessions the noxfile lacks: {sorted(named - sessions)}"


def test_the_two_start_commands():
    assert "pip install nox\nnox -s level1" in README
    assert "nox -s selftest" in README
    ci = (manifest.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "nox -s selftest" in ci, "CI runs the README's self-test command"


def test_the_readme_is_a_front_door():
    """The README is for learners and stays short; material for instructors and maintainers lives in docs/."""
    assert len(README.splitlines()) <= 150, "keep the README under 150 lines: move the rest to docs/"
    for link in re.findall(r"\]\(((?:docs|katas|reference)/[^)#]+)\)", README):
        assert (manifest.ROOT / link).exists(), f"the README links to {link}, which does not exist"
