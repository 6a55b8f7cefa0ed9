"""Grading a class: every student's engine, sandboxed, against the level tests.

    nox -s grade -- SUBMISSIONS --out DIR [--levels 1-3|1-4] [--hidden-seed N]
    nox -s grade -- --bundle OUT.zip [--levels 1-4] [--hidden-seed N]

Modules, one idea each: ``discover`` (who is in the class), ``sandbox`` (the
engine's scratch folder, process and limits), ``server`` (the engine process),
``remote`` (the trusted side of its pipe), ``trusted`` (the grader's pytest
plugin: hidden cases, the engine's record), ``score`` (one submission's
verdicts), ``flags`` (marks), ``report`` (results.json, class.csv, the table),
``gradescope`` (Gradescope's results.json format, checked), ``cost`` (the
class's estimated time and pace), ``bundle`` (the Gradescope autograder),
``cli``. See docs/instructors.md.
"""
