"""Every command of the kata is a nox session. `nox -l` lists them.

The level sessions are made from levels.toml, so adding a level there adds
its session here. Environments are reused between runs, and a session only
calls pip when its requirements changed since the last install.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from runner import manifest  # noqa: E402

nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["level1"]

PYPROJECT = nox.project.load_toml(str(ROOT / "pyproject.toml"))
BASE = PYPROJECT["project"]["dependencies"]
EXTRAS = PYPROJECT["project"]["optional-dependencies"]


def install(session: nox.Session, *extras: str) -> None:
    """Install the base requirements and the named extras, unless this
    environment already has exactly these (a stamp file remembers)."""
    requirements = list(BASE) + [req for extra in extras for req in EXTRAS[extra]]
    if not isinstance(session.virtualenv, nox.virtualenv.VirtualEnv):  # --no-venv: use what is there
        return
    stamp = Path(session.virtualenv.location) / ".kata-requirements"
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    session.install(*requirements)
    stamp.write_text(digest)


def pytest_level(session: nox.Session, level: manifest.Level) -> None:
    install(session, *(["torch"] if level.needs_torch else []), *(["watch"] if "--watch" in session.posargs else []))
    args = [a for a in session.posargs if a != "--watch"]
    if "--watch" in session.posargs:
        session.run("python", "-m", "tools.watch", f"--level={level.number}", *args)
        return
    # a test id or a path in the options narrows the run to it; otherwise every level up to N
    paths = [] if any("::" in a or a.startswith("katas") for a in args) else ["katas"]
    session.run("python", "-m", "pytest", *paths, f"--level={level.number}", *args)


def _level_session(level: manifest.Level) -> None:
    def run(session: nox.Session) -> None:
        pytest_level(session, level)

    run.__doc__ = f"Level {level.number}: {level.title}. Options after -- go to pytest (--impl reference|PATH, --watch, -x, -k ...)."
    nox.session(name=level.name, venv_backend="venv")(run)


for _level in manifest.levels():
    _level_session(_level)


@nox.session(venv_backend="venv")
def selftest(session: nox.Session) -> None:
    """The repository's own tests: the reference passes every level, every stub fails, utils work."""
    install(session, "torch", "viz", "watch", "bench", "dev")
    session.run("ruff", "check", ".")
    session.run("python", "-m", "pytest", "tests", "-n", "auto", "-p", "xdist", "--timeout=1200", *session.posargs)


@nox.session(venv_backend="venv")
def hint(session: nox.Session) -> None:
    """Show the next unread hint of a level: nox -s hint -- 2"""
    install(session)
    session.run("python", "-m", "tools.hints", *session.posargs)


@nox.session(venv_backend="venv")
def progress(session: nox.Session) -> None:
    """Each level's state, hints read and best interview times."""
    install(session)
    session.run("python", "-m", "tools.progress", *session.posargs)


@nox.session(venv_backend="venv")
def carry(session: nox.Session) -> None:
    """Start level N from your level N-1 code (or --from-reference): nox -s carry -- 2"""
    install(session)
    session.run("python", "-m", "tools.carry", *session.posargs)


@nox.session(venv_backend="venv")
def restore(session: nox.Session) -> None:
    """List the backups of your files, or bring one back: nox -s restore -- [ID]"""
    install(session)
    session.run("python", "-m", "tools.backups", *session.posargs)


@nox.session(venv_backend="venv")
def interview(session: nox.Session) -> None:
    """Timed interview practice: nox -s interview -- [1|2|3|full] [--stages a,b | --stage NAME] [--history] [--questions]"""
    args = session.posargs
    levels = [int(a) for i, a in enumerate(args)  # a scope, not the value of --minutes, --count, ...
              if a.isdigit() and int(a) <= len(manifest.levels()) and not (i and args[i - 1].startswith("--"))]
    torch = any(manifest.level(n).needs_torch for n in levels)  # the stages need no PyTorch (it is used if there)
    install(session, "watch", "viz", *(["torch"] if torch else []))
    session.run("python", "-m", "tools.interview", *session.posargs)


@nox.session(venv_backend="venv")
def graph(session: nox.Session) -> None:
    """Draw an expression's graph: nox -s graph -- "x*y + x" """
    install(session, "viz")
    session.run("python", "-m", "tools.graph", *session.posargs)


@nox.session(venv_backend="venv")
def compare(session: nox.Session) -> None:
    """Run an engine (--impl) and PyTorch side by side and print a comparison table."""
    install(session, "torch")
    session.run("python", "-m", "tools.compare", *session.posargs)


@nox.session(venv_backend="venv")
def bench(session: nox.Session) -> None:
    """Speed and memory of the engines, side by side with micrograd and PyTorch."""
    install(session, "torch", "bench")
    session.run("python", "-m", "bench", *session.posargs)


@nox.session(venv_backend="venv")
def mutation(session: nox.Session) -> None:
    """Mutation testing of the reference engine against the level tests (slow; not in CI)."""
    install(session, "torch", "mutation")
    session.run("python", "-m", "tests.mutation", *session.posargs)


@nox.session(venv_backend="venv")
def plots(session: nox.Session) -> None:
    """Train a level-4 network and write the decision boundary and loss curve: nox -s plots -- [--impl learner] [--out DIR]"""
    install(session, "viz")
    session.run("python", "-m", "tools.plots", *session.posargs)


# the lowest and the highest pytest, hypothesis and pytest-timeout that pyproject.toml admits
FEEDBACK_VERSIONS = {
    "lowest": ["pytest==8.0.0", "hypothesis==6.100.0", "pytest-timeout==2.3.1"],
    "highest": ["pytest==9.2.0", "hypothesis==6.170.17", "pytest-timeout==2.4.0"],
}


@nox.session(venv_backend="venv")
@nox.parametrize("versions", list(FEEDBACK_VERSIONS))
def feedback_versions(session: nox.Session, versions: str) -> None:
    """What learners see (failure blocks, summary, diagnosis) on the lowest and highest supported pytest and hypothesis."""
    session.install(*BASE, *FEEDBACK_VERSIONS[versions])
    session.run("python", "-m", "pytest", "tests/test_feedback.py", "tests/test_diagnose.py", "-p", "no:randomly",
                "-p", "no:cacheprovider", *session.posargs)


@nox.session(venv_backend="venv")
def bughunt(session: nox.Session) -> None:
    """Find and fix a planted bug: nox -s bughunt -- [N|--random|--list] [--minutes M] | check [--watch] | hint"""
    install(session, "torch", "watch")
    session.run("python", "-m", "tools.bughunt", *session.posargs)


@nox.session(venv_backend="venv")
def grade(session: nox.Session) -> None:
    """Grade a class: nox -s grade -- SUBMISSIONS --out DIR [--levels 1-3|1-4] [--hidden-seed N] | --bundle OUT.zip"""
    levels = next((a.split("=", 1)[-1] for a in session.posargs if a.startswith("--levels=")), None)
    if "--levels" in session.posargs[:-1]:
        levels = session.posargs[session.posargs.index("--levels") + 1]
    try:
        top = min(int((levels or "1-3").split("-")[-1]), len(manifest.levels()))
    except ValueError:
        top = len(manifest.levels())  # the grader itself says what is wrong with the option
    torch = any(manifest.level(n).needs_torch for n in range(1, top + 1))
    install(session, "watch", *(["torch"] if torch else []))
    session.run("python", "-m", "tools.grade", *session.posargs)
