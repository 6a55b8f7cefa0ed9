"""Random expression graphs written once and run on any engine (or on PyTorch).

A ``Program`` is a list of steps; each step applies an op from the registry to
earlier nodes or to plain numbers. Running it on an engine's Values, on torch
tensors or through the registry's float functions gives the same expression,
so the one program drives finite-difference checks and the PyTorch oracle, and
prints as code a learner can paste:

    n2 = (x0 * x1)
    n3 = tanh(n2)
    n4 = (n3 + x0)
"""

from __future__ import annotations

from dataclasses import dataclass

from utils.ops import OPS


@dataclass(frozen=True)
class Step:
    op: str
    refs: tuple  # each an int (an earlier node) or a float (a plain number)


@dataclass(frozen=True)
class Program:
    n_inputs: int
    steps: tuple[Step, ...]

    def run(self, *inputs):
        """Every node, inputs first; the output is the last one."""
        nodes = list(inputs)
        for step in self.steps:
            args = [nodes[r] if isinstance(r, int) else r for r in step.refs]
            nodes.append(OPS[step.op].call(*args))
        return nodes

    def __call__(self, *inputs):
        return self.run(*inputs)[-1]

    def name(self, i: int) -> str:
        return f"x{i}" if i < self.n_inputs else f"n{i}"

    def lines(self) -> list[str]:
        out = []
        for k, step in enumerate(self.steps):
            args = [self.name(r) if isinstance(r, int) else repr(r) for r in step.refs]
            out.append(f"{self.name(self.n_inputs + k)} = {OPS[step.op].show(*args)}")
        return out

    def live(self) -> list[int]:
        """The indices of the steps whose node reaches the output (a shrunk program keeps dead ones)."""
        live = {self.n_inputs + len(self.steps) - 1}
        for k in range(len(self.steps) - 1, -1, -1):
            if self.n_inputs + k in live:
                live |= {r for r in self.steps[k].refs if isinstance(r, int)}
        return [k for k in range(len(self.steps)) if self.n_inputs + k in live]

    def live_lines(self) -> list[str]:
        """``lines()`` without the steps whose node never reaches the output."""
        lines = self.lines()
        return [lines[k] for k in self.live()]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def as_code(self, xs) -> str:
        """A snippet that rebuilds the graph with the given inputs."""
        head = [f"{self.name(i)} = Value({x!r})" for i, x in enumerate(xs)]
        return "\n".join(head + self.lines() + [f"{self.name(self.n_inputs + len(self.steps) - 1)}.backward()"])
