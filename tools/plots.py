"""Level-4 pictures: train the network on two moons, then plot what it learned.

    python -m tools.plots                        # out/decision_boundary.png, out/loss_curve.png
    python -m tools.plots --steps 30 --out /tmp/plots
    python -m tools.plots --impl learner         # your katas/level4 network instead

Two PNG files (matplotlib, Agg backend, no window):

* ``decision_boundary.png``: the two-moons points (training points filled,
  held-out points hollow) over the regions where the network's score is
  positive or negative, with the boundary (score 0) drawn as a line. The
  regions come from running the trained network itself on a grid of points.
* ``loss_curve.png``: the training loss at every step, and the accuracy on
  the training and held-out points as training goes.

The recipe is the one of ``reference/nn.py``: weights seeded with
``random.seed(0)``, 100 training and 100 held-out points from
``two_moons_split(seed=1)``, an ``MLP(2, [16, 16, 1])``, full-batch gradient
descent on the hinge loss with a learning rate going from 1.0 down to 0.1.
The reference network trains on the escape hatch (``reference/fast_nn.py``:
``reference/nn.py`` on ``reference/fast.py``, the same numbers many times
faster); ``--impl learner`` trains your own network on your own engine.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from runner import manifest
from runner.paths import shown

OUT = manifest.ROOT / "out"  # git-ignored
FILES = ("decision_boundary.png", "loss_curve.png")
MISSING_MATPLOTLIB = ("the plots need matplotlib: pip install matplotlib "
                      "(or pip install -e '.[viz]' in this folder)")


@dataclass(frozen=True)
class Recipe:
    steps: int = 100
    hidden: tuple[int, ...] = (16, 16)
    n_train: int = 100
    n_test: int = 100
    noise: float = 0.1
    data_seed: int = 1
    weight_seed: int = 0
    lr_start: float = 1.0
    lr_end: float = 0.1

    def lr(self, step: int) -> float:
        """Linear decay from lr_start (step 0) towards lr_end (after the last step)."""
        return self.lr_start - (self.lr_start - self.lr_end) * step / self.steps


DEFAULT = Recipe()  # the recipe of the committed pictures


@dataclass
class Run:
    recipe: Recipe
    model: object
    X: list
    y: list
    X_test: list
    y_test: list
    loss: list[float] = field(default_factory=list)  # one per step, before the update
    evaluated: list[int] = field(default_factory=list)  # steps after which accuracy was measured (0: untrained)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0


def accuracy(model, X, y) -> float:
    """The fraction of points whose score has the sign of their label."""
    return sum((model(x).data > 0) == (label > 0) for x, label in zip(X, y)) / len(y)


@contextlib.contextmanager
def _collect_per_step():
    """Pause the automatic cyclic garbage collector; the caller collects once per step.

    A step builds tens of thousands of nodes, each in a reference cycle with
    its ``_backward`` closure. Left alone, the collector rescans them all
    many times per step and training runs several times slower.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def train(recipe: Recipe = DEFAULT, nn=None, eval_every: int | None = None, progress=None) -> Run:
    """Train ``nn.MLP`` (default: the reference network) on two moons with ``nn.train_step``."""
    from utils.datasets import two_moons_split

    if nn is None:
        from reference import fast_nn as nn
    for name in ("MLP", "train_step"):
        if not hasattr(nn, name):
            raise AttributeError(f"{getattr(nn, '__file__', nn)} has no {name}")
    X, y, X_test, y_test = two_moons_split(recipe.n_train, recipe.n_test, noise=recipe.noise, seed=recipe.data_seed)
    random.seed(recipe.weight_seed)
    model = nn.MLP(2, [*recipe.hidden, 1])
    run = Run(recipe, model, X, y, X_test, y_test)
    eval_every = eval_every or max(1, recipe.steps // 25)
    start = time.perf_counter()
    with _collect_per_step():
        run.evaluated.append(0)  # the untrained network, as a baseline
        run.train_accuracy.append(accuracy(model, X, y))
        run.test_accuracy.append(accuracy(model, X_test, y_test))
        for step in range(recipe.steps):
            loss = nn.train_step(model, X, y, lr=recipe.lr(step))
            run.loss.append(float(loss.data))
            del loss
            gc.collect()
            if (step + 1) % eval_every == 0 or step + 1 == recipe.steps:
                run.evaluated.append(step + 1)
                run.train_accuracy.append(accuracy(model, X, y))
                run.test_accuracy.append(accuracy(model, X_test, y_test))
                if progress:
                    progress(run)
    run.seconds = time.perf_counter() - start
    return run


def _describe(run: Run) -> str:
    sizes = "-".join(str(n) for n in (2, *run.recipe.hidden, 1))
    return f"MLP {sizes}, {run.recipe.steps} steps"


def _figure(width: float, height: float):
    from matplotlib.figure import Figure  # no pyplot: no global state, no window, the Agg canvas

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


BLUE, RED = "#1f5fa8", "#c0392b"
BLUE_REGION, RED_REGION = "#d6e4f5", "#f6d5d0"


def plot_decision_boundary(run: Run, path, resolution: int = 50) -> Path:
    """The points over the regions where the trained network says -1 or +1."""
    import numpy as np

    points = run.X + run.X_test
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    margin = 0.4
    gx = np.linspace(min(xs) - margin, max(xs) + margin, resolution)
    gy = np.linspace(min(ys) - margin, max(ys) + margin, resolution)
    scores = np.array([[run.model([float(a), float(b)]).data for a in gx] for b in gy])

    fig = _figure(6.4, 4.8)
    ax = fig.add_subplot()
    ax.contourf(gx, gy, scores, levels=[-np.inf, 0.0, np.inf], colors=[BLUE_REGION, RED_REGION])
    if scores.min() < 0 < scores.max():
        ax.contour(gx, gy, scores, levels=[0.0], colors="#333333", linewidths=1.2)
    for data, labels, filled, kind in ((run.X, run.y, True, "train"), (run.X_test, run.y_test, False, "held out")):
        for label, color, marker in ((-1, BLUE, "o"), (1, RED, "s")):
            chosen = [p for p, t in zip(data, labels) if t == label]
            if not chosen:
                continue
            ax.scatter([p[0] for p in chosen], [p[1] for p in chosen], s=22, marker=marker,
                       facecolors=color if filled else "none", edgecolors=color, linewidths=1.0,
                       label=f"{kind}, label {label:+d}")
    train_acc, test_acc = accuracy(run.model, run.X, run.y), accuracy(run.model, run.X_test, run.y_test)
    ax.set_title(f"Decision boundary: {_describe(run)}\n"
                 f"train accuracy {train_acc:.0%}, held-out accuracy {test_acc:.0%}", fontsize=11)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    return _save(fig, path)


def plot_loss_curve(run: Run, path) -> Path:
    """The loss at every step (log scale) and the accuracies as training goes."""
    fig = _figure(9.6, 3.6)
    left, right = fig.subplots(1, 2)
    steps = list(range(1, len(run.loss) + 1))
    left.plot(steps, run.loss, color="#333333", linewidth=1.5)
    if all(v > 0 for v in run.loss):
        left.set_yscale("log")
    left.set_title("Training loss (hinge + L2)", fontsize=11)
    left.set_xlabel("step")
    left.set_ylabel("loss")
    left.grid(True, which="both", alpha=0.3)
    right.plot(run.evaluated, [100 * a for a in run.train_accuracy], color=RED, marker="o", markersize=3,
               label="training points")
    right.plot(run.evaluated, [100 * a for a in run.test_accuracy], color=BLUE, marker="s", markersize=3,
               linestyle="--", label="held-out points")
    lowest = min(run.train_accuracy + run.test_accuracy, default=0.5)
    right.set_ylim(min(40.0, 100 * lowest - 5), 102)
    right.axhline(50, color="#999999", linewidth=0.8, linestyle=":")  # a coin toss
    right.set_title("Accuracy", fontsize=11)
    right.set_xlabel("step")
    right.set_ylabel("% classified correctly")
    right.grid(True, alpha=0.3)
    right.legend(loc="lower right", fontsize=9)
    fig.suptitle(_describe(run), fontsize=11)
    return _save(fig, path)


def _save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", metadata={"Software": None})  # no version stamp: stable files
    return path


def write_plots(run: Run, out_dir, resolution: int = 50) -> list[Path]:
    out_dir = Path(out_dir)
    return [plot_decision_boundary(run, out_dir / FILES[0], resolution), plot_loss_curve(run, out_dir / FILES[1])]


def matplotlib_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.plots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(OUT), help="folder for the two PNG files (default: out/)")
    parser.add_argument("--steps", type=int, default=DEFAULT.steps, help=f"training steps (default {DEFAULT.steps})")
    parser.add_argument("--impl", default="reference",
                        help="network: reference (default), learner (katas/level4), or a kata-like folder")
    parser.add_argument("--resolution", type=int, default=50, help="grid points per axis for the regions")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    if not matplotlib_available():
        print(f"error: {MISSING_MATPLOTLIB}", file=sys.stderr)
        return 2

    from runner import impl as impl_loader

    try:
        if args.impl == "reference":  # the reference network on the escape hatch: the same network, faster
            from reference import fast_nn as nn

            files = [Path(nn.__file__), Path(nn.__file__).with_name("fast.py")]
        else:  # a learner's network is what is shown: on its own engine
            engine = impl_loader.load(args.impl, manifest.levels()[-1])
            nn, files = engine.nn, list(engine.files.values())
    except (impl_loader.ImplError, KeyError) as error:
        print(f"error: --impl {args.impl}: {error or 'no nn.py'}", file=sys.stderr)
        return 2
    print(f"training the {args.impl} network: {', '.join(shown(p) for p in files)}", flush=True)

    def progress(run: Run) -> None:
        if not args.quiet:
            print(f"step {run.evaluated[-1]:4d}  loss {run.loss[-1]:.4f}  "
                  f"train {run.train_accuracy[-1]:.0%}  held out {run.test_accuracy[-1]:.0%}", flush=True)

    recipe = dataclasses.replace(DEFAULT, steps=args.steps)
    try:
        run = train(recipe, nn, progress=progress)
    except (AttributeError, TypeError, ValueError, ArithmeticError, NotImplementedError) as error:
        print(f"error: training the {args.impl} network raised {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"trained {_describe(run)} in {run.seconds:.1f} s")
    for path in write_plots(run, args.out, args.resolution):
        print(shown(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
