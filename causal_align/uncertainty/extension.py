"""A consistent extension of a partially directed graph (Dor & Tarsi 1992), or proof that none
exists.

Repeatedly take a *removable* node ``x``: it has no directed children left, and each of its
undirected neighbours is adjacent to all of its other neighbours. Orienting every undirected edge
at ``x`` into ``x`` then creates neither a cycle (``x`` is a sink) nor a new v-structure (its new
parents are adjacent to its other parents). Remove ``x`` and repeat. If the graph empties, the
orientations form a DAG with the same skeleton and v-structures; if no node is removable, no
such DAG exists.

Examples
--------
>>> from causal_align.uncertainty.meek import Pdag
>>> extend(Pdag.from_edges("ABC", undirected=[("A", "B"), ("B", "C")]))
[('B', 'A'), ('C', 'B')]

A chordless four-cycle cannot be oriented without a cycle or a new v-structure:

>>> extend(Pdag.from_edges("ABCD", undirected=[("A", "B"), ("B", "C"), ("C", "D"),
...                                            ("D", "A")])) is None
True

References
----------
D. Dor and M. Tarsi, "A simple algorithm to construct a consistent extension of a partially
oriented graph", Technical Report R-185, UCLA Cognitive Systems Laboratory, 1992.
"""

from __future__ import annotations

import heapq

from causal_align.uncertainty.meek import Pdag


def extend(pdag: Pdag) -> list[tuple[str, str]] | None:
    """The directed edges of a consistent extension of ``pdag`` (sorted), or ``None``.

    ``pdag`` itself is not changed.
    """
    work = pdag.copy()
    edges = set(work.directed_edges())
    left = set(work.parents)
    ready = [node for node in sorted(left) if _removable(work, node)]
    heapq.heapify(ready)
    while left:
        while ready and (ready[0] not in left or not _removable(work, ready[0])):
            heapq.heappop(ready)
        if not ready:
            return None
        node = heapq.heappop(ready)
        near = work.neighbours(node)
        for other in list(work.undirected[node]):
            edges.add((other, node))
        for other in work.undirected[node]:
            work.undirected[other].discard(node)
        for other in work.parents[node]:
            work.children[other].discard(node)
        work.undirected[node].clear()
        work.parents[node].clear()
        left.discard(node)
        for other in sorted(near):
            if _removable(work, other):
                heapq.heappush(ready, other)
    return sorted(edges)


def _removable(work: Pdag, node: str) -> bool:
    if work.children[node]:
        return False
    near = work.neighbours(node)
    return all(other == first or work.adjacent(first, other)
               for first in work.undirected[node] for other in near)
