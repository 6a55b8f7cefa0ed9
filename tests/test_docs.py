"""Docs cannot drift: every Python snippet in the learning material runs.

Every fenced ```python block in ``docs/*.md``, ``docs/hints/*.md``,
``katas/level*/hints/*.md`` and ``katas/level*/README.md`` is executed against
the reference engine. The blocks of one file run in order in one namespace, so
a later block can use the names an earlier one defined. Each namespace starts
with ``from reference.engine import Value`` (the teaching reference) and ``import math``.

Two kinds of block run:

* plain code, which states its worked numbers with ``assert``;
* doctest-style blocks (any line starting with ``>>>``), whose printed output
  is compared with the expected output written under each example.

A block is skipped when its opening fence says ``python no-run`` (pseudocode,
or level-4 code that needs a finished ``nn.py``), or when it is fenced as
anything other than Python (```text, ```bash, ...).

``docs/questions.md`` is also read by the drill program, so its strict format
is checked here, and so is the presence of the hint files of every level.
"""

import doctest
import io
import math
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DOC_GLOBS = (
    "docs/*.md",
    "docs/hints/*.md",
    "katas/level*/hints/*.md",
    "katas/level*/README.md",
)
PYTHON_LANGS = {"python", "py", "python3", "pycon"}
SKIP_MARKER = "no-run"
LEVELS = (1, 2, 3, 4)
LEVEL_HINTS = ("1-nudge.md", "2-concept.md", "3-pseudocode.md")
GENERAL_HINTS = ("hint-1-structure.md", "hint-2-backward.md", "hint-3-topological.md")
MIN_QUESTIONS = 30

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass
class Block:
    """One fenced code block: where its code starts and what its fence says."""

    start: int  # 1-based line number of the opening fence
    lang: str
    flags: tuple[str, ...]
    code: str

    @property
    def first_code_line(self) -> int:
        return self.start + 1

    @property
    def runnable(self) -> bool:
        return self.lang in PYTHON_LANGS and SKIP_MARKER not in self.flags

    @property
    def is_doctest(self) -> bool:
        return self.lang == "pycon" or any(line.lstrip().startswith(">>>") for line in self.code.splitlines())


def doc_files() -> list[Path]:
    found: set[Path] = set()
    for pattern in DOC_GLOBS:
        found.update(p for p in ROOT.glob(pattern) if p.is_file())
    return sorted(found)


def rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def fenced_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, in order (CommonMark-style fences)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if not m or len(m["indent"].expandtabs()) > 3 and not _in_list_item(lines, i):
            i += 1
            continue
        fence, indent, info = m["fence"], m["indent"], m["info"].strip()
        if fence[0] == "`" and "`" in info:  # an inline code span, not a fence
            i += 1
            continue
        words = info.replace(",", " ").split()
        lang = words[0].lower() if words else ""
        flags = tuple(w.lower() for w in words[1:])
        body: list[str] = []
        j = i + 1
        closing = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
        while j < len(lines) and not closing.match(lines[j]):
            line = lines[j]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            j += 1
        blocks.append(Block(start=i + 1, lang=lang, flags=flags, code="\n".join(body) + "\n"))
        i = j + 1
    return blocks


def _in_list_item(lines: list[str], i: int) -> bool:
    """Whether an indented fence sits inside a list item (then it is still a fence)."""
    for k in range(i - 1, -1, -1):
        stripped = lines[k].lstrip()
        if not stripped:
            continue
        if re.match(r"^([-*+]|\d+[.)])\s", stripped):
            return True
        if not lines[k].startswith((" ", "\t")):
            return False
    return False


def fresh_namespace(path: Path) -> dict:
    ns: dict = {"__name__": f"docs_{path.stem.replace('-', '_')}"}
    exec("from reference.engine import Value\nimport math\n", ns)  # noqa: S102 - running the docs is the point
    return ns


def run_code_block(path: Path, block: Block, ns: dict) -> None:
    # Pad with blank lines so that tracebacks point at the line in the Markdown file.
    source = "\n" * (block.first_code_line - 1) + block.code
    exec(compile(source, str(path), "exec"), ns)  # noqa: S102


def run_doctest_block(path: Path, block: Block, ns: dict) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(block.code, ns, f"{rel(path)}:{block.start}", str(path), block.start)
    runner = doctest.DocTestRunner(verbose=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = io.StringIO()
    result = runner.run(test, out=out.write, clear_globs=False)
    ns.update(test.globs)  # later blocks see the names this one defined
    if result.failed:
        raise AssertionError(out.getvalue())


FILES = doc_files()


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_python_snippets_run(path: Path) -> None:
    blocks = [b for b in fenced_blocks(path.read_text(encoding="utf-8")) if b.runnable]
    ns = fresh_namespace(path)
    for block in blocks:
        try:
            if block.is_doctest:
                run_doctest_block(path, block, ns)
            else:
                run_code_block(path, block, ns)
        except Exception as exc:  # noqa: BLE001 - report any failure with its place
            detail = "".join(traceback.format_exception(exc)[-6:])
            pytest.fail(
                f"{rel(path)}: the ```python block at line {block.start} failed "
                f"({type(exc).__name__}).\n"
                f"Mark it ```python {SKIP_MARKER} if it is not meant to run.\n\n{detail}",
                pytrace=False,
            )


def test_the_docs_exist() -> None:
    names = {rel(p) for p in FILES}
    for expected in ("docs/intuition.md", "docs/math-refresh.md", "docs/questions.md"):
        assert expected in names, f"{expected} is missing"


def test_fence_parser_understands_markers() -> None:
    text = (
        "# t\n\n```python\nx = 1\n```\n\n```python no-run\nnot python\n```\n\n"
        "```text\nnot python\n```\n\n- item\n\n  ```python\n  y = 2\n  ```\n\n"
        "```python\n>>> 1 + 1\n2\n```\n"
    )
    blocks = fenced_blocks(text)
    assert [(b.lang, b.runnable) for b in blocks] == [
        ("python", True),
        ("python", False),
        ("text", False),
        ("python", True),
        ("python", True),
    ]
    assert blocks[0].start == 3
    assert blocks[3].code == "y = 2\n"
    assert blocks[4].is_doctest and not blocks[0].is_doctest


# -- docs/questions.md: the drill program parses it -------------------------

QUESTION = re.compile(r"^## Q(?P<n>\d+)\. (?P<text>\S.*)$")
LEVEL_LINE = re.compile(r"^Level: (?P<level>[1-4])$")
TAGS_LINE = re.compile(r"^Tags: \S.*$")


def parse_questions(text: str) -> tuple[str, str, list[dict]]:
    lines = text.splitlines()
    assert lines and lines[0].startswith("# "), "questions.md must start with a '# ' title"
    title = lines[0][2:].strip()
    intro: list[str] = []
    questions: list[dict] = []
    current: dict | None = None
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("## "):
            m = QUESTION.match(line)
            assert m, f"questions.md line {number}: level-2 heading not of the form '## Q<n>. text': {line!r}"
            current = {"n": int(m["n"]), "text": m["text"], "line": number, "body": []}
            questions.append(current)
        elif current is None:
            intro.append(line)
        else:
            current["body"].append(line)
    for q in questions:
        body = list(q["body"])
        while body and not body[0].strip():
            body.pop(0)
        if body and body[0].startswith("Level"):
            assert LEVEL_LINE.match(body[0]), f"Q{q['n']}: bad level line {body[0]!r}"
            body.pop(0)
        if body and body[0].startswith("Tags"):
            assert TAGS_LINE.match(body[0]), f"Q{q['n']}: bad tags line {body[0]!r}"
            body.pop(0)
        q["answer"] = "\n".join(body).strip()
    return title, "\n".join(intro).strip(), questions


def test_questions_format() -> None:
    path = ROOT / "docs" / "questions.md"
    title, intro, questions = parse_questions(path.read_text(encoding="utf-8"))
    assert title, "questions.md needs a title"
    assert intro, "questions.md needs an intro paragraph before the first question"
    assert len(questions) >= MIN_QUESTIONS, f"only {len(questions)} questions, want >= {MIN_QUESTIONS}"
    numbers = [q["n"] for q in questions]
    assert numbers == list(range(1, len(questions) + 1)), f"questions not numbered 1, 2, 3, ...: {numbers}"
    for q in questions:
        assert q["answer"], f"Q{q['n']} (line {q['line']}) has no answer"


# -- hints ---------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_has_three_hint_tiers(level: int) -> None:
    folder = ROOT / "katas" / f"level{level}" / "hints"
    for name in LEVEL_HINTS:
        hint = folder / name
        assert hint.is_file(), f"{rel(hint)} is missing"
        assert hint.read_text(encoding="utf-8").startswith("# "), f"{rel(hint)} must start with a '# ' heading"
    nudge = (folder / LEVEL_HINTS[0]).read_text(encoding="utf-8")
    assert not fenced_blocks(nudge), f"{rel(folder / LEVEL_HINTS[0])} is a nudge: no code"


def test_general_hints_exist() -> None:
    for name in GENERAL_HINTS:
        hint = ROOT / "docs" / "hints" / name
        assert hint.is_file(), f"{rel(hint)} is missing"
        assert hint.read_text(encoding="utf-8").startswith("# "), f"{rel(hint)} must start with a '# ' heading"


def test_namespace_has_the_reference_engine() -> None:
    ns = fresh_namespace(ROOT / "docs" / "intuition.md")
    x = ns["Value"](2.0)
    z = x * 3 + x
    z.backward()
    assert z.data == 8.0 and x.grad == 4.0
    assert ns["math"] is math
