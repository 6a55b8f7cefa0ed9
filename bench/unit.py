"""The learner's loop's unit: one training step of micrograd 0.1.0's own MLP(2, [16, 16, 1]) on 100 points.

Run in a fresh process (``python -m bench.unit [STEPS]``), as a learner's
training script runs it: hinge loss + L2, gc left on, a heap holding only
this network. Prints the median seconds per step of STEPS timed steps (after
one untimed step).
"""

from __future__ import annotations

import statistics
import sys
import time


def main(argv=None) -> int:
    steps = int((argv or sys.argv[1:] or ["3"])[0])
    from bench.engines import init_weights, moons, MicrogradEngine

    X, y = moons(100)
    engine = MicrogradEngine(init_weights(), X, y)
    engine.step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        engine.step()
        times.append(time.perf_counter() - t0)
    print(statistics.median(times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
