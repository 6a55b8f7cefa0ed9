"""Grading a class (tools/grade): one command over 30+ submissions.

The class: the bug zoo's engines that level 1 rejects, the correct engines in
other styles, and the hostile files of tests/grade_fixtures (hangs, unbounded
allocation, a crash of the interpreter, os._exit, sys.exit, writes everywhere,
patches pytest, forges reports, kills every process) plus files that do not
import. It is graded once, at level 1 (a few engines also at levels 1-2), and:

* every honest submission scores exactly what ``pytest katas --level N --impl
  FILE`` says for it, test by test;
* every hostile one is contained and reported, and scores nothing it did not earn;
* the repository and the other students' results are unchanged afterwards.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

from runner import levelrun, manifest
from tests import catalogue
from tools.grade import discover, flags, sandbox

ROOT = manifest.ROOT
ZOO = ROOT / "tests" / "zoo"
FIXTURES = ROOT / "tests" / "grade_fixtures"
CONFINED = sandbox.isolation_mode() in ("namespaces", "nobody")  # files the grader may write, the engine may not
WRITERS = ("writes_everywhere", "forges_a_report")  # only graded where their writes cannot land
ANSWER_TIMEOUT = 30  # seconds the grader waits for one answer (a hang at import is reported with it)
HONEST_EXTRA = ("escape_hatch",)  # marked, yet a real engine (hostile ones never run outside the grader's sandbox)
SYNTAX_ERROR = "class Value:\n    def __add__(self, other)\n        return self\n"


# Grading a class of 40 takes minutes on an idle 2-core machine and much longer on a busy one: the
# module's fixtures grade it once, inside the first test that asks, so every test here gets room for
# that (a slow machine must never turn into an error); the limits only stop a grader that hangs.
pytestmark = pytest.mark.timeout(3600)


def zoo_level1() -> list[Path]:
    """The one-file wrong engines that level 1 rejects, from the one catalogue of engines."""
    return sorted(e.path for e in catalogue.wrong() if e.rejected_by == 1 and e.path.suffix == ".py")


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout


def grade(folder: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tools.grade", str(folder), "--out", str(out), "--jobs", "2",
           "--memory-mb", "768", "--answer-timeout", str(ANSWER_TIMEOUT), *options]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600, env=env)


OUTSIDE = Path("/tmp/PWNED.txt")  # one of the places tests/grade_fixtures/writes_everywhere.py writes


def _stat(path: Path) -> tuple | None:
    """A file's identity and last change, or None: a run may not create it nor write it again."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def results(out: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(out.glob("*/results.json"))}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grade")
    folder = tmp / "class"
    folder.mkdir()
    for path in zoo_level1() + sorted((ZOO / "correct").glob("[!_]*.py")):
        shutil.copy(path, folder / path.name)
    shutil.copytree(ZOO / "correct" / "network", folder / "network")
    for path in sorted(FIXTURES.glob("*.py")):
        if path.name != "probe_hidden.py" and (CONFINED or path.stem not in WRITERS):
            shutil.copy(path, folder / path.name)
    (folder / "syntax_error.py").write_text(SYNTAX_ERROR)
    out = tmp / "out"
    before, tmp_before = git_status(), _stat(OUTSIDE)
    proc = grade(folder, out, "--levels", "1-1")
    return SimpleNamespace(folder=folder, out=out, proc=proc, before=before, after=git_status(),
                           tmp_before=tmp_before, tmp_after=_stat(OUTSIDE),
                           results=results(out), rows=list(csv.DictReader((out / "class.csv").open())))


def test_one_command_grades_the_whole_class(graded):
    assert graded.proc.returncode == 0, graded.proc.stdout[-3000:] + graded.proc.stderr[-3000:]
    names = {p.stem for p in graded.folder.iterdir()}
    assert len(names) >= 30
    assert set(graded.results) == names
    assert {row["student"] for row in graded.rows} == names
    totals = {r["tests"] and sum(t["max_score"] for t in r["tests"]) for r in graded.results.values()}
    assert len(totals) == 1, f"every student is graded out of the same tests, got {totals}"
    for name, r in graded.results.items():
        assert r["score"] == sum(t["score"] for t in r["tests"]), name
        for t in r["tests"]:
            assert t["name"].startswith("level 1: test_") and t["max_score"] == 1
            assert (t["score"] == 1) == (t["status"] == "passed")
            assert t["score"] == 1 or t["output"].strip(), f"{name}: a failing test says why ({t['name']})"
    assert "kata grades" in graded.proc.stdout  # the terminal table


def test_honest_scores_match_impl_runs(graded):
    """Test by test, what `nox -s level1 -- --impl FILE` says for the same file."""
    honest = [graded.folder / p.name for p in zoo_level1() + sorted((ZOO / "correct").glob("[!_]*.py"))]
    honest += [graded.folder / "network"] + [graded.folder / f"{n}.py" for n in HONEST_EXTRA
                                              if (graded.folder / f"{n}.py").exists()]
    with ThreadPoolExecutor(2) as pool:
        direct = dict(zip(honest, pool.map(lambda p: levelrun.run_level(1, p, timeout=900), honest)))
    for path, run in direct.items():
        name = path.stem if path.suffix else path.name
        assert run.error is None, f"{name}: {run.error}"
        expected = {t.nodeid.split("::", 1)[1] for t in run.tests if t.outcome == "passed"}
        got = {t["name"].removeprefix("level 1: ") for t in graded.results[name]["tests"] if t["score"]}
        assert got == expected, f"{name}: graded {sorted(got ^ expected)} differently from --impl"
        assert graded.results[name]["score"] == run.by_level[1]["passed"]
    full = [p.stem for p in zoo_level1() if graded.results[p.stem]["score"] >= len(graded.results[p.stem]["tests"])]
    assert not full, f"wrong engines given full marks: {full}"


def _outputs(r: dict) -> str:
    return r["output"] + "\n".join(t["output"] for t in r["tests"])


@pytest.mark.parametrize(("name", "score", "says"), [
    ("hang_at_import", "zero", f"did not answer in {ANSWER_TIMEOUT} s"),
    ("hang_in_backward", "some", "given up"),
    ("allocates_without_bound", "some", "MemoryError"),
    ("deep_recursion_crash", "some", "killed by signal"),
    ("os_exit_at_import", "zero", "exited with code 0"),
    ("sys_exit_in_backward", "some", "SystemExit"),
    ("patches_pytest", "zero", "not written yet"),
    ("forges_a_report", "zero", ""),
    ("syntax_error", "zero", "syntax error"),
    ("missing_module", "zero", "No module named 'numpyy'"),
    ("no_value_class", "zero", "has no attribute 'Value'"),
    ("kills_every_process", "all", ""),
    ("writes_everywhere", "all", ""),
])
def test_hostile_submissions_are_contained_and_reported(graded, name, score, says):
    if name not in graded.results:
        pytest.skip(f"{name} writes files: graded only where engines run as another user ({sandbox.isolation()})")
    r = graded.results[name]
    total = len(r["tests"])
    assert {"zero": r["score"] == 0, "some": 0 < r["score"] < total, "all": r["score"] == total}[score], \
        f"{name} scored {r['score']} of {total}:\n{r['output']}"
    assert says in _outputs(r), f"{name}: the report should say {says!r}:\n{r['output']}"


def test_flags_mark_finished_engines_and_nothing_else(graded):
    marked = {name: r["output"] for name, r in graded.results.items() if "Marked:" in r["output"]}
    assert set(marked) == {"escape_hatch", "torch_inside_value"}
    assert "escape hatch" in marked["escape_hatch"] and "torch" in marked["torch_inside_value"]
    assert flags.static_flags({"value": FIXTURES / "escape_hatch.py"}) == [
        "escape_hatch.py: imports the escape hatch (utils.autograd_stub)"]


@pytest.mark.skipif(not CONFINED, reason="engines run as the grader's user here: files are confined only in a "
                                         "container (docs/instructors.md)")
def test_repository_and_results_are_unchanged(graded):
    assert graded.after == graded.before
    assert not list(ROOT.rglob("PWNED.txt"))
    assert graded.tmp_after == graded.tmp_before, f"an engine wrote {OUTSIDE}"
    found = sorted(p.relative_to(graded.out).as_posix() for p in graded.out.rglob("*") if p.is_file())
    assert found == sorted(["class.csv", *(f"{n}/results.json" for n in graded.results)])
    for r in graded.results.values():
        assert r["score"] <= len(r["tests"])


def test_levels_1_2_match_impl_runs(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    level2_bug = sorted(e.path for e in catalogue.wrong() if e.rejected_by == 2 and e.path.suffix == ".py")[0]
    picked = [ZOO / "correct" / "slots_kahn.py", level2_bug]  # passes all; fails level 2 only
    for path in picked:
        shutil.copy(path, folder / path.name)
    proc = grade(folder, tmp_path / "out", "--levels", "1-2")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    got = results(tmp_path / "out")
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda p: levelrun.run_level(2, folder / p.name, timeout=900), picked))
    for path, run in zip(picked, runs):
        for level in (1, 2):
            scored = sum(t["score"] for t in got[path.stem]["tests"] if t["tags"] == [f"level{level}"])
            assert scored == run.by_level[level]["passed"], f"{path.stem}, level {level}"
    assert got["slots_kahn"]["score"] == len(got["slots_kahn"]["tests"])
    assert got[level2_bug.stem]["score"] < len(got[level2_bug.stem]["tests"])


def _draws(tmp_path: Path, name: str, seed: int | None) -> list:
    out = tmp_path / f"{name}.json"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", KATA_PROBE_OUT=str(out))
    cmd = [sys.executable, "-m", "pytest", str(FIXTURES / "probe_hidden.py"), "-p", "no:cacheprovider", "-q",
           "-p", "tools.grade.trusted"]
    if seed is not None:
        env["KATA_GRADE_HIDDEN_SEED"] = str(seed)
        cmd.append(f"--hypothesis-seed={seed}")
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]
    return json.loads(out.read_text())


def test_hidden_seed_draws_other_examples(tmp_path):
    public, hidden, hidden_again = (_draws(tmp_path, "public", None), _draws(tmp_path, "h1", 1),
                                    _draws(tmp_path, "h1b", 1))
    assert hidden == hidden_again, "a hidden seed is reproducible"
    assert hidden != public, "a hidden seed draws other examples than the learner's runs"


def test_discover_reads_files_folders_and_clones(tmp_path):
    clone = tmp_path / "alice"
    for level in manifest.levels():
        for name in level.files:
            for folder in (level.folder, level.stub):
                (clone / folder).mkdir(parents=True, exist_ok=True)
                shutil.copy(level.stub_path / name, clone / folder / name)
    (clone / "levels.toml").write_text("")
    (clone / "katas" / "level2" / "value.py").write_text("class Value:\n    pass\n")
    shutil.copy(ZOO / "missing_radd.py", tmp_path / "bob.py")
    (tmp_path / "carol").mkdir()
    shutil.copy(ZOO / "correct" / "network" / "value.py", tmp_path / "carol" / "value.py")
    shutil.copy(ZOO / "correct" / "network" / "nn.py", tmp_path / "carol" / "nn.py")
    (tmp_path / "_ignored.py").write_text("")
    subs = {s.name: s for s in discover.discover([tmp_path])}
    assert set(subs) == {"alice", "bob", "carol"}
    assert subs["alice"].files["value"] == clone / "katas" / "level2" / "value.py"
    assert subs["bob"].files == {"value": tmp_path / "bob.py"}
    assert set(subs["carol"].files) == {"value", "nn"}


def test_bundle_is_a_gradescope_autograder(tmp_path):
    from tools.grade import bundle

    path = bundle.make(tmp_path / "autograder.zip", (1, 2, 3, 4), hidden_seed=7)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        run = z.read("run_autograder").decode()
        setup = z.read("setup.sh").decode()
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    assert {"setup.sh", "run_autograder", "levels.toml", "katas/level1/test_level1.py",
            "tools/grade/server.py", "runner/plugin.py"} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert "--levels 1-4 --hidden-seed 7" in run and "/autograder/results/results.json" in run
    assert "torch==" in setup and "download.pytorch.org/whl/cpu" in setup
    assert not any(n.startswith(("tests/", ".git/")) for n in names)


def test_proxies_behave_like_the_engine_objects(tmp_path):
    """The stand-in the level tests see: identity, types, dispatch, errors, and a crash that is survived."""
    from tools.grade import remote

    network = ZOO / "correct" / "network"
    shim = sandbox.prepare(tmp_path / "s", {"value": network / "value.py", "nn": network / "nn.py"},
                           sandbox.Limits(answer_timeout=60))
    engine = remote.connect(shim / "engine.json")
    try:
        Value, Neuron = engine.attr("value", "Value"), engine.attr("nn", "Neuron")  # noqa: N806
        n = Neuron(3)
        assert [id(p) for p in n.parameters()] == [id(p) for p in n.w + [n.b]]
        assert all(isinstance(p, Value) for p in n.parameters())
        x = Value(2.0)
        y = 1 + x * 3
        assert isinstance(y, Value) and y.data == 7.0 and type(y.data) is float
        assert {id(p) for p in (x * x)._prev} == {id(x)}
        y.backward()
        assert x.grad == 3.0
        with pytest.raises(TypeError):
            x + "a"
        with pytest.raises(AttributeError):
            x.no_such_attribute  # noqa: B018
        with pytest.raises(remote.EngineCrashed, match="exited with code 3"):
            remote.RemoteModule(engine, "os")._exit(3)
        with pytest.raises(remote.EngineCrashed, match="has since ended"):
            x.data  # noqa: B018
        assert Value(1.5).data == 1.5  # a fresh engine process
        assert engine.generation == 2
    finally:
        engine.close()


TUPLE_PREV = '''from tests.zoo.mul_assigns_second_operand import Value as _Base


class Value(_Base):
    """_prev a tuple, and a backward that walks a set made of it."""

    def __init__(self, data, _children=(), _op=""):
        super().__init__(data, _children, _op)
        self._prev = tuple(_children)

    def backward(self):
        topo, seen = [], set()

        def build(v):
            if v not in seen:
                seen.add(v)
                for child in set(v._prev):
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
'''


@pytest.mark.parametrize("engine_file", ["set", "tuple"])
def test_proxies_show_the_order_of_siblings_the_engine_walks(tmp_path, engine_file):
    """Behind the pipe, the order-proof tests must see the engine's own order of siblings.

    y = 2*x*x + 3*x with a one-operand assignment in *: dy/dx comes out right (11) exactly when
    the engine's backward reaches 2*x*x before 3*x. Which order of the set gives that is the
    engine's own: the tuple engine below sorts recursively (right when the set lists 3*x first),
    the zoo's micrograd with a stack (right when it lists 2*x*x first). The order read through the
    proxies (utils/every_order.signature) must say so on every copy.
    """
    from tools.grade import remote
    from utils.every_order import signature

    path = ZOO / "mul_assigns_second_operand.py"
    if engine_file == "tuple":
        path = tmp_path / "tuple_prev.py"
        path.write_text(TUPLE_PREV)
    shim = sandbox.prepare(tmp_path / "s", {"value": path}, sandbox.Limits(answer_timeout=60))
    engine = remote.connect(shim / "engine.json")
    try:
        Value = engine.attr("value", "Value")  # noqa: N806
        keep, seen = [], {}
        for _ in range(120):
            x = Value(2.0)
            p, q = 2 * x * x, 3 * x
            s = p + q
            keep.append(s)
            _, shown, _ = signature(s, {id(p): "p", id(q): "q", id(s): "s"})
            s.backward()
            seen.setdefault(shown, set()).add(x.grad)
        right = "s: (q, p)" if engine_file == "tuple" else "s: (p, q)"
        wrong = "s: (p, q)" if engine_file == "tuple" else "s: (q, p)"
        assert seen == {right: {11.0}, wrong: {8.0}}, seen
    finally:
        engine.close()


TWO_CLASSES = '''class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data, self.grad, self._prev, self._op = float(data), 0.0, tuple(_children), _op
        self._backward = lambda: None

    def __mul__(self, k):
        out = type(self)(self.data * k, (self,), "*")

        def _backward():
            self.grad += k * out.grad

        out._backward = _backward
        return out

    def backward(self):
        self.grad = 1.0
        self._backward()
        for v in self._prev:
            v._backward()


class Value(Value):
    """A second class of the same module and name, on top of the first."""

    def twice(self):
        return self * 2
'''


def test_two_classes_of_one_name_cross_the_pipe(tmp_path):
    """A file may define ``class Value`` twice, the second subclassing the first: both reach the tests."""
    from tools.grade import remote

    path = tmp_path / "twice.py"
    path.write_text(TWO_CLASSES)
    shim = sandbox.prepare(tmp_path / "s", {"value": path}, sandbox.Limits(answer_timeout=60))
    engine = remote.connect(shim / "engine.json")
    try:
        Value = engine.attr("value", "Value")  # noqa: N806
        x = Value(-2.0)
        y = x.twice()
        assert isinstance(y, Value) and y.data == -4.0 and type(y) is type(x)
        assert type(x).__mro__[1].__name__ == "Value"  # the first class, behind the second
        y.backward()
        assert x.grad == 2.0
    finally:
        engine.close()
