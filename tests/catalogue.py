"""The one catalogue of engines: every wrong engine with its claims, and every correct one with its level.

Whatever form a wrong engine takes, its claims are in one place, read here:

* a file (or, for a level-4 engine, a folder with ``value.py`` and ``nn.py``) in ``tests/zoo/``
  registers itself with its docstring::

      Rejected by: level 2              the lowest level that must reject it, or
      Rejected by: stage iterative      the follow-up stage of levels.toml that must reject it
      Message names: tanh | overflow    words (any one of them) that the FIRST failing
      Message names: ...                test's block must say; every line must be met
      Must not say: accumul | float32   (optional) words no failure block may say: a
                                        cause that does not apply to this bug
      Fresh runs: 5                     (optional) a bug whose effect depends on the
                                        order of siblings in a set: rejected, with the
                                        same first failure, in that many fresh processes
      Gap: ...                          (optional) a known hole in the kata's
                                        tests: the check is an expected failure

  Level entries subclass a correct engine (``_base.py``, ``correct/micrograd_closures.py``);
  stage entries patch one mistake into a private copy of the reference (``_reference.py``).
* a bug hunt (``tools/bughunt/hunts/hNN_*.py``) plants ``BUGGY`` in place of ``FIX`` in a
  copy of the reference; its ``LEVEL`` is the level that rejects the planted engine
  (``tests/test_bughunt.py`` checks it).
* a patch (``PATCHES`` below) edits the text of ``reference/engine.py``: the tests that need
  the reference with one exact mistake (a line number to point at, a probe of the diagnosis)
  ask for it by name, ``patched(name, folder)``. One that claims a level (``rejected_by``,
  ``names``) is checked like a zoo entry by ``tests/test_zoo.py``; one without is checked by
  the tests that use it (a narrowed run, the diagnosis), for what it does there.

Correct engines claim the levels they pass in ``tests/claims.py``.

``entries()`` lists them all as ``(path, claims)`` (a patch's path is this file): the zoo test (``tests/test_zoo.py``), the
stages' self-test, the hunts' and the grader's self-tests, and the contributors' check read it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from runner import manifest
from tests.claims import CLAIMS, Claim

ZOO = Path(__file__).resolve().parent / "zoo"
REFERENCE = manifest.ROOT / "reference" / "engine.py"


@dataclass(frozen=True)
class Engine:
    name: str  # path under tests/zoo, e.g. "assign_instead_of_accumulate" (a hunt: "hunt 3", a patch: "patch no_seed")
    path: Path  # the file, or the folder of a level-4 engine
    title: str
    rejected_by: int | str | None  # a level's number, or a follow-up stage's name (a patch may claim none)
    names: tuple[tuple[str, ...], ...]  # every group must match; any word of a group will do
    must_not: tuple[str, ...] = ()
    fresh_runs: int = 0
    gap: str | None = None
    form: str = "zoo"  # "zoo": a file or folder of tests/zoo; "hunt": a patch a bug hunt plants; "patch": PATCHES
    edits: tuple[tuple[str, str], ...] = ()  # a patch: (what the reference says, what is written instead)

    @property
    def stage(self) -> str | None:
        return self.rejected_by if isinstance(self.rejected_by, str) else None

    @property
    def unit(self) -> str:
        return f"stage {self.stage}" if self.stage else f"level {self.rejected_by}"


def docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text())) or ""


def folder_docstring(folder: Path) -> str:
    """A level-4 engine registers in the docstring of its nn.py, or else of its value.py."""
    for name in ("nn.py", "value.py"):
        doc = docstring(folder / name) if (folder / name).exists() else ""
        if "Rejected by:" in doc:
            return doc
    return ""


def _field(doc: str, name: str) -> list[str]:
    """Every ``name: value`` line; a value continues on the following indented or
    non-blank lines up to the next field or blank line."""
    found = []
    for match in re.finditer(rf"^{name}:[ \t]*(.*(?:\n(?![A-Z][a-z ]+:)[^\n]+)*)", doc, re.MULTILINE):
        found.append(" ".join(match.group(1).split()))
    return found


def _words(line: str) -> tuple[str, ...]:
    return tuple(w.strip().lower() for w in line.split("|") if w.strip())


def parse(name: str, path: Path, doc: str) -> Engine:
    """An entry's claims from its docstring; ValueError names a unit the manifest does not have."""
    unit = re.fullmatch(r"(level|stage) (\w+)", _field(doc, "Rejected by")[0])
    if unit is None or (unit[1] == "stage" and unit[2] not in manifest.stages()):
        raise ValueError(f"tests/zoo/{name}: 'Rejected by:' names no level or stage of levels.toml")
    gap = _field(doc, "Gap")
    fresh = _field(doc, "Fresh runs")
    return Engine(
        name, path, doc.splitlines()[0], int(unit[2]) if unit[1] == "level" else unit[2],
        names=tuple(_words(line) for line in _field(doc, "Message names")),
        must_not=tuple(w for line in _field(doc, "Must not say") for w in _words(line)),
        fresh_runs=int(fresh[0]) if fresh else 0,
        gap=gap[0] if gap else None,
    )


def discover(root: Path = ZOO) -> list[Engine]:
    """Every wrong engine under ``root``: the ``*.py`` files and the folders holding a ``value.py``
    whose docstring says ``Rejected by:`` (the rest are shared pieces and correct engines)."""
    engines = []
    for path in sorted(root.iterdir()):
        if path.suffix == ".py" and "Rejected by:" in docstring(path):
            engines.append(parse(path.relative_to(root).with_suffix("").as_posix(), path, docstring(path)))
        elif path.is_dir() and (path / "value.py").exists() and folder_docstring(path):
            engines.append(parse(path.relative_to(root).as_posix(), path, folder_docstring(path)))
    return engines


def hunts() -> list[Engine]:
    """The engines the bug hunts plant, each rejected by its hunt's level."""
    from tools.bughunt import catalogue

    folder = manifest.ROOT / "tools" / "bughunt" / "hunts"
    return [Engine(f"hunt {h.number}", next(p for p in sorted(folder.glob("*.py")) if p.stem.endswith(h.slug)),
                   h.title, h.level, (), form="hunt") for h in catalogue.hunts()]


def wrong(stage: str | None = None) -> list[Engine]:
    """The zoo's wrong engines (those of one follow-up stage, with ``stage``)."""
    return [e for e in discover() if stage is None or e.stage == stage]


def _patch(name: str, title: str, *edits: tuple[str, str], rejected_by: int | None = None,
           names: tuple[str, ...] = ()) -> Engine:
    """A patch entry; ``names`` are lines of words as in a docstring's ``Message names:``."""
    return Engine(f"patch {name}", Path(__file__).resolve(), title, rejected_by, tuple(_words(n) for n in names),
                  form="patch", edits=edits)


_ORDER = "        order = self._topological_order()\n"
_AS_VALUE = """    if isinstance(x, Value):
        return x
    if isinstance(x, Real):
        return Value(x)
    return NotImplemented"""
_TYPE_CHECK = """        if not isinstance(data, Real):
            raise TypeError(f"Value holds a real number, not {type(data).__name__} {data!r}")
"""
_THROUGH_FLOAT = ((_TYPE_CHECK, ""), (_AS_VALUE, "    return x if isinstance(x, Value) else Value(x)"))

PATCHES = [
    # wrong gradients
    _patch("wrong_tanh", "tanh's derivative without the square: 1 - tanh(x)",
           ("self.grad += (1.0 - t * t) * out.grad", "self.grad += (1.0 - t) * out.grad"),
           rejected_by=2, names=("tanh",)),
    _patch("assign", "`=` where `+=` belongs, in + and *",
           ("self.grad += out.grad  # d(a+b)/da = 1", "self.grad = out.grad"),
           ("other.grad += out.grad  # d(a+b)/db = 1", "other.grad = out.grad"),
           ("self.grad += other.data * out.grad  # d(ab)/da = b", "self.grad = other.data * out.grad"),
           ("other.grad += self.data * out.grad  # d(ab)/db = a", "other.grad = self.data * out.grad"),
           rejected_by=1, names=("accumulation",)),
    _patch("mul_ignores_out_grad", "* forgets the chain rule: its backward ignores out.grad",
           ("self.grad += other.data * out.grad  # d(ab)/da = b", "self.grad += other.data"),
           ("other.grad += self.data * out.grad  # d(ab)/db = a", "other.grad += self.data"),
           rejected_by=1, names=("out.grad",)),
    _patch("cosh_derivative", "tanh's backward as 1 / cosh(x)**2: overflows at x = 1000",
           ("self.grad += (1.0 - t * t) * out.grad  # d tanh(x)/dx = 1 - tanh(x)^2",
            "self.grad += out.grad / math.cosh(self.data) ** 2"), rejected_by=2, names=("overflow",)),
    _patch("wrong_exp", "exp's forward off by 1e-3", ("e = math.exp(self.data)", "e = math.exp(self.data) + 1e-3"),
           rejected_by=2, names=("exp",)),
    _patch("relu_grad_at_zero", "relu's derivative 1 at 0", ("(self.data > 0) * out.grad", "(self.data >= 0) * out.grad"),
           rejected_by=2, names=("relu'(0",)),
    _patch("second_backward_compounds", "backward() keeps the interior grads of the call before",
           ("            if node._prev:\n                node.grad = 0.0\n", "            pass\n"),
           rejected_by=3, names=("twice | retain_graph", "reset")),
    # backward's traversal
    _patch("no_seed", "backward() never sets the output's grad to 1",
           ("        self.grad = 1.0\n        for node in reversed(order):", "        for node in reversed(order):"),
           rejected_by=1, names=("grad to 1",)),
    _patch("no_topological_order", "breadth first: a node can run before all of its users did", (_ORDER, """\
        order, seen, frontier = [], set(), [self]
        while frontier:  # breadth first: a node can run before all of its users did
            node = frontier.pop(0)
            if node in seen:
                continue
            seen.add(node)
            order.insert(0, node)
            frontier.extend(node._prev)
"""), rejected_by=1, names=("topological | order",)),
    _patch("recursive_no_order", "micrograd's PR #64: a node's step, then its operands', no visited set", (_ORDER, """\
        def visit(node):  # micrograd's PR #64: a node's step, then its operands', no visited set
            node._backward()
            for child in node._prev:
                visit(child)

        self.grad = 1.0
        visit(self)
        return
        order = []
"""), rejected_by=1, names=("topological | order",)),
    _patch("no_traversal", "backward() runs the output's own step only", (_ORDER, """\
        self.grad = 1.0
        self._backward()
        return
        order = []
"""), rejected_by=1, names=("never ran",)),
    _patch("infinite_loop", "a breadth-first walk that forgets i += 1: backward() never ends", (_ORDER, """\
        queue, i = [self], 0
        while i < len(queue):  # forgot i += 1
            for child in queue[i]._prev:
                if child not in queue:
                    queue.append(child)
        order = queue
""")),
    # the data
    _patch("int_data", "data truncated to int", ("        self.data = float(data)", "        self.data = int(data)"),
           rejected_by=1, names=("int(",)),
    _patch("float32_data", "data rounded to float32",
           ("        self.data = float(data)", "        self.data = struct.unpack('f', struct.pack('f', data))[0]"),
           ("import math\n", "import math\nimport struct\n"), rejected_by=1, names=("single precision",)),
    _patch("rtruediv_swapped", "2.5 / x computed as x / 2.5",
           ("        return other * self**-1", "        return self * other**-1"), rejected_by=2, names=("rtruediv",)),
    _patch("recursive_radd", "__radd__ as `other + self`: it calls itself",
           ("    def __radd__(self, other):\n        return self + other",
            "    def __radd__(self, other):\n        return other + self"), rejected_by=1, names=("recursionerror",)),
    _patch("pow_asserts_on_negative", "** asserts a non-negative exponent",
           ("    def __pow__(self, k):\n", "    def __pow__(self, k):\n        assert k >= 0, 'only positive powers'\n"),
           rejected_by=2, names=("assert",)),
    # input typing: a non-number refused with another exception passes level 2 with a review note
    _patch("refuses_with_assert", "a non-number refused by an assert",
           (_AS_VALUE, """    assert isinstance(x, (Value, Real)), "only numbers"
    return x if isinstance(x, Value) else Value(x)""")),
    _patch("refuses_through_float", "a non-number refused by float()'s ValueError", *_THROUGH_FLOAT),
    _patch("refuses_with_attribute_error", 'a non-number refused by "a".data\'s AttributeError',
           (_AS_VALUE, "    return Value(x) if isinstance(x, Real) else x")),
    _patch("data_of_any_type", "no type check, data kept as given: \"a\" * Value(1) is Value(\"a\")",
           *_THROUGH_FLOAT, ("        self.data = float(data)", "        self.data = data")),
    _patch("non_number_is_zero", 'a non-number accepted as 0: Value(1) + "a" is Value(1)',
           (_AS_VALUE, "    return x if isinstance(x, Value) else Value(x if isinstance(x, Real) else 0.0)"),
           rejected_by=2, names=("should be refused",)),
    _patch("rmul_string_length", '"a" * Value(1) is Value(len("a"))',
           ("    def __rmul__(self, other):\n",
            "    def __rmul__(self, other):\n        if isinstance(other, str):\n            return Value(len(other))\n"),
           rejected_by=2, names=("should be refused",)),
    # the file: what a run does with an engine that does not import, or is slow
    _patch("syntax_error", "a missing colon", ("    def relu(self):", "    def relu(self)")),
    _patch("import_error", "imports a module that does not exist",
           ("import math\n", "import math\nimport no_such_module_here\n")),
    _patch("slow_mul", "right, but * sleeps 5 s", ('        out = Value(self.data * other.data, (self, other), "*")\n',
                                                  "        __import__('time').sleep(5)\n"
                                                  '        out = Value(self.data * other.data, (self, other), "*")\n')),
]


def patch(name: str) -> Engine:
    """The patch entry ``name`` (``"wrong_tanh"`` or ``"patch wrong_tanh"``)."""
    found = [e for e in PATCHES if e.name in (name, f"patch {name}")]
    if not found:
        raise KeyError(f"no patch named {name!r} in tests/catalogue.PATCHES")
    return found[0]


def patch_problems(engine: Engine) -> list[str]:
    """What of the patch's edits the reference no longer says."""
    text = REFERENCE.read_text()
    return [f"{engine.name}: the reference no longer says {old!r}" for old, _ in engine.edits if old not in text]


def patched(name: str, folder: Path, filename: str = "value.py") -> Path:
    """The reference engine with patch ``name`` applied, written to ``folder / filename``."""
    engine = patch(name)
    assert not patch_problems(engine), patch_problems(engine)
    text = REFERENCE.read_text()
    for old, new in engine.edits:
        text = text.replace(old, new, 1)
    path = folder / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def entries() -> list[tuple[Path, Engine | Claim]]:
    """Every engine with its claims: the zoo's wrong ones, the hunts' planted ones, the patches, the correct ones."""
    correct = [(manifest.ROOT / c.impl if c.impl != "reference" else manifest.ROOT / "reference", c) for c in CLAIMS]
    return [(e.path, e) for e in discover() + hunts() + PATCHES] + correct
