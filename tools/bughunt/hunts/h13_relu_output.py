"""relu on the output layer.

The last layer gives a score whose sign is the class; relu clips every
negative score to 0, and the gradient through a clipped score is 0. Hidden
layers apply relu; the last layer is linear.
"""

TITLE = "a classifier that stalls"
DIFFICULTY = 5
LEVEL = 4
FILE = "nn.py"
WHERE = "MLP.__init__"
SYMPTOM = ("This network's loss stops falling near 0.6 and its accuracy stalls around 90 %, "
           "on data that a correct network separates almost perfectly.")
HINTS = [
    "Run python train.py in the hunt folder, and print a few scores model(x).data of the trained network.",
    "Which layers apply relu? nonlin is chosen per layer in MLP.__init__.",
    "Only the hidden layers apply relu: nonlin=i != len(nouts) - 1.",
]
BUGGY = """\
        self.layers = [Layer(sizes[i], sizes[i + 1]) for i in range(len(nouts))]
"""
FIX = """\
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]
"""
