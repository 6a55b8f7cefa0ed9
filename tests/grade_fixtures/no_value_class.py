"""Does not define Value. Graded: 0."""


class Scalar:
    def __init__(self, data):
        self.data = data
