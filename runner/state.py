"""Where the kata keeps a learner's state between runs: the git-ignored ``.kata/`` folder.

Every tool that remembers something writes under ``STATE`` (override with the
``KATA_STATE_DIR`` environment variable, as the tests do):

    .kata/progress.json              last result of each level (the pytest plugin)
    .kata/hints.json                 which hint tiers of each level were read
    .kata/backups/                   copies of learner files taken before any write
    .kata/interview/history.jsonl    one JSON object per interview attempt
    .kata/interview/questions.jsonl  one JSON object per oral-drill answer
    .kata/interview/attempts/        the practice folders of interview attempts
"""

from __future__ import annotations

import os
from pathlib import Path

from runner.manifest import ROOT


def state_dir() -> Path:
    return Path(os.environ.get("KATA_STATE_DIR", ROOT / ".kata"))


def path(*parts: str) -> Path:
    """A path under the state folder; parent folders are created."""
    p = state_dir().joinpath(*parts)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p
