"""Structural edits of a graph file that keep its comments, key order and layout.

The editor's picture changes the YAML *document*, never a regenerated one: the file is read
with ruamel.yaml's round-trip loader, an action changes only the keys it is about, and the
document is written back with every comment and the key order in place. Whether the result is
a valid graph is for the loader to say (:mod:`causal_align.editor.validation`).

Node positions and observability live in the node's mapping, beside its label::

    nodes:
      X:
        label: the cause
        position: [120, 40]
        observed: false

Examples
--------
>>> document = load_document("# my graph\\nnodes:\\n  s: regime  # the switch\\nedges: []\\n"
...                          "regime: s\\n")
>>> apply_action(document, {"op": "add_node", "name": "X", "position": [10, 20]})
>>> apply_action(document, {"op": "connect", "tail": "s", "head": "X"})
>>> print(dump_document(document), end="")
# my graph
nodes:
  s: regime  # the switch
  X:
    position: [10, 20]
edges:
  - s -> X
regime: s
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from causal_align.errors import EditorError, shown
from causal_align.model import Edge
from causal_align.uncertainty.partial import parse_undirected

ROLES = ("regime", "base", "mesa", "sigma", "observed")
"""The roles an action can switch on and off for a node."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the user's long labels
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def skeleton(name: str) -> str:
    """The text of a new, empty diagram (valid YAML; the loader asks for a regime node)."""
    shown_name = name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name) else json.dumps(name)
    return f"name: {shown_name}\nnodes: {{}}\nedges: []\nregime: []\n"


def load_document(text: str) -> CommentedMap:
    """The round-trip document of ``text``.

    Raises
    ------
    EditorError
        ``E_EDIT_TEXT`` when the text is not YAML or not a mapping at the top: the picture
        cannot edit it until the text pane fixes it.
    """
    try:
        document = _yaml().load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise EditorError("E_EDIT_TEXT", f"the text is not valid YAML{where}: fix it in the text "
                          "pane first") from error
    if document is None:
        document = CommentedMap()
    if not isinstance(document, CommentedMap):
        raise EditorError("E_EDIT_TEXT", "the text is not a mapping of keys (nodes:, edges:, "
                          "regime:): fix it in the text pane first")
    for key, empty in (("nodes", CommentedMap), ("edges", CommentedSeq)):
        if document.get(key) is None:
            document[key] = empty()
        if not isinstance(document[key], empty):
            raise EditorError("E_EDIT_TEXT", f"{key}: is not a "
                              f"{'mapping' if key == 'nodes' else 'list'}: fix it in the text "
                              "pane first")
    return document


def dump_document(document: CommentedMap) -> str:
    """The document as text; ``load_document`` then ``dump_document`` keeps a file unchanged."""
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def touched(action: Mapping[str, Any]) -> frozenset[str] | None:
    """The top-level keys ``action`` may change; ``None`` when it may change any (renames and
    deletions reach every section)."""
    op, role = action.get("op"), action.get("role")
    if op in ("add_node", "set_label", "move") or (op == "set_role" and role == "observed"):
        return frozenset({"nodes"})
    if op in ("connect", "disconnect", "orient"):
        return frozenset({"edges"})
    if op in ("add_uncertain", "set_probability", "remove_uncertain"):
        return frozenset({"uncertain"})
    if op == "set_context" or (op == "set_role" and role == "sigma"):
        return frozenset({"sigma"})
    if op == "set_role" and role == "regime":
        return frozenset({"regime"})
    if op == "set_role" and role in ("base", "mesa"):
        return frozenset({"query"})
    return None


class Sections:
    """The document's text, one top-level section at a time, each kept until it changes.

    Dumping a 2,000-node document takes a quarter of a second; an edit changes one section
    (``nodes:`` or ``edges:``, most often), so only that one is dumped again. Comments between
    two sections belong to the first (ruamel attaches them to its last item), the file's opening
    comments to the first section, so the sections joined are the whole dump; the session
    checks that on every document it loads and falls back to whole dumps if not.

    Examples
    --------
    >>> document = load_document("# top\\nnodes: {s: a}  # the nodes\\nedges: []\\nregime: s\\n")
    >>> sections = Sections()
    >>> sections.dump(document, None) == dump_document(document)
    True
    >>> apply_action(document, {"op": "connect", "tail": "s", "head": "s"})
    >>> sections.dump(document, frozenset({"edges"})) == dump_document(document)
    True
    """

    def __init__(self) -> None:
        self.parts: dict[Any, tuple[bool, str]] = {}

    def dump(self, document: CommentedMap, changed: frozenset[str] | None) -> str:
        """The document's text; ``changed`` names the sections that may differ from the last
        call (``None``: all)."""
        out = []
        for index, key in enumerate(document):
            first = index == 0
            cached = self.parts.get(key)
            if (changed is not None and cached is not None and cached[0] == first
                    and key not in changed):
                out.append(cached[1])
                continue
            part = CommentedMap()
            part[key] = document[key]
            if key in document.ca.items:
                part.ca.items[key] = document.ca.items[key]
            if first and document.ca.comment:
                part.ca.comment = document.ca.comment
            text = dump_document(part)
            self.parts[key] = (first, text)
            out.append(text)
        for key in set(self.parts) - set(document):
            del self.parts[key]
        return "".join(out)


def node_extras(document: CommentedMap) -> dict[str, dict[str, Any]]:
    """Each node's ``position`` (``[x, y]`` floats) and ``observed`` flag, where written."""
    extras: dict[str, dict[str, Any]] = {}
    for name, value in document["nodes"].items():
        if not isinstance(value, Mapping):
            continue
        found: dict[str, Any] = {}
        position = value.get("position")
        if (isinstance(position, list) and len(position) == 2
                and all(_is_number(item) for item in position)):
            found["position"] = [float(item) for item in position]
        if value.get("observed") is False:
            found["observed"] = False
        if found:
            extras[str(name)] = found
    return extras


def _is_number(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def apply_action(document: CommentedMap, action: Mapping[str, Any]) -> None:
    """Change ``document`` in place as ``action`` says.

    Actions (``op`` and its fields): ``add_node`` (name, label?, position?), ``rename_node``
    (node, to), ``set_label`` (node, label), ``delete_node`` (node), ``move`` (positions:
    {node: [x, y]}), ``connect``/``disconnect`` (tail, head, bidirected? or undirected?: ``<->``
    or ``--``), ``orient`` (tail, head: ``A -- B`` becomes ``tail -> head``), ``set_role`` (node,
    role in :data:`ROLES`, on), ``set_context`` (target, context: list of names or null for
    "the target's parents"); and for the ``uncertain:`` section, ``add_uncertain`` (tail, head,
    bidirected?, probability), ``set_probability`` (the same) and ``remove_uncertain`` (tail,
    head, bidirected?; a regime edge sharing the shift rate leaves ``shift.targets``).

    Raises
    ------
    EditorError
        ``E_EDIT_ACTION`` for a malformed action or one about a node that is not there.
    """
    op = action.get("op")
    handler = _ACTIONS.get(op) if isinstance(op, str) else None
    if handler is None:
        raise EditorError("E_EDIT_ACTION", f"unknown action {shown(op)} (expected one of: "
                          f"{', '.join(sorted(_ACTIONS))})")
    handler(document, action)


def _text(action: Mapping[str, Any], key: str) -> str:
    value = action.get(key)
    if not isinstance(value, str):
        raise EditorError("E_EDIT_ACTION", f"action {action.get('op')!r} needs {key!r} as text, "
                          f"found {shown(value)}")
    return value


def _node(document: CommentedMap, action: Mapping[str, Any], key: str = "node") -> str:
    name = _text(action, key)
    if name not in document["nodes"]:
        raise EditorError("E_EDIT_ACTION", f"there is no node {shown(name)}")
    return name


def _position(value: object) -> CommentedSeq:
    if not (isinstance(value, (list, tuple)) and len(value) == 2
            and all(_is_number(item) for item in value)):
        raise EditorError("E_EDIT_ACTION", f"a position is [x, y] with two finite numbers, "
                          f"found {shown(value)}")
    pair = CommentedSeq([round(float(item)) for item in value])
    pair.fa.set_flow_style()
    return pair


def _node_mapping(document: CommentedMap, name: str) -> CommentedMap:
    """The node's value as a mapping (a label string becomes ``label:``), kept in place."""
    nodes = document["nodes"]
    value = nodes[name]
    if isinstance(value, CommentedMap):
        return value
    mapping = CommentedMap()
    if isinstance(value, str) and value:
        mapping["label"] = value
    mapping.fa.set_block_style()
    nodes[name] = mapping
    return mapping


def _simplify(document: CommentedMap, name: str) -> None:
    """A node mapping left with only a label becomes the label again."""
    value = document["nodes"][name]
    if isinstance(value, CommentedMap) and set(value) <= {"label"} and not value.ca.items:
        document["nodes"][name] = value.get("label") or None


def _block(mapping: CommentedMap) -> None:
    if not mapping:
        mapping.fa.set_block_style()


def _add_node(document: CommentedMap, action: Mapping[str, Any]) -> None:
    name = _text(action, "name")
    nodes = document["nodes"]
    if name in nodes:
        raise DuplicateNode(name)
    label = action.get("label") or None
    if label is not None and not isinstance(label, str):
        raise EditorError("E_EDIT_ACTION", f"a label is text, found {shown(label)}")
    _block(nodes)
    nodes[name] = label
    if action.get("position") is not None:
        _node_mapping(document, name)["position"] = _position(action["position"])


class DuplicateNode(EditorError):
    """A node added or renamed to a name already declared; the session words it as the loader
    would."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__("E_EDIT_ACTION", f"node {shown(name)} exists already")


def _rename_node(document: CommentedMap, action: Mapping[str, Any]) -> None:
    old, new = _node(document, action), _text(action, "to")
    if new == old:
        return
    nodes = document["nodes"]
    if new in nodes:
        raise DuplicateNode(new)
    index = list(nodes).index(old)
    comment = nodes.ca.items.pop(old, None)
    value = nodes.pop(old)
    nodes.insert(index, new, value)
    if comment is not None:
        nodes.ca.items[new] = comment
    _rewrite_names(document, {old: new}.get)


def _rewrite_names(document: CommentedMap, rename: Callable[[str], str | None]) -> None:
    """Rename (``rename(name)`` is the new name, ``None`` for "keep") or remove (``""``) a node
    everywhere it is named."""
    _rewrite_edges(document["edges"], rename)
    _rewrite_list(document, "regime", rename)
    sigma = document.get("sigma")
    if isinstance(sigma, list):
        for index in range(len(sigma) - 1, -1, -1):
            item = sigma[index]
            if not isinstance(item, CommentedMap):
                continue
            target = item.get("target")
            if isinstance(target, str) and rename(target) == "":
                del sigma[index]
                continue
            if isinstance(target, str) and rename(target):
                item["target"] = rename(target)
            _rewrite_list(item, "context", rename)
    query = document.get("query")
    if isinstance(query, Mapping):
        for key in ("base", "mesa", "regime"):
            _rewrite_list(query, key, rename)
    model = document.get("model")
    if isinstance(model, Mapping):
        _rewrite_model(model, rename)
    background = document.get("background")
    if isinstance(background, Mapping):
        _rewrite_background(background, rename)
    uncertain = document.get("uncertain")
    if isinstance(uncertain, Mapping):
        _rewrite_uncertain(uncertain, rename)


def _rewrite_edges(edges: Any, rename: Callable[[str], str | None]) -> None:
    """Rename or drop the nodes of a list of edges (``->``, ``<->`` and ``--``)."""
    if not isinstance(edges, list):
        return
    for index in range(len(edges) - 1, -1, -1):
        found = split_edge(edges[index])
        if found is None:
            continue
        tail, arrow, head = found
        new_tail, new_head = rename(tail), rename(head)
        if new_tail == "" or new_head == "":
            del edges[index]
        elif new_tail or new_head:
            edges[index] = f"{new_tail or tail} {arrow} {new_head or head}"


def _rewrite_background(background: Mapping[str, Any],
                        rename: Callable[[str], str | None]) -> None:
    """Renames and deletions reach ``background:``: its orientations and its tiers."""
    for key in ("required", "forbidden"):
        _rewrite_edges(background.get(key), rename)
    tiers = background.get("tiers")
    if isinstance(tiers, list):
        for index in range(len(tiers) - 1, -1, -1):
            tier = tiers[index]
            if isinstance(tier, list):
                _rewrite_list(tiers, index, rename)
            elif isinstance(tier, str) and rename(tier) == "":
                del tiers[index]
            elif isinstance(tier, str) and rename(tier):
                tiers[index] = rename(tier)


def _rewrite_uncertain(uncertain: Mapping[str, Any],
                       rename: Callable[[str], str | None]) -> None:
    """Renames and deletions reach ``uncertain:``: its edges (an edge at a deleted node goes,
    with its probability) and the shift prior's regime and targets."""
    items = uncertain.get("edges")
    if isinstance(items, list):
        for index in range(len(items) - 1, -1, -1):
            item = items[index]
            if not isinstance(item, CommentedMap):
                continue
            edges = [item.get("edge")]
            _rewrite_edges(edges, rename)
            if not edges:
                del items[index]
            elif edges[0] != item.get("edge"):
                item["edge"] = edges[0]
    shift = uncertain.get("shift")
    if isinstance(shift, CommentedMap):
        _rewrite_list(shift, "regime", rename)
        _rewrite_list(shift, "targets", rename)


def split_edge(item: object) -> tuple[str, str, str] | None:
    """An edge item as (tail, arrow, head) in the order written, the arrow one of ``->``,
    ``<->`` and ``--``; ``None`` for anything else.

    Examples
    --------
    >>> split_edge("Plan -- Mastery"), split_edge("A <-> B"), split_edge("A - B")
    (('Plan', '--', 'Mastery'), ('A', '<->', 'B'), None)
    """
    if not isinstance(item, str):
        return None
    if parse_undirected(item) is not None:
        tail, head = (part.strip() for part in item.split("--", 1))
        return tail, "--", head
    edge = Edge.parse(item)
    if edge is None:
        return None
    return edge.tail, "<->" if edge.bidirected else "->", edge.head


def _rewrite_model(model: Mapping[str, Any], rename: Callable[[str], str | None]) -> None:
    """Renames reach the ``model:`` section's keys and ``given``/``children`` lists (deleting a
    node leaves its tables for the user: they hold numbers the editor cannot invent)."""
    for section in ("regime", "latents", "nodes"):
        mapping = model.get(section)
        if not isinstance(mapping, CommentedMap):
            continue
        for key in list(mapping):
            new = rename(key) if isinstance(key, str) else None
            if new:
                index = list(mapping).index(key)
                comment = mapping.ca.items.pop(key, None)
                mapping.insert(index, new, mapping.pop(key))
                if comment is not None:
                    mapping.ca.items[new] = comment
        for value in mapping.values():
            if isinstance(value, CommentedMap):
                for key in ("given", "children"):
                    if isinstance(value.get(key), list | str):
                        _rewrite_list(value, key, lambda name: rename(name) or None)


def _rewrite_list(container: Any, key: Any, rename: Callable[[str], str | None]) -> None:
    value = container[key] if isinstance(container, list) else container.get(key)
    if isinstance(value, str):
        new = rename(value)
        if new == "":
            container[key] = _flow([])
        elif new:
            container[key] = new
    elif isinstance(value, list):
        for index in range(len(value) - 1, -1, -1):
            item = value[index]
            new = rename(item) if isinstance(item, str) else None
            if new == "":
                del value[index]
            elif new:
                value[index] = new


def _flow(names: list[str]) -> CommentedSeq:
    sequence = CommentedSeq(names)
    sequence.fa.set_flow_style()
    return sequence


def _set_label(document: CommentedMap, action: Mapping[str, Any]) -> None:
    name = _node(document, action)
    label = _text(action, "label")
    value = document["nodes"][name]
    if isinstance(value, CommentedMap):
        if label:
            value["label"] = label
        else:
            value.pop("label", None)
    else:
        document["nodes"][name] = label or None


def _delete_node(document: CommentedMap, action: Mapping[str, Any]) -> None:
    name = _node(document, action)
    document["nodes"].ca.items.pop(name, None)
    del document["nodes"][name]
    _rewrite_names(document, lambda node: "" if node == name else None)
    query = document.get("query")
    if isinstance(query, Mapping) and not _names(query, "base") and not _names(query, "mesa"):
        del document["query"]  # nothing asked any more: the file has no default query


def _move(document: CommentedMap, action: Mapping[str, Any]) -> None:
    positions = action.get("positions")
    if not isinstance(positions, Mapping):
        raise EditorError("E_EDIT_ACTION", "action 'move' needs positions: {node: [x, y]}")
    for name, where in positions.items():
        if name not in document["nodes"]:
            raise EditorError("E_EDIT_ACTION", f"there is no node {shown(name)}")
        _node_mapping(document, name)["position"] = _position(where)


def _edge(action: Mapping[str, Any]) -> tuple[str, str, str]:
    """The action's edge as (tail, arrow, head): ``bidirected`` makes it ``<->``,
    ``undirected`` ``--`` (direction unknown)."""
    tail, head = _text(action, "tail"), _text(action, "head")
    kinds = {key: action.get(key, False) for key in ("bidirected", "undirected")}
    for key, value in kinds.items():
        if not isinstance(value, bool):
            raise EditorError("E_EDIT_ACTION", f"{key} is true or false, found {shown(value)}")
    if kinds["bidirected"] and kinds["undirected"]:
        raise EditorError("E_EDIT_ACTION", "an edge is bidirected (<->) or undirected (--), "
                          "not both")
    arrow = "<->" if kinds["bidirected"] else "--" if kinds["undirected"] else "->"
    return tail, arrow, head


def _same_edge(found: tuple[str, str, str], wanted: tuple[str, str, str]) -> bool:
    """Do two edges join the same nodes the same way (``<->`` and ``--`` either way round)?"""
    if found[1] != wanted[1]:
        return False
    if found[1] == "->":
        return found == wanted
    return {found[0], found[2]} == {wanted[0], wanted[2]}


def _connect(document: CommentedMap, action: Mapping[str, Any]) -> None:
    document["edges"].fa.set_block_style()
    document["edges"].append(" ".join(_edge(action)))


def _find_edge(document: CommentedMap, wanted: tuple[str, str, str]) -> int:
    for index, item in enumerate(document["edges"]):
        found = split_edge(item)
        if found is not None and _same_edge(found, wanted):
            return index
    raise EditorError("E_EDIT_ACTION", f"there is no edge {' '.join(wanted)!r}")


def _disconnect(document: CommentedMap, action: Mapping[str, Any]) -> None:
    del document["edges"][_find_edge(document, _edge(action))]


def _orient(document: CommentedMap, action: Mapping[str, Any]) -> None:
    """``A -- B`` becomes ``tail -> head`` where it stands (its comment kept)."""
    tail, _, head = _edge(action)
    index = _find_edge(document, (tail, "--", head))
    document["edges"][index] = f"{tail} -> {head}"


def _names(container: Mapping[str, Any], key: str) -> list[str]:
    value = container.get(key)
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _set_names(container: Any, key: str, names: list[str]) -> None:
    """Write one name as a plain scalar when the file did, else a flow list."""
    if len(names) == 1 and isinstance(container.get(key), str):
        container[key] = names[0]
    elif isinstance(container.get(key), CommentedSeq):
        sequence = container[key]
        sequence[:] = names
    else:
        container[key] = names[0] if len(names) == 1 and key != "context" else _flow(names)


def _set_role(document: CommentedMap, action: Mapping[str, Any]) -> None:
    name = _node(document, action)
    role, on = action.get("role"), action.get("on")
    if role not in ROLES or not isinstance(on, bool):
        raise EditorError("E_EDIT_ACTION", f"set_role needs role (one of: {', '.join(ROLES)}) and "
                          f"on (true or false), found {shown(role)} and {shown(on)}")
    if role == "observed":
        mapping = _node_mapping(document, name)
        if on:
            mapping.pop("observed", None)
        else:
            mapping["observed"] = False
        _simplify(document, name)
    elif role == "sigma":
        _set_sigma(document, name, on)
    elif role == "regime":
        _toggle(document, "regime", name, on)
    else:
        query = document.get("query")
        if not isinstance(query, CommentedMap):
            if not on:
                return
            query = document["query"] = CommentedMap()
        _toggle(query, str(role), name, on)
        if not _names(query, "base") and not _names(query, "mesa"):
            del document["query"]
        elif not _names(query, "mesa") and "mesa" in query and not on:
            del query["mesa"]


def _toggle(container: Any, key: str, name: str, on: bool) -> None:
    names = _names(container, key)
    if on and name not in names:
        names.append(name)
    elif not on and name in names:
        names.remove(name)
    else:
        return
    _set_names(container, key, names)


def _sigma_items(document: CommentedMap) -> CommentedSeq:
    sigma = document.get("sigma")
    if not isinstance(sigma, CommentedSeq):
        sigma = document["sigma"] = CommentedSeq()
    return sigma


def _set_sigma(document: CommentedMap, target: str, on: bool) -> None:
    sigma = _sigma_items(document)
    found = [index for index, item in enumerate(sigma)
             if isinstance(item, Mapping) and item.get("target") == target]
    if on and not found:
        sigma.fa.set_block_style()
        sigma.append(CommentedMap([("target", target)]))
    elif not on:
        for index in reversed(found):
            del sigma[index]
    if not sigma:
        del document["sigma"]


def _set_context(document: CommentedMap, action: Mapping[str, Any]) -> None:
    target = _node(document, action, "target")
    context = action.get("context")
    if context is not None and not (isinstance(context, list)
                                    and all(isinstance(item, str) for item in context)):
        raise EditorError("E_EDIT_ACTION", f"a context is a list of node names or null (the "
                          f"target's parents), found {shown(context)}")
    _set_sigma(document, target, True)
    for item in document["sigma"]:
        if isinstance(item, CommentedMap) and item.get("target") == target:
            if context is None:
                item.pop("context", None)
            else:
                _set_names(item, "context", list(context))


def _uncertain_edges(document: CommentedMap, create: bool) -> CommentedSeq | None:
    """The ``uncertain.edges`` list (made when ``create``; ``None`` when absent)."""
    uncertain = document.get("uncertain")
    if uncertain is None and create:
        uncertain = document["uncertain"] = CommentedMap()
    if uncertain is None:
        return None
    if not isinstance(uncertain, CommentedMap):
        raise EditorError("E_EDIT_TEXT", "uncertain: is not a mapping: fix it in the text pane "
                          "first")
    items = uncertain.get("edges")
    if items is None and create:
        items = uncertain["edges"] = CommentedSeq()
    if items is not None and not isinstance(items, CommentedSeq):
        raise EditorError("E_EDIT_TEXT", "uncertain.edges: is not a list: fix it in the text "
                          "pane first")
    return items


def _find_uncertain(items: CommentedSeq | None, wanted: tuple[str, str, str]) -> int | None:
    for index, item in enumerate(items or ()):
        found = split_edge(item.get("edge")) if isinstance(item, Mapping) else None
        if found is not None and _same_edge(found, wanted):
            return index
    return None


def _probability(action: Mapping[str, Any]) -> float | int:
    """The action's probability; whether it lies in [0, 1] is the reader's to say."""
    value = action.get("probability")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EditorError("E_EDIT_ACTION", f"a probability is a number, found {shown(value)}")
    return value


def _uncertain_edge(action: Mapping[str, Any]) -> tuple[str, str, str]:
    if action.get("undirected"):
        raise EditorError("E_EDIT_ACTION", "an uncertain edge is -> or <->, not --")
    return _edge(action)


def _add_uncertain(document: CommentedMap, action: Mapping[str, Any]) -> None:
    edge, probability = _uncertain_edge(action), _probability(action)
    items = _uncertain_edges(document, True)
    assert items is not None
    item = CommentedMap([("edge", " ".join(edge)), ("probability", probability)])
    item.fa.set_flow_style()
    items.fa.set_block_style()
    items.append(item)


def _set_probability(document: CommentedMap, action: Mapping[str, Any]) -> None:
    edge, probability = _uncertain_edge(action), _probability(action)
    index = _find_uncertain(_uncertain_edges(document, False), edge)
    if index is None:
        raise EditorError("E_EDIT_ACTION", f"there is no uncertain edge {' '.join(edge)!r} with "
                          "its own probability (a regime edge sharing the shift rate has the "
                          "rate's: change first: or strength: in the text)")
    items = _uncertain_edges(document, False)
    assert items is not None
    items[index]["probability"] = probability


def _remove_uncertain(document: CommentedMap, action: Mapping[str, Any]) -> None:
    tail, arrow, head = edge = _uncertain_edge(action)
    items = _uncertain_edges(document, False)
    index = _find_uncertain(items, edge)
    if index is not None:
        assert items is not None
        del items[index]
        if not items:
            del document["uncertain"]["edges"]
    else:
        uncertain = document.get("uncertain")
        shift = uncertain.get("shift") if isinstance(uncertain, Mapping) else None
        if not isinstance(shift, CommentedMap):
            raise EditorError("E_EDIT_ACTION", f"there is no uncertain edge {' '.join(edge)!r}")
        regime = _names(shift, "regime") or _names(document, "regime")
        if arrow != "->" or tail not in regime or head not in _names(shift, "targets"):
            raise EditorError("E_EDIT_ACTION", f"there is no uncertain edge {' '.join(edge)!r}")
        _toggle(shift, "targets", head, False)
        if not _names(shift, "targets"):
            del document["uncertain"]["shift"]
    if not document["uncertain"]:
        del document["uncertain"]


_ACTIONS: dict[str, Callable[[CommentedMap, Mapping[str, Any]], None]] = {
    "add_node": _add_node, "rename_node": _rename_node, "set_label": _set_label,
    "delete_node": _delete_node, "move": _move, "connect": _connect, "disconnect": _disconnect,
    "set_role": _set_role, "set_context": _set_context, "orient": _orient,
    "add_uncertain": _add_uncertain, "set_probability": _set_probability,
    "remove_uncertain": _remove_uncertain,
}
