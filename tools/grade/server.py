"""The engine process: a student's engine behind a narrow pipe, and nothing else.

This file runs as a script (``python -I server.py``) in a scratch folder, in a
process of its own with resource limits, no network and, when the grader runs
as root, the uid of ``nobody`` (see tools/grade/sandbox.py). It imports the
student's files as a package and answers requests from the grading process
(tools/grade/remote.py): make a Value, read an attribute, call a method. Only
plain data crosses the pipe, as JSON lines: numbers, strings, containers of
them, and handles that name the objects kept here.

Nothing here is trusted. The student's code can rewrite this file's functions
in memory, write to the pipe, or kill the process: all it can do by that is
answer requests, which is what an engine does anyway. The tests, and the
verdicts, live in the grading process.
"""

import importlib.util
import json
import os
import sys
import traceback
import types

PACKAGE = "submission"
WATCHED = ("torch", "reference", "utils.autograd_stub", "micrograd")  # reported after import (the flags)
PLAIN = (type(None), bool, int, float, str)

objects = {}  # handle -> object
handles = {}  # id(object) -> handle
described = set()  # type paths already described to the client
paths = {}  # id(type) -> its path (the type is kept in types_by_path)
types_by_path = {}  # path -> type
counter = [0]


def type_path(t):
    """A name for the type, unique in this process: two classes may share a module and a qualname
    (a file that defines ``class Value`` twice, the second on top of the first)."""
    path = paths.get(id(t))
    if path is None:
        path = f"{t.__module__}:{t.__qualname__}"
        if path in types_by_path:
            path += f"#{len(types_by_path)}"
        paths[id(t)], types_by_path[path] = path, t
    return path


def resolve_type(path):
    if path in types_by_path:
        return types_by_path[path]
    module, _, qualname = path.partition("#")[0].partition(":")
    obj = sys.modules[module]
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


SPECIALS = (
    "__add__", "__radd__", "__iadd__", "__sub__", "__rsub__", "__isub__", "__mul__", "__rmul__", "__imul__",
    "__truediv__", "__rtruediv__", "__itruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__",
    "__pow__", "__rpow__", "__ipow__", "__matmul__", "__rmatmul__", "__neg__", "__pos__", "__abs__",
    "__invert__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__",
    "__len__", "__iter__", "__next__", "__getitem__", "__setitem__", "__contains__", "__call__", "__float__",
    "__int__", "__index__", "__round__", "__repr__", "__str__", "__enter__", "__exit__",
)


def describe(t):
    """The client builds a local class per remote type: its name, bases and special methods."""
    specials = {}
    for name in SPECIALS:
        own = getattr(t, name, None)
        if own is None and name in dir(t):
            specials[name] = None  # e.g. __hash__ = None: unhashable
        elif own is not None and own is not getattr(object, name, None):
            specials[name] = 1
    methods = set()  # plain functions of the class: called by name with no look-up first (remote.py)
    for klass in reversed(t.__mro__[:-1]):
        for name, value in vars(klass).items():
            if isinstance(value, types.FunctionType) and not name.startswith("__"):
                methods.add(name)
            else:
                methods.discard(name)
    return {"n": t.__name__, "b": [encode_type(b) for b in t.__bases__ if b is not object], "s": specials,
            "m": sorted(methods)}


def encode_type(t):
    path = type_path(t)
    out = {"C": path}
    if path not in described:
        described.add(path)
        out["d"] = describe(t)
    return out


def encode(x):
    if type(x) in PLAIN:
        return x
    if x is NotImplemented:
        return {"N": 1}
    if isinstance(x, float):  # numpy.float64 and the like: the number, which is what isinstance(x, float) sees
        return float(x)
    if isinstance(x, int) and not isinstance(x, bool):
        return int(x)
    if type(x) is list:
        return {"L": [encode(v) for v in x]}
    if type(x) is tuple:
        return {"T": [encode(v) for v in x]}
    if type(x) in (set, frozenset):
        return {"S": [encode(v) for v in x]}
    if type(x) is dict:
        return {"D": [[encode(k), encode(v)] for k, v in x.items()]}
    if isinstance(x, types.ModuleType):
        return {"Mod": x.__name__}
    if isinstance(x, type):
        return encode_type(x)
    h = handles.get(id(x))
    if h is None:
        counter[0] += 1
        h = counter[0]
        handles[id(x)] = h
        objects[h] = x
    # the object's own default hash (from its id): a proxy hashes to it, so a set of proxies
    # lists its members in the order the engine's own set does (tools/grade/remote.py)
    return {"H": h, "t": encode_type(type(x)), "i": object.__hash__(x)}


def decode(x):
    if type(x) is dict:
        if "H" in x:
            return objects[x["H"]]
        if "C" in x:
            return resolve_type(x["C"])
        if "Mod" in x:
            return sys.modules[x["Mod"]]
        if "L" in x:
            return [decode(v) for v in x["L"]]
        if "T" in x:
            return tuple(decode(v) for v in x["T"])
        if "S" in x:
            return {decode(v) for v in x["S"]}
        if "D" in x:
            return {decode(k): decode(v) for k, v in x["D"]}
        if "N" in x:
            return NotImplemented
    return x


def error(e):
    text = "".join(traceback.format_exception(type(e), e, e.__traceback__)[-12:])
    mine = os.path.join(os.path.dirname(os.path.abspath(__file__)), PACKAGE)
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename.startswith(mine)]
    where = (f"{os.path.basename(frames[-1].filename)}, line {frames[-1].lineno}, in {frames[-1].name}: "
             f"{(frames[-1].line or '').strip()}") if frames else ""
    out = ["err", type(e).__name__, str(e)[:4000], text[-6000:], where]
    if isinstance(e, SyntaxError):
        out.append([e.filename, e.lineno, e.offset, e.text, e.msg])
    return out


def import_files(files):
    """The student's files as modules of one package, so nn.py can say ``from .value import Value``."""
    here = os.path.dirname(os.path.abspath(__file__))
    files = {stem: os.path.join(here, path) for stem, path in files.items()}  # relative to this file
    folder = os.path.dirname(next(iter(files.values())))
    pkg = types.ModuleType(PACKAGE)
    pkg.__path__ = [folder]
    sys.modules[PACKAGE] = pkg
    out = {}
    for stem, path in files.items():
        name = f"{PACKAGE}.{stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        out[stem] = name
    return out


def handle(request):
    op = request[0]
    if op == "import":
        modules = import_files(request[1])
        watched = sorted(m for m in sys.modules if any(m == w or m.startswith(w + ".") for w in WATCHED))
        return {"D": [["modules", {"D": [[k, v] for k, v in modules.items()]}], ["watched", {"L": watched}]]}
    if op == "getattr":
        target, name = decode(request[1]), request[2]
        value = getattr(target, name)
        if isinstance(value, types.MethodType) and value.__self__ is target:
            return {"M": name}
        return encode(value)
    if op == "setattr":
        setattr(decode(request[1]), request[2], decode(request[3]))
        return None
    if op == "delattr":
        delattr(decode(request[1]), request[2])
        return None
    if op == "call":
        target = decode(request[1])
        return encode(target(*decode(request[2]), **decode(request[3])))
    if op == "method":
        target = decode(request[1])
        return encode(getattr(target, request[2])(*decode(request[3]), **decode(request[4])))
    if op == "special":  # type(x).__add__(x, other): what Python itself calls for x + other
        target = decode(request[1])
        return encode(getattr(type(target), request[2])(target, *decode(request[3])))
    if op == "dir":
        return {"L": sorted(dir(decode(request[1])))}
    raise ValueError(f"unknown request {op!r}")


def main():
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # the student's prints go to the log, never into the pipe
    for extra in sys.argv[1:]:
        sys.path.append(extra)  # a copy of the kata's library (tools/grade/sandbox.py LIBRARY)
    while True:
        line = proto_in.readline()
        if not line:
            return
        try:
            message = json.loads(line)
            for h in message.get("r", ()):
                obj = objects.pop(h, None)
                if obj is not None:
                    handles.pop(id(obj), None)
            reply = ["ok", handle(message["q"])]
            data = json.dumps(reply)
        except BaseException as e:  # noqa: B036 - SystemExit, RecursionError, ...: all are answers
            try:
                data = json.dumps(error(e))
            except BaseException:  # noqa: B036
                data = json.dumps(["err", "RuntimeError", "the engine raised an error that cannot be shown", "", ""])
        proto_out.write(data.encode() + b"\n")
        proto_out.flush()


if __name__ == "__main__":
    main()
