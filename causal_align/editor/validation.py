"""The loader's judgement on the editor's text: the graph, or every problem with its line.

The editor never validates on its own. A text with ``A -- B`` edges or a ``background:``
section (a diagram whose directions are partly unknown), or an ``uncertain:`` section (edges
that may or may not exist), goes to the uncertainty layer's reader,
:func:`causal_align.uncertainty.files.uncertain_from_data`; every other text to
:func:`causal_align.loader.parse_graph`. So its refusals carry the readers' exact messages and
codes, the ones ``causal-align check`` prints.

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
>>> checked = check_text("nodes: {s: a, A: b, B: c}\\nedges: [s -> A, A -- B]\\nregime: s\\n",
...                      source="g.yaml")
>>> checked.graph, checked.partial.undirected
(None, (('A', 'B'),))
>>> checked = check_text("nodes: {s: a, A: b, B: c}\\nedges: [s -> A]\\nregime: s\\n"
...                      "uncertain: {edges: [{edge: A -> B, probability: 0.3}]}\\n",
...                      source="g.yaml")
>>> dict(checked.prior.edges)
{'A -> B': 0.3}
"""

from __future__ import annotations

from dataclasses import dataclass

from causal_align.errors import CausalAlignError, GraphSpecError, Problem
from causal_align.limits import Limits
from causal_align.loader import parse_graph
from causal_align.model import CausalGraph, Origin
from causal_align.uncertainty.edges import EdgePrior
from causal_align.uncertainty.files import is_partial, uncertain_from_data
from causal_align.uncertainty.partial import PartialGraph
from causal_align.yamldoc import read_yaml

UNFINISHED = frozenset({"E_EMPTY_FILE", "E_EMPTY_SET", "E_MISSING_KEY"})
"""Codes of problems that say "not finished yet" rather than "wrong"; they never refuse an edit."""


@dataclass(frozen=True)
class Checked:
    """The loader's reading of a text: a fully directed ``graph``, or a ``partial`` diagram
    (with ``--`` edges or background knowledge, or with uncertain edges: ``prior``, the
    ``uncertain:`` section), or neither and the problems, in file order."""

    graph: CausalGraph | None
    problems: tuple[Problem, ...]
    partial: PartialGraph | None = None
    prior: EdgePrior | None = None

    @property
    def valid(self) -> bool:
        """True when the text is a diagram (fully or partly directed)."""
        return self.graph is not None or self.partial is not None

    @property
    def blocking(self) -> bool:
        """True when a problem is more than "unfinished": an edit that leads here is refused."""
        return any(problem.code not in UNFINISHED for problem in self.problems)


def check_text(text: str, *, source: str, default_name: str = "graph") -> Checked:
    """Read ``text`` as ``causal-align check`` does; never raises for an invalid diagram."""
    if "--" in text or "background" in text or "uncertain" in text:  # else not this layer's
        partial = _check_partial(text, source, default_name)
        if partial is not None:
            return partial
    try:
        graph = parse_graph(text, source=source, default_name=default_name)
    except GraphSpecError as error:
        return Checked(None, error.problems)
    return Checked(graph, ())


def _check_partial(text: str, source: str, default_name: str) -> Checked | None:
    """The uncertainty layer's reading of a partial diagram or of uncertain edges; ``None`` when
    the text is neither: the core reader then judges it."""
    limits = Limits()
    if len(text) > limits.max_bytes:
        return None
    try:
        data, lines = read_yaml(text, source, limits)
    except CausalAlignError:
        return None
    if not isinstance(data, dict) or not is_partial(data):
        return None
    try:
        found = uncertain_from_data(data, Origin(source, lines), default_name=default_name)
    except GraphSpecError as error:
        return Checked(None, error.problems)
    return Checked(None, (), found.graph, found.prior)
