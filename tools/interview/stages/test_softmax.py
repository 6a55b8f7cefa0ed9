"""Stage "softmax": softmax(logits) and cross_entropy(logits, target), stable and differentiable.

The expected numbers are computed here in floats with the log-sum-exp trick;
the gradient of the loss must be softmax - one_hot(target) (and, where
PyTorch is installed, agree with torch.nn.functional.cross_entropy).
"""

import math

import pytest
from hypothesis import given, strategies as st
from pytest import approx

from runner.checks import expect_true
from tools.interview.stages.support import needs
from utils import torch_oracle

CASES = [
    ([1.0, 2.0, 3.0], 0),
    ([0.5, -1.25, 2.0, 0.0], 2),
    ([1000.0, 1001.0, 999.0], 1),  # exp(1000) overflows
    ([0.0, -1000.0], 1),  # the target's probability underflows to 0: log of it is -inf
    ([-800.0, -801.0], 0),  # every exp underflows
]


def expected_softmax(xs):
    m = max(xs)
    es = [math.exp(x - m) for x in xs]
    return [e / sum(es) for e in es]


def expected_loss(xs, t):
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs)) - xs[t]


def call(f, *args, what, xs, t=None):
    """f(*args); an exception becomes one line, with a cause only where the logits make it certain."""
    try:
        return f(*args)
    except OverflowError as e:
        cause = ": exp of a large logit overflows; subtract the largest logit before exp" if max(xs) > 709 else ""
        pytest.fail(f"{what} raised OverflowError ({e}){cause}", pytrace=False)
    except (ValueError, ZeroDivisionError) as e:
        underflows = [i for i, p in enumerate(expected_softmax(xs)) if p == 0.0]
        cause = (f": softmax of logit {underflows[0]} is below the smallest float, so a log or a division "
                 "meets 0; compute the loss as logsumexp(logits) - logits[target], without forming the "
                 "probability") if underflows and (t is None or t in underflows) else ""
        pytest.fail(f"{what} raised {type(e).__name__} ({e}){cause}", pytrace=False)


@pytest.mark.parametrize("xs, t", CASES)
def test_softmax_values(engine, Value, xs, t):
    softmax = needs(engine, "softmax", "softmax(logits)")
    out = call(softmax, [Value(x) for x in xs], what=f"softmax({xs})", xs=xs)
    got = [p.data for p in out]
    expect_true(got == approx(expected_softmax(xs), rel=1e-9, abs=1e-300),
                f"softmax({xs}) should be {expected_softmax(xs)}; yours gives {got}")


@pytest.mark.parametrize("xs, t", CASES)
def test_cross_entropy_value_and_gradient(engine, Value, xs, t):
    cross_entropy = needs(engine, "cross_entropy", "cross_entropy(logits, target)")
    logits = [Value(x) for x in xs]
    loss = call(cross_entropy, logits, t, what=f"cross_entropy({xs}, {t})", xs=xs, t=t)
    expect_true(loss.data == approx(expected_loss(xs, t), rel=1e-9, abs=1e-12),
                f"cross_entropy({xs}, {t}) should be {expected_loss(xs, t)!r}; yours gives {loss.data!r}")
    call(loss.backward, what=f"backward() of cross_entropy({xs}, {t})", xs=xs, t=t)
    want = [p - (i == t) for i, p in enumerate(expected_softmax(xs))]
    got = [lg.grad for lg in logits]
    expect_true(got == approx(want, rel=1e-7, abs=1e-12),
                f"d loss / d logits for cross_entropy({xs}, {t}) should be softmax - one_hot = {want}; yours gives {got}"
                + (" (all zero: the loss is not connected to the logits' graph; build it from Value ops)"
                if not any(got) else ""))


@given(xs=st.lists(st.floats(-30, 30).map(lambda v: round(v, 3)), min_size=1, max_size=6), data=st.data())
def test_cross_entropy_matches_pytorch_or_the_closed_form(engine, Value, xs, data):
    """Random logits: the loss and its gradient against PyTorch's cross_entropy (the kata's oracle)
    where it is installed, else against the closed form."""
    cross_entropy = needs(engine, "cross_entropy", "cross_entropy(logits, target)")
    t = data.draw(st.integers(0, len(xs) - 1), label="target")
    logits = [Value(x) for x in xs]
    loss = cross_entropy(logits, t)
    loss.backward()
    got = [lg.grad for lg in logits]
    if not torch_oracle.torch_available():
        want_loss, want = expected_loss(xs, t), [p - (i == t) for i, p in enumerate(expected_softmax(xs))]
        expect_true(loss.data == approx(want_loss, rel=1e-7, abs=1e-9), f"loss {loss.data!r}, expected {want_loss!r}")
        expect_true(got == approx(want, rel=1e-6, abs=1e-9), f"gradient {got}, expected softmax - one_hot = {want}")
        return
    import torch

    z = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(z.unsqueeze(0), torch.tensor([t]))
    ref.backward()
    pairs = [("loss", loss.data, ref.item())] + [(f"d loss/d logit {i}", g, r) for i, (g, r) in
                                                 enumerate(zip(got, z.grad.tolist()))]
    mismatches = torch_oracle.compare_numbers(pairs)
    expect_true(not mismatches, f"cross_entropy({xs}, {t}): {len(mismatches)} number(s) differ from PyTorch (float64)",
                detail=[str(m).strip() for m in mismatches])
