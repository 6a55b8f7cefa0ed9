"""How the tools show a time: ``m:ss``.

One formatter, two roundings, each for one use:

* a time that was taken (an interview's elapsed time, a best time) rounds to
  the nearest second: ``mmss(61.4) == "1:01"``;
* a countdown (the time left on an interview clock) rounds up, so it shows
  ``0:01`` until the last second is over and ``0:00`` only at the bell:
  ``mmss(0.2, countdown=True) == "0:01"``.

Anything that is not a number (a damaged history line) shows as ``?``.
"""

from __future__ import annotations

import math


def mmss(seconds, *, countdown: bool = False) -> str:
    try:
        t = float(seconds)
    except (TypeError, ValueError):
        return "?"
    if not math.isfinite(t):
        return "?"
    s = max(math.ceil(t) if countdown else round(t), 0)
    return f"{s // 60}:{s % 60:02d}"
