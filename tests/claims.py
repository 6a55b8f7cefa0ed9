"""Which correct engine claims which levels: the one table the self-test reads.

Every engine here must pass every test of levels 1..N, N its claim (levels
are cumulative, so one run at level N proves them all). The self-test runs
each engine once, at that level (``tests/test_levels.py``). Wrong engines
are not listed here: each zoo entry says in its own docstring which level
must reject it (``tests/test_zoo.py``). Every file of the engine folders is
one or the other, or in ``OTHER_FILES`` (``nox -s check``, tests/check.py).

``style`` says what the engine shows that the others do not, so a change of
the kata's tests is checked against several ways of writing a correct engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner import manifest


@dataclass(frozen=True)
class Claim:
    impl: str  # what --impl takes: "reference", or a path from the repository root
    level: int  # the engine passes every test of levels 1..level
    style: str

    @property
    def zoo(self) -> bool:
        return self.impl.startswith("tests/zoo/")


CLAIMS = [
    Claim("reference", 4, "the teaching reference (reference/engine.py, reference/nn.py)"),
    Claim("reference/fast.py", 3, "the escape hatch (utils.autograd_stub)"),
    Claim("solutions/naive/value.py", 2, "closures, a recursive sort"),
    Claim("solutions/memory-efficient/value.py", 3, "no closures, no reference cycles"),
    Claim("tests/zoo/_base.py", 3, "the zoo's base: tuple _prev, stored local derivatives, iterative DFS"),
    Claim("tests/zoo/correct/micrograd_closures.py", 3,
          "a learner's micrograd done through level 3 (the bench's learner-speed engine): set _prev, closures, "
          "tanh through exp, an iterative sort"),
    Claim("tests/zoo/correct/micrograd_as_learners_write.py", 2,
          "micrograd as learners write it: asserts for types, no input checks, tanh through exp"),
    Claim("tests/zoo/correct/data_through_float.py", 2, "no type check: data through float()"),
    Claim("tests/zoo/correct/tanh_through_exp.py", 2,
          "tanh through exp: overflows at 1000, a review note at level 2 (level 3 fails it)"),
    Claim("tests/zoo/correct/slots_kahn.py", 3, "__slots__, tuple _prev, stored derivatives, Kahn's order"),
    Claim("tests/zoo/correct/iterative_dfs.py", 3, "closures, set _prev, an iterative DFS over child iterators"),
    Claim("tests/zoo/correct/visited_list.py", 3, "a learner's visited list: O(n^2) membership tests, slow but correct"),
    Claim("tests/zoo/correct/network", 4, "a full level-4 network on its own engine"),
]


# Files of the engine folders (tests/check.py) that are not engines the levels run: what each is, where it is checked.
OTHER_FILES = {
    "tests/zoo/_base_nn.py": "the network shared by the zoo's level-4 entries (each entry's check runs it)",
    "solutions/vectorized": "a Tensor, not the kata's Value: tests/test_solutions.py",
    "solutions/pytorch": "PyTorch itself, not an engine: tests/test_solutions.py",
    "solutions/level04-pytorch-reference.py": "runs solutions/pytorch under the topic's name",
}


def written(level: int) -> int:
    """The highest level <= ``level`` whose tests exist (a level may be listed before its tests are written)."""
    have = [lv.number for lv in manifest.levels()
            if lv.number <= level and all(p.exists() for p in lv.test_files)]
    return max(have)


def claimed(level: int) -> list[Claim]:
    """The engines that claim ``level`` (and so every level below it)."""
    return [c for c in CLAIMS if c.level >= level]
