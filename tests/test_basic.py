"""The kata's core tests on your engine, at the furthest level you have started.

    pytest tests/test_basic.py -v      (--level N, --impl reference|PATH)

Runs only when named on the command line; see tests/topic_run.py.
"""

from tests.topic_run import run


def test_basic(request):
    run(request, "basic", __file__)
