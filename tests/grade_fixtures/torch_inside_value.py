"""Computes with torch inside Value (only when asked: level 1 never asks, so the
self-test need not load torch): marked "imports torch" from the source."""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def to_torch(self):
        import torch

        return torch.tensor(self.data, requires_grad=True)
