"""The kata's stress tests (deep and wide graphs, training) on your engine, at the furthest level you have started.

    pytest tests/test_stress.py -v      (--level N, --impl reference|PATH)

Runs only when named on the command line; see tests/topic_run.py.
"""

from tests.topic_run import run


def test_stress(request):
    run(request, "stress", __file__)
