"""Draw the pictures of docs/quantities.md into docs/quantities/.

Run from the repository root: ``python docs/quantities/make_pictures.py``. The one picture,
``coinrun_sweep.svg``, is the shift sweep of ``graphs/coinrun_model.yaml`` at 21 strengths, drawn
by :func:`causal_align.plot.plot_sweep`; rendering is deterministic, and tests/test_samples.py
checks that the committed file equals a fresh render.
"""

from __future__ import annotations

import sys
from pathlib import Path

from causal_align.quantities.parameters import load_model
from causal_align.quantities.plot import plot_sweep
from causal_align.quantities.sweep import sweep

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
STEPS = 21


def draw_sweep(path: Path) -> None:
    """The coinrun model's sweep, as a picture at ``path`` (.svg or .png)."""
    plot_sweep(sweep(load_model(ROOT / "graphs" / "coinrun_model.yaml"), steps=STEPS), path)


def main() -> int:
    draw_sweep(HERE / "coinrun_sweep.svg")
    print(f"wrote {HERE / 'coinrun_sweep.svg'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
