"""The interview history: one JSON object per line, appended, never rewritten.

``.kata/interview/history.jsonl`` holds one line per attempt with the keys
``scope``, ``started`` (ISO time), ``elapsed_s``, ``minutes``, ``runs``,
``passed``, ``total``, ``hints_used``, ``outcome`` (finished / timed out /
abandoned) and ``folder``. A staged attempt (tools/interview/staged.py) adds
``stages`` (a scorecard line per stage: name, time, budget, tests, runs, hints,
outcome) and ``oral`` (the questions asked between stages and their grades);
lines written before staged attempts existed simply have neither. The oral drill writes ``questions.jsonl`` the same
way. Both are written and read through runner/state.py: each line carries the format
version, a line that cannot be read is reported (file and line) and skipped; the
file is never rewritten, so nothing a learner recorded is ever lost.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from runner import state
from tools.clock import mmss
from tools.interview.views import console_for

KEYS = ("scope", "started", "elapsed_s", "minutes", "runs", "passed", "total", "hints_used", "outcome", "folder")


def history_file() -> Path:
    return state.path("interview", "history.jsonl")


def questions_file() -> Path:
    return state.path("interview", "questions.jsonl")


def plot_file() -> Path:
    return state.path("interview", "times.png")


append = state.append_line  # one line per attempt, with the format version (runner/state.py)


def read_history() -> state.Lines:
    return state.read_lines(history_file(), required=("scope", "elapsed_s", "outcome"))


# -- the table ------------------------------------------------------------------------


def _num(v, default=0.0) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def rows(records: list[dict]) -> list[list[str]]:
    out = []
    for i, r in enumerate(records, start=1):
        started = str(r.get("started", ""))[:16].replace("T", " ")
        limit = f"{_num(r.get('minutes')):g}" if r.get("minutes") is not None else "?"
        out.append([str(i), started, str(r.get("scope", "?")), mmss(r.get("elapsed_s")), limit,
                    f"{r.get('passed', '?')}/{r.get('total', '?')}", str(r.get("runs", "?")),
                    str(r.get("hints_used", 0)), str(r.get("outcome", "?"))])
    return out


HEADERS = ["#", "started", "scope", "time", "of min", "passing", "runs", "hints", "outcome"]


def plain_table(headers: list[str], body: list[list[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*row) for row in body]
    return "\n".join(lines)


def show(out, use_rich: bool = True) -> int:
    """Print the history (and write the plot); returns an exit status."""
    path = history_file()
    try:
        data = read_history()
    except OSError as e:
        print(f"Cannot read {path}: {e}", file=out)
        return 1
    if data.problems:
        print(data.describe(), file=out)
        print(file=out)
        if not data.records:  # nothing could be read: say so, with the file
            print(f"Cannot read the interview history in {path}", file=out)
            return 1
    if not data.records:
        print(f"No interview attempts recorded yet ({path}). Start one: nox -s interview -- 1", file=out)
        return 0
    body = rows(data.records)
    console = console_for(out) if use_rich else None
    if console is not None:
        from rich import box
        from rich.table import Table

        table = Table(title="Interview attempts", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
        for h in HEADERS:
            table.add_column(h, no_wrap=True,
                             justify="right" if h in ("#", "time", "of min", "passing", "runs", "hints") else "left")
        styles = {"finished": "green", "timed out": "yellow", "abandoned": "dim"}
        for row, r in zip(body, data.records):
            table.add_row(*row, style=styles.get(str(r.get("outcome")), ""))
        console.print(table)
    else:
        print(plain_table(HEADERS, body), file=out)
    staged = staged_rows(data.records)
    if staged:
        print("\nStaged attempts, stage by stage (time of each stage; x: not green in its time):", file=out)
        print(plain_table(*staged), file=out)
    best = state.best_times(data.records)
    print(file=out)
    if best:
        print("Best finished time per scope: " + ", ".join(f"{s}: {mmss(t)}" for s, t in sorted(best.items())),
              file=out)
    else:
        print("No attempt finished green yet.", file=out)
    try:
        written = plot(data.records, plot_file())
    except ImportError:
        print("A plot of your times needs matplotlib: pip install matplotlib (or the project's viz extra).", file=out)
    else:
        print(f"Plot of your times per scope: {written}", file=out)
    return 0


def staged_rows(records: list[dict]) -> tuple[list[str], list[list[str]]] | None:
    """A table comparing the staged attempts: a column per stage (in the order first seen)."""
    staged = [(i, r) for i, r in enumerate(records, start=1) if isinstance(r.get("stages"), list)]
    if not staged:
        return None
    names: list[str] = []
    for _, r in staged:
        for s in r["stages"]:
            if isinstance(s, dict) and s.get("name") not in names:
                names.append(str(s.get("name")))
    body = []
    for i, r in staged:
        by_name = {str(s.get("name")): s for s in r["stages"] if isinstance(s, dict)}
        cells = []
        for n in names:
            s = by_name.get(n)
            if s is None or s.get("elapsed_s") is None:
                cells.append("-")
            else:
                cells.append(mmss(s.get("elapsed_s")) + ("" if s.get("outcome") == "finished" else " x"))
        oral = [o for o in r.get("oral") or [] if isinstance(o, dict)]
        points = f"{sum(int(_num(o.get('grade'))) for o in oral)}/{2 * len(oral)}" if oral else "-"
        body.append([str(i), str(r.get("started", ""))[:16].replace("T", " "), str(r.get("scope", "?")), *cells,
                     points, mmss(r.get("elapsed_s"))])
    return ["#", "started", "script", *names, "oral", "total"], body


# -- the plot -----------------------------------------------------------------------------


def plot(records: list[dict], path: Path) -> Path:
    """Elapsed minutes of each attempt, per scope: a line through the finished ones, markers for
    the rest (timed out, abandoned). ImportError without matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_scope: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_scope[str(r.get("scope"))].append(r)
    markers = {"finished": ("o", "finished green"), "timed out": ("x", "timed out"),
               "abandoned": ("s", "abandoned")}
    staged = [r for r in records if isinstance(r.get("stages"), list)]
    if staged:
        fig, (ax, bars) = plt.subplots(2, 1, figsize=(7, 7), gridspec_kw={"height_ratios": [3, 2]})
        stage_bars(bars, staged)
    else:
        fig, ax = plt.subplots(figsize=(7, 4))
    for name in sorted(by_scope, key=lambda s: (not s.isdigit(), s)):
        attempts = by_scope[name]
        xs = list(range(1, len(attempts) + 1))
        ys = [_num(r.get("elapsed_s")) / 60 for r in attempts]
        done = [(x, y) for x, y, r in zip(xs, ys, attempts) if r.get("outcome") == "finished"]
        (line,) = ax.plot(*(zip(*done) if done else ([], [])), "-", alpha=0.5, label=f"scope {name}")
        for outcome, (marker, _) in markers.items():
            pts = [(x, y) for x, y, r in zip(xs, ys, attempts) if r.get("outcome") == outcome]
            if pts:
                ax.plot(*zip(*pts), marker, color=line.get_color(), markersize=7,
                        fillstyle="full" if outcome == "finished" else "none")
    for outcome, (marker, label) in markers.items():
        ax.plot([], [], marker, color="gray", fillstyle="full" if outcome == "finished" else "none", label=label)
    ax.set_xlabel("attempt (per scope)")
    ax.set_ylabel("minutes")
    ax.set_title("Interview practice: time per attempt")
    ax.set_ylim(bottom=0)
    ax.xaxis.get_major_locator().set_params(integer=True)
    most = max(len(a) for a in by_scope.values())
    ax.set_xlim(0.5, most + 0.5)
    if most <= 12:
        ax.set_xticks(range(1, most + 1))
    ax.legend(fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def stage_bars(ax, staged: list[dict]) -> None:
    """One horizontal bar per staged attempt, a segment per stage (its time); hatched: not green."""
    colors: dict[str, object] = {}
    cycle = iter(f"C{i}" for i in range(1000))
    for y, r in enumerate(staged, start=1):
        left = 0.0
        for s in r["stages"]:
            if not isinstance(s, dict) or s.get("elapsed_s") is None:
                continue
            name, width = str(s.get("name")), _num(s.get("elapsed_s")) / 60
            if name not in colors:
                colors[name] = next(cycle)
            ax.barh(y, width, left=left, color=colors[name], edgecolor="black", linewidth=0.5,
                    hatch=None if s.get("outcome") == "finished" else "//")
            left += width
    ax.set_yticks(range(1, len(staged) + 1))
    ax.set_yticklabels([f"{i}: {r.get('scope', '?')}" for i, r in enumerate(staged, start=1)], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("minutes per stage (hatched: not green in its time)")
    ax.set_title("Staged attempts")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=c, label=n) for n, c in colors.items()], fontsize="small", ncol=3)
