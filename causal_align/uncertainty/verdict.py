"""check_under_uncertainty: the σ-verdict over every diagram a partially directed file allows.

Without σ, Markov-equivalent DAGs agree on every d-separation. With σ they need not: G_σ
depends on which edges point *into* the σ target. Two consistent extensions that give each σ
target the same parents give equivalent G_σ, and so the same verdict. Latent confounders add one
more dependence: replacing ``A <-> B`` by ``A <- L -> B`` creates a v-structure ``L -> B <- X``
for every parent ``X`` of ``B``, so the parents of every node with a ``<->`` edge in G_σ matter
too. Those nodes — the σ targets and the remaining ``<->`` endpoints — are the *pivots*; the
members of the result are the combinations of their parent sets that some consistent extension
has (:mod:`~causal_align.uncertainty.parents`), each checked on one such extension.

When the members disagree, the verdict is ``"undetermined"`` (the min-over-models rule: act only
when every plausible model agrees, otherwise defer), and the result lists each single
orientation of a ``--`` edge that, once known, settles the verdict.

Examples
--------
>>> from causal_align.model import SoftIntervention
>>> from causal_align.uncertainty.partial import PartialGraph
>>> graph = PartialGraph.from_edges(["s -> M", "W -> M", "D -- W", "D -> B"], regime="s",
...                                 sigma=[SoftIntervention("D", [])], base="B", mesa="M")
>>> result = check_under_uncertainty(graph)
>>> result.verdict
'undetermined'
>>> [(dict(m.parents), m.result.aligned) for m in result.members]
[({'D': frozenset()}, False), ({'D': frozenset({'W'})}, True)]
>>> [str(item) for item in result.settling]
['D -> W: not aligned', 'W -> D: aligned']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from causal_align.alignment import AlignmentResult, check_inner_alignment
from causal_align.errors import GraphSpecError, Problem
from causal_align.header import ResultHeader, resolve_query
from causal_align.model import CausalGraph, Edge, SoftIntervention
from causal_align.uncertainty.extension import extend
from causal_align.uncertainty.meek import Pdag
from causal_align.uncertainty.parents import joint_choices
from causal_align.uncertainty.partial import PartialGraph, build_partial, graph_settings

ALIGNED, NOT_ALIGNED, UNDETERMINED = "aligned", "not aligned", "undetermined"
VERDICTS = (ALIGNED, NOT_ALIGNED, UNDETERMINED)


@dataclass(frozen=True)
class Member:
    """One combination of the pivots' parent sets, and the verdict in it.

    ``parents`` maps each pivot (σ target or ``<->`` endpoint) to its parents; ``result`` is the
    core verdict on ``graph``, one consistent extension with those parents (every extension with
    them gives the same verdict).
    """

    parents: Mapping[str, frozenset[str]]
    result: AlignmentResult
    graph: CausalGraph = field(repr=False, compare=False)

    @property
    def label(self) -> str:
        """``"Plan <- {Mastery}"``: each pivot's parents in this member, ``"as drawn"`` when no
        node's parents are in question."""
        return parents_text(self.parents) or "as drawn"

    def to_dict(self) -> dict[str, Any]:
        """Stable form: the pivots' parents, the verdict and the witness path."""
        return {"parents": {node: sorted(self.parents[node]) for node in sorted(self.parents)},
                "aligned": self.result.aligned,
                "witness": str(self.result.open_paths[0]) if self.result.open_paths else None}


@dataclass(frozen=True)
class Settling:
    """Knowing that ``edge`` points this way leaves only members with ``verdict``."""

    edge: Edge
    verdict: str
    members: int

    def __str__(self) -> str:
        return f"{self.edge}: {self.verdict}"

    def to_dict(self) -> dict[str, Any]:
        return {"edge": str(self.edge), "verdict": self.verdict, "members": self.members}


@dataclass(frozen=True)
class UncertainResult(ResultHeader):
    """The verdict over a partially directed diagram.

    ``verdict`` is ``"aligned"`` or ``"not aligned"`` when every member agrees, else
    ``"undetermined"`` (also when ``truncated``: not every member was checked). ``pivots`` are
    the nodes whose parents were enumerated; ``settling`` every single orientation of a ``--``
    edge that settles an undetermined verdict, with the number of members it leaves;
    ``closed_directed``/``closed_undirected`` the diagram after background knowledge and Meek's
    rules.
    """

    verdict: str
    members: tuple[Member, ...]
    pivots: tuple[str, ...]
    truncated: bool
    settling: tuple[Settling, ...]
    closed_directed: tuple[Edge, ...]
    closed_undirected: tuple[tuple[str, str], ...]

    @property
    def counts(self) -> dict[str, int]:
        """How many members are aligned and how many are not."""
        aligned = sum(member.result.aligned for member in self.members)
        return {ALIGNED: aligned, NOT_ALIGNED: len(self.members) - aligned}

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form."""
        return {"graph": self.graph_name, "verdict": self.verdict, "pivots": list(self.pivots),
                "counts": self.counts, "truncated": self.truncated,
                "members": [member.to_dict() for member in self.members],
                "settling": [item.to_dict() for item in self.settling],
                "closed": {"directed": [str(edge) for edge in self.closed_directed],
                           "undirected": [f"{a} -- {b}" for a, b in self.closed_undirected]}}


def check_under_uncertainty(
    graph: PartialGraph | CausalGraph,
    *,
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    regime: str | Iterable[str] | None = None,
    sigma: Iterable[SoftIntervention] | None = None,
    limit: int = 100,
    max_members: int = 1_000,
) -> UncertainResult:
    """Decide (Y_b ⊥ s | Y_m) in G_σ in every consistent extension of a partial diagram.

    Parameters
    ----------
    graph : PartialGraph or CausalGraph
        A fully directed graph has exactly one member.
    base, mesa, regime, sigma
        Replace the graph's default query, as in
        :func:`~causal_align.alignment.check_inner_alignment`.
    limit : int
        Open paths listed per member.
    max_members : int
        Most members checked; beyond it the result is ``truncated`` and ``"undetermined"``.

    Returns
    -------
    UncertainResult

    Raises
    ------
    GraphSpecError
        For an invalid query or σ, or a σ context that some orientation makes a descendant of
        its target (``E_SIGMA_POSSIBLE_CYCLE``).
    """
    if isinstance(graph, CausalGraph):
        graph = build_partial(graph.labels, list(graph.edges), **graph_settings(graph))
    core = graph.core
    interventions = core.sigma if sigma is None else tuple(sigma)
    pdag = Pdag.from_edges(core.nodes, directed=graph.closed_directed,
                           undirected=graph.closed_undirected)
    _read_context_first(pdag, interventions, core)
    options = {"base": base, "mesa": mesa, "regime": regime, "sigma": sigma, "limit": limit}
    header = resolve_query(core, base=base, mesa=mesa, regime=regime)
    query = [*header.base, *header.mesa, *header.regime]
    pivots = _pivots(pdag, core, interventions, query)
    loose = pdag.undirected_edges()
    members_found: list[Member] = []
    oriented: list[frozenset[tuple[str, str]]] = []  # per member: which -- edges it orients how
    truncated = False
    for chosen, after in joint_choices(pdag, pivots):
        if len(members_found) == max_members:
            truncated = True
            break
        members_found.append(_member(core, chosen, after, options))
        oriented.append(frozenset((a, b) if b in after.children[a] else (b, a)
                                  for a, b in loose if not after.adjacent_undirected(a, b)))
    members = tuple(members_found)
    verdicts = {member.result.aligned for member in members}
    if truncated or len(verdicts) > 1:
        verdict = UNDETERMINED
    else:
        verdict = ALIGNED if verdicts == {True} else NOT_ALIGNED
    settling: tuple[Settling, ...] = ()
    if verdict == UNDETERMINED and not truncated:
        settling = _settling(loose, members, oriented)
    return UncertainResult(verdict, members, tuple(pivots), truncated, settling,
                           tuple(Edge(a, b) for a, b in pdag.directed_edges()),
                           tuple(pdag.undirected_edges()), **header.keywords())


def _pivots(pdag: Pdag, core: CausalGraph, interventions: tuple[SoftIntervention, ...],
            query: list[str]) -> list[str]:
    """The σ targets and ``<->`` endpoints (of G_σ) that may be ancestors of a query node.

    Only the ancestral set of the query in G_σ decides the verdict; a node outside it in every
    extension cannot change it, whatever its parents. Walking up from the query through directed
    parents and undirected neighbours (either may point down) finds every possible ancestor; at
    a target with an explicit context, G_σ's parents are the context.
    """
    reads = {item.target: item.context for item in interventions}
    spouses = {node: set(core.spouses(node)) for node in core.nodes}
    for target in reads:
        for spouse in spouses[target]:
            spouses[spouse].discard(target)
        spouses[target] = set()
    above = set(query) & set(core.nodes)
    stack = list(above)
    while stack:
        node = stack.pop()
        context = reads.get(node)
        if node in reads and context is not None:
            up: Iterable[str] = context
        else:
            up = pdag.parents[node] | pdag.undirected[node]
        for other in up:
            if other not in above:
                above.add(other)
                stack.append(other)
    targets = sorted(target for target in reads if target in above)
    return targets + sorted(node for node in above if spouses[node] and node not in reads)


def _read_context_first(pdag: Pdag, interventions: tuple[SoftIntervention, ...],
                        core: CausalGraph) -> None:
    """Orient ``c -- T`` as ``c -> T`` for every explicit context node ``c`` of σ(``T``)."""
    touched = []
    for item in interventions:
        for node in item.context or ():
            if node in pdag.undirected.get(item.target, ()):
                pdag.orient(node, item.target)
                touched.append((node, item.target))
    if touched:
        touched += pdag.close(touched)
        if pdag.creates_v_structure(touched) or extend(pdag) is None:
            raise GraphSpecError([Problem(
                "E_SIGMA_POSSIBLE_CYCLE", "no orientation lets every σ target read its context "
                f"before deciding ({', '.join(f'{a} -> {b}' for a, b in touched)} cannot all "
                "hold; change the context)", "sigma", source=f"<sigma on {core.name}>")])


def _member(core: CausalGraph, chosen: dict[str, frozenset[str]], after: Pdag,
            options: dict[str, Any]) -> Member:
    directed = extend(after)
    assert directed is not None  # joint_choices keeps only extendable choices
    edges = [Edge(tail, head) for tail, head in directed]
    edges += [edge for edge in core.edges if edge.bidirected]
    try:
        member = CausalGraph(core.labels, edges, **graph_settings(core))
        result = check_inner_alignment(member, **options)
    except GraphSpecError as error:
        if any(problem.code == "E_SIGMA_CYCLE" for problem in error.problems):
            targets = ", ".join(sorted(chosen))
            raise GraphSpecError([Problem(
                "E_SIGMA_POSSIBLE_CYCLE", f"with parents {parents_text(chosen)}, a context "
                f"node of σ({targets}) is a descendant of its target (orient the -- edges "
                "between them, or drop it from the context)", "sigma",
                source=f"<sigma on {core.name}>")]) from None
        raise
    return Member(chosen, result, member)


def parents_text(chosen: Mapping[str, frozenset[str]]) -> str:
    """``"Plan <- {Mastery}; Y <- {}"``: each pivot's parents, sorted."""
    return "; ".join(f"{node} <- {{{', '.join(sorted(chosen[node]))}}}" for node in sorted(chosen))


def _settling(loose: list[tuple[str, str]], members: tuple[Member, ...],
              oriented: list[frozenset[tuple[str, str]]]) -> tuple[Settling, ...]:
    """Each single orientation of an undirected edge after which every member agrees.

    A member (its closed PDAG, an MPDAG) allows ``a -> b`` unless it orients the edge ``b -> a``:
    in a PDAG closed under Meek's rules whose constraints some DAG meets, every undirected edge
    can point either way (Meek 1995). So no re-enumeration is needed.
    """
    found = []
    for first, second in loose:
        for tail, head in ((first, second), (second, first)):
            allowed = [member.result.aligned for member, edges in zip(members, oriented)
                       if (head, tail) not in edges]
            if len(set(allowed)) == 1:
                verdict = ALIGNED if allowed[0] else NOT_ALIGNED
                found.append(Settling(Edge(tail, head), verdict, len(allowed)))
    return tuple(found)
