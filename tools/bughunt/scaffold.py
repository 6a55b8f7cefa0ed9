"""Planting a hunt: a scratch folder under the state folder with the buggy files,
a README with the symptom, and small scripts to probe the engine.

    .kata/bughunt/<time>-hunt-<number>-<area>/    e.g. 20261127-054000-hunt-01-engine
        value.py, nn.py      the code to fix (nn.py for level-4 hunts)
        README.md            the symptom and the tools
        probe.py             check_gradients on this folder's engine: edit it freely
        train.py             level-4 hunts: a short training run that prints the loss
        .planted/            the files as planted, to see what you changed
        hunt.json            which hunt, when it started, the clock, hints shown

The folder's name says the hunt's number and where the bug is (the engine, or the
network), never what the bug is. Nothing here touches ``katas/``.
"""

from __future__ import annotations

import ast
import json
import time
from pathlib import Path

from runner import state
from tools.bughunt.catalogue import SOURCES, Hunt

HEADER = '"""A scalar autograd engine with one planted bug: see README.md beside this file."""\n'
NN_HEADER = '"""A small network on the engine in value.py, with one planted bug: see README.md beside this file."""\n'


def _replace_once(text: str, old: str, new: str, what: str) -> str:
    n = text.count(old)
    if n != 1:
        raise ValueError(f"{what}: expected the lines once in the reference, found them {n} times:\n{old}")
    return text.replace(old, new)


def _without_docstring(text: str, header: str) -> str:
    """The module with its docstring replaced by ``header`` (the reference's describes the reference)."""
    body = ast.parse(text).body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        lines = text.splitlines(keepends=True)
        return header + "".join(lines[body[0].end_lineno:])
    return header + text


def pristine(name: str) -> str:
    """The reference as a hunt folder's ``name`` (value.py or nn.py), before any bug."""
    text = SOURCES[name].read_text(encoding="utf-8")
    if name == "nn.py":
        text = _replace_once(text, "from .engine import Value", "from .value import Value", "nn.py import")
        return _without_docstring(text, NN_HEADER)
    return _without_docstring(text, HEADER)


def planted(h: Hunt) -> dict[str, str]:
    """The files of the hunt folder, with the bug in ``h.file``."""
    files = {name: pristine(name) for name in h.files}
    text = _replace_once(files[h.file], h.fix, h.buggy, f"hunt {h.number} FIX")
    for old, new in h.extra:
        text = _replace_once(text, old, new, f"hunt {h.number} EXTRA")
    files[h.file] = text
    return files


def fixed(h: Hunt, text: str) -> str:
    """``text`` (the planted file) with the hunt's FIX put back: the answer, for the self-test and --reveal."""
    return _replace_once(text, h.buggy, h.fix, f"hunt {h.number} BUGGY")


def _readme(h: Hunt, folder: Path, minutes: float | None) -> str:
    rel = _shown(folder)
    clock = f"\nYou have {minutes:g} minutes.\n" if minutes else ""
    train = (f"- `python {rel}/train.py`: a short training run on two moons; watch the loss.\n"
             if trains(h) else "")
    return f"""# Bug hunt {h.number}: {h.title}

> {h.symptom}

There is exactly one bug, in {" or ".join(h.files)}. Find it, fix it, and run
`nox -s bughunt -- check`. The check runs the tests of {h.judged_by} on this
folder and looks at where you changed the code.
{clock}
Tools (from the repository root):

- `python {rel}/probe.py`: check_gradients (utils/finite_difference_checker.py) on this
  engine; edit the expressions in it. See docs/gradient-checking.md.
- `nox -s graph -- {h.graph or '"x*y + x"'} --check --impl {rel}/value.py`: draw {"the symptom's" if h.graph else "a"}
  graph with every node's data, the grad this engine gives and the right one, where they differ marked
  (docs/graph.md).
- `nox -s compare -- --impl {rel}`: this engine and PyTorch side by side, op by op.
{train}- `nox -s bughunt -- hint`: a hint (it is recorded).

Diffing this folder against `reference/` would find the bug without learning
anything: an interviewer's code has no reference.
"""


PROBE = '''"""check_gradients on this hunt's engine: edit the expressions and run it again."""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[{depth}]
sys.path.insert(0, str(ROOT))

from runner import impl, manifest  # noqa: E402
from utils.finite_difference_checker import check_gradients  # noqa: E402

Value = impl.load(str(HERE), manifest.level({level})).Value

print(check_gradients(lambda x, y: x * y + x, [2.0, 3.0], Value, names="xy", expression="x*y + x"))
print(check_gradients(lambda x, y: 3 * (x * y).tanh() + (x - y) ** 2 / x + (1 - x).relu() + y.exp(), [0.4, -0.3],
                      Value, names="xy", expression="3 tanh(xy) + (x - y)^2 / x + relu(1 - x) + e^y"))
'''

TRAIN = '''"""A short training run of this hunt's network on two moons: the loss should fall.

The bug is in nn.py, so the network runs on the escape hatch (reference/fast.py: a correct
engine, many times faster than value.py) and the run answers in seconds.
"""
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[{depth}]
sys.path.insert(0, str(ROOT))

import reference.fast  # noqa: E402
from runner import impl  # noqa: E402
from utils.datasets import two_moons_split  # noqa: E402

nn = impl.network_on(HERE / "nn.py", reference.fast)
random.seed(12)
X, y, X_test, y_test = two_moons_split(100, 100, noise=0.1, seed=12)
model = nn.MLP(2, [16, 16, 1])
for k in range(20):
    loss = nn.train_step(model, X, y, lr=1.0 - 0.9 * k / 20)
    if k % 5 == 4:
        acc = sum((model(x).data > 0) == (t > 0) for x, t in zip(X_test, y_test)) / len(y_test)
        print(f"step {{k + 1:3}}: loss {{loss.data:.4g}}, held-out accuracy {{acc:.0%}}")
'''


def _shown(path: Path) -> str:
    from runner.manifest import ROOT

    try:
        return str(path.resolve().relative_to(ROOT.resolve()))
    except ValueError:
        return str(path)


def folder_name(h: Hunt) -> str:
    """A neutral name: the hunt's number and area, ``hunt-01-engine`` (never the bug's name)."""
    return f"hunt-{h.number:02d}-{'network' if h.file == 'nn.py' else 'engine'}"


def trains(h: Hunt) -> bool:
    """Whether the hunt folder gets train.py: a network hunt (level 4), not a stage's."""
    return "nn.py" in h.files and not isinstance(h.level, str)


def probe_level(h: Hunt) -> int:
    """The level whose files probe.py loads the engine as: at most 3 (probe.py checks the engine only)."""
    return 3 if isinstance(h.level, str) else min(h.level, 3)


def plant(h: Hunt, minutes: float | None = None, now: float | None = None) -> Path:
    """Create the hunt folder and make it the current hunt; returns the folder."""
    now = time.time() if now is None else now
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    folder = state.path("bughunt", f"{stamp}-{folder_name(h)}", "x").parent
    n = 1
    while any(folder.iterdir()):  # two starts in one second
        n += 1
        folder = state.path("bughunt", f"{stamp}-{folder_name(h)}-{n}", "x").parent
    files = planted(h)
    (folder / ".planted").mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        (folder / ".planted" / name).write_text(text, encoding="utf-8")
    try:
        depth = len(folder.resolve().relative_to(_root().resolve()).parts) - 1
        probe, train = PROBE.format(depth=depth, level=probe_level(h)), TRAIN.format(depth=depth)
    except ValueError:  # a state folder outside the repository: point at it explicitly
        probe = PROBE.replace("HERE.parents[{depth}]", repr(str(_root()))).format(level=probe_level(h))
        train = TRAIN.replace("HERE.parents[{depth}]", repr(str(_root()))).format()
    (folder / "probe.py").write_text(probe, encoding="utf-8")
    if trains(h):
        (folder / "train.py").write_text(train, encoding="utf-8")
    (folder / "README.md").write_text(_readme(h, folder, minutes), encoding="utf-8")
    meta = {"hunt": h.number, "started": now, "minutes": minutes, "hints": 0, "checks": 0}
    write_meta(folder, meta)
    state.write_document(state.path("bughunt", "current.json"), {"folder": str(folder)})
    return folder


def _root() -> Path:
    from runner.manifest import ROOT

    return ROOT


def current() -> Path | None:
    """The folder of the hunt in progress, or None."""
    path = state.state_dir() / "bughunt" / "current.json"
    try:
        folder = Path(json.loads(path.read_text(encoding="utf-8"))["folder"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return folder if (folder / "hunt.json").exists() else None


def read_meta(folder: Path) -> dict:
    return state.upgrade(json.loads((folder / "hunt.json").read_text(encoding="utf-8")))


def write_meta(folder: Path, meta: dict) -> None:
    state.write_document(folder / "hunt.json", meta)

