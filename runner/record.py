"""What happened to every kata test of a run, and where it is written down: ``--kata-report PATH``
(JSON for tools) and ``.kata/progress.json`` (the learner's own runs, for ``nox -s progress``)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from runner import paths, session


@dataclass
class Record:
    outcomes: dict[str, str] = field(default_factory=dict)  # nodeid -> passed / failed / error / skipped
    headlines: dict[str, str] = field(default_factory=dict)  # nodeid -> one line
    levels: dict[str, int | str] = field(default_factory=dict)  # nodeid -> its unit: a level's number, a stage's name
    deselected: list[str] = field(default_factory=list)
    advice: list | None = None  # runner.review notes, once per run
    complete: bool = False  # every test ran (set when the session finishes)
    started: float = field(default_factory=time.time)


RECORD = pytest.StashKey[Record]()
REPORT_VERSION = 1  # the format of the --kata-report JSON


def record_of(config) -> Record:
    if RECORD not in config.stash:
        config.stash[RECORD] = Record()
    return config.stash[RECORD]


class Recorder:
    """Collects every kata test's outcome (on the main process, also under xdist)."""

    def __init__(self, config):
        self.config = config

    def pytest_runtest_logreport(self, report):
        rec = record_of(self.config)
        nid = report.nodeid
        if nid not in rec.levels:
            return
        if report.failed:
            rec.outcomes[nid] = "failed" if report.when == "call" or rec.outcomes.get(nid) == "failed" else "error"
            rec.headlines.setdefault(nid, _headline(report))
        elif report.skipped and nid not in rec.outcomes:
            rec.outcomes[nid] = "skipped"
        elif report.when == "call" and report.passed:
            rec.outcomes[nid] = "passed"


def collected(config, items) -> None:
    rec = record_of(config)
    for it in items:
        lv = paths.unit_of(it.path)
        if lv is not None:
            rec.levels[it.nodeid] = lv


def advice(config) -> list:
    """The review notes of the engine under test (runner/review.py), probed once per run."""
    rec = record_of(config)
    if rec.advice is None:
        run = session.run_of(config)
        rec.advice = []
        if run is not None and run.impl is not None and not run.error:
            from runner import review

            rec.advice = review.review(run.impl.Value, run.level.number)
    return rec.advice


def deselected(config, items) -> None:
    rec = record_of(config)
    for it in items:
        lv = paths.unit_of(it.path)
        if lv is not None:
            rec.deselected.append(it.nodeid)
            rec.levels[it.nodeid] = lv


def _headline(report) -> str:
    try:
        return report.longrepr.reprcrash.message.splitlines()[0]
    except (AttributeError, IndexError):
        return str(report.longrepr).strip().splitlines()[0] if report.longrepr else ""


def counts(config) -> dict:
    rec = record_of(config)
    per_level: dict[int | str, dict[str, int]] = {}
    for nid, lv in rec.levels.items():
        d = per_level.setdefault(lv, {"passed": 0, "failed": 0, "skipped": 0, "total": 0})
        d["total"] += 1
        outcome = rec.outcomes.get(nid)
        if outcome == "passed":
            d["passed"] += 1
        elif outcome in ("failed", "error"):
            d["failed"] += 1
        elif outcome == "skipped":
            d["skipped"] += 1
    return {"per_level": dict(sorted(per_level.items(), key=lambda kv: str(kv[0]).zfill(9))),
            "passed": sum(d["passed"] for d in per_level.values()),
            "failed": sum(d["failed"] for d in per_level.values()),
            "total": sum(d["total"] for d in per_level.values())}


def complete(config, session_=None) -> bool:
    rec = record_of(config)
    if rec.deselected or any("::" in str(a) for a in config.args):
        return False
    if session_ is not None and (session_.shouldstop or session_.shouldfail):
        return False
    return all(nid in rec.outcomes for nid in rec.levels)


def finish(session_) -> None:
    """At the end of the run: the exit status of a broken engine, the JSON report, the progress file."""
    config = session_.config
    run = session.run_of(config)
    if run is None:
        return
    error = run.error
    if error and session_.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session_.exitstatus = pytest.ExitCode.TESTS_FAILED
    c = counts(config)
    rec = record_of(config)
    result = {
        "level": run.level.number,
        "stage": run.stage.name if run.stage else None,
        "impl": run.impl.label if run.impl else config.getoption("impl"),
        "passed": c["passed"],
        "failed": c["failed"],
        "total": c["total"],
        "complete": complete(config, session_) and not error,
        "error": error,
        "by_level": {str(k): v for k, v in c["per_level"].items()},
        "duration_s": round(time.time() - rec.started, 3),
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    rec.complete = result["complete"]
    path = config.getoption("kata_report")
    if path:
        report = dict({"version": REPORT_VERSION}, **result, advice=[vars(n) for n in advice(config)], tests=[
            {"nodeid": nid, "level": rec.levels.get(nid),
             "outcome": rec.outcomes.get(nid, "deselected" if nid in rec.deselected else "not run"),
             "message": rec.headlines.get(nid, "")}
            for nid in rec.levels])
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(report, indent=2) + "\n")
    if result["impl"] == "learner" and not run.stage and not hasattr(config, "workerinput"):
        try:
            from runner import state

            state.record_run(result)
        except OSError:
            pass
