"""Every exception causal_align raises, and the problems they carry.

The hierarchy::

    ValueError
     └── CausalAlignError        base class: catch this to catch everything we raise
          └── GraphSpecError     a graph (from a file or from Python) or a query is invalid;
                                 ``.problems`` lists every problem found, each positioned

A :class:`Problem` has a stable ``code`` (``E_UNKNOWN_NODE``, ``E_CYCLE``, ...), a ``location``
inside the YAML document (``edges[3]``, ``sigma[0].context``), the 1-based ``line`` when it came
from a file, and a message that says what was found and how to fix it.

Examples
--------
>>> problem = Problem("E_SELF_LOOP", "self-loop \\"A -> A\\" (remove it)", "edges[0]",
...                   line=7, source="g.yaml")
>>> print(problem)
g.yaml:7 edges[0]: self-loop "A -> A" (remove it) [E_SELF_LOOP]
>>> error = GraphSpecError([problem])
>>> isinstance(error, ValueError), error.problems[0].code
(True, 'E_SELF_LOOP')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class CausalAlignError(ValueError):
    """Base class of every error raised by causal_align."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a graph, a file or a query.

    Parameters
    ----------
    code : str
        Stable identifier, e.g. ``E_UNKNOWN_NODE``; documented in ``docs/errors.md``.
    message : str
        What was expected, what was found, and a fix.
    location : str
        Where in the YAML document: ``edges[3]``, ``nodes.Y_m``, ``query.base``; empty for the
        whole document.
    line : int or None
        1-based line in the source file, when known.
    source : str
        The file name, ``<string>`` or ``<python>``.
    """

    code: str
    message: str
    location: str = ""
    line: int | None = None
    source: str = "<python>"

    def __post_init__(self) -> None:
        for name, cap in (("message", 600), ("location", 120)):  # a 1 MB node name stays readable
            text = getattr(self, name)
            if len(text) > cap:
                object.__setattr__(self, name, f"{text[:cap - 60]}… ({len(text):,} characters)")

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        if self.location:
            where += f" {self.location}"
        return f"{where}: {self.message} [{self.code}]"


class GraphSpecError(CausalAlignError):
    """A graph or query is invalid; ``problems`` holds every problem found, in file order.

    Examples
    --------
    >>> error = GraphSpecError([Problem("E_EMPTY_SET", "no regime node", "regime")])
    >>> print(error)
    1 problem:
      <python> regime: no regime node [E_EMPTY_SET]
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n  ".join([heading, *map(str, self.problems)]))
