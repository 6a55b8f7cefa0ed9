"""Finding and loading the engine under test: the ``--impl`` switch.

``--impl`` takes
  * ``learner`` (the default): the files of the level being run, from levels.toml;
  * ``reference``: the reference solutions in ``reference/``;
  * a path: a Python file that defines ``Value`` (levels 1-3; at level 4 an
    ``nn.py`` beside it is used too), or a folder laid out like a kata folder
    (``value.py`` and, for level 4, ``nn.py``).

Files are loaded as modules of a throw-away package named after their folder,
so ``nn.py`` can say ``from .value import Value``.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import sys
import types
from dataclasses import dataclass
from pathlib import Path

from runner import manifest


class ImplError(Exception):
    """The engine could not be found; the message is one line for the learner."""


@dataclass
class Implementation:
    label: str  # what the learner called it: "learner", "reference" or the path
    folder: Path
    files: dict[str, Path]  # module name -> file, e.g. {"value": .../value.py}
    modules: dict[str, types.ModuleType]

    @property
    def Value(self):
        return self.modules["value"].Value

    @property
    def nn(self) -> types.ModuleType:
        return self.modules["nn"]


_counter = itertools.count()


def locate(spec: str, level: manifest.Level) -> tuple[str, Path, dict[str, Path]]:
    """Turn an ``--impl`` value into the files to load, or raise ImplError."""
    stems = [Path(name).stem for name in level.files]  # e.g. ["value", "nn"]
    if spec == "learner":
        return spec, level.path, {stem: level.path / name for stem, name in zip(stems, level.files)}
    if spec == "reference":
        root = manifest.ROOT / "reference"
        return spec, root, {"value": root / "engine.py", "nn": root / "nn.py"}
    path = Path(spec).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    if not path.exists():
        raise ImplError(f"--impl {spec}: no such file or folder")
    if path.is_dir():
        files = {stem: path / name for stem, name in zip(stems, level.files)}
        missing = [str(p) for p in files.values() if not p.exists()]
        if missing:
            raise ImplError(f"--impl {spec}: the folder has no {', '.join(Path(m).name for m in missing)}")
        return spec, path, files
    if path.suffix != ".py":
        raise ImplError(f"--impl {spec}: expected a .py file defining Value, or a folder")
    files = {"value": path}
    for stem, name in zip(stems[1:], level.files[1:]):  # level 4: nn.py beside the file
        files[stem] = path.parent / name
    return spec, path.parent, files


def load(spec: str, level: manifest.Level) -> Implementation:
    """Locate and import the engine. Import errors propagate unchanged (the
    pytest plugin turns them into one readable screen)."""
    label, folder, files = locate(spec, level)
    package = f"_kata_impl_{next(_counter)}"
    pkg = types.ModuleType(package)
    pkg.__path__ = [str(folder)]
    sys.modules[package] = pkg
    modules = {}
    for stem, path in files.items():
        if not path.exists():
            if stem == "value":
                raise ImplError(f"--impl {spec}: {path} does not exist")
            continue  # e.g. no nn.py beside a level-3 file; level 4 reports it
        if label == "reference":
            modules[stem] = importlib.import_module(f"reference.{path.stem}")
            continue
        modules[stem] = _import_file(f"{package}.{stem}", path)
    if not hasattr(modules["value"], "Value"):
        raise ImplError(f"--impl {spec}: {files['value']} defines no Value")
    return Implementation(label, folder, files, modules)


def network_on(nn_file: str | Path, engine: types.ModuleType) -> types.ModuleType:
    """Import a network file (``nn.py``) so that its ``from .value import Value`` (or, in
    ``reference/``, ``from .engine import Value``) gets ``engine``'s Value: the same network on another
    engine. Tools that train for show run it on the escape hatch (``reference.fast``), which computes
    the same numbers as the reference, many times faster."""
    nn_file = Path(nn_file)
    package = f"_kata_impl_{next(_counter)}"
    pkg = types.ModuleType(package)
    pkg.__path__ = [str(nn_file.parent)]
    sys.modules[package] = pkg
    for stem in ("value", "engine"):
        sys.modules[f"{package}.{stem}"] = engine
    return _import_file(f"{package}.nn", nn_file)


def _import_file(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
