"""Converting to and from other tools' graph formats: dagitty, networkx and pgmpy.

Each ``to_*`` function writes a :class:`~causal_align.model.CausalGraph` in another tool's format;
each ``from_*`` function reads one back, checked exactly like a graph file. The parts map as
follows:

=================  ===================  ==================================  =====================
causal_align       dagitty              networkx (``DiGraph``)              pgmpy (``DAG``)
=================  ===================  ==================================  =====================
``A -> B``         ``A -> B``           edge ``(A, B)``                     edge ``(A, B)``
``A <-> B``        ``A <-> B``          pair in ``graph["bidirected"]``,    latent ``L(A,B)``
                                        or latent node ``L(A,B)``           with children A, B
node label         ``label="..."``      node attribute ``label``            node attribute
                                                                            ``label``
regime nodes S     ``[exposure]``       ``graph["regime"]``                 ``exposures``
base Y_b           ``[outcome]``        ``graph["base"]``                   ``outcomes``
mesa Y_m           ``[adjusted]``       ``graph["mesa"]``                   role ``adjustment``
σ                  --                   --                                  --
=================  ===================  ==================================  =====================

**σ has no counterpart** in any of these formats: none can say "the learned policy replaces
D_m's mechanism". ``to_*(graph)`` writes G, and σ is lost (hand it back to ``from_*`` with
``sigma=``). ``to_*(graph, sigma=True)`` writes G_σ instead: plain d-separation in it (after
latent expansion for networkx) answers the same query, so the other tools' own d-separation
tests agree with our verdict there.

**The regime is always an argument** of ``from_*``: no other tool has a regime node (a dagitty
*exposure* is a treatment, not a training/deployment indicator), so ``[exposure]`` is written
for the reader and ignored on reading. ``base`` and ``mesa`` left out are taken from the
format's markers (``[outcome]``/``[adjusted]``, ``outcomes``/``adjustment``, the graph
attributes ``base``/``mesa``); ``sigma`` and ``query_regime`` default to none and to all regime
nodes, as in :class:`~causal_align.model.CausalGraph`.

**A latent node** (dagitty ``[latent]``, pgmpy ``latents``, a networkx node with attribute
``latent=True``) that is a root with exactly two observed children becomes ``A <-> B``; two
such latents over the same pair are one ``<->`` edge. Any other latent is refused.

**Nothing is dropped silently.** Constructs we cannot represent are errors
(:class:`~causal_align.errors.GraphSpecError`, listing every problem, with its line in dagitty
text): ``pdag``/``mag``/``pag`` graphs, undirected ``A -- B`` and circle-marked ``@`` edges,
``[selected]`` nodes, other latents, cycles, and names that are not node names for us
(``[A-Za-z_][A-Za-z0-9_.-]*``). What is ignored carries no causal meaning: layout (``pos``,
``bb``), edge attributes such as dagitty's ``beta``, and a Bayesian network's CPDs (only the
structure is read). Repeating an edge is harmless, as in dagitty.

networkx and pgmpy are imported by these functions only, never by ``import causal_align``.

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
>>> from_dagitty("dag { s -> X -- Y }", regime="s")
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 1 problem:
  <dagitty>:1: undirected edge X -- Y (causal_align needs a direction: write X -> Y or Y -> X, or X <-> Y for a latent common cause) [E_DAGITTY]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from causal_align.errors import GraphSpecError, Problem
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph, Edge, Origin, SoftIntervention
from causal_align.validate import MAX_NAME, NAME, names_at, suggest

if TYPE_CHECKING:
    import networkx as nx
    from pgmpy.base import DAG

_NAME = re.compile(NAME + r"\Z")
_BAREWORD = re.compile(r"[0-9A-Za-z_.]+\Z")
_INVALID_NAME = ("(a name starts with a letter or _, then letters, digits, _ . -; at most "
                 f"{MAX_NAME} characters)")
Pair = tuple[str, str]


# ---------------------------------------------------------------------------------------- dagitty

def to_dagitty(graph: CausalGraph, *, sigma: bool = False) -> str:
    """The graph in dagitty's ``dag { ... }`` syntax, for dagitty.net, R's or pgmpy's dagitty.

    Every node gets a statement, in the graph's order, marked ``[exposure]`` (regime nodes),
    ``[outcome]`` (Y_b) or ``[adjusted]`` (Y_m) and carrying its ``label``; then the directed
    edges, then the bidirected ones. The output is deterministic.

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
    >>> print(to_dagitty(CausalGraph.from_edges(["s -> X-1", "X-1 <-> Y"], regime="s")))
    dag {
    s [exposure]
    "X-1"
    Y
    s -> "X-1"
    "X-1" <-> Y
    }
    """
    lines = ["dag {"]
    roles = (("exposure", graph.regime), ("outcome", graph.base), ("adjusted", graph.mesa))
    for node in graph.nodes:
        attributes = [role for role, members in roles if node in members]
        if graph.labels[node]:
            attributes.append(f"label={_dagitty_string(graph.labels[node])}")
        lines.append(_dagitty_name(node) + (f" [{','.join(attributes)}]" if attributes else ""))
    directed, bidirected = _edges(graph, sigma=sigma)
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
) -> CausalGraph:
    """Read a ``dag { ... }`` written for dagitty.

    Statements are separated by whitespace, newlines or ``;``. Understood: node statements with
    attributes (``X [outcome,pos="1,2",label="..."]``), edges and edge chains (``A -> B -> C``,
    ``A <- B``, ``A <-> B``), groups (``A -> {B C}``), quoted names (``"X"``) and graph
    options (``bb="..."``, ignored).

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
    >>> from_dagitty("pdag { s -> A -- B }", regime="s", source="g.dagitty")
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 1 problem:
      g.dagitty:1: unsupported graph type 'pdag', a partially directed graph: some edges have no direction (causal_align reads a causal diagram, dag { ... }) [E_DAGITTY]
    """
    parsed = _DagittyParser(text, source).parse()
    nodes, edges = parsed.nodes, parsed.edges
    problems: list[Problem] = []
    for node, (line, attributes) in nodes.items():
        if not _is_name(node) and not attributes.get("latent"):
            problems.append(Problem("E_INVALID_NAME", f"invalid node name {node!r} "
                                    f"{_INVALID_NAME}", line=line, source=source))
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
    return _assemble(
        labels, directed, bidirected, marked["latent"], problems=problems, source=source,
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

    def __init__(self, text: str, source: str) -> None:
        self.source = source
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


# --------------------------------------------------------------------------------------- networkx

def to_networkx(graph: CausalGraph, *, sigma: bool = False,
                latent_expansion: bool = False) -> nx.DiGraph[str]:
    """A networkx ``DiGraph`` of the graph's directed edges: a copy, safe to change.

    Parameters
    ----------
    graph : CausalGraph
    sigma : bool
        Build it from G_σ instead of G (networkx has no soft interventions).
    latent_expansion : bool
        Replace each ``A <-> B`` by ``A <- L(A,B) -> B``, a node with attribute ``latent=True``
        (``L(A,B)`` can never clash with a node name). Plain d-separation in the result is
        m-separation in the graph, so networkx's own ``is_d_separator`` applies.

    Returns
    -------
    networkx.DiGraph
        Nodes in the graph's order with attribute ``label``; graph attributes ``name``,
        ``description``, ``regime``, ``base``, ``mesa`` (sorted lists) and ``bidirected``
        (sorted pairs, empty after latent expansion).

    Examples
    --------
    >>> from causal_align import CausalGraph
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> Y", "A <-> Y"], regime="s", base="Y")
    >>> digraph = to_networkx(graph)
    >>> list(digraph.edges), digraph.graph["bidirected"], digraph.graph["base"]
    ([('s', 'A'), ('A', 'Y')], [('A', 'Y')], ['Y'])
    >>> sorted(to_networkx(graph, latent_expansion=True).edges)
    [('A', 'Y'), ('L(A,Y)', 'A'), ('L(A,Y)', 'Y'), ('s', 'A')]
    """
    import networkx as nx

    directed, bidirected = _edges(graph, sigma=sigma)
    digraph: nx.DiGraph[str] = nx.DiGraph(
        name=graph.name, description=graph.description, regime=sorted(graph.regime),
        base=sorted(graph.base), mesa=sorted(graph.mesa),
        bidirected=[] if latent_expansion else bidirected)
    digraph.add_nodes_from((node, {"label": graph.labels[node]}) for node in graph.nodes)
    digraph.add_edges_from(directed)
    if latent_expansion:
        for one, two in bidirected:
            latent = _latent_name(one, two)
            digraph.add_node(latent, label="", latent=True)
            digraph.add_edges_from([(latent, one), (latent, two)])
    return digraph


def from_networkx(
    digraph: nx.Graph[Any],
    *,
    regime: str | Iterable[str],
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    bidirected: Iterable[Pair] | None = None,
    sigma: Iterable[SoftIntervention] = (),
    query_regime: str | Iterable[str] | None = None,
    name: str | None = None,
) -> CausalGraph:
    """Read a networkx ``DiGraph`` (or ``MultiDiGraph``): its nodes, edges and labels.

    Parameters
    ----------
    digraph : networkx.DiGraph
        Node names must be strings that are valid node names; a node attribute ``label`` (a
        string) is kept; nodes with attribute ``latent=True`` become ``<->`` edges.
    regime : str or Iterable[str]
        The regime nodes.
    base, mesa : str or Iterable[str], optional
        Default: the graph attributes ``base`` and ``mesa``, if present.
    bidirected : Iterable[tuple[str, str]], optional
        The ``<->`` edges; default: the graph attribute ``bidirected``, if present.
    sigma, query_regime, name
        As for :func:`from_dagitty`; the name defaults to the graph attribute ``name``.

    Returns
    -------
    CausalGraph

    Raises
    ------
    TypeError
        When ``digraph`` is not a networkx graph.
    GraphSpecError
        Listing every problem: an undirected graph, a node that is not a string or not a valid
        name, a label that is not a string, a malformed ``bidirected`` pair, a latent node that
        is not a root with two children, a cycle, an unknown regime node, ...

    Examples
    --------
    >>> import networkx as nx
    >>> graph = from_networkx(nx.DiGraph([("s", "A"), ("A", "Y")]), regime="s",
    ...                       bidirected=[("A", "Y")], base="Y")
    >>> graph.spouses("A"), graph.children("A")
    (('Y',), ('Y',))
    >>> from_networkx(nx.DiGraph([("s", 1)]), regime="s")
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 1 problem:
      <networkx>: node 1 is an int, not a string (rename the nodes, e.g. networkx.relabel_nodes(graph, lambda node: f"V{node}")) [E_INVALID_NAME]
    """
    import networkx as nx

    if not isinstance(digraph, nx.Graph):
        raise TypeError(f"expected a networkx DiGraph, found {type(digraph).__name__}")
    source = "<networkx>"
    if not digraph.is_directed():
        raise GraphSpecError([Problem("E_NETWORKX", "an undirected networkx graph (build a "
                                      "DiGraph whose edges point from cause to effect)",
                                      source=source)])
    attributes: Mapping[str, Any] = digraph.graph
    if bidirected is None:
        bidirected = attributes.get("bidirected", ())
    return _from_digraph(
        digraph, {node for node, latent in digraph.nodes(data="latent") if latent},
        bidirected, source=source, kind="networkx graph", code="E_NETWORKX", regime=regime,
        base=base if base is not None else attributes.get("base") or None,
        mesa=mesa if mesa is not None else attributes.get("mesa") or None,
        sigma=sigma, query_regime=query_regime, name=name)


# ------------------------------------------------------------------------------------------ pgmpy

def to_pgmpy(graph: CausalGraph, *, sigma: bool = False) -> DAG:
    """A pgmpy ``DAG``: each ``A <-> B`` becomes a latent node ``L(A,B)`` with children A and B.

    Parameters
    ----------
    graph : CausalGraph
    sigma : bool
        Build it from G_σ instead of G (pgmpy has no soft interventions).

    Returns
    -------
    pgmpy.base.DAG
        Nodes carry the attribute ``label``; the roles are set: ``latents``, ``exposures``
        (regime), ``outcomes`` (Y_b) and ``adjustment`` (Y_m).

    Examples
    --------
    >>> from causal_align import CausalGraph
    >>> dag = to_pgmpy(CausalGraph.from_edges(["s -> A", "A <-> Y"], regime="s", base="Y"))
    >>> sorted(dag.edges), dag.latents, dag.exposures, dag.outcomes
    ([('L(A,Y)', 'A'), ('L(A,Y)', 'Y'), ('s', 'A')], {'L(A,Y)'}, {'s'}, {'Y'})
    """
    from pgmpy.base import DAG

    directed, bidirected = _edges(graph, sigma=sigma)
    dag = DAG()
    dag.graph.update(name=graph.name, description=graph.description)
    dag.add_nodes_from((node, {"label": graph.labels[node]}) for node in graph.nodes)
    latents = [_latent_name(one, two) for one, two in bidirected]
    dag.add_nodes_from(latents, label="")
    dag.add_edges_from(directed + [(latent, node) for latent, pair in zip(latents, bidirected)
                                   for node in pair])
    for role, members in (("latents", latents), ("exposures", graph.regime),
                          ("outcomes", graph.base), ("adjustment", graph.mesa)):
        dag.with_role(role, set(members), inplace=True)
    return dag


def from_pgmpy(
    model: DAG,
    *,
    regime: str | Iterable[str],
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    sigma: Iterable[SoftIntervention] = (),
    query_regime: str | Iterable[str] | None = None,
    name: str | None = None,
) -> CausalGraph:
    """Read the structure of a pgmpy ``DAG`` or Bayesian network (its CPDs are not read).

    Parameters
    ----------
    model : pgmpy.base.DAG
        A ``DAG`` or a subclass such as ``DiscreteBayesianNetwork``. Each latent must be a root
        with exactly two children, and becomes ``A <-> B``.
    regime : str or Iterable[str]
        The regime nodes (pgmpy's ``exposures`` are ignored).
    base, mesa : str or Iterable[str], optional
        Default: the ``outcomes`` and the ``adjustment`` role, if any.
    sigma, query_regime, name
        As for :func:`from_dagitty`; the name defaults to the graph attribute ``name``.

    Returns
    -------
    CausalGraph

    Raises
    ------
    TypeError
        When ``model`` is not a pgmpy DAG.
    GraphSpecError
        As for :func:`from_networkx`; a latent that is not a root with two children has code
        ``E_LATENT``.

    Examples
    --------
    >>> from pgmpy.base import DAG
    >>> dag = DAG([("s", "A"), ("U", "A"), ("U", "Y")], latents={"U"}, outcomes={"Y"})
    >>> graph = from_pgmpy(dag, regime="s")
    >>> graph.nodes, [str(edge) for edge in graph.edges], sorted(graph.base)
    (('s', 'A', 'Y'), ['s -> A', 'A <-> Y'], ['Y'])
    """
    from pgmpy.base import DAG

    if not isinstance(model, DAG):
        raise TypeError(f"expected a pgmpy DAG or Bayesian network, found "
                        f"{type(model).__name__}")
    adjustment = model.get_role("adjustment") if model.has_role("adjustment") else []
    return _from_digraph(
        model, set(model.latents), (), source="<pgmpy>", kind="pgmpy DAG", code="E_PGMPY",
        regime=regime,
        base=base if base is not None else sorted(model.outcomes) or None,
        mesa=mesa if mesa is not None else sorted(adjustment) or None,
        sigma=sigma, query_regime=query_regime, name=name)


# ----------------------------------------------------------------------------------------- shared

def _edges(graph: CausalGraph, *, sigma: bool) -> tuple[list[Pair], list[Pair]]:
    """G's (or G_σ's) directed edges in node order, and its bidirected pairs, each sorted."""
    view: CausalGraph | SigmaGraph = sigma_graph(graph) if sigma else graph
    directed = [(node, child) for node in graph.nodes for child in view.children(node)]
    bidirected = sorted((node, spouse) for node in graph.nodes for spouse in view.spouses(node)
                        if node < spouse)
    return directed, bidirected


def _latent_name(one: str, two: str) -> str:
    return f"L({one},{two})"


def _is_name(node: object) -> bool:
    return isinstance(node, str) and len(node) <= MAX_NAME and _NAME.match(node) is not None


def _from_digraph(digraph: nx.Graph[Any], latents: set[Any], bidirected: Iterable[Any], *,
                  source: str, kind: str, code: str, regime: str | Iterable[str],
                  base: str | Iterable[str] | None, mesa: str | Iterable[str] | None,
                  sigma: Iterable[SoftIntervention], query_regime: str | Iterable[str] | None,
                  name: str | None) -> CausalGraph:
    """Nodes, labels and edges of a networkx or pgmpy graph, checked for names and types."""
    problems: list[Problem] = []
    labels: dict[str, str] = {}
    for node, label in digraph.nodes(data="label"):
        if not isinstance(node, str):
            problems.append(Problem("E_INVALID_NAME", f"node {node!r} is {_a(node)}, not a string "
                                    "(rename the nodes, e.g. networkx.relabel_nodes(graph, "
                                    "lambda node: f\"V{node}\"))", source=source))
            continue
        if label is not None and not isinstance(label, str):
            problems.append(Problem(code, f"the label of node {node!r} is {_a(label)} "
                                    f"{label!r}, not a string", source=source))
        labels[node] = label if isinstance(label, str) else ""
    pairs: list[Pair] = []
    for index, item in enumerate(bidirected):
        pair = tuple(item) if isinstance(item, (tuple, list)) else ()
        if len(pair) != 2 or not all(node in labels for node in pair):
            problems.append(Problem(code, f"bidirected[{index}] is {item!r}: expected a pair "
                                    "of nodes of the graph, like ('A', 'B')", source=source))
        else:
            pairs.append((pair[0], pair[1]))
    if problems:
        raise GraphSpecError(problems)
    graph_name = digraph.graph.get("name")
    description = digraph.graph.get("description")
    return _assemble(
        labels, list(digraph.edges()), pairs, [node for node in labels if node in latents],
        problems=problems, source=source, kind=kind, regime=regime, base=base, mesa=mesa,
        sigma=sigma,
        query_regime=query_regime,
        name=name or (graph_name if isinstance(graph_name, str) and graph_name else "graph"),
        description=description if isinstance(description, str) else "")


def _a(value: object) -> str:
    kind = type(value).__name__
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def _assemble(labels: Mapping[str, str], directed: list[Pair], bidirected: list[Pair],
              latents: list[str], *, problems: list[Problem], source: str, kind: str,
              regime: str | Iterable[str], base: str | Iterable[str] | None,
              mesa: str | Iterable[str] | None, sigma: Iterable[SoftIntervention],
              query_regime: str | Iterable[str] | None, name: str, description: str,
              node_lines: Mapping[str, int] | None = None,
              edge_lines: Mapping[tuple[str, str, bool], int] | None = None) -> CausalGraph:
    """Turn latents into ``<->``, drop repeated edges, check the roles, build the graph.

    ``kind`` names what was read ("dagitty text"); ``node_lines`` and ``edge_lines`` (by
    :meth:`Edge.key`) position problems in dagitty text.
    """
    node_lines, edge_lines = node_lines or {}, edge_lines or {}
    bidirected = list(bidirected)
    hidden = set(latents)
    around: dict[str, tuple[list[str], list[str], list[str]]] = {node: ([], [], [])
                                                                 for node in latents}
    for tail, head in directed:
        if tail in hidden:
            around[tail][1].append(head)
        if head in hidden:
            around[head][0].append(tail)
    for one, two in bidirected:
        for node, other in ((one, two), (two, one)):
            if node in hidden:
                around[node][2].append(other)
    for node in latents:
        parents, children, spouses = (sorted(set(near)) for near in around[node])
        if parents or spouses or len(children) != 2 or hidden.intersection(children):
            found = _describe_latent(parents, children, spouses, hidden)
            problems.append(Problem("E_LATENT", f"latent node {node!r} {found}; a latent common "
                                    "cause must be a root with exactly two observed children, "
                                    "which becomes A <-> B (replace it by <-> edges, or make "
                                    f"{node!r} an ordinary node)", line=node_lines.get(node),
                                    source=source))
        else:
            bidirected.append((children[0], children[1]))
    known = [node for node in labels if node not in hidden]
    _check_roles(known, problems, source, kind, regime=regime, base=base, mesa=mesa,
                 query_regime=query_regime, sigma=tuple(sigma))
    if problems:
        problems.sort(key=lambda problem: problem.line or 0)
        raise GraphSpecError(problems)
    edges: dict[tuple[str, str, bool], Edge] = {}
    for tail, head in directed:
        if tail not in hidden:
            edges.setdefault((tail, head, False), Edge(tail, head))
    for one, two in bidirected:
        edge = Edge(one, two, bidirected=True)
        edges.setdefault(edge.key(), edge)
    where = {f"nodes.{node}": line for node, line in node_lines.items()}
    where.update({f"edges[{index}]": edge_lines[key] for index, key in enumerate(edges)
                  if key in edge_lines})
    try:
        return CausalGraph({node: labels[node] for node in known}, list(edges.values()),
                           regime=regime, sigma=sigma, base=base, mesa=mesa,
                           query_regime=query_regime, name=name, description=description,
                           origin=Origin(source, where))
    except GraphSpecError as error:  # "edges[3]", "nodes.X" are YAML places: the text has none
        raise GraphSpecError(
            replace(problem, location="") if problem.location.startswith(("edges[", "nodes."))
            else problem for problem in error.problems) from None


def _describe_latent(parents: list[str], children: list[str], spouses: list[str],
                     hidden: set[str]) -> str:
    count = len(children)
    parts = [f"has {count} {'child' if count == 1 else 'children'}"
             + (f" ({', '.join(children)})" if children else "")]
    if parents:
        parts.append(f"parents ({', '.join(parents)})")
    if spouses:
        parts.append(f"<-> edges ({', '.join(spouses)})")
    latent_children = sorted(hidden.intersection(children))
    if latent_children:
        parts.append(f"latent children ({', '.join(latent_children)})")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _check_roles(known: list[str], problems: list[Problem], source: str, kind: str, *,
                 regime: str | Iterable[str], base: str | Iterable[str] | None,
                 mesa: str | Iterable[str] | None, query_regime: str | Iterable[str] | None,
                 sigma: tuple[SoftIntervention, ...]) -> None:
    """Every name passed as an argument is a node of the graph that was read."""
    nodes = set(known)
    otherwise = f"it is not a node of the {kind}"
    named = [(role, names_at(value, role)) for role, value in
             (("regime", regime), ("base", base), ("mesa", mesa), ("query_regime", query_regime))
             if value is not None]
    for index, item in enumerate(sigma):
        named.append(("σ target", [(item.target, f"sigma[{index}].target")]))
        named.append((f"the context of σ({item.target})",
                      names_at(item.context or (), f"sigma[{index}].context")))
    for role, pairs in named:
        for node, location in pairs:
            if node not in nodes:
                problems.append(Problem("E_UNKNOWN_NODE", f"unknown node {node!r} in {role} "
                                        f"({suggest(node, nodes, otherwise)})", location,
                                        source=source))
