"""The compiled kernels: plain loops over int32 CSR rows, compiled by numba.

Only :mod:`causal_align.fast.query` imports this module, and only when a query runs on a big
graph, so ``import causal_align`` never loads numba. Every kernel is the pure-Python engine of
:mod:`causal_align.separation` on integer node ids, with the same junction rule applied while
walking the rows (no state graph is built) and the same visiting order where the order shows
in a result.

Rows. A kind of neighbour (parents, children, spouses) is three arrays ``start``, ``end``,
``index``: node ``v``'s neighbours are ``index[start[v]:end[v]]``, in the order of the
pure-Python tuples (sorted by name).

Scratch. Per-node membership arrays are *stamped*: ``array[v] == epoch`` means "v belongs".
A new query takes a new epoch, so nothing is cleared and no per-query work is O(graph).
*Query stamps* (the ancestral set, An(Z), Z, the endpoints, the targets) hold a query's
epoch; *walk stamps* (visited states, distances, the current path) take a fresh epoch per
kernel call. A state ``(v, head)`` is the integer ``2 * v + head``.

Examples
--------
>>> import numpy as np
>>> start, end = np.array([0, 0, 1], np.int32), np.array([0, 1, 2], np.int32)
>>> index = np.array([0, 1], np.int32)  # the chain 0 -> 1 -> 2, read as parents
>>> stamp, hop = np.zeros(3, np.int32), np.zeros(3, np.int32)
>>> rel, order, rel_order = np.zeros(3, np.int32), np.zeros(3, np.int32), np.zeros(3, np.int32)
>>> ancestral(start, end, index, np.array([1], np.int32), np.array([], np.int32), 7, stamp,
...           hop, rel, order, rel_order)
(2, 2)
>>> order[:2].tolist(), hop[order[:2]].tolist()
([1, 0], [-1, 1])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np

Function = TypeVar("Function", bound=Callable[..., Any])


def _compiled(function: Function) -> Function:
    """numba's ``njit`` with an on-disk cache, typed for mypy."""
    return cast(Function, numba.njit(cache=True, nogil=True)(function))


@_compiled
def stamp(array: Any, ids: Any, epoch: int) -> None:
    """``array[v] = epoch`` for every v in ``ids``."""
    for position in range(ids.shape[0]):
        array[ids[position]] = epoch


@_compiled
def ancestral(p_start: Any, p_end: Any, p_index: Any, given: Any, others: Any, epoch: int,
              given_anc: Any, next_hop: Any, relevant: Any, given_order: Any,
              relevant_order: Any, most: int = -1) -> tuple[int, int]:
    """An(Z) with next hops, then An(others ∪ Z).

    A breadth-first pass over parents from ``given`` (in the order given, which the caller
    sorts by name) stamps An(Z) in ``given_anc`` and stores in ``next_hop`` each ancestor's
    next node on a shortest directed path down to Z (-1 for Z itself); then a second pass
    stamps An(others) ∪ An(Z) in ``relevant``. Returns the sizes of both, whose nodes are
    ``given_order[:first]`` (breadth-first order) and ``relevant_order[:second]``.

    With ``most`` >= 0 the passes give up, returning (-1, -1), once either set holds more than
    ``most`` nodes; the stamps are then partial, and the caller must take a new epoch.
    """
    found = 0
    for position in range(given.shape[0]):
        node = given[position]
        if given_anc[node] != epoch:
            given_anc[node] = epoch
            next_hop[node] = -1
            given_order[found] = node
            found += 1
    head = 0
    while head < found:
        node = given_order[head]
        head += 1
        for slot in range(p_start[node], p_end[node]):
            parent = p_index[slot]
            if given_anc[parent] != epoch:
                given_anc[parent] = epoch
                next_hop[parent] = node
                given_order[found] = parent
                found += 1
        if 0 <= most < found:
            return -1, -1
    total = close_relevant(p_start, p_end, p_index, given_order, found, others, epoch,
                           relevant, relevant_order, most)
    return (found, total) if total >= 0 else (-1, -1)


@_compiled
def close_relevant(p_start: Any, p_end: Any, p_index: Any, given_order: Any, found: int,
                   others: Any, epoch: int, relevant: Any, relevant_order: Any,
                   most: int = -1) -> int:
    """An(others) ∪ An(Z), An(Z) being ``given_order[:found]`` (closed under parents, so only
    the others are walked): stamped in ``relevant``, listed in ``relevant_order``. Returns
    its size, or -1 when it passes ``most`` (>= 0)."""
    total = 0
    for position in range(found):
        node = given_order[position]
        relevant[node] = epoch
        relevant_order[total] = node
        total += 1
    head = total  # An(Z) is closed under parents already
    for position in range(others.shape[0]):
        node = others[position]
        if relevant[node] != epoch:
            relevant[node] = epoch
            relevant_order[total] = node
            total += 1
    while head < total:
        node = relevant_order[head]
        head += 1
        for slot in range(p_start[node], p_end[node]):
            parent = p_index[slot]
            if relevant[parent] != epoch:
                relevant[parent] = epoch
                relevant_order[total] = parent
                total += 1
        if 0 <= most < total:
            return -1
    return total


@_compiled
def ball(c_start: Any, c_end: Any, c_index: Any, p_start: Any, p_end: Any, p_index: Any,
         s_start: Any, s_end: Any, s_index: Any, sources: Any, epoch: int, walk: int,
         relevant: Any, given: Any, given_anc: Any, endpoint: Any, target: Any, at_head: Any,
         at_tail: Any, stack: Any, reached: Any, stop_at_target: bool, lazy: bool,
         work: int) -> tuple[int, int]:
    """The Bayes ball of :meth:`~causal_align.separation.Prepared.reachable`.

    From ``sources`` (sorted), depth first; paths stop at endpoints. ``lazy`` is the
    lazy-collider phase of :func:`~causal_align.separation.lazy_reach`: no ancestral set
    (every node counts as relevant) and a collider is open only when it is in Z itself (a
    collider above Z is passed by walking down to Z and back), so the verdict is the same when
    the walk ends; it gives up after ``work`` row entries (-1: never).

    Returns (the first target state reached, or -1 when none was or the walk gave up; the
    number of states reached, listed in ``reached``). With ``stop_at_target`` the walk ends at
    the first target state reached; ``-2`` in the first place means the lazy walk gave up.
    """
    count = 0
    top = 0
    for position in range(sources.shape[0]):
        source = sources[position]
        for side in range(3):
            if side == 0:
                first, last, index, head = c_start[source], c_end[source], c_index, 1
            elif side == 1:
                first, last, index, head = p_start[source], p_end[source], p_index, 0
            else:
                first, last, index, head = s_start[source], s_end[source], s_index, 1
            for slot in range(first, last):
                near = index[slot]
                if side != 1 and not lazy and relevant[near] != epoch:
                    continue
                marks = at_head if head == 1 else at_tail
                if marks[near] != walk:
                    marks[near] = walk
                    state = 2 * near + head
                    reached[count] = state
                    count += 1
                    stack[top] = state
                    top += 1
    found = -1
    while top > 0:
        top -= 1
        state = stack[top]
        node = state >> 1
        head_in = state & 1
        if endpoint[node] == epoch:
            if stop_at_target and target[node] == epoch:
                found = state
                break
            continue
        if lazy:
            work -= (c_end[node] - c_start[node] + p_end[node] - p_start[node]
                     + s_end[node] - s_start[node])
            if work < 0:
                return -2, count
        free = given[node] != epoch
        if free:
            for slot in range(c_start[node], c_end[node]):
                child = c_index[slot]
                if (lazy or relevant[child] == epoch) and at_head[child] != walk:
                    at_head[child] = walk
                    reached[count] = 2 * child + 1
                    count += 1
                    stack[top] = 2 * child + 1
                    top += 1
        if head_in == 1:
            passes = given[node] == epoch if lazy else given_anc[node] == epoch
        else:
            passes = free
        if passes:
            for slot in range(p_start[node], p_end[node]):
                parent = p_index[slot]
                if at_tail[parent] != walk:
                    at_tail[parent] = walk
                    reached[count] = 2 * parent
                    count += 1
                    stack[top] = 2 * parent
                    top += 1
            for slot in range(s_start[node], s_end[node]):
                spouse = s_index[slot]
                if (lazy or relevant[spouse] == epoch) and at_head[spouse] != walk:
                    at_head[spouse] = walk
                    reached[count] = 2 * spouse + 1
                    count += 1
                    stack[top] = 2 * spouse + 1
                    top += 1
    return found, count


@_compiled
def distances(c_start: Any, c_end: Any, c_index: Any, p_start: Any, p_end: Any, p_index: Any,
              s_start: Any, s_end: Any, s_index: Any, targets: Any, epoch: int, walk: int,
              relevant: Any, given: Any, given_anc: Any, endpoint: Any, known: Any,
              distance: Any, queue: Any) -> int:
    """The backward pass of :meth:`~causal_align.separation.Prepared.distances_to_targets`:
    ``distance[state]`` (valid where ``known[state] == walk``) is the fewest edges from the
    state to a target. Returns the number of states with a distance."""
    tail = 0
    for position in range(targets.shape[0]):
        for head in range(2):
            state = 2 * targets[position] + head
            if known[state] != walk:
                known[state] = walk
                distance[state] = 0
                queue[tail] = state
                tail += 1
    head_of_queue = 0
    while head_of_queue < tail:
        state = queue[head_of_queue]
        head_of_queue += 1
        node = state >> 1
        step = distance[state] + 1
        if state & 1:  # reached along -> from a parent, which left by a tail: unconditioned
            for slot in range(p_start[node], p_end[node]):
                near = p_index[slot]
                if endpoint[near] != epoch and given[near] != epoch:
                    for head in range(2):
                        before = 2 * near + head
                        if known[before] != walk:
                            known[before] = walk
                            distance[before] = step
                            queue[tail] = before
                            tail += 1
            first, last, index = s_start[node], s_end[node], s_index
        else:
            first, last, index = c_start[node], c_end[node], c_index
        # reached along <-> from a spouse, or along <- from a child: left with an arrowhead
        for slot in range(first, last):
            near = index[slot]
            if relevant[near] == epoch and endpoint[near] != epoch:
                after_tail = given[near] != epoch
                for head in range(2):
                    before = 2 * near + head
                    opens = given_anc[near] == epoch if head == 1 else after_tail
                    if known[before] != walk and opens:
                        known[before] = walk
                        distance[before] = step
                        queue[tail] = before
                        tail += 1
    return tail


@_compiled
def _before(key: int, tie: int, other_key: int, other_tie: int) -> bool:
    return key < other_key or (key == other_key and tie < other_tie)


@_compiled
def _grow(array: Any) -> Any:
    bigger = np.empty(2 * array.shape[0], array.dtype)
    bigger[:array.shape[0]] = array
    return bigger


@_compiled
def _push(keys: Any, ties: Any, ids: Any, size: int, key: Any, tie: int, item: int) -> int:
    position = size
    while position > 0:
        above = (position - 1) >> 1
        if _before(key, tie, keys[above], ties[above]):
            keys[position], ties[position], ids[position] = keys[above], ties[above], ids[above]
            position = above
        else:
            break
    keys[position], ties[position], ids[position] = key, tie, item
    return size + 1


@_compiled
def _pop(keys: Any, ties: Any, ids: Any, size: int) -> int:
    size -= 1
    if size == 0:
        return 0
    key, tie, item = keys[size], ties[size], ids[size]
    position = 0
    while True:
        below = 2 * position + 1
        if below >= size:
            break
        other = below + 1
        if other < size and _before(keys[other], ties[other], keys[below], ties[below]):
            below = other
        if _before(keys[below], ties[below], key, tie):
            keys[position], ties[position], ids[position] = keys[below], ties[below], ids[below]
            position = below
        else:
            break
    keys[position], ties[position], ids[position] = key, tie, item
    return size


@_compiled
def listing(c_start: Any, c_end: Any, c_index: Any, p_start: Any, p_end: Any, p_index: Any,
            s_start: Any, s_end: Any, s_index: Any, sources: Any, epoch: int, walk: int,
            relevant: Any, given: Any, given_anc: Any, target: Any, known: Any,
            distance: Any, on_path: Any, entering: Any, limit: int,
            budget: int, node_limit: int) -> tuple[Any, Any, Any, bool]:
    """The best-first bounded listing of :func:`~causal_align.separation.open_paths`, after
    :func:`distances` ran with the same ``walk``.

    The heap orders prefixes by (length so far + remaining distance, deeper first, first
    pushed first), exactly as the pure-Python engine does, so the same paths come out in the
    same order; the listing stops, truncated, at ``limit`` paths or before the path that
    would take it past ``node_limit`` nodes (the first path is always listed). ``budget`` -1
    means the default. Returns (offsets, nodes, arrows, truncated):
    path ``k`` is ``nodes[offsets[k]:offsets[k + 1]]``, its arrows (0 ``->``, 1 ``<-``,
    2 ``<->``) ``arrows[offsets[k] - k:offsets[k + 1] - k - 1]``.
    """
    capacity = 1024
    parent_of = np.empty(capacity, np.int32)
    node_of = np.empty(capacity, np.int32)
    arrow_of = np.empty(capacity, np.int8)
    depth_of = np.empty(capacity, np.int32)
    head_of = np.empty(capacity, np.int8)
    heap_key = np.empty(capacity, np.int64)
    heap_tie = np.empty(capacity, np.int64)
    heap_id = np.empty(capacity, np.int32)
    prefixes = 0
    size = 0
    pushed = 0
    low = np.int64(0xFFFFFFFF)
    for position in range(sources.shape[0]):
        source = sources[position]
        if prefixes == parent_of.shape[0]:
            parent_of, node_of, arrow_of = _grow(parent_of), _grow(node_of), _grow(arrow_of)
            depth_of, head_of = _grow(depth_of), _grow(head_of)
        root = prefixes
        parent_of[root], node_of[root], arrow_of[root] = -1, source, -1
        depth_of[root], head_of[root] = 0, 0
        prefixes += 1
        for side in range(3):
            if side == 0:
                first, last, index, arrow, head = (c_start[source], c_end[source], c_index,
                                                   0, 1)
            elif side == 1:
                first, last, index, arrow, head = (p_start[source], p_end[source], p_index,
                                                   1, 0)
            else:
                first, last, index, arrow, head = (s_start[source], s_end[source], s_index,
                                                   2, 1)
            for slot in range(first, last):
                near = index[slot]
                if side != 1 and relevant[near] != epoch:
                    continue
                state = 2 * near + head
                if known[state] != walk:
                    continue
                if prefixes == parent_of.shape[0]:
                    parent_of, node_of, arrow_of = (_grow(parent_of), _grow(node_of),
                                                    _grow(arrow_of))
                    depth_of, head_of = _grow(depth_of), _grow(head_of)
                parent_of[prefixes], node_of[prefixes], arrow_of[prefixes] = root, near, arrow
                depth_of[prefixes], head_of[prefixes] = 1, head
                if size == heap_key.shape[0]:
                    heap_key, heap_tie, heap_id = _grow(heap_key), _grow(heap_tie), _grow(heap_id)
                key = (np.int64(1 + distance[state]) << 32) | (low - 1)
                size = _push(heap_key, heap_tie, heap_id, size, key, pushed, prefixes)
                pushed += 1
                prefixes += 1
    if budget < 0:
        shortest = (heap_key[0] >> 32) if size > 0 else 0
        budget = 10_000 + (limit + 1) * (1_000 + 4 * shortest)
    found = np.empty(16, np.int32)
    count = 0
    listed = 0
    current = -1
    truncated = False
    while size > 0 and budget > 0:
        budget -= 1
        prefix = heap_id[0]
        size = _pop(heap_key, heap_tie, heap_id, size)
        node = node_of[prefix]
        if target[node] == epoch:
            listed += depth_of[prefix] + 1
            if count == limit or (count > 0 and listed > node_limit):
                truncated = True
                break
            if count == found.shape[0]:
                found = _grow(found)
            found[count] = prefix
            count += 1
            continue
        # move the current path to this prefix: leave the old branch, enter the new one
        here, there, entered = current, prefix, 0
        while here != -1 and (there == -1 or depth_of[here] > depth_of[there]):
            on_path[node_of[here]] = 0
            here = parent_of[here]
        while there != -1 and (here == -1 or depth_of[there] > depth_of[here]):
            entering[entered] = there
            entered += 1
            there = parent_of[there]
        while here != there:
            on_path[node_of[here]] = 0
            entering[entered] = there
            entered += 1
            here, there = parent_of[here], parent_of[there]
        for position in range(entered):
            on_path[node_of[entering[position]]] = walk
        current = prefix
        head_in = head_of[prefix]
        depth = depth_of[prefix] + 1
        for side in range(3):
            if side == 0:  # towards a child: the path leaves with a tail
                opens = given[node] != epoch
                first, last, index, arrow, head = c_start[node], c_end[node], c_index, 0, 1
            else:  # towards a parent or spouse: an arrowhead at node
                opens = (given_anc[node] == epoch) if head_in == 1 else (given[node] != epoch)
                if side == 1:
                    first, last, index, arrow, head = p_start[node], p_end[node], p_index, 1, 0
                else:
                    first, last, index, arrow, head = s_start[node], s_end[node], s_index, 2, 1
            if not opens:
                continue
            for slot in range(first, last):
                near = index[slot]
                if side != 1 and relevant[near] != epoch:
                    continue
                if on_path[near] == walk:
                    continue
                state = 2 * near + head
                if known[state] != walk:
                    continue
                if prefixes == parent_of.shape[0]:
                    parent_of, node_of, arrow_of = (_grow(parent_of), _grow(node_of),
                                                    _grow(arrow_of))
                    depth_of, head_of = _grow(depth_of), _grow(head_of)
                parent_of[prefixes], node_of[prefixes], arrow_of[prefixes] = prefix, near, arrow
                depth_of[prefixes], head_of[prefixes] = depth, head
                if size == heap_key.shape[0]:
                    heap_key, heap_tie, heap_id = _grow(heap_key), _grow(heap_tie), _grow(heap_id)
                key = (np.int64(depth + distance[state]) << 32) | (low - depth)
                size = _push(heap_key, heap_tie, heap_id, size, key, pushed, prefixes)
                pushed += 1
                prefixes += 1
    if not truncated:
        truncated = size > 0
    offsets = np.empty(count + 1, np.int64)
    offsets[0] = 0
    for position in range(count):
        offsets[position + 1] = offsets[position] + depth_of[found[position]] + 1
    nodes = np.empty(offsets[count], np.int32)
    arrows = np.empty(max(offsets[count] - count, 0), np.int8)
    for position in range(count):
        prefix = found[position]
        end = offsets[position + 1] - 1
        while prefix != -1:
            nodes[end] = node_of[prefix]
            if parent_of[prefix] != -1:
                arrows[end - position - 1] = arrow_of[prefix]
            end -= 1
            prefix = parent_of[prefix]
    return offsets, nodes, arrows, truncated
