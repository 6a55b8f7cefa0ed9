"""Plausible mistakes, one function each, for the wrong engines of this folder (and the
self-test's scripted learner, whose early drafts make them)."""

import math

import numpy as np


def recursive_backward(self):
    """micrograd's backward(): a recursive topological sort, no reset of interior nodes."""
    topo, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(self)
    self.grad = 1.0
    for v in reversed(topo):
        v._backward()


def iterative_backward_without_reset(self):
    """An iterative order, but interior grads are kept between calls: a second call compounds."""
    order = self._topological_order()
    self.grad = 1.0
    for node in reversed(order):
        node._backward()


def breadth_first_backward(self):
    """Every node once, in breadth-first order from the output: not a topological order."""
    order, seen, queue = [], {self}, [self]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for child in node._prev:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    for node in order:
        if node._prev:
            node.grad = 0.0
    self.grad = 1.0
    for node in order:
        node._backward()


def naive_sigmoid(self):
    s = 1.0 / (1.0 + math.exp(-self.data))  # overflows for x below about -709
    out = type(self)(s, (self,), "sigmoid")

    def _backward():
        self.grad += s * (1.0 - s) * out.grad

    out._backward = _backward
    return out


def log_with_wrong_derivative(self):
    out = type(self)(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += math.log(self.data) * out.grad  # the value, not 1/x

    out._backward = _backward
    return out


def zero_grad_of_the_output_only(self):
    self.grad = 0.0


def recursive_zero_grad(self):
    def visit(v):
        v.grad = 0.0
        for child in v._prev:
            visit(child)

    visit(self)


def softmax_without_shift(logits):
    exps = [lg.exp() for lg in logits]
    total = sum(exps)
    return [e / total for e in exps]


def cross_entropy_from_the_probability(logits, target):
    m = max(lg.data for lg in logits)
    exps = [(lg - m).exp() for lg in logits]
    return -((exps[target] / sum(exps)).log())  # log(0) when the probability underflows


def cross_entropy_on_floats(logits, target):
    """The right number, computed on floats: the loss is a new leaf, cut off from the logits."""
    xs = [lg.data for lg in logits]
    m = max(xs)
    value = m + math.log(sum(math.exp(x - m) for x in xs)) - xs[target]
    return type(logits[0])(value)


def neuron_backward_without_tanh_derivative(X, w, b, dout):
    return np.outer(dout, w), X.T @ dout, float(dout.sum())


def neuron_backward_with_db_per_sample(X, w, b, dout):
    dz = dout * (1.0 - np.tanh(X @ w + b) ** 2)
    return np.outer(dz, w), X.T @ dz, dz
