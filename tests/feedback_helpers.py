"""Engines with one planted mistake, and runs of the kata that read like a learner's screen."""

from __future__ import annotations

import importlib.util
import itertools
import os
import subprocess
import sys
from pathlib import Path

from runner import manifest

ROOT = manifest.ROOT
REFERENCE = ROOT / "reference" / "engine.py"
_counter = itertools.count()

# each mistake: (what the reference says, what the learner wrote)
WRONG_TANH = [("self.grad += (1.0 - t * t) * out.grad", "self.grad += (1.0 - t) * out.grad")]
ASSIGN = [  # `=` where `+=` belongs, in + and *
    ("self.grad += out.grad  # d(a+b)/da = 1", "self.grad = out.grad"),
    ("other.grad += out.grad  # d(a+b)/db = 1", "other.grad = out.grad"),
    ("self.grad += other.data * out.grad  # d(ab)/da = b", "self.grad = other.data * out.grad"),
    ("other.grad += self.data * out.grad  # d(ab)/db = a", "other.grad = self.data * out.grad"),
]
RECURSIVE_RADD = [("    def __radd__(self, other):\n        return self + other",
                   "    def __radd__(self, other):\n        return other + self")]
SYNTAX_ERROR = [("    def relu(self):", "    def relu(self)")]
IMPORT_ERROR = [('import math\n', 'import math\nimport no_such_module_here\n')]
NO_SEED = [("        self.grad = 1.0\n        for node in reversed(order):",
            "        for node in reversed(order):")]
INFINITE_LOOP = [("        order = self._topological_order()\n", """        queue, i = [self], 0
        while i < len(queue):  # forgot i += 1
            for child in queue[i]._prev:
                if child not in queue:
                    queue.append(child)
        order = queue
""")]
NO_TOPOLOGICAL_ORDER = [("        order = self._topological_order()\n", """        order, seen, frontier = [], set(), [self]
        while frontier:  # breadth first: a node can run before all of its users did
            node = frontier.pop(0)
            if node in seen:
                continue
            seen.add(node)
            order.insert(0, node)
            frontier.extend(node._prev)
""")]
POW_ASSERTS_ON_NEGATIVE = [("    def __pow__(self, k):\n", "    def __pow__(self, k):\n"
                            "        assert k >= 0, 'only positive powers'\n")]
SLOW_MUL = [("        out = Value(self.data * other.data, (self, other), \"*\")\n",
             "        __import__('time').sleep(5)\n        out = Value(self.data * other.data, (self, other), \"*\")\n")]
RECURSIVE_NO_ORDER = [("        order = self._topological_order()\n", """        def visit(node):  # micrograd's PR #64: a node's step, then its operands', no visited set
            node._backward()
            for child in node._prev:
                visit(child)

        self.grad = 1.0
        visit(self)
        return
        order = []
""")]
NO_TRAVERSAL = [("        order = self._topological_order()\n", """        self.grad = 1.0
        self._backward()
        return
        order = []
""")]
MUL_IGNORES_OUT_GRAD = [("self.grad += other.data * out.grad  # d(ab)/da = b", "self.grad += other.data"),
                        ("other.grad += self.data * out.grad  # d(ab)/db = a", "other.grad += self.data")]
INT_DATA = [("        self.data = float(data)", "        self.data = int(data)")]
FLOAT32_DATA = [("        self.data = float(data)", "        self.data = struct.unpack('f', struct.pack('f', data))[0]"),
                ("import math\n", "import math\nimport struct\n")]
RTRUEDIV_SWAPPED = [("        return other * self**-1", "        return self * other**-1")]


def engine(tmp_path: Path, mistakes: list[tuple[str, str]], name: str = "value.py") -> Path:
    """The reference engine with ``mistakes`` planted, written to ``tmp_path/name``."""
    text = REFERENCE.read_text()
    for old, new in mistakes:
        assert old in text, f"the reference changed: {old!r} is gone"
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def load_value(path: Path) -> type:
    spec = importlib.util.spec_from_file_location(f"_feedback_engine_{next(_counter)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Value


def kata(level: int, impl: str | Path, *args: str, state: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -m pytest katas --level N --impl IMPL ARGS`` from the repository root, as a learner types it."""
    env = dict(os.environ, KATA_STATE_DIR=str(state), PYTHONDONTWRITEBYTECODE="1", COLUMNS="120")
    env.pop("PYTEST_ADDOPTS", None)
    cmd = [sys.executable, "-m", "pytest", "katas", f"--level={level}", f"--impl={impl}", "-p", "no:cacheprovider",
           "-p", "no:xdist", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    proc.output = proc.stdout + proc.stderr
    return proc


def failure_blocks(output: str) -> dict[str, str]:
    """Test name -> the text pytest printed under its ``____ name ____`` header."""
    blocks, name, lines = {}, None, []
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.startswith("___") and stripped.endswith("___") and " " in stripped:
            if name:
                blocks[name] = "\n".join(lines)
            name, lines = stripped.strip("_ "), []
        elif stripped.startswith("===") and name:
            blocks[name] = "\n".join(lines)
            name, lines = None, []
        elif name:
            lines.append(line)
    if name:
        blocks[name] = "\n".join(lines)
    return blocks
