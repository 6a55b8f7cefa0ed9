"""Interview practice: the history file (append-only, read defensively, plotted) and the oral drill."""

from __future__ import annotations

import io
import json
import sys
import time

import pytest

from tests.interview_support import run_main
from tools.interview import history as interview_history
from tools.interview import questions as interview_questions



# -- the history file -------------------------------------------------------------------------


def good(scope="1", elapsed=300.0, outcome="finished"):
    return {"scope": scope, "started": "2025-01-02T10:00:00", "elapsed_s": elapsed, "minutes": 20, "runs": 4,
            "passed": 21, "total": 21, "hints_used": 0, "outcome": outcome, "folder": "x"}


def test_a_corrupt_history_is_reported_shown_and_never_rewritten(state):
    path = interview_history.history_file()
    corrupt = (json.dumps(good(elapsed=300)) + "\n" + "{this is not json\n" + json.dumps(good("2", 600)) + "\n"
               + '{"scope": "1", "elapsed')  # a line cut short, no newline
    path.write_text(corrupt)
    code, out = run_main(["--history", "--plain"])
    assert code == 0
    assert str(path) in out and "line 2" in out and "line 4" in out
    assert "5:00" in out and "10:00" in out  # the good lines are still shown
    assert path.read_text() == corrupt

    interview_history.append(path, good("1", 200))  # a new attempt after the damage
    text = path.read_text()
    assert text.startswith(corrupt)
    data = interview_history.read_history()
    assert [r["elapsed_s"] for r in data.records] == [300, 600, 200]
    assert [n for n, _ in data.problems] == [2, 4]


def test_history_table_best_times_and_plot(state):
    path = interview_history.history_file()
    for r in (good("1", 600), good("1", 420), good("1", 1200, "timed out"), good("2", 900), good("2", 80, "abandoned")):
        interview_history.append(path, r)
    code, out = run_main(["--history"])
    assert code == 0
    assert "1: 7:00" in out and "2: 15:00" in out  # best finished time per scope, abandoned runs aside
    assert "timed out" in out and "abandoned" in out
    png = interview_history.plot_file()
    assert str(png) in out and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_history_without_matplotlib_says_the_plot_needs_it(state, monkeypatch):
    interview_history.append(interview_history.history_file(), good())
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out = run_main(["--history", "--plain"])
    assert code == 0 and "needs matplotlib" in out


def test_empty_history_says_how_to_start():
    code, out = run_main(["--history"])
    assert code == 0 and "No interview attempts" in out


# -- the oral drill -----------------------------------------------------------------------------


def test_the_real_questions_file_parses():
    qs = interview_questions.load()
    assert len(qs) >= 30
    assert [q.n for q in qs] == list(range(1, len(qs) + 1))
    assert all(q.answer and not q.answer.startswith(("Level:", "Tags:")) for q in qs)
    assert all(q.level in (1, 2, 3, 4) for q in qs)
    assert any(q.tags for q in qs)


def test_question_parser_is_strict_and_says_where():
    text = "# T\n\nintro\n\n## Q1. What?\nLevel: 2\nTags: a, b\n\nBecause.\n\n## Q2 missing dot\nx\n"
    with pytest.raises(interview_questions.QuestionsFormatError, match="line 11"):
        interview_questions.parse(text)
    (q,) = interview_questions.parse(text.split("## Q2")[0])
    assert (q.n, q.text, q.level, q.tags, q.answer, q.line) == (1, "What?", 2, ("a", "b"), "Because.", 5)
    with pytest.raises(interview_questions.QuestionsFormatError, match="no answer"):
        interview_questions.parse("## Q1. Empty?\nLevel: 1\n\n## Q2. B?\nyes\n")


def test_a_scripted_drill_is_recorded(state):
    code, out = run_main(["--questions", "--count", "3", "--seed", "7", "--seconds", "30"],
                         stdin="\n2\nmy note\n7\n1\n\n0\n")
    assert code == 0, out
    lines = interview_history.questions_file().read_text().splitlines()
    answers = [json.loads(line) for line in lines]
    assert [a["grade"] for a in answers] == [2, 1, 0]  # "7" was refused and asked again
    assert "Please type 0, 1 or 2" in out
    assert all(a["revealed"] == "early" and a["seconds"] == 30 for a in answers)
    assert answers[1]["note"] == "my note"
    assert "Model answer" in out and "3 question(s), 3 of 6 points" in out
    by_n = {q.n: q for q in interview_questions.load()}
    for a in answers:  # each shown answer is the model answer of the question asked
        assert by_n[a["n"]].text in out and by_n[a["n"]].answer.splitlines()[0] in out
    # the same seed asks the same questions
    again = run_main(["--questions", "--count", "3", "--seed", "7"], stdin="\n2\n\n2\n\n2\n")[1]
    assert [a["n"] for a in answers] == [json.loads(line)["n"] for line in
                                         interview_history.questions_file().read_text().splitlines()[3:]]
    assert "6 of 6 points" in again


def test_drill_timer_runs_out_then_asks_for_the_grade():
    class SlowInput(io.StringIO):
        def readline(self, *args):
            time.sleep(0.3)  # nobody presses Enter within the 0.05 s
            return super().readline(*args)

    q = interview_questions.Question(1, "Why?", "Because.", 3, 1, ("x",))
    out, recorded = io.StringIO(), []
    answers = interview_questions.drill([q], 1, 0.05, interview_questions.random.Random(0), SlowInput("1\n"), out,
                                        recorded.append)
    assert [a["revealed"] for a in answers] == ["time up"] and recorded == answers
    assert answers[0]["grade"] == 1 and "Time is up" in out.getvalue()


def test_drill_stops_at_end_of_input_without_waiting():
    started = time.monotonic()
    code, out = run_main(["--questions", "--count", "2", "--seconds", "60"], stdin="")
    assert code == 0 and "no more input" in out
    assert time.monotonic() - started < 10
    assert not interview_history.questions_file().exists() or not interview_history.questions_file().read_text()


def test_drill_with_a_scope_asks_only_questions_up_to_its_level():
    run_main(["1", "--questions", "--count", "50", "--seconds", "5"], stdin="\n2\n" * 50)
    asked = [json.loads(line) for line in interview_history.questions_file().read_text().splitlines()]
    assert asked and all(a["level"] == 1 for a in asked)
    assert len(asked) == sum(1 for q in interview_questions.load() if q.level == 1)

