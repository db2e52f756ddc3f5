"""A progress bar on stderr for long loops (tqdm, imported only when a bar is asked for).

Examples
--------
>>> list(with_progress(range(3), show=False, what="step", total=3))
[0, 1, 2]
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TypeVar

from causal_align.errors import CausalAlignError

Item = TypeVar("Item")


def with_progress(items: Iterable[Item], *, show: bool, what: str, total: int,
                  done: int = 0, label: str = "") -> Iterable[Item]:
    """``items``, counted by a bar on stderr when ``show`` (``done`` of ``total`` already)."""
    if not show:
        return items
    try:
        from tqdm import tqdm
    except ImportError as error:
        raise CausalAlignError("a progress bar needs tqdm, part of the quantities extra: "
                               "pip install 'causal_align[quantities]'") from error
    bar: Iterable[Item] = tqdm(items, desc=label or None, unit=what, total=total, initial=done,
                               file=sys.stderr)
    return bar
