"""Meek's rules: every orientation a partially directed graph forces.

A *partially directed* graph (PDAG) has directed edges ``a -> b`` and undirected edges ``a -- b``
("adjacent, direction unknown"). Its *consistent extensions* are the DAGs that keep every directed
edge, orient every undirected one, and have exactly the PDAG's v-structures (``a -> c <- b`` with
``a`` and ``b`` not adjacent). Some undirected edges point the same way in every extension; Meek
(1995) showed four local rules find all of them, with or without background knowledge
(required orientations added first):

- **R1** ``c -> a -- b``, ``c`` and ``b`` not adjacent: ``a -> b`` (else a new v-structure);
- **R2** ``a -> c -> b`` and ``a -- b``: ``a -> b`` (else a cycle);
- **R3** ``a -- c -> b``, ``a -- d -> b``, ``c`` and ``d`` not adjacent, ``a -- b``: ``a -> b``;
- **R4** ``a -- d -> c -> b``, ``a`` adjacent to ``c``, ``d`` and ``b`` not adjacent,
  ``a -- b``: ``a -> b``.

The closure here works from a queue of undirected edges to re-examine: orienting ``x -> y`` can
only enable a rule on an undirected edge at ``x``, ``y`` or one of their neighbours.

Examples
--------
>>> pdag = Pdag.from_edges(["A", "B", "C"], directed=[("A", "B")], undirected=[("B", "C")])
>>> pdag.close()                                    # the orientations it added
[('B', 'C')]
>>> pdag.directed_edges()
[('A', 'B'), ('B', 'C')]

References
----------
C. Meek, "Causal inference and causal explanation with background knowledge", UAI 1995.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable


class Pdag:
    """A mutable partially directed graph: each node's directed parents and children and its
    undirected neighbours. Used inside the layer only; results hand out frozen values."""

    __slots__ = ("children", "parents", "undirected")

    def __init__(self, parents: dict[str, set[str]], children: dict[str, set[str]],
                 undirected: dict[str, set[str]]) -> None:
        self.parents, self.children, self.undirected = parents, children, undirected

    @classmethod
    def from_edges(cls, nodes: Iterable[str], *, directed: Iterable[tuple[str, str]] = (),
                   undirected: Iterable[tuple[str, str]] = ()) -> Pdag:
        """A PDAG over ``nodes`` with ``tail -> head`` pairs and ``a -- b`` pairs."""
        names = list(nodes)
        pdag = cls({n: set() for n in names}, {n: set() for n in names},
                   {n: set() for n in names})
        for tail, head in directed:
            pdag.children[tail].add(head)
            pdag.parents[head].add(tail)
        for first, second in undirected:
            pdag.undirected[first].add(second)
            pdag.undirected[second].add(first)
        return pdag

    def copy(self) -> Pdag:
        """An independent copy."""
        return Pdag({n: set(v) for n, v in self.parents.items()},
                    {n: set(v) for n, v in self.children.items()},
                    {n: set(v) for n, v in self.undirected.items()})

    def adjacent(self, first: str, second: str) -> bool:
        """Joined by an edge of either kind."""
        return (second in self.undirected[first] or second in self.children[first]
                or second in self.parents[first])

    def adjacent_undirected(self, first: str, second: str) -> bool:
        """Joined by an undirected edge."""
        return second in self.undirected[first]

    def neighbours(self, node: str) -> set[str]:
        """Every node adjacent to ``node``."""
        return self.parents[node] | self.children[node] | self.undirected[node]

    def orient(self, tail: str, head: str) -> None:
        """Turn the undirected edge ``tail -- head`` into ``tail -> head``."""
        self.undirected[tail].discard(head)
        self.undirected[head].discard(tail)
        self.children[tail].add(head)
        self.parents[head].add(tail)

    def directed_edges(self) -> list[tuple[str, str]]:
        """Every directed edge, sorted."""
        return sorted((tail, head) for tail, heads in self.children.items() for head in heads)

    def undirected_edges(self) -> list[tuple[str, str]]:
        """Every undirected edge once, as a sorted pair, sorted."""
        return sorted((a, b) for a, near in self.undirected.items() for b in near if a < b)

    def v_structures(self) -> set[tuple[str, str, str]]:
        """Every ``a -> c <- b`` with ``a < b`` not adjacent, as ``(a, c, b)``."""
        found = set()
        for node, parents in self.parents.items():
            for first, second in itertools.combinations(sorted(parents), 2):
                if not self.adjacent(first, second):
                    found.add((first, node, second))
        return found

    def forced(self, tail: str, head: str) -> bool:
        """Does one of R1-R4 orient the undirected edge ``tail -- head`` as ``tail -> head``?"""
        parents, children, undirected = self.parents, self.children, self.undirected
        if any(not self.adjacent(c, head) for c in parents[tail]):
            return True  # R1
        if not children[tail].isdisjoint(parents[head]):
            return True  # R2
        middle = undirected[tail] & parents[head]
        if len(middle) > 1 and any(not self.adjacent(c, d)
                                   for c, d in itertools.combinations(middle, 2)):
            return True  # R3
        return any(c != tail and self.adjacent(tail, c)  # R4
                   and any(d != head and not self.adjacent(d, head)
                           for d in parents[c] & undirected[tail])
                   for c in parents[head])

    def creates_v_structure(self, oriented: Iterable[tuple[str, str]]) -> bool:
        """Is one of the ``oriented`` edges (undirected until now) part of a v-structure?

        Such a v-structure is new: the cheap test after orienting undirected edges.
        """
        return any(other != tail and not self.adjacent(other, tail)
                   for tail, head in oriented for other in self.parents[head])

    def close(self, pending: Iterable[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        """Apply R1-R4 until none applies; return the edges oriented, in order.

        ``pending`` limits the first pass to undirected edges near recent orientations (their
        endpoints, as pairs ``(x, y)``); by default every undirected edge is examined.
        """
        done: list[tuple[str, str]] = []
        if pending is None:
            queue = [pair for pair in self.undirected_edges()]
        else:
            queue = [(a, b) for x, y in pending for a in self._near(x, y)
                     for b in self.undirected[a]]
        queued = set(queue)
        while queue:
            first, second = queue.pop()
            queued.discard((first, second))
            if second not in self.undirected[first]:
                continue
            for tail, head in ((first, second), (second, first)):
                if self.forced(tail, head):
                    self.orient(tail, head)
                    done.append((tail, head))
                    for a in self._near(tail, head):
                        for b in self.undirected[a]:
                            if (a, b) not in queued:
                                queued.add((a, b))
                                queue.append((a, b))
                    break
        return done

    def _near(self, x: str, y: str) -> set[str]:
        return {x, y} | self.neighbours(x) | self.neighbours(y)
