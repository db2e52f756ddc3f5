"""Semantic checks shared by the YAML loader and graphs built in Python.

Each check appends a positioned :class:`~causal_align.errors.Problem` to a :class:`Problems`
collector; the caller raises once with all of them. Nothing here recurses, so a
million-node chain is checked in linear time without touching Python's recursion limit.

Examples
--------
>>> find_cycle(["A", "B", "C"], {"A": ["B"], "B": ["C"], "C": ["A"]}.__getitem__)
['A', 'B', 'C', 'A']
>>> suggest("Y_mesa", ["Y_m", "Y_b", "s"])
"did you mean 'Y_m'?"
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from causal_align.errors import MAX_PROBLEMS, GraphSpecError, Problem, shown

if TYPE_CHECKING:
    from causal_align.model import Edge, Origin, SoftIntervention

NAME = r"[A-Za-z_][A-Za-z0-9_.-]*"
"""A node name: a letter or _, then letters, digits, _ . - (keeps Markdown, HTML and DOT simple)."""
_NAME = re.compile(NAME + r"\Z")
MAX_NAME = 200
"""Longest node name, in characters."""
DECLARE = "declare it under nodes:"
"""The fix offered for an unknown node name in a file, when no declared name is close."""
PYTHON = "<python>"
"""The source of a graph built in Python (:class:`~causal_align.model.Origin`'s default)."""
Adjacency = dict[str, tuple[str, ...]]
Neighbours = Callable[[str], tuple[str, ...]]


class Problems:
    """Collects problems, attaching the line of each location from the graph's origin."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.found: list[Problem] = []
        self.more = 0
        self.suggestions_left = 20  # difflib is slow: only the first unknown names get a guess

    def add(self, code: str, location: str, message: str) -> None:
        if len(self.found) >= MAX_PROBLEMS:
            self.more += 1
            return
        self.found.append(Problem(code, message, location, self._line(location),
                                  self.origin.source))

    def absorb(self, error: GraphSpecError) -> None:
        """Take over the problems of ``error`` (kept up to the cap) and its count of ``more``,
        so that nothing found is lost from the total."""
        room = max(0, MAX_PROBLEMS - len(self.found))
        self.found.extend(error.problems[:room])
        self.more += len(error.problems) - min(room, len(error.problems)) + error.more

    def suggest(self, name: str, known: Collection[str], otherwise: str = DECLARE) -> str:
        """A fix for an unknown node name: the closest known name (case first), or ``otherwise``.
        """
        if otherwise == DECLARE and self.origin.source == PYTHON:
            otherwise = "add it to the graph's nodes"  # built in Python: there is no nodes: key
        if self.suggestions_left <= 0 or not isinstance(name, str):
            return otherwise
        self.suggestions_left -= 1
        return suggest(name, known, otherwise)

    def _line(self, location: str) -> int | None:
        while location:
            if location in self.origin.lines:
                return self.origin.lines[location]
            cut = max(location.rfind("."), location.rfind("["))
            location = location[:cut] if cut > 0 else ""
        return self.origin.lines.get("")

    def raise_if_any(self) -> None:
        if self.found:
            self.found.sort(key=lambda problem: problem.line or 0)
            kept = self.found[:MAX_PROBLEMS]  # a caller may have extended found directly
            raise GraphSpecError(kept, more=self.more + len(self.found) - len(kept))


def suggest(name: str, known: Collection[str], otherwise: str = DECLARE) -> str:
    """A fix for an unknown node name: the closest known name (case first), or ``otherwise``."""
    names = sorted(node for node in known if isinstance(node, str)
                   and abs(len(node) - len(name)) <= max(3, len(name) // 2))
    same_case = [node for node in names if node.lower() == name.lower()]
    close = same_case or difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f"did you mean {shown(close[0])}?" if close else otherwise


def names_at(value: str | Iterable[str], location: str) -> list[tuple[str, str]]:
    """Pair each name with its location: ``regime`` for a single name, ``regime[i]`` in a list."""
    if isinstance(value, str):
        return [(value, location)]
    return [(name, f"{location}[{index}]") for index, name in enumerate(value)]


def find_cycle(nodes: Iterable[str], children: Callable[[str], Iterable[str]]) -> list[str] | None:
    """A directed cycle among ``nodes`` (closed under ``children``), as ``[a, b, ..., a]``, or None.

    Kahn's algorithm peels off nodes with no remaining parents; whatever is left lies on or
    downstream of a cycle, and walking backwards through the leftovers must close a loop.
    """
    node_list = list(nodes)
    indegree = dict.fromkeys(node_list, 0)
    for node in node_list:
        for child in children(node):
            indegree[child] += 1
    ready = [node for node in node_list if indegree[node] == 0]
    while ready:
        node = ready.pop()
        for child in children(node):
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    left = {node for node, degree in indegree.items() if degree > 0}
    if not left:
        return None
    parent_in_left = {child: node for node in sorted(left) for child in children(node)
                      if child in left}
    walk, seen = [min(left)], set()
    while walk[-1] not in seen:
        seen.add(walk[-1])
        walk.append(parent_in_left[walk[-1]])
    loop = walk[walk.index(walk[-1]):][::-1]
    start = loop.index(min(loop[:-1]))
    loop = loop[start:-1] + loop[:start]
    return [*loop, loop[0]]


def check_graph(
    node_list: Sequence[str],
    edge_items: Sequence[tuple[object, Edge | None]],
    *,
    regime: str | Iterable[str],
    sigma: Sequence[SoftIntervention],
    base: str | Iterable[str] | None,
    mesa: str | Iterable[str] | None,
    query_regime: str | Iterable[str] | None,
    origin: Origin,
    roles: Roles | None = None,
) -> tuple[Adjacency, Adjacency, Adjacency]:
    """Run every check; return prepared (parents, children, spouses) or raise GraphSpecError."""
    problems = Problems(origin)
    known: set[str] = set()
    for node in node_list:
        if not isinstance(node, str) or len(node) > MAX_NAME or not _NAME.match(node):
            problems.add("E_INVALID_NAME", f"nodes.{node}", f"invalid node name {shown(node)} "
                         "(a name starts with a letter or _, then letters, digits, _ . -; at "
                         f"most {MAX_NAME} characters)")
        elif node in known:
            problems.add("E_DUPLICATE_NODE", f"nodes.{node}",
                         f"node {shown(node)} is declared twice (remove one)")
        known.add(node)
    parents: dict[str, list[str]] = {node: [] for node in known}
    children: dict[str, list[str]] = {node: [] for node in known}
    spouses: dict[str, list[str]] = {node: [] for node in known}
    edge_at: dict[tuple[str, str, bool], int] = {}
    for index, (item, edge) in enumerate(edge_items):
        if edge is None:
            problems.add("E_EDGE_SYNTAX", f"edges[{index}]", _edge_syntax_message(item))
            continue
        tail, head, bidirected = edge
        key = (head, tail, True) if bidirected and head < tail else (tail, head, bidirected)
        if tail in known and head in known and tail != head and key not in edge_at:
            edge_at[key] = index  # the common case, first: a new edge between known nodes
            if bidirected:
                spouses[tail].append(head)
                spouses[head].append(tail)
            else:
                children[tail].append(head)
                parents[head].append(tail)
            continue
        location = f"edges[{index}]"
        unknown = [node for node in dict.fromkeys((tail, head)) if node not in known]
        for node in unknown:
            problems.add("E_UNKNOWN_NODE", location,
                         f"unknown node {shown(node)} in {_quoted(edge)} "
                         f"({problems.suggest(node, known)})")
        if unknown:
            continue
        if tail == head:
            problems.add("E_SELF_LOOP", location, f"self-loop {_quoted(edge)} (a node cannot be "
                         "its own cause; remove it)")
            continue
        problems.add("E_DUPLICATE_EDGE", location, f"duplicate edge {_quoted(edge)} (same as "
                     f"edges[{edge_at[key]}]; remove one)")
    cycle = find_cycle(children, children.__getitem__)
    if cycle:
        problems.add("E_CYCLE", f"edges[{edge_at[(cycle[0], cycle[1], False)]}]",
                     f"directed cycle {' -> '.join(cycle)} (remove one of its edges)")
    prepared = tuple({node: tuple(sorted(near[node])) if len(near[node]) > 1 else tuple(near[node])
                      for node in near} for near in (parents, children, spouses))
    regime_names = check_regime(regime, known, prepared[0], prepared[2], problems)
    check_sigma(sigma, known, regime_names, prepared[0].__getitem__, prepared[1].__getitem__,
                problems, "sigma")
    check_query(base, mesa, query_regime, known, regime_names, problems,
                require_base=base is not None, where="query.")
    check_roles(roles or Roles(), known, regime_names, problems)
    problems.raise_if_any()
    return prepared  # type: ignore[return-value]


@dataclass(frozen=True)
class Roles:
    """The roles a node may have beside the query's: the reward the base optimizer trains on
    (``utility``), the agent's decision, the nodes nothing can measure and drawing positions."""

    utility: tuple[str, ...] = ()
    decision: str | None = None
    unobserved: tuple[str, ...] = ()
    positions: Mapping[str, tuple[float, ...]] = field(default_factory=dict)


def check_roles(roles: Roles, known: Collection[str], regime: frozenset[str],
                problems: Problems) -> None:
    """Each role names a known node; a regime node is always observed and is never a utility
    or the decision; positions are two finite numbers."""
    named = [(name, f"utility[{index}]" if len(roles.utility) > 1 else "utility", "utility")
             for index, name in enumerate(roles.utility)]
    if roles.decision is not None:
        named.append((roles.decision, "decision", "decision"))
    named += [(name, f"nodes.{name}.observed", "unobserved") for name in roles.unobserved]
    named += [(name, f"nodes.{name}.position", "position") for name in roles.positions]
    for name, location, role in named:
        if name not in known:
            problems.add("E_UNKNOWN_NODE", location, f"unknown node {shown(name)} in {role} "
                         f"({problems.suggest(name, known)})")
        elif name in regime:
            what = {"utility": "a utility", "decision": "the decision",
                    "unobserved": "unobserved", "position": ""}[role]
            if what:
                problems.add("E_REGIME_ROLE", location, f"regime node {shown(name)} cannot be "
                             f"{what} (the regime is known in both training and deployment; "
                             "name another node)")
    for name, position in roles.positions.items():
        if len(position) != 2 or not all(math.isfinite(value) for value in position):
            problems.add("E_TYPE", f"nodes.{name}.position", f"position of {shown(name)} must be "
                         f"two finite numbers [x, y], found {position!r}")


def _quoted(edge: Edge) -> str:
    """An edge in double quotes, as written in a file; cut when a name is absurdly long."""
    text = str(edge)
    return f'"{text}"' if len(text) <= 120 else f'"{text[:100]}…" ({len(text):,} characters)'


def _edge_syntax_message(item: object) -> str:
    if not isinstance(item, str):
        return (f"an edge must be a string like \"A -> B\", found {type(item).__name__} "
                f"{shown(item)}")
    if "<-" in item and "<->" not in item:
        tail, _, head = item.partition("<-")
        return (f"malformed edge {shown(item)}: write it cause first, as \"{head.strip()} -> "
                f"{tail.strip()}\"")
    parts = [part.strip() for part in item.replace("<->", "->").split("->")]
    if len(parts) == 2 and all(parts) and not any(" " in part for part in parts):
        bad = [part for part in parts if not _NAME.match(part)]
        if bad:
            return (f"malformed edge {shown(item)}: {shown(bad[0])} is not a valid node name "
                    "(a name starts with a letter or _, then letters, digits, _ . -)")
    if item.count("->") > 1:
        return f"malformed edge {shown(item)}: one edge per item, e.g. \"A -> B\" then \"B -> C\""
    if item.count("--") == 1 and "->" not in item and "<-" not in item:
        return (f"{shown(item)} is an undirected edge (direction unknown): only an uncertain "
                "diagram has those, which causal-align check and uncertain read; this needs "
                "every edge directed (\"A -> B\") or a latent common cause (\"A <-> B\")")
    return (f"malformed edge {shown(item)}: expected \"A -> B\" (cause -> effect) or "
            "\"A <-> B\" (latent common cause)")


def check_regime(regime: str | Iterable[str], known: set[str], parents: Adjacency,
                 spouses: Adjacency, problems: Problems) -> frozenset[str]:
    """Regime nodes exist, are exogenous (no parents, no ``<->``) and there is at least one."""
    named = names_at(regime, "regime")
    if not named:
        problems.add("E_EMPTY_SET", "regime", "no regime node (name the node that marks training "
                     "vs deployment, e.g. regime: s)")
    for node, location in named:
        if node not in known:
            problems.add("E_UNKNOWN_NODE", location,
                         f"unknown node {shown(node)} ({problems.suggest(node, known)})")
            continue
        causes = [f"parents {', '.join(parents[node])}"] if parents[node] else []
        causes += [f"latent confounders with {', '.join(spouses[node])}"] if spouses[node] else []
        if causes:
            problems.add("E_REGIME_NOT_EXOGENOUS", location, f"regime node {shown(node)} has "
                         f"{' and '.join(causes)} (a regime node is exogenous: remove the edges "
                         "into it)")
    return frozenset(node for node, _ in named)


def check_sigma(sigma: Sequence[SoftIntervention], known: Collection[str], regime: frozenset[str],
                parents: Neighbours, children: Neighbours, problems: Problems, where: str,
                otherwise: str = DECLARE) -> None:
    """σ targets exist, are not regime nodes, appear once; contexts exist and keep G_σ acyclic."""
    reads: dict[str, tuple[str, ...]] = {}
    for index, intervention in enumerate(sigma):
        location, target = f"{where}[{index}]", intervention.target
        if target not in known:
            problems.add("E_UNKNOWN_NODE", f"{location}.target",
                         f"unknown σ target {shown(target)} "
                         f"({problems.suggest(target, known, otherwise)})")
            continue
        if target in regime:
            problems.add("E_SIGMA_ON_REGIME", f"{location}.target",
                         f"σ target {shown(target)} is a regime node (σ replaces the learned "
                         "policy's decision, not the regime)")
        if target in reads:
            problems.add("E_SIGMA_DUPLICATE", f"{location}.target", f"two interventions on "
                         f"{shown(target)} (merge their contexts into one)")
        context = parents(target) if intervention.context is None else intervention.context
        seen: set[str] = set()
        for position, node in enumerate(intervention.context or ()):
            spot = f"{location}.context[{position}]"
            if node not in known:
                problems.add("E_UNKNOWN_NODE", spot, f"unknown node {shown(node)} in the context "
                             f"of σ({target}) ({problems.suggest(node, known, otherwise)})")
            elif node == target:
                problems.add("E_CONTEXT_HAS_TARGET", spot, f"the context of σ({target}) contains "
                             f"{shown(target)} itself (a policy cannot read its own decision)")
            elif node in seen:
                problems.add("E_DUPLICATE_ITEM", spot, f"{shown(node)} appears twice in the "
                             f"context of σ({target}) (remove one)")
            seen.add(node)
        reads[target] = context
    if problems.found:
        return  # a cycle check over a graph with known problems would only add noise
    readers: dict[str, list[str]] = {}
    for target, context in reads.items():
        for node in context:
            readers.setdefault(node, []).append(target)

    def children_in_sigma(node: str) -> list[str]:
        return [child for child in children(node) if child not in reads] + readers.get(node, [])

    reach, stack = set(reads), list(reads)
    while stack:
        for child in children_in_sigma(stack.pop()):
            if child not in reach:
                reach.add(child)
                stack.append(child)
    cycle = find_cycle(reach, children_in_sigma)
    if cycle:
        target = next(node for node in cycle if node in reads)
        index = next(i for i, item in enumerate(sigma) if item.target == target)
        problems.add("E_SIGMA_CYCLE", f"{where}[{index}].context", f"the context of "
                     f"σ({target}) makes G_σ cyclic: {' -> '.join(cycle)} (a policy cannot read "
                     "a consequence of its own decision)")


def check_query(base: str | Iterable[str] | None, mesa: str | Iterable[str] | None,
                regime: str | Iterable[str] | None, known: Collection[str],
                declared: frozenset[str],
                problems: Problems, *, require_base: bool, where: str,
                otherwise: str = DECLARE) -> None:
    """Query sets name known nodes, Y_b is non-empty when required, and the sets are disjoint.

    ``where`` prefixes locations (``query.`` in a file, empty for arguments); ``otherwise`` is
    the fix offered for an unknown name with no close match.
    """
    sets: dict[str, set[str]] = {}
    values = {"base": base, "mesa": mesa, "regime": regime}
    for role, value in values.items():
        if value == "":  # one rule everywhere: None (or no key) is the default, [] is none
            problems.add("E_TYPE", f"{where}{role}", f"'' is not a node name (write [] for no "
                         f"{role} node, or leave {role} out for the default)")
            values[role] = None
    named = {role: names_at(value, f"{where}{role}") for role, value in values.items()
             if value is not None}
    if "regime" in named and not named["regime"]:
        problems.add("E_EMPTY_SET", f"{where}regime", "no regime node to ask about (name some of: "
                     f"{', '.join(sorted(declared))}, or leave it out to ask about all of them)")
    for role, pairs in named.items():
        sets[role] = set()
        for node, location in pairs:
            if node not in known:
                pool = declared if role == "regime" else known
                problems.add("E_UNKNOWN_NODE", location, f"unknown node {shown(node)} in "
                             f"{where}{role} ({problems.suggest(node, pool, otherwise)})")
            elif role == "regime" and node not in declared:
                problems.add("E_REGIME_UNDECLARED", location, f"{shown(node)} is not a declared "
                             f"regime node (declared: {', '.join(sorted(declared))})")
            else:
                sets[role].add(node)
    if require_base and not named.get("base") and base != "":
        problems.add("E_EMPTY_SET", f"{where}base", "no base objective Y_b (give query.base in the "
                     "file, base= in Python or --base on the command line)")
    base_set, mesa_set = sets.get("base", set()), sets.get("mesa", set())
    regime_set = sets.get("regime", set(declared))
    if base_set and base_set == mesa_set:
        problems.add("E_QUERY_OVERLAP", f"{where}mesa", f"base and mesa are the same set "
                     f"({', '.join(sorted(base_set))}): the mesa objective must differ from the "
                     "base objective")
        return
    for first, second, these, those in (("base", "mesa", base_set, mesa_set),
                                        ("base", "regime", base_set, regime_set),
                                        ("mesa", "regime", mesa_set, regime_set)):
        shared = sorted(these & those)
        if shared:
            problems.add("E_QUERY_OVERLAP", f"{where}{first}", f"{', '.join(shared)} in both "
                         f"{first} and {second} (the sets must be disjoint)")
