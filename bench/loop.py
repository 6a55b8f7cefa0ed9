"""The learner's loop: what a learner waits for, in units of one micrograd training step timed in the same run.

* each level's tests, warm, on a learner-speed engine: ``tests/zoo/correct/micrograd_closures.py``
  (closures, micrograd's style, done through level 4) with the correct
  network of the bug zoo (``tests/zoo/correct/network/nn.py``) beside it, run
  as ``nox -s levelN`` runs them: ``python -m pytest katas --level=N --impl DIR``;
* the first run of each tool session that needs only the standard library
  (``nox -s hint -- 1`` and the others), as on a fresh clone: in a fresh copy
  of the repository's files (no ``.nox``, no compiled bytecode, no state);
* what nox adds: a warm ``nox -s level1`` against bare pytest in the same
  environment, and whether the levels 1-2 environment stays free of PyTorch.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.timing import median, time_rounds

ROOT = Path(__file__).resolve().parent.parent
LEARNER_VALUE = ROOT / "tests" / "zoo" / "correct" / "micrograd_closures.py"  # shared with the zoo
LEARNER_NN = ROOT / "tests" / "zoo" / "correct" / "network" / "nn.py"
# the sessions that run on nox's own interpreter, and a harmless command line for each
STDLIB_TOOLS = {
    "hint": ["1"],
    "progress": [],
    "restore": [],
    "carry": ["2", "--dry-run"],
}
LEVELS_ENV = "kata"  # the shared environment of levels 1-2 (noxfile.ENVS)


def nox_command() -> list[str] | None:
    """How to call nox from here: the nox that started the bench (``KATA_NOX_PYTHON``, set by ``nox -s
    bench``: the learner's, whose pip may install into new environments), else this interpreter's, or
    the one on PATH."""
    if os.environ.get("KATA_NOX_PYTHON"):
        return [os.environ["KATA_NOX_PYTHON"], "-m", "nox"]
    if importlib.util.find_spec("nox") is not None:
        return [sys.executable, "-m", "nox"]
    found = shutil.which("nox")
    return [found] if found else None


def env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


# The other correct micrograd-style engines of the zoo that pass level 3 (tests/claims.py), each timed at
# levels 3 and 4 with the zoo's network beside it. Not visited_list.py: its O(n^2) sort is there to be
# slow (it sets the time limits' factor and is timed below, among many runs at once).
ZOO_ENGINES = {p.stem: p for p in (ROOT / "tests" / "zoo" / "correct" / f"{n}.py"
                                   for n in ("slots_kahn", "iterative_dfs"))}
SLOW_ENGINE = ROOT / "tests" / "zoo" / "correct" / "visited_list.py"


def learner_engine(folder: Path, value: Path = LEARNER_VALUE) -> Path:
    """A kata-like folder holding a learner-speed engine (``value``) as value.py and the zoo's nn.py."""
    shutil.copy(value, folder / "value.py")
    shutil.copy(LEARNER_NN, folder / "nn.py")
    return folder


UNIT = "unit"  # the key of the unit's timing among the levels'
UNIT_STEPS = 3  # training steps per timing of the unit, within each round


def unit_step() -> float | None:
    """Seconds per micrograd training step, timed in a fresh process (``bench/unit.py``); None without micrograd."""
    done = subprocess.run([sys.executable, "-m", "bench.unit", str(UNIT_STEPS)], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    try:
        return float(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def level_times(levels: list[int], repeats: int = 2, unit: bool = True,
                engines: dict[str, Path] | None = None, engine_levels: tuple[int, ...] = (3, 4)) -> dict:
    """Seconds (median of ``repeats`` rounds) for levels 1..N's tests on the learner-speed engine, run by
    the kata's level runner; and an error when the run was not green (a correct engine must pass).

    ``engines``: other engines (name -> value.py), each timed at those of ``engine_levels`` that are
    in ``levels``; their figures come under ``(name, N)``. ``unit``: also time one training step of micrograd in each round, between
    the levels' runs, so the unit sees the same load of a shared machine as the levels; in a fresh
    process, as the levels run, so the bench's own heap does not slow it (gc stays on). Its seconds
    per step are under ``UNIT`` (None without micrograd)."""
    from runner import levelrun

    out: dict = {}
    with tempfile.TemporaryDirectory() as state, tempfile.TemporaryDirectory() as tmp:
        folders = {None: learner_engine(Path(tmp))}
        for name, value in (engines or {}).items():
            (Path(tmp) / name).mkdir()
            folders[name] = learner_engine(Path(tmp) / name, value)
        errors: dict = {}

        def task(key, folder, n):
            def run():
                result = levelrun.run_level(n, folder, env={"KATA_STATE_DIR": state})
                if not result.green:
                    errors[key] = "not green: " + result.summary()[:120]
            return run

        tasks = {(n if name is None else (name, n)): task(n if name is None else (name, n), folder, n)
                 for name, folder in folders.items() for n in levels if name is None or n in engine_levels}
        units: list[float | None] = []
        if unit:
            tasks[UNIT] = lambda: units.append(unit_step())
        # one warm-up run of the highest level compiles every test file; not counted
        times = time_rounds(tasks, repeats, min_block=0, warm=max(levels))
        for key in tasks:
            if key != UNIT:
                out[key] = (median(times[key]), errors.get(key, ""))
        if unit:
            measured = [u for u in units if u is not None]
            out[UNIT] = median(measured) if measured else None
    return out


def hang_time(timeout: float = 300) -> tuple[float, str]:
    """Seconds from ``python -m pytest katas --level=1`` on an engine whose ``backward()`` never ends
    (the learner-speed engine, its sort's loop never popping) to the end of the run, which shows the
    stopped test's block; and an error when the run did not say where it stopped."""
    from runner import levelrun

    with tempfile.TemporaryDirectory() as tmp:
        folder = learner_engine(Path(tmp))
        source = (folder / "value.py").read_text()
        hang = ("            v, done = stack.pop()\n", "            v, done = stack[-1]  # never pops\n")
        if hang[0] not in source:
            return 0.0, "the learner-speed engine has no stack.pop() to break"
        (folder / "value.py").write_text(source.replace(*hang))
        t0 = time.perf_counter()
        result = levelrun.run_level(1, folder, env={"KATA_STATE_DIR": str(Path(tmp) / "state")}, timeout=timeout)
        took = time.perf_counter() - t0
    said = "in backward" in result.output and "stopped after" in result.output
    return took, "" if said else "the screen did not say where backward() was stopped: " + result.summary()[:120]


def many_at_once(n: int = 8, level: int = 3) -> dict:
    """``n`` level runs at once on the correct engines of the zoo (the slow ``visited_list.py`` among
    them, the others in turn), on however many cores there are: each must be green, none stopped
    by a time limit. Returns the slowest run's seconds, the runs that were not green, and the load."""
    from concurrent.futures import ThreadPoolExecutor

    from runner import levelrun

    values = [SLOW_ENGINE, *([LEARNER_VALUE, *ZOO_ENGINES.values()] * n)][:n]
    with tempfile.TemporaryDirectory() as tmp:
        folders = []
        for i, value in enumerate(values):
            (Path(tmp) / str(i)).mkdir()
            folders.append((value.stem, learner_engine(Path(tmp) / str(i), value)))

        def one(item):
            name, folder = item
            t0 = time.perf_counter()
            result = levelrun.run_level(level, folder, env={"KATA_STATE_DIR": str(folder / "state")})
            return name, time.perf_counter() - t0, result

        with ThreadPoolExecutor(n) as pool:
            done = list(pool.map(one, folders))
    return {"runs": n, "level": level, "slowest": max(t for _, t, _ in done),
            "not green": [f"{name}: {r.summary()[:100]}" for name, _, r in done if not r.green],
            "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}


def running_on(path: str, timeout: float = 300) -> None:
    """Wait until no process's command line names ``path`` (Linux's /proc; elsewhere, return at once)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = False
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                busy = busy or path in cmdline.read_bytes().decode(errors="replace")
            except OSError:
                continue
        if not busy:
            return
        time.sleep(0.5)


def first_level1(timeout: float = 900) -> dict | None:
    """The first ``nox -s level1`` in a fresh clone, as a new learner runs it: the environment built
    from nothing with empty pip and uv caches (the packages come from the registry), then level 1's
    tests. Seconds, which installer nox found, and an error when no test ran. None without nox or git."""
    nox = nox_command()
    if nox is None or shutil.which("git") is None:
        return None
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        clone = fresh_clone(Path(tmp) / "kata")
        env = dict(os.environ, KATA_STATE_DIR=str(Path(tmp) / "state"), PIP_CACHE_DIR=str(Path(tmp) / "pip-cache"),
                   UV_CACHE_DIR=str(Path(tmp) / "uv-cache"))
        t0 = time.perf_counter()
        done = subprocess.run([*nox, "-s", "level1"], cwd=clone, capture_output=True, text=True, check=False,
                              env=env, timeout=timeout)
        took = time.perf_counter() - t0
        ran = (clone / ".nox" / LEVELS_ENV / "bin").exists() and done.returncode in (0, 1)
        uv = any((clone / ".nox" / LEVELS_ENV).glob("pyvenv.cfg")) and "uv" in (
            clone / ".nox" / LEVELS_ENV / "pyvenv.cfg").read_text()
        running_on(str(clone))  # the byte-compiling nox left running in the background, before the folder goes
    return {"seconds": took, "installer": "uv" if uv else "pip",
            "error": "" if ran else f"exit {done.returncode}: " + done.stderr[-600:]}


def fresh_clone(dest: Path) -> Path:
    """A copy of the repository's files as git knows them (the working tree's version): what a
    fresh clone holds, without .nox, bytecode or state."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in filter(None, listed.stdout.split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def tool_first_runs(repeats: int = 3) -> dict[str, float] | None:
    """Seconds (median) of the first ``nox -s TOOL`` in a fresh clone, for each stdlib-only tool session.
    None when nox or git cannot be found."""
    nox = nox_command()
    if nox is None or shutil.which("git") is None:
        return None
    out = {}
    for name, args in STDLIB_TOOLS.items():
        runs = []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as tmp:
                clone = fresh_clone(Path(tmp) / "kata")
                env = dict(os.environ, KATA_STATE_DIR=str(Path(tmp) / "state"))
                t0 = time.perf_counter()
                subprocess.run([*nox, "-s", name, "--", *args], cwd=clone, capture_output=True, check=False, env=env)
                runs.append(time.perf_counter() - t0)
        out[name] = median(runs)
    return out


def nox_overhead(repeats: int = 5) -> dict | None:
    """A warm ``nox -s level1`` against bare pytest running the same tests in the same environment.

    The first nox run creates (or refreshes) ``.nox/kata`` and is not
    counted. Then, in rounds: ``nox -s level1`` (what a learner types; the
    environment is reused and pip is not called), and ``.nox/kata``'s own
    ``python -m pytest katas --level=1`` run by the kata's level runner
    (``runner/levelrun.py``). The difference is what nox costs. Both run
    level 1's tests on the pristine stub (``--impl stubs/level1``), whatever
    the learner's own file holds, with the same options and environment (the
    runner's JSON report included), and exit non-zero; the bare run's verdict
    is checked (every test ran and failed), so a broken command is never timed
    as a fast one. The learner's progress state is not touched (a throw-away
    ``KATA_STATE_DIR``). Returns None when nox cannot be found.
    """
    from runner import levelrun

    nox = nox_command()
    if nox is None:
        return None
    state = tempfile.TemporaryDirectory()
    env = {"KATA_STATE_DIR": state.name}
    # the runner's pytest arguments, for nox's run too (nox adds no `katas` when they name it)
    options = levelrun.pytest_args(1, "stubs/level1", Path(state.name) / "nox-report.json")

    def nox_run():
        return subprocess.run([*nox, "-s", "level1", "--", *options], cwd=ROOT, capture_output=True, text=True,
                              check=False, env=levelrun.environment(env))

    first = nox_run()
    python = env_python(ROOT / ".nox" / LEVELS_ENV)
    if not python.exists():
        return {"error": "nox -s level1 made no environment:\n" + first.stdout[-1500:] + first.stderr[-1500:]}
    runs: list = []
    with state:
        times = time_rounds({"nox": nox_run,
                             "pytest": lambda: runs.append(levelrun.run_level(1, "stubs/level1", env=env,
                                                                              python=python))},
                            repeats)
    bare = runs[-1]
    if bare.error or not bare.total or bare.failed != bare.total:
        return {"error": f"the bare run of level 1 on the stub did not fail every test ({bare.summary()}):\n"
                         + bare.output[-1500:]}
    return {
        "nox": median(times["nox"]),
        "pytest": median(times["pytest"]),
        "repeats": repeats,
        "tests": bare.total,
        "torch": {LEVELS_ENV: env_has_torch(LEVELS_ENV)},
    }


def env_has_torch(name: str) -> bool | None:
    """Whether ``.nox/<name>`` has torch installed (None: there is no such environment)."""
    env = ROOT / ".nox" / name
    if not env.exists():
        return None
    return any(env.glob("lib/python*/site-packages/torch")) or any(env.glob("Lib/site-packages/torch"))


SHOWS = ("nox -s plots", "python train.py (a model hunt)")


def show_times(repeats: int = 2) -> dict[str, float | None]:
    """Seconds (median) of the tools that train for show: ``python -m tools.plots`` (what ``nox -s plots``
    runs) and the ``train.py`` of a model hunt (the first, planted in a throw-away state folder); and
    under ``UNIT`` one micrograd step timed in the same rounds."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KATA_STATE_DIR=str(Path(tmp) / "state"))
        planted = subprocess.run([sys.executable, "-c", "from tools.bughunt import catalogue, scaffold; "
                                  "print(scaffold.plant(next(h for h in catalogue.hunts() if h.file == 'nn.py')))"],
                                 cwd=ROOT, capture_output=True, text=True, check=True, env=env)
        train = Path(planted.stdout.strip().splitlines()[-1]) / "train.py"
        commands = {
            SHOWS[0]: [sys.executable, "-m", "tools.plots", "--quiet", "--out", str(Path(tmp) / "out")],
            SHOWS[1]: [sys.executable, str(train)],
        }
        tasks = {name: (lambda cmd=cmd: subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True, env=env))
                 for name, cmd in commands.items()}
        units: list[float | None] = []
        tasks[UNIT] = lambda: units.append(unit_step())
        times = time_rounds(tasks, repeats, min_block=0, warm=SHOWS[0])
    out: dict[str, float | None] = {name: median(times[name]) for name in SHOWS}
    measured = [u for u in units if u is not None]
    out[UNIT] = median(measured) if measured else None
    return out


BREAK = ("            self.grad += other.data * out.grad\n", "            self.grad += self.data * out.grad\n")


def watch_times(level: int = 4, timeout: float = 600) -> dict[str, float] | None:
    """Seconds the watcher (``python -m tools.watch --level N``) takes, on the learner-speed engine, from
    a save that breaks ``*``'s gradient to that failure on screen, and from the save that fixes it to
    "passing so far" and to the whole level's verdict. None without watchfiles."""
    if importlib.util.find_spec("watchfiles") is None:
        return None
    import queue
    import threading

    with tempfile.TemporaryDirectory() as tmp:
        folder = learner_engine(Path(tmp))
        good = (folder / "value.py").read_text()
        env = dict(os.environ, KATA_STATE_DIR=str(Path(tmp) / "state"), KATA_NO_CLEAR="1", PYTHONUNBUFFERED="1")
        cmd = [sys.executable, "-m", "tools.watch", f"--level={level}", f"--impl={folder}", "-q",
               "-o", f"cache_dir={Path(tmp) / 'cache'}"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

        def until(text: str) -> float:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    if text in lines.get(timeout=0.2):
                        return time.perf_counter()
                except queue.Empty:
                    continue
            raise RuntimeError(f"watch mode: no {text!r} within {timeout:g} s")

        try:
            until("watching ")
            t0 = time.perf_counter()
            (folder / "value.py").write_text(good.replace(*BREAK))
            out = {"a save that breaks *: its failure on screen": until("stopping after 1 failures") - t0}
            until("watching ")
            t0 = time.perf_counter()
            (folder / "value.py").write_text(good)
            out['the save that fixes it: "passing so far"'] = until("passing so far") - t0
            out["the save that fixes it: the whole level's verdict"] = until("watching ") - t0
            return out
        finally:
            proc.kill()
            proc.wait()
