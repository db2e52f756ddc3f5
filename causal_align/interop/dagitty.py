"""dagitty's text format: ``to_dagitty`` writes it, ``from_dagitty`` reads it (the table of how
the parts map, and what is refused, is in :mod:`causal_align.interop`).

Examples
--------
>>> from causal_align import CausalGraph, SoftIntervention, check_inner_alignment
>>> graph = CausalGraph({"s": "regime", "C": "coin", "D_m": "", "Y_m": "", "Y_b": ""},
...                     ["s -> C", "C -> D_m", "D_m -> Y_m", "C -> Y_b", "Y_m <-> Y_b"],
...                     regime="s", sigma=[SoftIntervention("D_m", [])], base="Y_b", mesa="Y_m")
>>> print(to_dagitty(graph))
dag {
s [exposure,label="regime"]
C [label="coin"]
D_m
Y_m [adjusted]
Y_b [outcome]
s -> C
C -> D_m
C -> Y_b
D_m -> Y_m
Y_b <-> Y_m
}
>>> back = from_dagitty(to_dagitty(graph), regime="s", sigma=[SoftIntervention("D_m", [])])
>>> back == graph
True
>>> print(to_dagitty(graph, sigma=True))  # G_σ: the open-loop policy cut C -> D_m
dag {
s [exposure,label="regime"]
C [label="coin"]
D_m
Y_m [adjusted]
Y_b [outcome]
s -> C
C -> Y_b
D_m -> Y_m
Y_b <-> Y_m
}
>>> from_dagitty("dag { s -> X -- Y }", regime="s")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 1 problem:
  <dagitty>:1: undirected edge X -- Y (causal_align needs a direction: write X -> Y ...) [E_DAGITTY]
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from causal_align.errors import GraphSpecError, Problem
from causal_align.interop.translate import (
    INVALID_NAME,
    STANDIN_NAMELESS,
    Pair,
    assemble,
    edges,
    is_name,
    split_latents,
)
from causal_align.limits import Limits, too_large
from causal_align.model import CausalGraph, Edge, SoftIntervention

_BAREWORD = re.compile(r"[0-9A-Za-z_.]+\Z")

def to_dagitty(graph: CausalGraph, *, sigma: bool = False) -> str:
    """The graph in dagitty's ``dag { ... }`` syntax, for dagitty.net, R's or pgmpy's dagitty.

    Every node gets a statement, in the graph's order, marked ``[exposure]`` (regime nodes),
    ``[outcome]`` (Y_b) or ``[adjusted]`` (Y_m), ``[latent]`` when it is unobserved, and
    carrying its ``label``; then the directed edges, then the bidirected ones. The output is
    deterministic.

    Parameters
    ----------
    graph : CausalGraph
    sigma : bool
        Write G_σ instead of G. dagitty has no soft interventions, so by default σ is lost.

    Returns
    -------
    str
        The dagitty text, without a trailing newline. Names that are not dagitty barewords
        (``Y-b``) are quoted; control characters in labels (newlines, tabs) become spaces.

    Notes
    -----
    dagitty.net shows the three marked sets, but its own verdict on exposure, outcome and
    adjusted nodes is about adjusting for the effect of s on Y_b, a different question. Ours is
    a d-separation: in R, ``dseparated(g, "s", "Y_b", "Y_m")`` on the ``sigma=True`` export.

    Examples
    --------
    >>> from causal_align import CausalGraph
    >>> print(to_dagitty(CausalGraph.from_edges(["s -> X-1", "X-1 <-> Y", "s -> H", "H -> Y"],
    ...                                         regime="s", unobserved=["H"])))
    dag {
    s [exposure]
    "X-1"
    Y
    H [latent]
    s -> H
    s -> "X-1"
    H -> Y
    "X-1" <-> Y
    }
    """
    lines = ["dag {"]
    roles = (("exposure", graph.regime), ("outcome", graph.base), ("adjusted", graph.mesa))
    for node in graph.nodes:
        attributes = [role for role, members in roles if node in members]
        if node in graph.unobserved:
            attributes.append("latent")
        if graph.labels[node]:
            attributes.append(f"label={_dagitty_string(graph.labels[node])}")
        lines.append(_dagitty_name(node) + (f" [{','.join(attributes)}]" if attributes else ""))
    directed, bidirected = edges(graph, sigma=sigma)
    lines += [f"{_dagitty_name(tail)} -> {_dagitty_name(head)}" for tail, head in directed]
    lines += [f"{_dagitty_name(one)} <-> {_dagitty_name(two)}" for one, two in bidirected]
    return "\n".join([*lines, "}"])


def from_dagitty(
    text: str,
    *,
    regime: str | Iterable[str],
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    sigma: Iterable[SoftIntervention] = (),
    query_regime: str | Iterable[str] | None = None,
    name: str | None = None,
    source: str = "<dagitty>",
    limits: Limits | None = None,
) -> CausalGraph:
    """Read a ``dag { ... }`` written for dagitty.

    Hostile text is refused before the work it would cost: text over ``limits.max_bytes``
    characters, and groups that would expand to more than ``limits.max_expanded_edges`` edges
    (``{a0..a999} -> {b0..b999}`` is a million edges from a few kilobytes), counted before any
    edge is made (raise it with ``Limits(max_expanded_edges=...)``).

    Statements are separated by whitespace, newlines or ``;``. Understood: node statements with
    attributes (``X [outcome,pos="1,2",label="..."]``), edges and edge chains (``A -> B -> C``,
    ``A <- B``, ``A <-> B``), groups (``A -> {B C}``), quoted names (``"X"``) and graph
    options (``bb="..."``, ignored).

    A ``[latent]`` node is an unobserved node (:attr:`CausalGraph.unobserved`, ``observed:
    false`` in a graph file), kept with all its edges: it may have parents, any number of
    children and ``<->`` edges. Only a latent whose name is not a node name for us (such as
    ``L(A,B)``, which :func:`~causal_align.interop.to_pgmpy` writes for ``A <-> B``) is read as
    ``A <-> B``, and must then be a root with exactly two observed children.

    Parameters
    ----------
    text : str
        The dagitty text.
    regime : str or Iterable[str]
        The regime nodes (dagitty has none; ``[exposure]`` is ignored).
    base, mesa : str or Iterable[str], optional
        Y_b and Y_m; default: the nodes marked ``[outcome]`` and ``[adjusted]``, if any.
    sigma : Iterable[SoftIntervention]
        The soft interventions, which dagitty cannot carry.
    query_regime : str or Iterable[str], optional
        The regime nodes the default query asks about; default: all of ``regime``.
    name : str, optional
        The graph's name; default: the dagitty graph's name (``dag name { ... }``) or ``graph``.
    source : str
        Names the text in error messages.

    Returns
    -------
    CausalGraph

    Raises
    ------
    GraphSpecError
        For a syntax error (alone), or listing every construct causal_align cannot represent
        (code ``E_DAGITTY``, ``E_LATENT`` or ``E_INVALID_NAME``, with the 1-based line), or
        any problem of the graph itself (a cycle, an unknown regime node, ...).

    Examples
    --------
    >>> graph = from_dagitty('dag{ s -> C -> Y_b; C -> Y_m [beta=0.3]; Y_b [outcome] }',
    ...                      regime="s", mesa="Y_m")
    >>> graph.nodes, sorted(graph.base), graph.children("C")
    (('s', 'C', 'Y_b', 'Y_m'), ['Y_b'], ('Y_b', 'Y_m'))
    >>> hidden = from_dagitty('dag{ s -> H -> Y_b; H -> Y_m; H [latent,label="raters"] }',
    ...                       regime="s", base="Y_b", mesa="Y_m")
    >>> sorted(hidden.unobserved), hidden.parents("H"), hidden.labels["H"]
    (['H'], ('s',), 'raters')
    >>> from_dagitty("pdag { s -> A -- B }", regime="s", source="g.dagitty")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 1 problem:
      g.dagitty:1: unsupported graph type 'pdag', a partially directed graph: ... [E_DAGITTY]
    """
    limits = limits or Limits()
    if len(text) > limits.max_bytes:
        raise too_large(f"the text is {len(text):,} characters", limits.max_bytes,
                        "--max-bytes", "max_bytes", source)
    parsed = _DagittyParser(text, source, limits.max_expanded_edges).parse()
    nodes, edges = parsed.nodes, parsed.edges
    problems: list[Problem] = []
    for node, (line, attributes) in nodes.items():
        if not is_name(node) and not attributes.get("latent"):
            problems.append(Problem("E_INVALID_NAME", f"invalid node name {node!r} "
                                    f"{INVALID_NAME}", line=line, source=source))
        elif attributes.get("selected"):
            problems.append(Problem("E_DAGITTY", f"{node} is [selected], a selection indicator "
                                    "the data are conditioned on; causal_align has no selection "
                                    "nodes (its regime node is not one): remove [selected]",
                                    line=line, source=source))
    directed: list[Pair] = []
    bidirected: list[Pair] = []
    edge_lines: dict[tuple[str, str, bool], int] = {}
    for left, arrow, right, line in edges:
        if arrow in ("->", "<-", "<->"):
            edge = Edge(*((right, left) if arrow == "<-" else (left, right)), arrow == "<->")
            (bidirected if edge.bidirected else directed).append((edge.tail, edge.head))
            edge_lines.setdefault(edge.key(), line)
        elif arrow == "--":
            problems.append(Problem("E_DAGITTY", f"undirected edge {left} -- {right} "
                                    f"(causal_align needs a direction: write {left} -> {right} "
                                    f"or {right} -> {left}, or {left} <-> {right} for a latent "
                                    "common cause)", line=line, source=source))
        else:
            problems.append(Problem("E_DAGITTY", f"edge {left} {arrow} {right} has a circle mark "
                                    f"(@), which leaves an end undecided (write {left} -> "
                                    f"{right}, {right} -> {left} or {left} <-> {right})",
                                    line=line, source=source))
    marked = {role: [node for node, (_, attributes) in nodes.items() if attributes.get(role)]
              for role in ("outcome", "adjusted", "latent")}
    labels = {node: _label(attributes.get("label")) for node, (_, attributes) in nodes.items()}
    unobserved, standins = split_latents(marked["latent"])
    return assemble(
        labels, directed, bidirected, standins, unobserved=unobserved,
        standin_rule=STANDIN_NAMELESS, problems=problems, source=source,
        kind="dagitty text", regime=regime, sigma=sigma, query_regime=query_regime,
        base=base if base is not None else marked["outcome"] or None,
        mesa=mesa if mesa is not None else marked["adjusted"] or None,
        name=name or parsed.name or "graph", description="",
        node_lines={node: line for node, (line, _) in nodes.items()}, edge_lines=edge_lines)


_UNSUPPORTED = {
    "pdag": "a partially directed graph: some edges have no direction",
    "mag": "a maximal ancestral graph: its edges are ancestral relations, not direct causes",
    "pag": "a partial ancestral graph: its circle marks leave edge ends undecided",
    "graph": "an undirected graph",
    "digraph": "a directed graph with no causal reading (write dag if its edges are causes)",
}
_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n;]+)
  | (?P<edge><->|<-@|@->|@-@|@--|--@|->|--|<-)
  | (?P<word>-?[0-9A-Za-z_.]+)
  | (?P<punct>[{}\[\]=,+])
  | (?P<string>"(?:[^"\\\x00-\x1f\x7f]|\\"|\\[\r\n]+|\\(?![\r\n"]))*")
  | (?P<open>")
  | (?P<bad>.)
""", re.VERBOSE | re.DOTALL)
"""dagitty's tokens. In a string ``\\"`` is a quote, ``\\`` + newline continues the line and any
other ``\\`` is itself: dagitty has no escape for the backslash."""
_ESCAPE = re.compile(r'\\"|\\[\r\n]+')


class _Token:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind: str, text: str, line: int) -> None:
        self.kind, self.text, self.line = kind, text, line  # kind: edge, word, string, punct, end

    def __str__(self) -> str:
        return {"end": "the end of the text", "string": f'"{self.text}"'}.get(self.kind,
                                                                                repr(self.text))


class _DagittyParser:
    """dagitty's grammar, read without recursion: a syntax error stops at once, with its line."""

    def __init__(self, text: str, source: str, most_edges: int) -> None:
        self.source = source
        self.most_edges, self.expanded = most_edges, 0
        self.tokens = self._tokenize(text)
        self.at = 0
        self.name = ""
        self.nodes: dict[str, tuple[int, dict[str, str | bool]]] = {}
        self.edges: list[tuple[str, str, str, int]] = []

    def fail(self, message: str, line: int) -> GraphSpecError:
        return GraphSpecError([Problem("E_DAGITTY", message, line=line, source=self.source)])

    def _tokenize(self, text: str) -> list[_Token]:
        tokens: list[_Token] = []
        line = 1
        for match in _TOKEN.finditer(text):
            kind, value = match.lastgroup or "", match.group()
            if kind in ("bad", "open"):
                raise self.fail("unterminated string (a string ends with \" on the same line)"
                                if kind == "open" else f"unexpected character {value!r} (dagitty "
                                "names are plain words or \"double-quoted\")", line)
            if kind == "string":
                value = _ESCAPE.sub(lambda escape: '"' if escape.group() == '\\"' else "",
                                    value[1:-1])
                if len(tokens) > 1 and tokens[-1].text == "+" and tokens[-2].kind == "string":
                    tokens.pop()  # "a" + "b" is one string
                    tokens[-1].text += value
                    kind = "space"
            if kind != "space":
                tokens.append(_Token(kind, value, line))
            line += match.group().count("\n")
        tokens.append(_Token("end", "", line))
        return tokens

    def peek(self, offset: int = 0) -> _Token:
        return self.tokens[min(self.at + offset, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.at += 1
        return token

    def expect(self, text: str, what: str) -> _Token:
        token = self.take()
        if token.kind not in ("punct", "edge") or token.text != text:
            raise self.fail(f"expected {what}, found {token}", token.line)
        return token

    def is_id(self, token: _Token) -> bool:
        return token.kind in ("word", "string")

    def parse(self) -> _DagittyParser:
        token = self.take()
        if token.kind == "word" and token.text.lower() == "strict":
            token = self.take()
        kind = token.text.lower() if token.kind == "word" else ""
        if kind in _UNSUPPORTED:
            raise self.fail(f"unsupported graph type {kind!r}, {_UNSUPPORTED[kind]} "
                            "(causal_align reads a causal diagram, dag { ... })", token.line)
        if kind != "dag":
            raise self.fail(f"expected dag {{ ... }}, found {token}", token.line)
        if self.is_id(self.peek()):
            self.name = self.take().text
        self.expect("{", "{ after dag")
        while not (self.peek().kind == "punct" and self.peek().text == "}"):
            self.statement()
        self.take()
        if self.peek().kind != "end":
            raise self.fail(f"unexpected {self.peek()} after the closing }}", self.peek().line)
        return self

    def statement(self) -> None:
        if self.is_id(self.peek()) and self.peek(1).text == "=" and self.peek(1).kind == "punct":
            self.take(), self.take()  # a graph option such as bb="0,0,1,1": layout only
            self.identifier("a value after =")
            return
        operands = [self.operand()]
        arrows: list[_Token] = []
        while self.peek().kind == "edge":
            arrows.append(self.take())
            operands.append(self.operand())
        attributes = self.attributes()
        if not arrows:
            for name, _ in operands[0]:
                self.nodes[name][1].update(attributes)
        for left, arrow, right in zip(operands, arrows, operands[1:]):
            self.expanded += len(left) * len(right)
            if self.expanded > self.most_edges:
                raise GraphSpecError([Problem(
                    "E_TOO_LARGE", f"the groups expand to more than {self.most_edges:,} edges "
                    f"({len(left):,} × {len(right):,} here; raise the limit with "
                    "Limits(max_expanded_edges=...))", line=arrow.line, source=self.source)])
            for tail, _ in left:
                for head, _ in right:
                    self.edges.append((tail, arrow.text, head, arrow.line))

    def identifier(self, what: str) -> _Token:
        token = self.take()
        if not self.is_id(token):
            missing = " (is the closing } missing?)" if token.kind == "end" else ""
            raise self.fail(f"expected {what}, found {token}{missing}", token.line)
        return token

    def operand(self) -> list[tuple[str, int]]:
        """A node, or a group ``{A B}`` of nodes; registers each in order of appearance."""
        if self.peek().kind == "punct" and self.peek().text == "{":
            opening = self.take()
            names = []
            while not (self.peek().kind == "punct" and self.peek().text == "}"):
                names.append(self.node())
                self.nodes[names[-1][0]][1].update(self.attributes())
                if self.peek().kind == "edge":
                    raise self.fail("edges inside { } are not supported (write them as separate "
                                    "statements)", self.peek().line)
                if self.peek().kind == "end":
                    raise self.fail("unclosed {", opening.line)
            self.take()
            return names
        return [self.node()]

    def node(self) -> tuple[str, int]:
        token = self.identifier("a node name, an edge or }")
        self.nodes.setdefault(token.text, (token.line, {}))
        return token.text, token.line

    def attributes(self) -> dict[str, str | bool]:
        """``[key, key=value, ...]`` (``,`` or ``;`` between items, both optional)."""
        found: dict[str, str | bool] = {}
        if not (self.peek().kind == "punct" and self.peek().text == "["):
            return found
        self.take()
        while not (self.peek().kind == "punct" and self.peek().text == "]"):
            key = self.identifier("an attribute name or ]").text
            value: str | bool = True
            if self.peek().kind == "punct" and self.peek().text == "=":
                self.take()
                value = self.identifier(f"a value for {key}").text
            if self.peek().kind == "punct" and self.peek().text == ",":
                self.take()
            found[key] = value
        self.take()
        return found


def _dagitty_name(node: str) -> str:
    return node if _BAREWORD.match(node) else f'"{node}"'


def _dagitty_string(text: str) -> str:
    """A dagitty string literal. dagitty has no escape for ``\\`` itself: a trailing one is
    followed by a line continuation (``\\`` + newline) so that it does not escape the quote."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text).replace('"', '\\"')
    return f'"{text}\\\n"' if text.endswith("\\") else f'"{text}"'


def _label(value: str | bool | None) -> str:
    return value if isinstance(value, str) else ""
