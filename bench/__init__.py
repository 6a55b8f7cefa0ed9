"""Speed and memory of the engines, side by side: ``nox -s bench``.

The workload is the one from micrograd's demo: one full-batch training step
(forward, zero the gradients, backward, SGD update) of an MLP 2-16-16-1 on 100
two-moons points, with the hinge loss ``mean(relu(1 - y * score))`` plus
``1e-4 * sum(p * p)``. Every engine starts from the same weights, and before
anything is timed the bench checks that every engine computes the same loss
and the same gradients.

The engines:

* ``fast``: ``utils.autograd_stub.Value`` (``reference/fast.py``), each neuron
  one fused ``Value.dot`` node;
* ``fast, unfused``: the same engine on the same graph as micrograd (a ``*``
  and a ``+`` per weight), to show what fusing buys;
* ``reference``: ``reference/engine.py``, the teaching engine;
* ``micrograd``: micrograd 0.1.0's own ``micrograd.nn.MLP``;
* ``torch scalar``: PyTorch with every weight a 0-d tensor, the micrograd graph;
* ``vectorized``: ``solutions/vectorized`` (numpy arrays, batched);
* ``torch batched``: a ``torch.nn`` model of ``nn.Linear`` layers on a 100x2 tensor.

Plus a chain of a million nodes (forward, then backward), the memory one
graph node takes, and the learner's loop (``bench/loop.py``): each level's
tests on a learner-speed engine and the first run of each standard-library
tool session, in micrograd training steps timed in the same run. Every figure is a median over several repeats, taken in
rounds (each round times every engine once), so the ratios compare engines
under the same load of a shared machine.
"""

from __future__ import annotations

import os

# One thread for numpy's BLAS and for torch: every engine here is single-threaded Python, a batch of
# 100x16 is far too small to split, and idle worker threads spinning between ops would steal the
# time of the engine timed next on a small shared machine. (Set before numpy is imported.)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from dataclasses import dataclass, field  # noqa: E402

from bench import loop  # noqa: E402
from bench.engines import (  # noqa: E402, F401 - the bench's public names, used by __main__ and the tests
    Agreement,
    Engine,
    check_agreement,
    fast_value,
    flat,
    init_weights,
    make_engines,
    moons,
)
from bench.timing import bytes_per_node, chain_times, median, time_rounds  # noqa: E402, F401
from runner import manifest  # noqa: E402


# -- the whole run -------------------------------------------------------------------


@dataclass
class Results:
    repeats: int
    chain_n: int
    memory_n: int = 0
    agreement: list[Agreement] = field(default_factory=list)
    step: dict[str, float] = field(default_factory=dict)  # engine name -> seconds per step (median)
    notes: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # engine key -> name
    chain: dict[str, tuple[float, float | None, str]] = field(default_factory=dict)  # forward, backward, error
    memory: dict[str, tuple[float, float | None]] = field(default_factory=dict)  # bytes/node built, after backward
    n_points: int = 100
    loop: dict | None = None  # nox -s level1 against bare pytest
    levels: dict[int, tuple[float, str]] = field(default_factory=dict)  # level -> seconds, error
    tools: dict[str, float] | None = None  # stdlib tool session -> seconds of its first run
    loop_unit: float | None = None  # seconds per micrograd step, timed in the levels' rounds (bench/unit.py)
    shows: dict[str, float | None] = field(default_factory=dict)  # tools that train for show -> seconds; and UNIT
    watch: dict[str, float] = field(default_factory=dict)  # watch mode at level 4: what a save waits for -> seconds
    zoo_levels: dict[tuple[str, int], tuple[float, str]] = field(default_factory=dict)  # (engine, level) -> s, error
    hang: tuple[float, str] | None = None  # a backward() that never ends at level 1: seconds to its screen, error
    crowd: dict | None = None  # many level runs at once on correct engines (bench.loop.many_at_once)
    first: dict | None = None  # the first nox -s level1 in a fresh clone, empty caches (bench.loop.first_level1)


FAST_NAME = "fast (escape hatch)"


def run(repeats: int = 9, n_points: int = 100, chain_n: int = 1_000_000, chain_repeats: int = 3,
        memory_n: int = 200_000, which=None, learner: bool = True, loop_repeats: int = 2, first_run: bool = False,
        out=print) -> Results:
    """Everything, in order: agreement, training steps, the chain, memory, the learner's loop.

    The escape hatch's chain runs ``chain_repeats`` times and its memory is
    measured on ``chain_n`` nodes; the other engines' chains run once and their
    memory is measured on ``memory_n`` nodes (tracemalloc slows them down a lot,
    and bytes per node do not depend on the length).
    """
    res = Results(repeats, chain_n, memory_n, n_points=n_points)
    engines = make_engines(n_points, which=which)
    res.keys = {e.key: e.name for e in engines}
    res.notes = {e.name: e.note for e in engines}
    n_params = len(flat(init_weights()))
    out(f"Checking that {len(engines)} engines agree on the loss and all {n_params} gradients (same weights)...")
    res.agreement = check_agreement(engines)
    for a in res.agreement:
        out(f"  {a.name:24s} loss {a.loss:.12f}  loss diff {a.loss_error:.1e}  max grad diff {a.grad_error:.1e}  "
            + ("ok" if a.ok else "DISAGREES"))
    if not all(a.ok for a in res.agreement):
        raise SystemExit("the engines disagree: no timing until they compute the same thing")

    out(f"Timing one training step, {repeats} rounds...")
    times = time_rounds({e.name: e.step for e in engines}, repeats)
    res.step = {k: median(v) for k, v in times.items()}

    from reference.engine import Value as Reference

    chains = {FAST_NAME: fast_value(), "reference": Reference}
    try:
        from micrograd.engine import Value as Micrograd

        chains["micrograd 0.1.0"] = Micrograd
    except ImportError:
        pass
    for name, V in chains.items():
        fast = name == FAST_NAME
        if chain_n:
            out(f"Chain of {chain_n:,} nodes on {name}...")
            res.chain[name] = chain_times(V, chain_n, chain_repeats if fast else 1)
        res.memory[name] = bytes_per_node(V, max(chain_n, memory_n) if fast else memory_n)
    if learner:
        levels = [lv.number for lv in manifest.levels()]
        out(f"Timing levels {levels[0]}-{levels[-1]} on the learner-speed engine (tests/zoo/correct/micrograd_closures.py), {loop_repeats} rounds...")
        out(f"... and levels 3-4 on the zoo's other correct engines ({', '.join(loop.ZOO_ENGINES)})")
        timed = loop.level_times(levels, loop_repeats, engines=loop.ZOO_ENGINES)
        res.loop_unit = timed.pop(loop.UNIT, None)
        res.levels = {k: v for k, v in timed.items() if isinstance(k, int)}
        res.zoo_levels = {k: v for k, v in timed.items() if isinstance(k, tuple)}
        out("Timing a backward() that never ends at level 1, to its screen...")
        res.hang = loop.hang_time()
        out("Running level 3 eight times at once on correct engines (the slow visited_list.py among them)...")
        res.crowd = loop.many_at_once()
        out("Timing the tools that train for show (nox -s plots, a model hunt's train.py)...")
        res.shows = loop.show_times(loop_repeats)
        out("Timing watch mode at level 4 (a save that breaks an op, then the save that fixes it)...")
        res.watch = loop.watch_times() or {}
        out("Timing the first run of each standard-library tool session...")
        res.tools = loop.tool_first_runs()
        out("Timing what nox adds (a warm nox -s level1 against bare pytest in the same environment)...")
        res.loop = loop.nox_overhead()
    if first_run:
        out("Timing the first nox -s level1 in a fresh clone, with empty pip and uv caches (downloads)...")
        res.first = loop.first_level1()
    return res
