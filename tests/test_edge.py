"""The kata's edge-case tests on your engine, at the furthest level you have started.

    pytest tests/test_edge.py -v      (--level N, --impl reference|PATH)

Runs only when named on the command line; see tests/topic_run.py.
"""

from tests.topic_run import run


def test_edge(request):
    run(request, "edge", __file__)
