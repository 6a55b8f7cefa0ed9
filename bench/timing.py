"""Timing in rounds, and the long chain: how long forward and backward take, and the bytes a node holds."""

from __future__ import annotations

import gc
import math
import statistics
import time
import tracemalloc



def time_rounds(tasks: dict, repeats: int, min_block: float = 0.05, warm=...) -> dict:
    """Seconds per call of each task: ``repeats`` rounds, each round timing every task once.

    Rounds keep the comparison fair on a shared machine: a burst of load hits
    every engine, not just one. Within a round a task runs as a block of
    calls lasting at least ``min_block`` seconds (one call for the slow
    engines, dozens for the fast ones), as a training loop runs it: warm,
    step after step. The warm-up call also picks the block's length.
    ``warm``: the one task to warm up instead of all (long tasks of one kind,
    timed one call per round with ``min_block=0``).
    """
    blocks = dict.fromkeys(tasks, 1)
    for k, f in tasks.items():
        if warm is not ... and k != warm:
            continue
        t0 = time.perf_counter()
        f()  # warm-up: imports, caches, allocator
        blocks[k] = max(1, math.ceil(min_block / max(time.perf_counter() - t0, 1e-9)))
    times: dict[str, list[float]] = {k: [] for k in tasks}
    for _ in range(repeats):
        for k, f in tasks.items():
            n = blocks[k]
            gc.collect()  # the previous task's cyclic garbage is not this task's cost
            t0 = time.perf_counter()
            for _ in range(n):
                f()
            times[k].append((time.perf_counter() - t0) / n)
    return times


def median(xs: list[float]) -> float:
    return statistics.median(xs)


# -- a long chain ------------------------------------------------------------------


def build_chain(Value, n: int):
    """``n`` nodes: ``y = y * 0.999 + 0.001``, repeated (each op one node)."""
    x = Value(0.5)
    y = x
    for _ in range(n // 2):
        y = y * 0.999 + 0.001
    return x, y


def chain_times(Value, n: int, repeats: int) -> tuple[float, float | None, str]:
    """Median seconds to build the chain and to run ``backward()`` on it; and an error, if backward failed."""
    fwd, bwd = [], []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        x, y = build_chain(Value, n)
        t1 = time.perf_counter()
        fwd.append(t1 - t0)
        try:
            y.backward()
        except RecursionError:  # a recursive topological sort on a deep graph
            return median(fwd), None, "RecursionError in backward()"
        bwd.append(time.perf_counter() - t1)
        expected = 0.999 ** (n // 2)
        if not math.isclose(x.grad, expected, rel_tol=1e-6):
            raise AssertionError(f"chain of {n}: dx = {x.grad}, expected {expected}")
        del x, y
    return median(fwd), median(bwd), ""


def bytes_per_node(Value, n: int) -> tuple[float, float | None]:
    """Memory held by a chain of ``n`` nodes, by tracemalloc, divided by ``n``: after building, and after backward.

    Counts everything the graph keeps alive: the node objects, their data
    floats and whatever they store to run backward (closures, cells, tuples,
    sets); after backward also the gradients. The second figure is None when
    backward fails (a recursive engine on a deep chain).
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        x, y = build_chain(Value, n)
        gc.collect()
        built = tracemalloc.get_traced_memory()[0]
        try:
            y.backward()
            gc.collect()
            after_backward = (tracemalloc.get_traced_memory()[0] - before) / n
        except RecursionError:
            after_backward = None
    finally:
        tracemalloc.stop()
    del x, y
    return (built - before) / n, after_backward
