"""The loader's judgement on the editor's text: the graph, or every problem with its line.

The editor never validates on its own: it hands the text to
:func:`causal_align.loader.parse_graph`, so its refusals carry the loader's exact messages and
codes. Two node keys the editor writes, ``position`` and ``observed``, are being added to the
core; while the loader does not know a key yet, its lines are blanked to comments before
parsing (line numbers are kept, so problems still point at the right line).

A problem that only says the diagram is *unfinished* (no regime node yet, no Y_b yet, an empty
file) does not refuse an edit: every diagram passes through such states while it is drawn.

Examples
--------
>>> checked = check_text("nodes:\\n  s:\\n    position: [1, 2]\\nedges: []\\nregime: s\\n",
...                      source="g.yaml")
>>> checked.graph is not None, checked.problems
(True, ())
>>> checked = check_text("nodes: {s: a}\\nedges: [X -> s]\\nregime: s\\n", source="g.yaml")
>>> [problem.code for problem in checked.problems], checked.blocking
(['E_UNKNOWN_NODE'], True)
"""

from __future__ import annotations

from dataclasses import dataclass

from causal_align.errors import GraphSpecError, Problem
from causal_align.loader import parse_graph
from causal_align.model import CausalGraph

UNFINISHED = frozenset({"E_EMPTY_FILE", "E_EMPTY_SET", "E_MISSING_KEY"})
"""Codes of problems that say "not finished yet" rather than "wrong"; they never refuse an edit."""


@dataclass(frozen=True)
class Checked:
    """The text's graph (``None`` when invalid) and the loader's problems, in file order."""

    graph: CausalGraph | None
    problems: tuple[Problem, ...]

    @property
    def blocking(self) -> bool:
        """True when a problem is more than "unfinished": an edit that leads here is refused."""
        return any(problem.code not in UNFINISHED for problem in self.problems)


def check_text(text: str, *, source: str, default_name: str = "graph") -> Checked:
    """Parse ``text`` as the loader does; never raises for an invalid graph."""
    try:
        graph = parse_graph(text, source=source, default_name=default_name)
    except GraphSpecError as error:
        return Checked(None, error.problems)
    return Checked(graph, ())
