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
    assert "10 two-moons points" in out and "100 two-moons points" not in out, "titles say what was measured"
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


def test_the_learner_loop_is_read_in_micrograd_steps():
    res = bench.Results(repeats=1, chain_n=10)
    res.step = {cli.MICROGRAD: 2.0}
    res.levels = {3: (11.0, ""), 4: (22.0, "")}
    res.tools = {"hint": 1.0, "progress": 5.0}
    res.shows = {"nox -s plots": 12.0, "python train.py (a model hunt)": 20.0, "unit": 2.0}
    res.watch = {"a save that breaks *: its failure on screen": 3.0, "the save that fixes it: the whole level's verdict": 9.0}
    verdicts = {t: (f, ok) for t, f, ok in cli.targets(res)}
    level3 = next(v for t, v in verdicts.items() if t.startswith("warm level 3"))
    level4 = next(v for t, v in verdicts.items() if t.startswith("warm level 4"))
    assert level3 == ("5.5 steps", True) and level4 == ("11.0 steps", False)
    assert verdicts["`nox -s plots` <= 8 micrograd steps"] == ("6.0 steps", True)
    assert verdicts["`python train.py (a model hunt)` <= 8 micrograd steps"] == ("10.0 steps", False)
    watch = [v for t, v in verdicts.items() if t.startswith("watch mode")]
    assert watch == [("1.5 steps", True)], "the first answer has a goal; the whole level's verdict does not"
    assert verdicts["first `nox -s hint` <= 2 micrograd steps"] == ("0.5 steps", True)
    assert verdicts["first `nox -s progress` <= 2 micrograd steps"] == ("2.5 steps", False)
    res.levels = {3: (1.0, "exit 1: 1 failed")}
    assert next(ok for t, _, ok in cli.targets(res) if t.startswith("warm level 3")) is False, "a failed run fails"
    res.step = {}
    assert next(ok for t, _, ok in cli.targets(res) if t.startswith("first")) is None, "no micrograd: not measured"
    res = bench.Results(repeats=1, chain_n=10, step={cli.MICROGRAD: 2.0}, levels={3: (15.0, "")}, loop_unit=3.0)
    assert next(f for t, f, _ in cli.targets(res) if t.startswith("warm level 3")) == "5.0 steps", (
        "the unit timed in the levels' own rounds is the one used")
    table = next(rows for title, _, rows in cli.tables(bench.Results(1, 10, levels={3: (3.0, "")})) if "learner" in title)
    assert table[0][0].startswith("nox -s level3"), table


def test_the_zoo_engines_the_hang_the_crowd_and_the_first_run_have_targets():
    res = bench.Results(repeats=1, chain_n=10, step={cli.MICROGRAD: 2.0})
    res.zoo_levels = {("slots_kahn", 3): (10.0, ""), ("slots_kahn", 4): (30.0, ""), ("iterative_dfs", 3): (1.0, "not green")}
    res.hang = (7.0, "")
    res.crowd = {"runs": 8, "level": 3, "slowest": 70.0, "not green": ["visited_list: 1 failed"], "load": 4.0}
    res.first = {"seconds": 9.0, "installer": "pip", "error": ""}
    verdicts = {t: (f, ok) for t, f, ok in cli.targets(res)}
    assert verdicts["warm level 3 on the zoo's slots_kahn.py <= 6 micrograd steps"] == ("5.0 steps", True)
    assert verdicts["warm level 4 on the zoo's slots_kahn.py <= 10 micrograd steps"] == ("15.0 steps", False)
    assert verdicts["warm level 3 on the zoo's iterative_dfs.py <= 6 micrograd steps"] == ("not green", False)
    assert next(v for t, v in verdicts.items() if t.startswith("a backward() that never ends")) == ("7.0 s", True)
    crowd = next(v for t, v in verdicts.items() if t.startswith("8 level-3 runs at once"))
    assert crowd[1] is False and "7 of 8 green" in crowd[0] and "visited_list" in crowd[0], crowd
    first = next(v for t, v in verdicts.items() if t.startswith("first `nox -s level1`"))
    assert first == ("9.0 s, 4.5 steps", True)
    rows = next(rows for title, _, rows in cli.tables(res) if "learner" in title)
    assert any(r[0].startswith("first nox -s level1") for r in rows) and any("slots_kahn" in r[0] for r in rows)


def test_the_learner_speed_engine_is_a_kata_folder(tmp_path):
    from runner import impl, manifest

    folder = bench.loop.learner_engine(tmp_path)
    engine = impl.load(str(folder), manifest.level(4))
    assert set(engine.modules) == {"value", "nn"}
    x = engine.Value(2.0)
    y = x * x + x
    y.backward()
    assert x.grad == 5.0
