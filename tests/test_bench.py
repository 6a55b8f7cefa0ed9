"""A smoke run of the bench with tiny sizes: it runs, the engines agree, the tables print. No timing is asserted."""

from __future__ import annotations

import math

import pytest

import bench
from bench import __main__ as cli


def test_every_available_engine_agrees_on_a_small_batch():
    engines = bench.make_engines(n_points=6)
    keys = [e.key for e in engines]
    assert keys[:3] == ["fast", "fast-unfused", "reference"], keys
    agreement = bench.check_agreement(engines)
    assert all(a.ok for a in agreement), [(a.name, a.loss_error, a.grad_error) for a in agreement]
    for engine in engines:  # a step changes the weights, so the loss moves
        before = engine.loss_and_grads()[0]
        engine.step()
        assert engine.loss_and_grads()[0] != before, engine.name


def test_the_agreement_check_catches_a_wrong_engine():
    engines = bench.make_engines(n_points=6, which={"fast", "reference"})
    wrong = engines[1]
    wrong.params[0].data += 1e-3  # one weight off: the losses and gradients differ
    agreement = bench.check_agreement(engines)
    assert agreement[0].ok and not agreement[1].ok


def test_chain_and_memory_on_small_graphs():
    from reference.engine import Value as Reference
    from reference.fast import Value as Fast

    fwd, bwd, err = bench.chain_times(Fast, 3000, repeats=1)
    assert err == "" and fwd > 0 and bwd > 0
    (fast, fast_after), (ref, _) = bench.bytes_per_node(Fast, 3000), bench.bytes_per_node(Reference, 3000)
    assert 0 < fast < ref, (fast, ref)
    assert fast_after > fast, "after backward the gradients take memory too"


def test_a_recursive_engine_is_reported_not_crashed():
    pytest.importorskip("micrograd")
    from micrograd.engine import Value as Micrograd

    fwd, bwd, err = bench.chain_times(Micrograd, 5000, repeats=1)
    assert fwd > 0 and bwd is None and "RecursionError" in err


def test_the_quick_run_prints_tables_and_writes_markdown(tmp_path, capsys):
    md = tmp_path / "bench.md"
    cli.main(["--quick", "--markdown", str(md)])
    out = capsys.readouterr().out
    for title in ("One training step", "A chain of", "Targets"):
        assert title in out
    text = md.read_text()
    assert "| engine | time per step |" in text and ("PASS" in text or "FAIL" in text)
    assert cli.COMMAND in text


def test_targets_read_the_figures():
    res = bench.Results(repeats=1, chain_n=10)
    res.step = {cli.FAST: 1.0, cli.MICROGRAD: 5.0, cli.TORCH_SCALAR: 4.0, cli.VECTORIZED: 2.0, cli.TORCH_BATCHED: 1.0}
    res.chain = {cli.FAST: (1.0, 2.0, "")}
    res.memory = {cli.FAST: (100.0, 130.0)}
    verdicts = [ok for _, _, ok in cli.targets(res)]
    assert verdicts == [False, True, False, True, True, None], "the learner loop was not run: not measured"
    res.chain = {cli.FAST: (1.0, None, "RecursionError in backward()")}
    assert cli.targets(res)[2][2] is False


def test_the_moons_and_weights_are_reproducible():
    assert bench.moons(10) == bench.moons(10)
    w = bench.init_weights()
    assert len(bench.flat(w)) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1
    assert all(math.isfinite(p) for p in bench.flat(w))
