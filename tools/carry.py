"""Carry your code forward: start level N from your level N-1 engine.

    nox -s carry -- 2                    your level-1 methods into katas/level2/value.py
    nox -s carry -- 3 --from-reference   the reference's level 1-2 methods instead (stuck? keep going)

(``python -m tools.carry ...`` without nox.) The files are merged with
``ast``, method by method, and nothing of yours is dropped:

* every method, helper, import, function and class you wrote in level N-1 is
  kept;
* a method you already wrote in level N wins over the carried one; a level-N
  method that is still the stub (its body raises NotImplementedError, or is
  unchanged from the pristine stub) is replaced by your level N-1 version;
* the level-N stubs that level N-1 lacks stay, for you to write;
* what level N asks anew of a carried method (its stub's docstring, when it
  differs from level N-1's: level 3's backward() without recursion) is kept as
  a comment above your method, and printed with what the level adds.

The level-N file is backed up first (``nox -s restore`` brings it back). A file
that does not parse is refused with its line: fix it, then carry again. For
level 4 the same happens to every file the two levels share.
"""

from __future__ import annotations

import argparse
import ast
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from tools import backups
from runner import manifest, paths

REFERENCE = manifest.ROOT / "reference" / "engine.py"


class CarryError(Exception):
    """The carry cannot be done safely; the message says why, for the learner."""


@dataclass
class Report:
    target: Path
    carried: list[str] = field(default_factory=list)  # taken from the source
    kept: list[str] = field(default_factory=list)  # the target's own work, which wins
    todo: list[str] = field(default_factory=list)  # still stubs
    added: list[str] = field(default_factory=list)  # helpers, imports, functions brought along
    instructions: dict[str, str] = field(default_factory=dict)  # method -> what this level asks anew
    changed: bool = False
    backup: backups.Backup | None = None


# -- reading a file ---------------------------------------------------------------


def parse(path: Path, source: str | None = None) -> ast.Module:
    text = path.read_text(encoding="utf-8") if source is None else source
    try:
        return ast.parse(text, filename=str(path))
    except SyntaxError as e:
        raise CarryError(f"{path}, line {e.lineno}: {e.msg}. Fix it first (nothing was changed), "
                         "then carry again.") from None


def _value_class(tree: ast.Module) -> ast.ClassDef | None:
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Value"), None)


def _methods(cls: ast.ClassDef | None) -> dict[str, ast.FunctionDef]:
    if cls is None:
        return {}
    return {n.name: n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _body_without_docstring(fn: ast.FunctionDef) -> list[ast.stmt]:
    body = list(fn.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def is_stub(fn: ast.FunctionDef) -> bool:
    """A method whose body (after its docstring) only raises NotImplementedError."""
    body = _body_without_docstring(fn)
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def _same(a: ast.AST | None, b: ast.AST | None) -> bool:
    return a is not None and b is not None and ast.dump(a) == ast.dump(b)


def _segment(lines: list[str], node: ast.AST) -> tuple[int, int]:
    """0-based [start, end) line range of a statement, decorators included."""
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    return start, node.end_lineno


def _source_of(lines: list[str], node: ast.AST, indent: str) -> list[str]:
    """The statement's lines, re-indented to ``indent``."""
    start, end = _segment(lines, node)
    text = textwrap.dedent("".join(lines[start:end]))
    return [(indent + line) if line.strip() else line for line in text.splitlines(keepends=True)]


def _indent_of(lines: list[str], node: ast.AST) -> str:
    line = lines[_segment(lines, node)[0]]
    return line[: len(line) - len(line.lstrip())]


def _names_used(node: ast.AST) -> set[str]:
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Attribute):
            out.add(n.attr)
    return out


def _defined_name(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return [t.id for t in targets if isinstance(t, ast.Name)]
    return []


# -- the merge ------------------------------------------------------------------------------


def merge(source_text: str, target_text: str, *, source_stub_text: str | None = None,
          target_stub_text: str | None = None, only_methods: set[str] | None = None,
          source_name: str = "source", target_name: str = "target",
          earlier_stub_text: str | None = None) -> tuple[str, Report]:
    """Merge the Value methods and module-level code of ``source_text`` into ``target_text``.

    ``source_stub_text`` / ``target_stub_text``: the pristine stubs the two files started from
    (a method unchanged from its stub counts as not written). ``only_methods``: carry only
    these methods (and what they use), as with ``--from-reference``. ``earlier_stub_text``: the
    stub of the level before; a replaced stub's docstring that differs from it is new instructions,
    kept as a comment above the carried method.
    """
    report = Report(Path(target_name))
    src_tree = parse(Path(source_name), source_text)
    tgt_tree = parse(Path(target_name), target_text)
    src_stub = _methods(_value_class(ast.parse(source_stub_text))) if source_stub_text else {}
    tgt_stub = _methods(_value_class(ast.parse(target_stub_text))) if target_stub_text else {}
    src_lines = source_text.splitlines(keepends=True)
    tgt_lines = target_text.splitlines(keepends=True)
    if tgt_lines and not tgt_lines[-1].endswith("\n"):
        tgt_lines[-1] += "\n"
    if src_lines and not src_lines[-1].endswith("\n"):
        src_lines[-1] += "\n"

    src_cls, tgt_cls = _value_class(src_tree), _value_class(tgt_tree)
    if tgt_cls is None:
        raise CarryError(f"{target_name} defines no class Value: restore it (nox -s restore) or copy the stub")
    src_methods, tgt_methods = _methods(src_cls), _methods(tgt_cls)

    def written_in_source(name: str) -> bool:
        fn = src_methods.get(name)
        return fn is not None and not is_stub(fn) and not _same(fn, src_stub.get(name))

    def still_stub_in_target(name: str) -> bool:
        fn = tgt_methods[name]
        return is_stub(fn) or _same(fn, tgt_stub.get(name))

    # which source methods come along
    wanted = set(src_methods)
    if only_methods is not None:
        wanted = set(only_methods) & set(src_methods)
        grew = True
        while grew:  # and the helper methods they use: self._topological_order()
            used = set().union(*(_names_used(src_methods[m]) for m in wanted)) if wanted else set()
            extra = {m for m in src_methods if m in used and m not in wanted and m not in tgt_methods}
            grew = bool(extra)
            wanted |= extra

    replace: dict[str, ast.FunctionDef] = {}
    insert: list[ast.FunctionDef] = []
    for name, fn in src_methods.items():
        if name not in wanted:
            continue
        if name in tgt_methods:
            if not written_in_source(name):
                continue
            if still_stub_in_target(name):
                replace[name] = fn
                report.carried.append(name)
            elif not _same(fn, tgt_methods[name]):
                report.kept.append(name)
        elif written_in_source(name):
            insert.append(fn)
            report.added.append(f"method {name}")
    report.todo = [n for n in tgt_methods if n not in replace and is_stub(tgt_methods[n])]
    if earlier_stub_text is not None:
        earlier = _methods(_value_class(ast.parse(earlier_stub_text)))
        for name in replace:
            doc = ast.get_docstring(tgt_methods[name])
            if doc and doc != (ast.get_docstring(earlier[name]) if name in earlier else None):
                report.instructions[name] = doc

    # class-level statements of the source that are not methods (e.g. __slots__) and missing in the target
    tgt_class_dumps = {ast.dump(s) for s in tgt_cls.body}
    class_extras = [s for s in (src_cls.body if src_cls else [])
                    if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and not (isinstance(s, ast.Expr) and isinstance(getattr(s, "value", None), ast.Constant))
                    and ast.dump(s) not in tgt_class_dumps and only_methods is None]

    # module level: imports, functions, classes, assignments the target lacks
    tgt_dumps = {ast.dump(s) for s in tgt_tree.body}
    tgt_names = {n for s in tgt_tree.body for n in _defined_name(s)}
    carried_nodes = list(replace.values()) + insert
    used = set().union(*(_names_used(n) for n in carried_nodes)) if carried_nodes else set()
    imports, defs = [], []
    for stmt in src_tree.body:
        if stmt is src_cls or ast.dump(stmt) in tgt_dumps:
            continue
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            imports.append(stmt)
        elif isinstance(stmt, ast.Expr) and isinstance(getattr(stmt, "value", None), ast.Constant):
            continue  # the module docstring
        elif _defined_name(stmt) and not set(_defined_name(stmt)) & tgt_names:
            defs.append(stmt)
    if only_methods is not None:  # from the reference: only the module-level code the carried methods use
        grew = True
        keep: list[ast.stmt] = []
        while grew:
            grew = False
            for stmt in defs:
                if stmt not in keep and set(_defined_name(stmt)) & used:
                    keep.append(stmt)
                    used |= _names_used(stmt)
                    grew = True
        defs = [s for s in defs if s in keep]
        imports = [s for s in imports if {a.asname or a.name.split(".")[0] for a in s.names} & used]
    report.added += [f"{ast.unparse(s)}" for s in imports] + [f"{_kind(s)} {', '.join(_defined_name(s))}"
                                                                      for s in defs]

    # edit the target's text, from the bottom up so line numbers stay valid
    # (start, end, new lines, order): at one position, a higher order ends up lower in the file
    edits: list[tuple[int, int, list[str], int]] = []
    for name, fn in replace.items():
        old = tgt_methods[name]
        start, end = _segment(tgt_lines, old)
        indent = _indent_of(tgt_lines, old)
        edits.append((start, end, _comment(report.instructions.get(name), name, indent)
                      + _source_of(src_lines, fn, indent), 0))
    if insert or class_extras:
        at = _insertion_point(tgt_lines, tgt_cls, wanted)
        indent = _indent_of(tgt_lines, tgt_cls.body[-1]) if tgt_cls.body else "    "
        block: list[str] = []
        for stmt in class_extras + insert:
            block += _source_of(src_lines, stmt, indent) + ["\n"]
        edits.append((at, at, block, 0))
    if defs:
        block = ["\n", "\n"]
        for stmt in defs:
            block += _source_of(src_lines, stmt, "") + ["\n", "\n"]
        while block and block[-1] == "\n":
            block.pop()
        edits.append((len(tgt_lines), len(tgt_lines), block, 1))
    if imports:
        at = _import_point(tgt_tree)
        block = [line for s in imports for line in _source_of(src_lines, s, "")]
        after_imports = any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tgt_tree.body)
        if not after_imports:  # right after the module docstring, or at the top
            block = (["\n"] + block) if at else (block + ["\n", "\n"])
        edits.append((at, at, block, 2))
    out = list(tgt_lines)
    for start, end, new, _ in sorted(edits, key=lambda e: (e[0], e[1], e[3]), reverse=True):
        out[start:end] = new
    result = "".join(out)
    try:
        ast.parse(result)
    except SyntaxError as e:  # pragma: no cover - a bug here must never write a broken file
        raise CarryError(f"the merged file would not parse (line {e.lineno}: {e.msg}); nothing was changed") from None
    report.changed = result != target_text
    return result, report


def _comment(doc: str | None, name: str, indent: str) -> list[str]:
    """The stub's instructions for ``name``, as comment lines above the carried method."""
    if not doc:
        return []
    lines = [f"what this level asks of {name} (the stub's docstring, kept by carry):", *doc.splitlines()]
    return [f"{indent}# {line}".rstrip() + "\n" for line in lines]


def _kind(stmt: ast.stmt) -> str:
    return {ast.FunctionDef: "function", ast.ClassDef: "class"}.get(type(stmt), "name")


def _insertion_point(lines: list[str], cls: ast.ClassDef, source_methods: set[str]) -> int:
    """Where new methods go: before the first method the source does not have (the level's
    new stubs), above the comments that introduce it; else at the end of the class."""
    body = [n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    first_new = next((n for n in body if n.name not in source_methods), None)
    if first_new is None:
        return cls.end_lineno
    at = _segment(lines, first_new)[0]
    while at > 0 and (lines[at - 1].strip().startswith("#") or not lines[at - 1].strip()):
        at -= 1
    # keep one blank line between the previous method and what is inserted
    while at < len(lines) and not lines[at].strip():
        at += 1
    return at


def _import_point(tree: ast.Module) -> int:
    last = None
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            last = stmt
        elif isinstance(stmt, ast.Expr) and isinstance(getattr(stmt, "value", None), ast.Constant) and last is None:
            continue
        else:
            break
    if last is not None:
        return last.end_lineno
    first = tree.body[0] if tree.body else None
    if first is not None and isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
        return first.end_lineno or 0
    return 0


# -- levels --------------------------------------------------------------------------------


def _stub_methods(level: manifest.Level, name: str, root: Path) -> set[str]:
    path = root / level.stub / name
    if not path.exists():
        return set()
    return set(_methods(_value_class(ast.parse(path.read_text(encoding="utf-8")))))


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def carry(level: int, *, from_reference: bool = False, root: Path | None = None,
          dry_run: bool = False) -> list[Report]:
    """Carry level ``level - 1`` (or the reference) into level ``level``'s files, after a backup."""
    root = Path(root) if root is not None else manifest.ROOT
    if level < 2:
        raise CarryError("level 1 is the first level: there is nothing to carry into it")
    lv, prev = manifest.level(level), manifest.level(level - 1)
    shared = [name for name in lv.files if name in prev.files]
    reports = []
    plans = []
    for name in shared:
        target = root / lv.folder / name
        stub = root / lv.stub / name
        if not target.exists():
            if not stub.exists():
                raise CarryError(f"{target} does not exist and there is no stub to start from")
            target_text = stub.read_text(encoding="utf-8")
        else:
            target_text = target.read_text(encoding="utf-8")
        if from_reference:
            if name != "value.py":
                continue  # the reference's other files are later levels' work
            source = root / "reference" / "engine.py"
            earlier = set().union(*(_stub_methods(manifest.level(k), name, root) for k in range(1, level)))
            if not earlier:
                raise CarryError(f"no stubs of levels 1-{level - 1} to tell which reference methods to bring")
            only, source_stub = earlier, None
        else:
            source = root / prev.folder / name
            only, source_stub = None, root / prev.stub / name
        if not source.exists():
            raise CarryError(f"{source} does not exist: nothing to carry")
        parse(source)
        if target.exists():
            parse(target)
        text, report = merge(
            source.read_text(encoding="utf-8"), target_text,
            source_stub_text=source_stub.read_text(encoding="utf-8") if source_stub and source_stub.exists() else None,
            target_stub_text=stub.read_text(encoding="utf-8") if stub.exists() else None,
            only_methods=only, source_name=str(source), target_name=str(target),
            earlier_stub_text=_read(root / prev.stub / name))
        report.target = target
        plans.append((target, text, report))
    for target, text, report in plans:  # write only once every file merged cleanly
        if report.changed and not dry_run:
            report.backup = backups.backup(target, level, f"before carrying {'the reference' if from_reference else f'level {level - 1}'} into level {level}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        reports.append(report)
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s carry --", description="Start a level from your previous level's code.")
    parser.add_argument("level", type=int, help="the level to start (2, 3, 4)")
    parser.add_argument("--from-reference", action="store_true",
                        help="bring the reference's methods of the earlier levels instead of yours")
    parser.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    parser.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)  # a copy of the kata (tests)
    args = parser.parse_args(argv)
    try:
        reports = carry(args.level, from_reference=args.from_reference, root=args.root, dry_run=args.dry_run)
    except (CarryError, ValueError) as e:
        print(f"carry: {e}", file=sys.stderr)
        return 1
    source = "the reference" if args.from_reference else f"your level-{args.level - 1} code"
    lv = manifest.level(args.level)
    print(f"new at level {args.level}: {lv.title} (read {lv.folder}/README.md)")
    for r in reports:
        shown = paths.shown(r.target)
        if not r.changed:
            print(f"{shown}: nothing to carry from {source} (already there).")
            continue
        verb = "would bring" if args.dry_run else "brought"
        print(f"{shown}: {verb} from {source}: {', '.join(r.carried) or 'no methods'}")
        if r.added:
            print(f"  also: {'; '.join(r.added)}")
        for name, doc in r.instructions.items():
            print(f"  level {args.level} asks anew of {name} (kept as a comment above it):")
            print(textwrap.indent(doc, "      "))
        if r.kept:
            print(f"  kept your level-{args.level} version of: {', '.join(r.kept)}")
        if r.todo:
            print(f"  still to write: {', '.join(r.todo)}")
        if r.backup is not None:
            print(f"  backup of the file as it was: {r.backup.id} (nox -s restore -- {r.backup.id} undoes this)")
    if not args.dry_run:
        print(f"\nNext: nox -s level{args.level}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
