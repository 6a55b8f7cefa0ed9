"""What a class costs: the grader's estimate before it starts, and its pace as it goes.

A student's run is two processes taking turns (the level tests and the engine
behind its pipe), so it keeps about one core busy: students graded at once
(``--jobs``) beyond the machine's cores do not finish sooner. The seconds per
level below were measured by grading a correct engine on a 2-core machine
(docs/instructors.md, "What a class costs"); a wrong engine is quicker (a
failing level skips the later levels' slow tests), an engine that keeps its
local derivatives in each node slower.
"""

from __future__ import annotations

import os
import threading
import time

# seconds per student per level: the reference engine graded at levels 1-4 with --jobs 2 on a
# 2-core machine busy with other work (load average 13; docs/instructors.md): an idle one is faster
MEASURED = {1: 324.0, 2: 95.0, 3: 116.0, 4: 76.0}


def parallel(jobs: int) -> int:
    """Students graded at the same speed at once: no more than the jobs, nor the cores."""
    return max(1, min(jobs, os.cpu_count() or 1))


def per_student(levels: tuple[int, ...]) -> float:
    return sum(MEASURED.get(lv, 0.0) for lv in levels)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def estimate(levels: tuple[int, ...], students: int, jobs: int) -> str:
    """One line, before grading starts: a student's time per level, and the class's."""
    each = per_student(levels)
    split = ", ".join(f"level {lv} {MEASURED.get(lv, 0.0):.0f} s" for lv in levels)
    return (f"estimate: about {_duration(each)} per student ({split}; a correct engine on a busy 2-core machine); "
            f"{students} with --jobs {jobs} on {os.cpu_count() or 1} core(s): about "
            f"{_duration(each * students / parallel(jobs))}; 200 would take about "
            f"{_duration(each * 200 / parallel(jobs))}")


class Pace:
    """After each student: how many are done, and how long the rest take at the pace so far."""

    def __init__(self, students: int):
        self.students, self.done, self.started = students, 0, time.monotonic()
        self._lock = threading.Lock()

    def step(self) -> str:
        with self._lock:
            self.done += 1
            spent = time.monotonic() - self.started
            left = spent / self.done * (self.students - self.done)
            return f"{self.done} of {self.students} graded in {_duration(spent)}" + (
                f"; about {_duration(left)} left at this pace" if self.done < self.students else "")
