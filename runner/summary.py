"""The kata's summary at the end of a run: tests passing per level, the next test to fix and its
one line, review notes (runner/review.py), and what to do next."""

from __future__ import annotations

from runner import causes, manifest, paths, record, session


def write(terminalreporter, config) -> None:
    run = session.run_of(config)
    if run is None:
        return
    tw = terminalreporter
    level = run.level.number
    unit = f"stage {run.stage.name}" if run.stage else f"level {level}"
    engine = _engine_label(run)
    tw.write_sep("=", f"kata: {unit}" + (f", {engine}" if engine else ""), bold=True)
    if run.error:
        for i, line in enumerate(run.error.splitlines()):
            tw.write_line(line, red=(i == 0), bold=(i == 0))
        tw.write_line("")
        again = f"stage {run.stage.name}" if run.stage else f"`nox -s level{level}`"
        tw.write_line(f"No test could run: fix this first, then run {again} again.", bold=True)
        return
    counts = record.counts(config)
    for lv, d in counts["per_level"].items():
        state = "done" if d["passed"] == d["total"] and d["total"] else ""
        not_run = d["total"] - d["passed"] - d["failed"] - d["skipped"]
        skipped = (f" ({d['skipped']} skipped)" if d["skipped"] else "") + (f" ({not_run} not run)" if not_run else "")
        tw.write_line(f"{'level' if isinstance(lv, int) else 'stage'} {lv}  {d['passed']:>3} of {d['total']:<3} passing{skipped}  {state}".rstrip(),
                      green=bool(state), bold=bool(state))
    if any(d["skipped"] for d in counts["per_level"].values()):  # say once how to get PyTorch tests running
        from utils.torch_oracle import TORCH_MISSING

        if any(TORCH_MISSING in str(r.longrepr) for r in terminalreporter.stats.get("skipped", [])):
            tw.write_line(f"skipped: {TORCH_MISSING}", yellow=True)
    rec = record.record_of(config)
    first = next((nid for nid in rec.levels if rec.outcomes.get(nid) in ("failed", "error")), None)
    learner = run.impl is not None and run.impl.label == "learner"
    notes = record.advice(config) if counts["passed"] else []
    required = [n for n in notes if FAILS_FROM.get(n.key, 99) <= level]  # a rule of this level, not a note
    notes = [n for n in notes if n not in required]
    if required:
        tw.write_line(f"level {level} requires (failures at this level, not review notes):", red=True)
        for note in required:
            for line in note.lines():
                tw.write_line(f"  {line}")
    if notes:
        tw.write_line(f"review notes ({len(notes)}; not failures: your level passes without them):", yellow=True)
        for note in notes:
            for line in note.lines():
                tw.write_line(f"  {line}")
    said = causes.findings_said(config)
    shared = max((s for s in said if s["failures"] > 1), key=lambda s: s["failures"], default=None)
    unsaid = [f for f in causes.all_findings(config)
              if all((s["finding"].kind, s["finding"].op, s["finding"].message) != (f.kind, f.op, f.message)
                     for s in said)]
    if first is not None and unsaid:  # what the probes found that no failure above was tied to, once each
        tw.write_line("also confirmed by the probes (each with its op):", yellow=True)
        for f in unsaid:
            tw.write_line(f"  {f.op or f.kind}: {f.message[:300]}")
    if first is not None and shared is not None:  # one cause explains several failures: fix it first
        tw.write_line(f"next: fix the cause of {shared['failures']} failures (first under "
                      f"{shared['test'].split('::')[-1]})", bold=True)
        tw.write_line(f"      {shared['finding'].message[:200]}")
        if learner:
            tw.write_line(f"stuck? {_hint_status(rec.levels[first])}")
    elif first is not None:
        tw.write_line(f"next: {first}", bold=True)
        if rec.headlines.get(first):
            tw.write_line(f"      {rec.headlines[first][:200]}")
        if learner and not run.stage:
            tw.write_line(f"stuck? {_hint_status(rec.levels[first])}")
    elif counts["total"] and counts["passed"] == counts["total"] and rec.complete:
        if run.stage:
            tw.write_line(f"every test of {unit} passes on this engine", green=True)
        elif not learner:
            tw.write_line(f"every test of levels 1-{level} passes on this engine", green=True)
        elif level < len(manifest.levels()):
            nxt = level + 1
            tw.write_line(f"level {level} done. Next: `nox -s carry -- {nxt}` brings your code into "
                          f"{manifest.level(nxt).folder}, then `nox -s level{nxt}`", green=True, bold=True)
        else:
            tw.write_line("every level done. Practise against the clock: `nox -s interview`", green=True, bold=True)
    if learner and not run.stage:
        tw.write_line(f"progress: nox -s progress    re-run on save: nox -s level{level} -- --watch")


# review notes that are failures from a level on (the level's README): RecursionError on deep graphs and
# tanh's overflow break level 3's promise, "matches PyTorch on any graph"
FAILS_FROM = {"recursive-topological-sort": 3, "tanh-through-exp": 3}


def _engine_label(run) -> str:
    if run is None or run.impl is None:
        return ""
    if run.impl.label == "learner":
        return "your code in " + " and ".join(paths.shown(f) for f in run.impl.files.values())
    return f"engine {run.impl.label}"


def _hint_status(level: int) -> str:
    try:
        from runner import hintlog as hints

        return hints.status_line(level)
    except Exception:  # noqa: BLE001 - the hint line must never break a run
        return f"nox -s hint -- {level}"
