"""A parameter the loss never reaches.

Starting the sum from ``self.b.data`` (a float) instead of ``self.b`` (a
Value) gives the same forward value, but the bias is not in the graph: its
grad stays 0 and training never moves it. A gradient check of the loss
against each parameter finds it at once.
"""

TITLE = "a parameter that never moves"
DIFFICULTY = 5
LEVEL = 4
FILE = "nn.py"
WHERE = "Neuron.__call__"
SYMPTOM = ("Some of this network's parameters never change during training, whatever the "
           "learning rate. The outputs match PyTorch.")
HINTS = [
    "After loss.backward(), list the parameters whose grad is exactly 0. Which kind are they?",
    "A parameter gets a gradient only if the loss was computed from the Value itself, not from its .data.",
    "Start the neuron's sum from the Value: act = self.b.",
]
BUGGY = """\
        act = self.b.data
"""
FIX = """\
        act = self.b
"""
