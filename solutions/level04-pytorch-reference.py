"""The PyTorch rung of the solutions ladder, under the name the topic gives it.

    python solutions/level04-pytorch-reference.py

runs ``solutions/pytorch/pytorch_reference.py``: every op of the kata in
PyTorch, the seed example and level 4's training. The ladder's folders are
named for what they teach (naive, vectorized, memory-efficient, pytorch), not
for the kata's levels; this file keeps the topic's command working.
"""

import runpy
from pathlib import Path

if __name__ == "__main__":
    runpy.run_path(str(Path(__file__).resolve().parent / "pytorch" / "pytorch_reference.py"), run_name="__main__")
