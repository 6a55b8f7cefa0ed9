"""The grading side of the engine pipe: local stand-ins for a student's objects.

The level tests run in a trusted pytest process that never imports the
student's code. The student's engine lives in another process
(tools/grade/server.py); here each of its objects is a proxy, an instance of a
local class built to mirror the remote type (same name, same bases, the same
special methods and no others), so the tests see what they would see in the
student's own process: ``isinstance(c, Value)``, ``1 + x`` dispatching to
``__radd__``, ``a._prev`` holding the very proxies ``a`` was made from,
``pytest.raises(TypeError)``.

What comes back is data, never code: JSON, decoded into numbers, strings,
containers and proxies. An exception raised in the engine comes back as the
built-in exception of the same name (``TypeError``, ``RecursionError``, ...;
anything else, ``SystemExit`` included, as ``EngineError``).

When the engine process dies (a crash, ``os._exit``, a limit) or stops
answering (a test's timeout interrupts the wait), the call fails with
``EngineCrashed`` and the next call starts a fresh process: classes and
modules are named by path and survive; objects of the dead process do not.
After ``STALLS`` tests in a row that ended that way, the engine is given up.

Identity: the same remote object is always the same proxy, and a proxy lives
until the end of the test that made it (tools/grade/trusted.py says when), so
``id()`` comparisons in a test mean what they mean in the student's process.
A proxy hashes as its remote object does, so a set the engine sends comes out
in the engine's own order (its ``_prev`` is often a set, and the order of
siblings is what utils/every_order.py must see).
"""

from __future__ import annotations

import builtins
import json
import os
import select
import signal
import subprocess
import weakref
from pathlib import Path

MAX_MESSAGE = 64 * 2**20  # bytes: an answer larger than this is an error, not a memory blow-up
STALLS = 3
ENGINES: list = []  # every engine of this process, for tools/grade/trusted.py


class EngineSet(set):
    """A set the engine sent: a set that iterates in the engine's own order.

    Proxies hash as their remote objects, yet a set filled in another order may
    lay them out differently when two of them collide; the order of siblings in a
    ``_prev`` set is what decides some verdicts (utils/every_order.py).
    """

    def __init__(self, items=()):
        items = list(items)
        super().__init__(items)
        self._order = items

    def __iter__(self):
        if len(self._order) == len(self) and all(x in self for x in self._order):
            return iter(self._order)
        return super().__iter__()  # changed since it came: its own order


class EngineError(Exception):
    """An exception of the engine's that is not a built-in one (or not an Exception at all)."""


class EngineCrashed(Exception):
    """The engine process ended or stopped answering."""


def _exception(reply) -> BaseException:
    _, name, message, text, mine, *rest = reply
    where = f"\n(in the engine process)\n{text}" if text else ""
    cls = getattr(builtins, name, None)
    if name == "SyntaxError" and rest:
        filename, lineno, offset, line, msg = rest[0]
        return SyntaxError(msg, (Path(filename or "value.py").name, lineno, offset, line))
    if mine:  # where in the student's files it was raised: the grader's frames are all the tests can show
        message = f"{message}\n  raised in your engine at {mine}"
    if isinstance(cls, type) and issubclass(cls, Exception) and not issubclass(cls, Warning):
        try:
            e = cls(message)
        except Exception:  # noqa: BLE001 - e.g. UnicodeDecodeError needs five arguments
            e = EngineError(f"{name}: {message}")
        e.engine_traceback = where
        return e
    e = EngineError(f"{name}: {message}")
    e.engine_traceback = where
    return e


class Engine:
    """One student's engine process, restarted on demand."""

    def __init__(self, start, files: dict[str, str], timeout: float):
        self._start = start  # () -> subprocess.Popen with stdin/stdout pipes
        self.files = files
        self.timeout = timeout  # seconds to wait for one answer
        self.proc: subprocess.Popen | None = None
        self.generation = 1  # objects of an earlier generation belong to a process that has ended
        self.started = 0  # engine processes started
        self.proxies: dict[int, weakref.ref] = {}
        self.released: set[int] = set()
        # every proxy lives until the end of the test that made it: in the student's own process an
        # object the engine holds keeps its id, so `[id(p) for p in n.parameters()]` must see the same
        # proxies as `n.w + [n.b]` a line later
        self.pinned: list = []
        self.classes: dict[str, type] = {}
        self.stalled_tests = 0  # tests in a row that ended with a crash or timeout
        self.crashes: list[str] = []
        self.watched: list[str] = []
        self.modules: dict[str, str] = {}
        self.given_up = False
        self._buffer = b""

    # -- the process

    def _spawn(self) -> None:
        self.proc = self._start()
        self.started += 1
        self.proxies.clear()
        self.released.clear()
        self.pinned.clear()
        self._buffer = b""
        info = self._send(["import", self.files])
        try:
            self.modules, self.watched = dict(info["modules"]), [str(m) for m in info["watched"]]
        except (TypeError, KeyError, ValueError):
            self._kill("an unreadable answer")
            raise EngineCrashed("the engine process answered the import with something else: its pipe carries "
                                "only the grader's protocol") from None

    def _kill(self, why: str) -> None:
        self.crashes.append(why)
        self.generation += 1
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            for f in (self.proc.stdin, self.proc.stdout):
                f.close()
        self.proc = None

    def close(self) -> None:
        if self.proc is not None:
            self._kill("closed")
            self.crashes.pop()

    def test_ended(self, stalled: bool) -> None:
        self.pinned.clear()
        self.stalled_tests = self.stalled_tests + 1 if stalled else 0
        if self.stalled_tests >= STALLS:
            self.given_up = True

    # -- one request

    def request(self, query):
        if self.given_up:
            raise EngineCrashed(f"the engine crashed or stopped answering in {STALLS} tests in a row; "
                                "it is not run again (last: " + self.crashes[-1] + ")")
        if self.proc is None:
            self._spawn()
        return self._send(query)

    def _send(self, query):
        message = {"q": query}
        if self.released:
            message["r"] = sorted(self.released)
            self.released.clear()
        try:
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
            line = self._read_line()
        except BrokenPipeError:
            line = None
        except EngineCrashed:
            raise
        except BaseException:  # a timeout of the test interrupted the wait: this process is done for
            self._kill("no answer before the test's time limit")
            raise
        if line is None:
            code = self.proc.wait() if self.proc is not None else None
            why = (f"killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}")
            self._kill(f"the engine process {why}")
            raise EngineCrashed(f"the engine process {why} while answering {query[0]!r} "
                                "(a crash, os._exit/sys.exit outside a call, or a resource limit)")
        try:
            reply = json.loads(line)
            if reply[0] == "err":
                error = _exception(reply)
            else:
                return self.decode(reply[1])
        except Exception as e:  # noqa: BLE001 - whatever it sent, it is not an answer
            self._kill("an unreadable answer")
            raise EngineCrashed(f"the engine process sent an unreadable answer ({type(e).__name__}); "
                                "its pipe carries only the grader's protocol") from None
        raise error

    def _read_line(self) -> bytes | None:
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([fd], [], [], self.timeout)
            if not ready:
                self._kill(f"no answer in {self.timeout:g} s")
                raise EngineCrashed(f"the engine did not answer in {self.timeout:g} s")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
            if len(self._buffer) > MAX_MESSAGE:
                self._kill("an answer too large")
                raise EngineCrashed("the engine sent an answer larger than 64 MB")
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    # -- data both ways

    def encode(self, x):
        if x is None or type(x) in (bool, int, float, str):
            return x
        if isinstance(x, Proxy):
            return {"H": x._h}
        if isinstance(x, RemoteClass):
            return {"C": x._path}
        if isinstance(x, RemoteModule):
            return {"Mod": x._name}
        if isinstance(x, bool):
            return bool(x)
        if isinstance(x, int):
            return int(x)
        if isinstance(x, float):  # numpy.float64 and friends: the number itself
            return float(x)
        if isinstance(x, list):
            return {"L": [self.encode(v) for v in x]}
        if isinstance(x, tuple):
            return {"T": [self.encode(v) for v in x]}
        if isinstance(x, (set, frozenset)):
            return {"S": [self.encode(v) for v in x]}
        if isinstance(x, dict):
            return {"D": [[self.encode(k), self.encode(v)] for k, v in x.items()]}
        if x is NotImplemented:
            return {"N": 1}
        if hasattr(x, "__float__") and hasattr(x, "item"):  # a 0-d numpy array or tensor
            return float(x)
        raise TypeError(f"cannot pass a {type(x).__name__} to the engine process")

    def decode(self, x):
        if type(x) is not dict:
            return x
        if "H" in x:
            return self._proxy(x["H"], self.decode(x["t"]), x.get("i"))
        if "C" in x:
            return self._class(x["C"], x.get("d"))
        if "L" in x:
            return [self.decode(v) for v in x["L"]]
        if "T" in x:
            return tuple(self.decode(v) for v in x["T"])
        if "S" in x:
            return EngineSet([self.decode(v) for v in x["S"]])
        if "D" in x:
            return {self.decode(k): self.decode(v) for k, v in x["D"]}
        if "Mod" in x:
            return RemoteModule(self, x["Mod"])
        if "N" in x:
            return NotImplemented
        if "M" in x:
            return x  # a bound method: the caller makes it
        raise ValueError(f"the engine sent something unreadable: {str(x)[:80]}")

    def _proxy(self, h: int, cls: type, remote_hash: int | None = None):
        ref = self.proxies.get(h)
        obj = ref() if ref is not None else None
        if obj is None:
            obj = object.__new__(cls)
            object.__setattr__(obj, "_h", h)
            object.__setattr__(obj, "_hash", remote_hash if isinstance(remote_hash, int) else None)
            object.__setattr__(obj, "_gen", self.generation)
            self.proxies[h] = weakref.ref(obj, self._dead(h))
            self.pinned.append(obj)
        self.released.discard(h)
        return obj

    def _dead(self, h: int):
        gen = self.generation

        def callback(_ref):
            if gen == self.generation and self.proxies.get(h) is _ref:
                del self.proxies[h]
                self.released.add(h)

        return callback

    def _class(self, path: str, description: dict | None) -> type:
        if path in self.classes:
            return self.classes[path]
        if description is None:
            raise ValueError(f"the engine named a type it never described: {path[:80]}")
        bases = tuple(self.decode(b) for b in description["b"]) or (Proxy,)
        namespace = {"_path": path, "_engine": self, "__module__": "engine", "__qualname__": description["n"]}
        for name, present in description["s"].items():
            namespace[name] = _special(name) if present else None
        namespace.setdefault("__hash__", _default_hash)
        namespace["_methods"] = frozenset(description.get("m", ()))
        cls = RemoteClass(description["n"], bases, namespace)
        self.classes[path] = cls
        return cls

    def attr(self, module_stem: str, name: str):
        """An attribute of one of the student's modules, e.g. attr("value", "Value")."""
        if self.proc is None and not self.given_up:
            self._spawn()
        return self.request(["getattr", {"Mod": self.modules[module_stem]}, name])


def _special(name: str):
    if name == "__call__":
        def call(self, *args, **kwargs):
            engine = type(self)._engine
            return engine.request(["call", {"H": _handle(self)}, engine.encode(list(args)), engine.encode(kwargs)])

        return call

    def method(self, *args):
        engine = type(self)._engine
        result = engine.request(["special", {"H": _handle(self)}, name, engine.encode(list(args))])
        if name == "__hash__" and not isinstance(result, int):
            raise TypeError("__hash__ returned a non-integer")
        if name == "__bool__" and not isinstance(result, bool):
            raise TypeError(f"__bool__ should return bool, returned {type(result).__name__}")
        if name in ("__repr__", "__str__") and not isinstance(result, str):
            raise TypeError(f"{name} returned non-string (type {type(result).__name__})")
        return result

    method.__name__ = name
    return method


def _default_hash(proxy) -> int:
    """The remote object's own default hash: a set of proxies, built from the members of a set the
    engine sent (in the engine's order), lists them in the engine's order. ``_prev`` is often a set,
    and the order-proof tests (utils/every_order.py) must see the order the engine's backward sees."""
    h = object.__getattribute__(proxy, "_hash")
    return object.__hash__(proxy) if h is None else h


def _handle(proxy) -> int:
    engine = type(proxy)._engine
    if object.__getattribute__(proxy, "_gen") != engine.generation:
        raise EngineCrashed("this object belonged to an engine process that has since ended (a crash or a "
                            "timeout in an earlier test)")
    return object.__getattribute__(proxy, "_h")


class RemoteClass(type):
    """The local class of a remote type: calling it makes an object in the engine process."""

    def __call__(cls, *args, **kwargs):
        engine = cls._engine
        return engine.request(["call", {"C": cls._path}, engine.encode(list(args)), engine.encode(kwargs)])

    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _attribute(cls._engine, {"C": cls._path}, name, cls)


class Proxy:
    """An object of the engine process."""

    __slots__ = ("_h", "_gen", "_hash", "__weakref__")
    _methods: frozenset = frozenset()

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        if name in type(self)._methods:  # a method of the class: the call itself looks it up, in the engine
            return _method(type(self)._engine, {"H": _handle(self)}, name, self)
        return _attribute(type(self)._engine, {"H": _handle(self)}, name, self)

    def __setattr__(self, name, value):
        engine = type(self)._engine
        engine.request(["setattr", {"H": _handle(self)}, name, engine.encode(value)])

    def __delattr__(self, name):
        type(self)._engine.request(["delattr", {"H": _handle(self)}, name])

    def __dir__(self):
        return type(self)._engine.request(["dir", {"H": _handle(self)}])


class RemoteModule:
    """One of the student's modules (nn.py), seen from here."""

    def __init__(self, engine: Engine, name: str):
        self._engine, self._name = engine, name

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _attribute(self._engine, {"Mod": self._name}, name, self)


def _attribute(engine: Engine, target: dict, name: str, owner):
    value = engine.request(["getattr", target, name])
    if isinstance(value, dict) and "M" in value:  # a bound method: call it by name, one round trip per call
        return _method(engine, target, name, owner)
    return value


def _method(engine: Engine, target: dict, name: str, owner):
    def method(*args, **kwargs):
        return engine.request(["method", target, name, engine.encode(list(args)), engine.encode(kwargs)])

    method.__name__ = name
    method.__self__ = owner  # keeps the object, and so its handle, alive as long as the method
    return method


def connect(config_path: Path) -> Engine:
    """The engine described by a shim's ``engine.json`` (written by tools/grade/sandbox.py)."""
    from tools.grade import sandbox

    try:  # the engine process, running as the same user, may not read this one's memory or pipes
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass
    config = json.loads(Path(config_path).read_text())
    engine = Engine(lambda: sandbox.start_server(config), config["files"], config["answer_timeout"])
    ENGINES.append(engine)
    return engine
