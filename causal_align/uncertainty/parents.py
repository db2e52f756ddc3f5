"""Possible parent sets: which parents a node can have across the consistent extensions.

IDA-style local enumeration (Maathuis, Kalisch & Bühlmann 2009), made valid with background
knowledge: for a node ``x`` with undirected neighbours ``U``, try each subset ``S`` of ``U``
as new parents (the rest become children), close under Meek's rules, and keep ``S`` when the
result still has a consistent extension with no new v-structure. ``S`` must be a clique whose
members are adjacent to every directed parent of ``x`` (else ``x`` is a new collider), so only
such subsets are tried.

Several nodes are enumerated jointly, one after another: each choice for the first node is
closed before the second node's choices are tried, so every combination returned occurs in some
extension.

Examples
--------
>>> from causal_align.uncertainty.meek import Pdag
>>> pdag = Pdag.from_edges("ABC", undirected=[("A", "B"), ("B", "C")])
>>> sorted(sorted(parents) for parents in possible_parents(pdag, "B"))
[[], ['A'], ['C']]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from causal_align.uncertainty.extension import extend
from causal_align.uncertainty.meek import Pdag


def local_choices(pdag: Pdag, node: str) -> Iterator[tuple[frozenset[str], Pdag]]:
    """Each possible parent set of ``node`` in the closed ``pdag``, with the closed PDAG it
    leaves (``node``'s edges all directed)."""
    given = pdag.parents[node]
    if not pdag.undirected[node]:
        yield frozenset(given), pdag  # nothing to choose: the closed pdag already extends
        return
    candidates = sorted(other for other in pdag.undirected[node]
                        if all(pdag.adjacent(other, parent) for parent in given))
    for chosen in _cliques(pdag, candidates):
        work = pdag.copy()
        touched = []
        for other in sorted(work.undirected[node]):
            tail, head = (other, node) if other in chosen else (node, other)
            work.orient(tail, head)
            touched.append((tail, head))
        touched += work.close(touched)
        if not work.creates_v_structure(touched) and extend(work) is not None:
            yield frozenset(given | chosen), work


def possible_parents(pdag: Pdag, node: str) -> list[frozenset[str]]:
    """The possible parent sets of ``node`` (``pdag`` closed under Meek's rules)."""
    return [parents for parents, _ in local_choices(pdag, node)]


def joint_choices(pdag: Pdag, nodes: Sequence[str]
                  ) -> Iterator[tuple[dict[str, frozenset[str]], Pdag]]:
    """Every combination of parent sets of ``nodes`` that some extension has, one at a time,
    each with its closed PDAG (depth first, so only one branch per node is held at once)."""
    stack: list[tuple[int, dict[str, frozenset[str]], Pdag]] = [(0, {}, pdag)]
    while stack:
        depth, chosen, current = stack.pop()
        if depth == len(nodes):
            yield chosen, current
            continue
        node = nodes[depth]
        branches = list(local_choices(current, node))
        for parents, after in reversed(branches):
            stack.append((depth + 1, {**chosen, node: parents}, after))


def _cliques(pdag: Pdag, candidates: list[str]) -> Iterator[frozenset[str]]:
    """Every subset of ``candidates`` whose members are pairwise adjacent (the empty set too)."""
    stack: list[tuple[frozenset[str], int]] = [(frozenset(), 0)]
    while stack:
        chosen, start = stack.pop()
        yield chosen
        for index in range(len(candidates) - 1, start - 1, -1):
            other = candidates[index]
            if all(pdag.adjacent(other, member) for member in chosen):
                stack.append((chosen | {other}, index + 1))
