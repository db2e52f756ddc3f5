"""The three rules of the σ-calculus as checkable predicates.

Correa & Bareinboim, "A Calculus for Stochastic Interventions" (AAAI 2020), Theorem 1. Write
σ_X for the soft interventions that stay, σ_Z and σ'_Z for two policies on the nodes Z, W for the
observed nodes, and Z(W) = Z \\ An(W) with ancestors taken in G_{σ_X}:

- **rule 1** (insert/delete observations): P(y | w, t; σ_X) = P(y | w; σ_X) if (T ⊥ Y | W) in
  G_{σ_X}. The inner-alignment verdict is rule 1 with T = the regime node, Y = Y_b, W = Y_m.
- **rule 2** (change of regime under observation): P(y | z, w; σ_X, σ_Z) = P(y | z, w; σ_X, σ'_Z)
  if (Y ⊥ Z | W) in G_{σ_X σ_Z Z̲} and in G_{σ_X σ'_Z Z̲} (Z̲: the edges out of Z removed).
- **rule 3** (change of regime without observation): P(y | w; σ_X, σ_Z) = P(y | w; σ_X, σ'_Z)
  if (Y ⊥ Z | W) in G_{σ_X σ_Z Z̄(W)} and in G_{σ_X σ'_Z Z̄(W)} (Z̄(W): the edges into Z(W)
  removed, ``<->`` included).

Rules 2 and 3 answer "would swapping the learned policy for another change E(Y_b | Y_m)?":
``sigma_rule(3, graph, swap=["D_m"], after=[SoftIntervention("D_m", ["Prompt"])])`` compares the
file's policy with one reading only the prompt. A rule that does not license the step lists, for
each graph tested, the open paths that violate its condition, explained like the alignment report.

Examples
--------
>>> from causal_align.loader import load_graph
>>> from causal_align.model import SoftIntervention
>>> graph = load_graph("graphs/deceptive_cue.yaml")
>>> verdict = sigma_rule(1, graph)
>>> verdict.holds, verdict.statement
(False, 'P(Y_b | Y_m, s; σ) = P(Y_b | Y_m; σ)')
>>> print(verdict.graphs[0].open_paths[0])
s -> Cue -> D_m -> Y_b
>>> swap = sigma_rule(3, graph, swap=["D_m"], after=[SoftIntervention("D_m", ["Prompt"])],
...                   given=["Y_m"])
>>> swap.holds, [tested.name for tested in swap.graphs]
(False, ['G_{σ_X σ_Z Z̄(W)}', "G_{σ_X σ'_Z Z̄(W)}"])
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from causal_align.errors import TransportError, shown
from causal_align.explain import OpenPath, describe
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph, Edge, SoftIntervention, as_names
from causal_align.separation import ancestors, is_separated, open_paths


@dataclass(frozen=True)
class RuleGraph:
    """One graph a rule is tested in: its name, the edges cut from G_σ, the separation asked and
    its answer; when it fails, up to ``limit`` open paths (``truncated``: more exist)."""

    name: str
    condition: str
    cut: tuple[str, ...]
    separated: bool
    open_paths: tuple[OpenPath, ...]
    truncated: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "condition": self.condition,
            "cut": list(self.cut),
            "separated": self.separated,
            "open_paths": [path.to_dict() for path in self.open_paths],
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class SigmaRule:
    """Whether rule ``rule`` of the σ-calculus licenses ``statement``: ``holds`` is True when the
    separation holds in every graph of ``graphs``."""

    rule: int
    holds: bool
    statement: str
    graphs: tuple[RuleGraph, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "holds": self.holds,
            "statement": self.statement,
            "graphs": [tested.to_dict() for tested in self.graphs],
        }

    def __str__(self) -> str:
        lines = [
            f"rule {self.rule}: {self.statement} — "
            + ("licensed" if self.holds else "NOT licensed")
        ]
        for tested in self.graphs:
            cut = f" (cut: {', '.join(tested.cut)})" if tested.cut else ""
            lines.append(
                f"  {tested.condition} in {tested.name}{cut}: "
                + ("holds" if tested.separated else "fails")
            )
            for path in tested.open_paths:
                lines.append(f"    open: {path}")
                lines += [f"      {reason}" for reason in explain(path)]
            if tested.truncated:
                lines.append("    (more open paths exist)")
        return "\n".join(lines)


def explain(path: OpenPath) -> tuple[str, ...]:
    """One sentence per interior node of a violating path, as the alignment report words them;
    a path with no interior node is an edge between the two sets, which nothing blocks.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["D -> Y"], regime="s", nodes=["s"])
    >>> print(*explain(sigma_rule(3, graph, outcome="Y", given=[], swap="D",
    ...                           after=[SoftIntervention("D", [])]).graphs[0].open_paths[0]))
    D -> Y is a single edge: no conditioning can block it
    """
    if not path.junctions:
        return (f"{path} is a single edge: no conditioning can block it",)
    return path.explain()


def sigma_rule(
    n: int,
    graph: CausalGraph,
    *,
    outcome: str | Iterable[str] | None = None,
    given: str | Iterable[str] | None = None,
    observe: str | Iterable[str] | None = None,
    swap: str | Iterable[str] | None = None,
    before: Sequence[SoftIntervention] | None = None,
    after: Sequence[SoftIntervention] | None = None,
    sigma: Sequence[SoftIntervention] | None = None,
    limit: int = 10,
) -> SigmaRule:
    """Does rule ``n`` (1, 2 or 3) of the σ-calculus license the step?

    Parameters
    ----------
    n : int
        The rule: 1, 2 or 3.
    graph : CausalGraph
    outcome : str or Iterable[str], optional
        Y; default: the graph's Y_b.
    given : str or Iterable[str], optional
        W, the observed nodes; default: the graph's Y_m.
    observe : str or Iterable[str], optional
        Rule 1: T, the observation inserted or deleted; default: the query's regime nodes.
    swap : str or Iterable[str], optional
        Rules 2 and 3: Z, the nodes whose policy changes; default: the targets of ``after``.
    before, after : Sequence[SoftIntervention], optional
        Rules 2 and 3: σ_Z and σ'_Z, interventions on nodes of Z. A node of Z with none keeps its
        natural mechanism. ``before`` defaults to ``sigma``'s interventions on Z.
    sigma : Sequence[SoftIntervention], optional
        The interventions in force (default: the graph's); σ_X is those not on Z.
    limit : int
        At most this many open paths per graph.

    Returns
    -------
    SigmaRule

    Raises
    ------
    CausalAlignError
        An unknown rule or node, overlapping sets, or an intervention outside Z.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> X", "X -> D", "D -> Y"], regime="s",
    ...                                sigma=[SoftIntervention("D", [])], base="Y")
    >>> sigma_rule(1, graph, given=[]).holds          # an open-loop policy ignores X
    True
    >>> print(sigma_rule(2, graph, swap="D", after=[SoftIntervention("D", ["X"])], given=[]))
    rule 2: P(Y | D; σ_X, σ_D) = P(Y | D; σ_X, σ'_D) — licensed
      (Y ⊥ D) in G_{σ_X σ_Z Z̲} (cut: D -> Y): holds
      (Y ⊥ D) in G_{σ_X σ'_Z Z̲} (cut: D -> Y): holds
    """
    if n not in (1, 2, 3) or isinstance(n, bool):
        raise TransportError(
            "E_TRANSPORT_ARGUMENT", f"the σ-calculus has rules 1, 2 and 3, not {shown(n)}"
        )
    in_force = tuple(graph.sigma if sigma is None else sigma)
    outcome_names = _names(graph, graph.base if outcome is None else outcome, "outcome")
    given_names = _names(graph, graph.mesa if given is None else given, "given")
    if not outcome_names:
        raise TransportError(
            "E_TRANSPORT_ARGUMENT", "no outcome Y: give outcome= (the graph has no Y_b)"
        )
    if n == 1:
        observed = _names(graph, graph.query_regime if observe is None else observe, "observe")
        _disjoint(outcome=outcome_names, given=given_names, observe=observed)
        tested = sigma_graph(graph, in_force)
        statement = (
            f"P({_join(outcome_names)} | {_join((*given_names, *observed))}; σ) = "
            f"P({_join(outcome_names)}{_bar(given_names)}; σ)"
        )
        holds, judged = _judge(
            [("G_{σ_X}", tested, ())], observed, outcome_names, given_names, limit
        )
        return SigmaRule(1, holds, statement, judged)
    if after is None:
        raise TransportError(
            "E_TRANSPORT_ARGUMENT",
            f"rule {n} compares two policies: give after= (σ'_Z; --after on the command line)",
        )
    swapped = _names(graph, [item.target for item in after] if swap is None else swap, "swap")
    if not swapped:
        raise TransportError(
            "E_TRANSPORT_ARGUMENT", f"rule {n} needs the nodes Z whose policy changes (swap=)"
        )
    if set(swapped) & graph.regime:
        raise TransportError(
            "E_TRANSPORT_ARGUMENT",
            f"{shown(sorted(set(swapped) & graph.regime)[0])} is a regime "
            "node: no policy can replace it",
        )
    _disjoint(outcome=outcome_names, given=given_names, swap=swapped)
    stays = tuple(item for item in in_force if item.target not in swapped)
    first = (
        tuple(item for item in in_force if item.target in swapped)
        if before is None
        else tuple(before)
    )
    for item in (*first, *after):
        if item.target not in swapped:
            raise TransportError(
                "E_TRANSPORT_ARGUMENT",
                f"an intervention on {shown(item.target)} is not on Z ({', '.join(swapped)})",
            )
    label = "".join(swapped) if len(swapped) == 1 else "Z"
    if n == 2:
        cut_in: frozenset[str] = frozenset()
        cut_out = frozenset(swapped)
        names = ("G_{σ_X σ_Z Z̲}", "G_{σ_X σ'_Z Z̲}")
        observed_now = (*swapped, *given_names)
    else:
        reach = ancestors(sigma_graph(graph, stays), given_names)
        cut_in = frozenset(node for node in swapped if node not in reach)
        cut_out = frozenset()
        names = ("G_{σ_X σ_Z Z̄(W)}", "G_{σ_X σ'_Z Z̄(W)}")
        observed_now = given_names
    graphs = [
        (name, *_cut(sigma_graph(graph, (*stays, *policy)), cut_in, cut_out))
        for name, policy in zip(names, (first, tuple(after)))
    ]
    statement = (
        f"P({_join(outcome_names)}{_bar(observed_now)}; σ_X, σ_{label}) = "
        f"P({_join(outcome_names)}{_bar(observed_now)}; σ_X, σ'_{label})"
    )
    holds, judged = _judge(graphs, swapped, outcome_names, given_names, limit)
    return SigmaRule(n, holds, statement, judged)


def _names(graph: CausalGraph, value: str | Iterable[str], role: str) -> tuple[str, ...]:
    names = tuple(sorted(set(as_names(value))))
    for name in names:
        if name not in graph.node_set:
            raise TransportError(
                "E_TRANSPORT_ARGUMENT",
                f"{role}: {shown(name)} is not a node of {shown(graph.name)}",
            )
    return names


def _disjoint(**sets: tuple[str, ...]) -> None:
    roles = list(sets.items())
    for index, (role, names) in enumerate(roles):
        for other, more in roles[index + 1 :]:
            both = sorted(set(names) & set(more))
            if both:
                raise TransportError(
                    "E_TRANSPORT_ARGUMENT", f"{shown(both[0])} is in both {role}= and {other}="
                )


def _join(names: Iterable[str]) -> str:
    return ", ".join(names)


def _bar(names: Sequence[str]) -> str:
    return f" | {_join(names)}" if names else ""


def _judge(
    graphs: Sequence[tuple[str, SigmaGraph, tuple[str, ...]]],
    sources: Collection[str],
    targets: Collection[str],
    given: Collection[str],
    limit: int,
) -> tuple[bool, tuple[RuleGraph, ...]]:
    judged = []
    condition = f"({_join(targets)} ⊥ {_join(sources)}{_bar(tuple(given))})"
    for name, tested, cut in graphs:
        separated = is_separated(tested, sources, targets, given=given)
        paths: tuple[OpenPath, ...] = ()
        truncated = False
        if not separated:
            raw, truncated = open_paths(tested, sources, targets, given=given, limit=limit)
            paths = describe(tested, raw, given)
        judged.append(RuleGraph(name, condition, cut, separated, paths, truncated))
    return all(tested.separated for tested in judged), tuple(judged)


class _Cut:
    """Neighbours in a G_σ with the edges into ``cut_in`` (``<->`` included) and the directed
    edges out of ``cut_out`` removed."""

    __slots__ = ("inner", "cut_in", "cut_out")

    def __init__(self, inner: SigmaGraph, cut_in: frozenset[str], cut_out: frozenset[str]) -> None:
        self.inner, self.cut_in, self.cut_out = inner, cut_in, cut_out

    def parents(self, node: str) -> tuple[str, ...]:
        if node in self.cut_in:
            return ()
        return tuple(parent for parent in self.inner.parents(node) if parent not in self.cut_out)

    def children(self, node: str) -> tuple[str, ...]:
        if node in self.cut_out:
            return ()
        return tuple(child for child in self.inner.children(node) if child not in self.cut_in)

    def spouses(self, node: str) -> tuple[str, ...]:
        if node in self.cut_in:
            return ()
        return tuple(spouse for spouse in self.inner.spouses(node) if spouse not in self.cut_in)


def _cut(
    inner: SigmaGraph, cut_in: frozenset[str], cut_out: frozenset[str]
) -> tuple[SigmaGraph, tuple[str, ...]]:
    """``inner`` with edges cut, and the cut edges as text, sorted."""
    cut = set()
    for node in cut_in:
        cut |= {str(Edge(parent, node)) for parent in inner.parents(node)}
        cut |= {
            str(Edge(min(node, spouse), max(node, spouse), bidirected=True))
            for spouse in inner.spouses(node)
        }
    for node in cut_out:
        cut |= {str(Edge(node, child)) for child in inner.children(node)}
    view = _Cut(inner, cut_in, cut_out)
    result = SigmaGraph(
        inner.graph,
        inner.interventions,
        inner.removed,
        inner.added,
        (view.parents, view.children, view.spouses),
    )
    return result, tuple(sorted(cut))
