"""Read a discrete model of a diagram: the ``model:`` section of a graph file, or a pgmpy network.

The model gives every variable of the σ-model (see :mod:`causal_align.quantities.discrete`) its states and
table. Written by hand, after the graph's keys::

    model:
      regime:                     # optional; each regime node defaults to the states below
        s: {states: [train, deploy], train: train, deploy: deploy}
      latents:                    # one latent per <-> edge of G_σ (or per clique of them)
        U: {children: [L, Y_m], states: [lo, hi], table: [0.5, 0.5]}
      nodes:
        L: {states: [small, large], table: [0.5, 0.5]}      # given nothing: one row
        C:
          states: [end, elsewhere]
          given: [s, L]           # the row key order
          table:
            train, small: [0.95, 0.05]
            train, large: [0.9, 0.1]
            deploy, small: [0.3, 0.7]
            deploy, large: [0.3, 0.7]
        Y_b:
          states: [lose, win]
          given: [C]
          table: {end: [0.1, 0.9], elsewhere: [0.8, 0.2]}
          utility: {lose: 0, win: 1}

The rules, each checked with a positioned error:

- **States** are text: a number written in YAML is its text (``0`` is the state "0", ``1.50``
  the state "1.5"). A variable's states are non-empty, unique, without commas and without
  spaces around them [E_MODEL_STATES].
- **Regime nodes** are listed under ``regime`` only (any other name there is refused
  [E_MODEL_UNKNOWN_NODE]); each has states (default ``[train, deploy]``) and names its training
  and deployment states (default ``train`` and ``deploy``), which differ [E_MODEL_UNKNOWN_STATE,
  E_MODEL_REGIME]. They have no table: every quantity conditions on them [E_MODEL_REGIME].
- **Latents** stand for the ``<->`` edges of G_σ: a latent has a name no node has, its children
  are two or more nodes joined pairwise by ``<->`` in G_σ, and every ``<->`` of G_σ is covered by
  a latent [E_MODEL_LATENT]. σ removes the ``<->`` edges of its target, so a policy has no
  latent. A latent is given nothing: its table is one row.
- **Every other node** has states and a table under ``nodes``; other names are refused
  [E_MODEL_MISSING_TABLE, E_MODEL_UNKNOWN_NODE].
- ``given`` (a name or a list) holds, in any order, the node's parents in G_σ and the latents
  over it [E_MODEL_PARENTS]. A σ target's parents in G_σ are its context: its table is the
  learned policy P*(D_m | context).
- **Rows**: a table given nothing is one list; otherwise it is a mapping with one row per
  combination of the given variables' states, keyed by those states in ``given`` order joined by
  ``", "`` (spaces around the comma are optional; a number matches a numeric state of equal
  value) [E_MODEL_ROW_KEY, E_MODEL_UNKNOWN_STATE, E_MODEL_MISSING_ROW]. In a mapping written on
  one line, ``{...}``, YAML splits keys at commas: quote them, ``{'train, small': [1, 0]}``.
- **Entries**: a row has one entry per state of the node, in ``states`` order
  [E_MODEL_ROW_LENGTH]; entries are not negative [E_MODEL_NEGATIVE] and sum to 1 within 1e-6
  [E_MODEL_ROW_SUM].
- **Values**: states that are all numbers are their own values; ``utility`` gives a finite number
  for each state (and overrides numeric states) [E_MODEL_UNKNOWN_STATE, E_MODEL_UTILITY].

:func:`check_model` holds the rules a built :class:`~causal_align.discrete.DiscreteModel` must
meet; the readers add only what is particular to their format (row keys, CPD state names) and
hand the model to the same checks. A file without a ``model:`` section is refused by
:func:`load_model` [E_MODEL_MISSING].

Examples
--------
>>> model = parse_model('''
... nodes: {s: regime, Y_m: mesa, Y_b: base}
... edges: [s -> Y_m, Y_m -> Y_b]
... regime: s
... model:
...   nodes:
...     Y_m: {states: [0, 1], given: s, table: {train: [0.2, 0.8], deploy: [0.5, 0.5]}}
...     Y_b:
...       states: [lose, win]
...       given: Y_m
...       table: {0: [0.9, 0.1], 1: [0.1, 0.9]}
...       utility: {lose: 0, win: 1}
... ''')
>>> model.states["Y_m"], model.values["Y_m"], model.values["Y_b"]
(('0', '1'), (0.0, 1.0), (0.0, 1.0))
>>> model.tables["Y_m"].probabilities[1]
array([0.5, 0.5])
>>> parse_model('''
... nodes: {s: regime, Y: outcome}
... edges: [s -> Y]
... regime: s
... model:
...   nodes:
...     Y: {states: [lo, hi], given: s, table: {train: [0.5, 0.6], deploy: [1, 0]}}
... ''', source="g.yaml")
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 1 problem:
  g.yaml:7 model.nodes.Y.table.train: row 'train' of 'Y' sums to 1.1, not 1 (within 1e-06)
  [E_MODEL_ROW_SUM]
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from causal_align.quantities.discrete import TOLERANCE, Array, DiscreteModel, Table
from causal_align.errors import GraphSpecError, Problem, shown
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.limits import Limits, read_text
from causal_align.loader import read_graph_document
from causal_align.model import CausalGraph, Origin
from causal_align.schema import ModelSpec
from causal_align.validate import NAME, Problems

if TYPE_CHECKING:
    from pgmpy.models import DiscreteBayesianNetwork

SHOWN_ROWS = 3
"""Most missing rows a message lists."""
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\Z")
_NAME = re.compile(NAME + r"\Z")


def load_model(path: str | Path, *, limits: Limits = Limits()) -> DiscreteModel:
    """Read a graph file and its ``model:`` section; the graph's name defaults to the file stem.

    Raises
    ------
    GraphSpecError
        When the graph or its model is invalid, or the file has no ``model:`` section; every
        problem is listed with its line.
    """
    path = Path(path)
    return parse_model(read_text(path, limits), source=str(path), default_name=path.stem,
                       limits=limits)


def parse_model(text: str, *, source: str = "<string>", default_name: str = "graph",
                limits: Limits = Limits()) -> DiscreteModel:
    """Read a graph and its ``model:`` section from YAML text; ``source`` names it in errors."""
    return model_from_document(*read_graph_document(text, source=source,
                                                    default_name=default_name, limits=limits))


def model_from_document(graph: CausalGraph, data: dict[str, Any], origin: Origin) -> DiscreteModel:
    """The model of a document :func:`~causal_align.loader.read_graph_document` has read (so a
    caller that has the graph already does not parse the file again)."""
    source = origin.source
    if data.get("model") is None:
        where = "model" if "model" in data else ""
        what = "the model: section is empty" if where else "the file has no model: section"
        raise GraphSpecError([Problem(
            "E_MODEL_MISSING", f"{what} (give the states and table of every node under "
            "model: nodes:, see causal_align.quantities.parameters)", where,
            origin.lines.get(where, origin.lines.get("")), source)])
    return _DocumentReader(graph, ModelSpec.model_validate(data["model"]), origin).read()


def check_model(model: DiscreteModel) -> None:
    """Check a model built in Python against every rule of a ``model:`` section.

    Problems are located as in the model's :func:`dump_model` text (``model.nodes.C.table``).

    Raises
    ------
    GraphSpecError
        Every problem found.

    Examples
    --------
    >>> from causal_align import CausalGraph
    >>> from causal_align.quantities.discrete import random_model
    >>> model = random_model(CausalGraph.from_edges(["s -> Y"], regime="s"), seed=0)
    >>> check_model(model)
    >>> check_model(model.with_tables({"Y": Table("Y", ("s",), np.full((2, 2), 0.4))}))
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 2 problems:
      <python> model.nodes.Y.table.train: row 'train' of 'Y' sums to 0.8, not 1
      (within 1e-06) [E_MODEL_ROW_SUM]
      <python> model.nodes.Y.table.deploy: row 'deploy' of 'Y' sums to 0.8, not 1
      (within 1e-06) [E_MODEL_ROW_SUM]
    """
    problems = Problems(Origin("<python>"))
    _check(model, problems, _Places())
    problems.raise_if_any()


def model_from_pgmpy(graph: CausalGraph, network: DiscreteBayesianNetwork, *,
                     training: Mapping[str, str] | None = None,
                     deployment: Mapping[str, str] | None = None,
                     values: Mapping[str, Mapping[str, float]] | None = None) -> DiscreteModel:
    """The model of ``graph`` whose tables are the CPDs of a pgmpy network.

    The network is the σ-model: a CPD for every node of the graph (the σ targets' CPDs are the
    policies; the regime nodes' CPDs give only their states), and each latent a root node the
    graph does not have, whose children are the nodes of a ``<->`` edge (or clique) of G_σ
    (listed in the graph's order). A CPD's evidence is its ``given``, in the CPD's order; state
    names become text. Problems are located at ``network.<variable>``.

    Parameters
    ----------
    graph : CausalGraph
    network : pgmpy.models.DiscreteBayesianNetwork
    training, deployment : Mapping[str, str], optional
        Each regime node's training and deployment state; default ``train`` and ``deploy``.
    values : Mapping[str, Mapping[str, float]], optional
        A number for each state of some nodes, e.g. ``{"Y_b": {"lose": 0, "win": 1}}``; nodes
        whose states are all numbers are valued by them unless given here.

    Raises
    ------
    GraphSpecError
        When the network's structure, states or tables break a rule of the model.

    Examples
    --------
    >>> from causal_align.quantities.discrete import random_model
    >>> graph = CausalGraph.from_edges(["s -> X", "X <-> Y"], regime="s")
    >>> model = model_from_pgmpy(graph, random_model(graph, seed=3).network())
    >>> model.latents, model.given("X")
    ({'U1': ('X', 'Y')}, ('s', 'U1'))
    """
    return _NetworkReader(graph, network, training or {}, deployment or {}, values or {}).read()


def dump_model(model: DiscreteModel) -> str:
    """The ``model:`` section as YAML text: ``parse_model(dump_graph(g) + dump_model(m))`` reads
    ``m`` back (numeric states come back valued by themselves).

    Examples
    --------
    >>> from causal_align.quantities.discrete import random_model
    >>> model = random_model(CausalGraph.from_edges(["s -> Y"], regime="s"))
    >>> model = model.with_tables({"Y": Table("Y", ("s",), np.array([[0.9, 0.1], [0.5, 0.5]]))})
    >>> print(dump_model(model), end="")
    model:
      regime:
        s: {states: [train, deploy], train: train, deploy: deploy}
      nodes:
        Y:
          states: ['0', '1']
          given: [s]
          table:
            train: [0.9, 0.1]
            deploy: [0.5, 0.5]
    """
    section: dict[str, Any] = {"regime": {node: _Inline({
        "states": list(model.states[node]), "train": model.training[node],
        "deploy": model.deployment[node]}) for node in sorted(model.graph.regime)}}
    if model.latents:
        section["latents"] = {latent: _Inline({
            "children": list(children), "states": list(model.states[latent]),
            "table": _rows(model, latent)}) for latent, children in model.latents.items()}
    nodes: dict[str, Any] = {}
    for node in model.tables:
        if node in model.latents:
            continue
        states = model.states[node]
        entry: dict[str, Any] = {"states": list(states)}
        if model.given(node):
            entry["given"] = list(model.given(node))
        entry["table"] = _rows(model, node)
        values = tuple(map(float, model.values.get(node, ())))
        if values and values != _numeric_values(states):
            entry["utility"] = _Inline(zip(states, values))
        nodes[node] = entry
    section["nodes"] = nodes
    return yaml.dump({"model": section}, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100)


# --- the rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Places:
    """How problems name the parts of a model: in a document, or in a pgmpy network.

    ``row_keys`` maps (variable, states of a row) to the row key as the file wrote it.
    """

    network: bool = False
    row_keys: Mapping[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)

    def at(self, section: str, name: str = "", part: str = "") -> str:
        if self.network:
            return f"network.{name}" if name else "network"
        return ".".join(piece for piece in ("model", section, name, part) if piece)

    def holder(self, section: str, name: str) -> str:
        """Where ``name`` belongs but is missing: its section, or its variable."""
        return f"network.{name}" if self.network else f"model.{section}"

    def row(self, section: str, name: str, states: tuple[str, ...]) -> str:
        if not states:
            return self.at(section, name, "table")
        key = self.row_keys.get((name, states), ", ".join(states))
        return self.at(section, name, f"table.{key}")


def _check(model: DiscreteModel, problems: Problems, places: _Places,
           unread: frozenset[str] = frozenset()) -> None:
    """Every rule of a model; ``unread`` are tables a reader could not fill (already reported)."""
    graph = model.graph
    g_sigma = sigma_graph(graph)
    targets = {item.target: item.context or () for item in g_sigma.interventions}
    latents = {name: children for name, children in model.latents.items()
               if not _check_latent_name(name, graph, places, problems)}
    known = set(graph.node_set) | set(latents)

    def section(name: str) -> str:
        return "latents" if name in latents else "nodes"

    good_states = _check_states(model, latents, known, problems, places)
    _check_regime(model, problems, places, good_states)
    broken = _check_latents(model, latents, g_sigma, targets, problems, places)
    for name in [*graph.nodes, *latents]:
        if name not in graph.regime and name not in model.tables:
            policy = (f" (σ target: its table is the policy P*({name} | "
                      f"{', '.join(targets[name]) or 'nothing'}))" if name in targets else "")
            problems.add("E_MODEL_MISSING_TABLE", places.holder(section(name), name),
                         f"{shown(name)} has no table{policy}; every variable except the "
                         "regime nodes needs states and a table")
    covering: dict[str, list[str]] = {}
    for latent, children in latents.items():
        for child in children if latent not in broken else ():
            covering.setdefault(child, []).append(latent)
    for name, table in model.tables.items():
        if name in graph.regime:
            problems.add("E_MODEL_REGIME", places.at("nodes", name, "table"), f"{shown(name)} is "
                         "a regime node: it has states and no table (every quantity conditions "
                         "on it)")
        elif name not in known:
            if name not in model.latents:  # a latent with a wrong name is already reported
                problems.add("E_MODEL_UNKNOWN_NODE", places.at("nodes", name), f"{shown(name)} "
                             f"is not a node of {graph.name} "
                             f"({problems.suggest(name, known, 'remove its table')})")
        else:
            expected = (set() if name in latents else
                        {*g_sigma.parents(name), *covering.get(name, ())})
            role = "latent" if name in latents else "target" if name in targets else "node"
            wrong = _check_given(name, table.given, expected, known - broken, broken, role,
                                 problems, places.at(section(name), name, "given"))
            if not wrong and name not in unread and {name, *table.given} <= good_states:
                _check_table(model, name, table, problems, places, section(name))
    _check_values(model, latents, known, problems, places)


def _check_states(model: DiscreteModel, latents: Mapping[str, tuple[str, ...]], known: set[str],
                  problems: Problems, places: _Places) -> set[str]:
    """Report missing or malformed states; return the variables whose states are fine."""
    graph = model.graph
    good = set()
    for name in [*graph.nodes, *latents]:
        states = model.states.get(name)
        section = "regime" if name in graph.regime else "latents" if name in latents else "nodes"
        place = places.at(section, name, "states")
        if states is None:
            if name in graph.regime:
                problems.add("E_MODEL_STATES", place, f"regime node {shown(name)} has no states")
            elif name in model.tables:  # else it has no table either, reported as such
                problems.add("E_MODEL_STATES", place, f"{shown(name)} has no states")
            continue
        trouble = _states_problem(states)
        if trouble:
            problems.add("E_MODEL_STATES", place, f"the states of {shown(name)}: {trouble}")
        else:
            good.add(name)
    for name in model.states:  # names with a table, and latents, are reported with them
        if name not in known and name not in model.tables and name not in model.latents:
            problems.add("E_MODEL_UNKNOWN_NODE", places.at("nodes", name), f"{shown(name)} has "
                         f"states but is not a node of {graph.name} "
                         f"({problems.suggest(name, known, 'remove it')})")
    return good


def _states_problem(states: Sequence[str]) -> str | None:
    """What is wrong with a variable's states, or None."""
    if not states:
        return "there are none (give at least one)"
    seen: set[str] = set()
    for state in states:
        if not state:
            return "a state is empty text"
        if "," in state:
            return (f"{shown(state)} contains a comma (row keys join states with ', '; use "
                    "another character)")
        if state != state.strip():
            return f"{shown(state)} has spaces around it (remove them)"
        if state in seen:
            return f"{shown(state)} appears twice (states are unique)"
        seen.add(state)
    numbers: dict[float, str] = {}
    for state in states:
        value = _as_number(state)
        if value is not None and value in numbers:
            return (f"{shown(numbers[value])} and {shown(state)} are the same number written "
                    "twice (name each state once)")
        if value is not None:
            numbers[value] = state
    return None


ROUNDING = 1e-4
"""Rows written in a file may sum to 1 within this (thirds written as 0.3333): they are divided
by their sum. Rows further off are refused (``E_MODEL_ROW_SUM``)."""


def renormalised(probabilities: Array) -> Array:
    """Rows of non-negative numbers summing to 1 within :data:`ROUNDING`, divided by their sum;
    other rows left as they are, for the checks to report.

    Examples
    --------
    >>> renormalised(np.array([[0.333333, 0.333333, 0.333333], [0.5, 0.6, 0.0]])).sum(axis=-1)
    array([1. , 1.1])
    """
    with np.errstate(invalid="ignore"):
        sums = probabilities.sum(axis=-1, keepdims=True)
        off = np.abs(sums - 1)  # rows already within TOLERANCE keep their exact numbers
        rounded = ((off > TOLERANCE) & (off <= ROUNDING)
                   & (probabilities >= 0).all(axis=-1, keepdims=True))
    return np.where(rounded, probabilities / np.where(rounded, sums, 1), probabilities)


def _as_number(text: str) -> float | None:
    """The number ``text`` spells (``1``, ``1.0``, ``1e0``), or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _check_latent_name(name: str, graph: CausalGraph, places: _Places,
                       problems: Problems) -> bool:
    """Report a latent whose name is a node's or not a name; True when it is unusable."""
    if name in graph.node_set:
        problems.add("E_MODEL_LATENT", places.at("latents", name), f"latent {shown(name)} has "
                     "the name of a node of the graph (rename the latent)")
        return True
    if not _NAME.match(name):
        problems.add("E_MODEL_LATENT", places.at("latents", name), f"latent {shown(name)} is "
                     "not a valid name (a letter or _, then letters, digits, _ . -)")
        return True
    return False


def _check_regime(model: DiscreteModel, problems: Problems, places: _Places,
                  good_states: set[str]) -> None:
    graph = model.graph
    for name in sorted({*model.training, *model.deployment} - graph.regime):
        hint = (f"the regime nodes are {', '.join(sorted(graph.regime))}; give the states of "
                f"{name} with its table" if name in graph.node_set else
                problems.suggest(name, graph.regime, "remove it"))
        problems.add("E_MODEL_UNKNOWN_NODE", places.at("regime", name), f"{shown(name)} is not "
                     f"a regime node ({hint})")
    for name in sorted(graph.regime):
        chosen = {}
        for part, role, given in (("train", "training", model.training),
                                  ("deploy", "deployment", model.deployment)):
            state = given.get(name)
            place = places.at("regime", name, part)
            if state is None:
                problems.add("E_MODEL_REGIME", place, f"regime node {shown(name)} has no "
                             f"{role} state")
            elif name in good_states and state not in model.states[name]:
                hint = f"{_listed(model.states[name])}: name one of them"
                problems.add("E_MODEL_UNKNOWN_STATE", place, f"the {role} state of "
                             f"{shown(name)} is {shown(state)}, which is not one of its states "
                             f"({problems.suggest(state, model.states[name], hint)})")
            else:
                chosen[role] = state
        if len(chosen) == 2 and chosen["training"] == chosen["deployment"]:
            problems.add("E_MODEL_REGIME", places.at("regime", name, "deploy"), f"regime node "
                         f"{shown(name)} has the same training and deployment state "
                         f"{shown(chosen['training'])} (they must differ)")


def _check_latents(model: DiscreteModel, latents: Mapping[str, tuple[str, ...]],
                   g_sigma: SigmaGraph, targets: Mapping[str, tuple[str, ...]],
                   problems: Problems, places: _Places) -> set[str]:
    """Report latents that are not cliques of ``<->`` in G_σ, and ``<->`` edges no latent
    covers; return the latents found wrong (nodes' ``given`` is not compared against them)."""
    graph = model.graph
    covered: set[frozenset[str]] = set()
    broken: set[str] = set()
    for latent, children in latents.items():
        count = len(problems.found)
        known = []
        for index, child in enumerate(children):
            if child not in graph.node_set:
                problems.add("E_MODEL_UNKNOWN_NODE", places.at("latents", latent,
                                                               f"children[{index}]"),
                             f"unknown node {shown(child)} among the children of latent "
                             f"{shown(latent)} ({problems.suggest(child, graph.node_set)})")
            elif child in known:
                problems.add("E_MODEL_LATENT", places.at("latents", latent, f"children[{index}]"),
                             f"{shown(child)} appears twice among the children of latent "
                             f"{shown(latent)}")
            else:
                known.append(child)
        if len(children) < 2:
            problems.add("E_MODEL_LATENT", places.at("latents", latent, "children"), f"latent "
                         f"{shown(latent)} has {len(children)} child"
                         f"{'' if len(children) == 1 else 'ren'}; a latent stands for "
                         "'A <-> B' edges of G_σ and has two or more children")
        for first, second in itertools.combinations(known, 2):
            if second in g_sigma.spouses(first):
                covered.add(frozenset((first, second)))
                continue
            cut = [node for node in (first, second) if node in targets]
            why = (f" (σ cuts the <-> edges of its target {cut[0]})" if cut and
                   second in graph.spouses(first) else "")
            problems.add("E_MODEL_LATENT", places.at("latents", latent, "children"), f"latent "
                         f"{shown(latent)} joins {first} and {second}, but G_σ has no "
                         f"'{first} <-> {second}'{why}")
        if len(problems.found) > count:
            broken.add(latent)
    for index, edge in enumerate(graph.edges):
        if (edge.bidirected and edge.head in g_sigma.spouses(edge.tail)
                and frozenset((edge.tail, edge.head)) not in covered):
            problems.add("E_MODEL_LATENT", places.at("latents"), f"no latent covers "
                         f"'{edge}' (edges[{index}]): add a latent whose children are "
                         f"{edge.tail} and {edge.head}")
    return broken


def _check_given(name: str, given: tuple[str, ...], expected: set[str], known: set[str],
                 ignored: set[str], role: str, problems: Problems, place: str) -> bool:
    """Report a ``given`` that is not the σ-model's parents; True when it is wrong.

    Names neither in ``known`` nor in ``expected`` are unknown, except the latents already
    reported as wrong, which are left out of the comparison.
    """
    wrong = False
    for index, parent in enumerate(given):
        if parent not in known and parent not in ignored:
            problems.add("E_MODEL_UNKNOWN_NODE", f"{place}[{index}]", f"{shown(name)} is given "
                         f"{shown(parent)}, which is not a variable of the σ-model "
                         f"({problems.suggest(parent, known)})")
            wrong = True
        elif parent in given[:index]:
            problems.add("E_MODEL_PARENTS", f"{place}[{index}]", f"{shown(name)} is given "
                         f"{shown(parent)} twice (remove one)")
            wrong = True
    missing = sorted(expected - set(given))
    extra = sorted((set(given) & known) - expected)
    if role == "latent" and extra:
        problems.add("E_MODEL_PARENTS", place, f"latent {shown(name)} has no parents, but its "
                     f"table is given {', '.join(extra)}")
        return True
    if missing or extra:
        what = (f"{shown(name)} is a σ target: its table is the policy, given its context"
                if role == "target" else f"{shown(name)} must be given its parents in G_σ and "
                "its latents")
        found = [f"{', '.join(missing)} missing"] if missing else []
        found += [f"{', '.join(extra)} extra"] if extra else []
        problems.add("E_MODEL_PARENTS", place, f"{what} ({_listed(sorted(expected))}), not "
                     f"{_listed(given)}: {'; '.join(found)}")
        wrong = True
    return wrong


def _check_table(model: DiscreteModel, name: str, table: Table, problems: Problems,
                 places: _Places, section: str) -> None:
    """The table's shape, then each row: no negative entry, a sum of 1."""
    states = model.states[name]
    axes = [model.states[parent] for parent in table.given]
    shape = (*map(len, axes), len(states))
    if table.probabilities.shape != shape:
        problems.add("E_MODEL_ROW_LENGTH", places.at(section, name, "table"), f"the table of "
                     f"{shown(name)} has shape {table.probabilities.shape}, expected {shape}: "
                     f"one axis per given variable ({', '.join(table.given) or 'none'}), then "
                     f"its {len(states)} states")
        return
    rows = table.probabilities.reshape(-1, len(states))
    negative = np.flatnonzero((rows < 0).any(axis=1))
    with np.errstate(invalid="ignore"):
        sums = rows.sum(axis=1)
        off = np.flatnonzero(~(np.abs(sums - 1) <= TOLERANCE))
    negative_rows, off_rows = set(negative.tolist()), set(off.tolist())
    for index in sorted(negative_rows | off_rows):
        combination = tuple(axis[at] for axis, at in zip(
            axes, np.unravel_index(index, shape[:-1]) if axes else ()))
        row = ", ".join(combination)
        place = places.row(section, name, combination)
        if index in negative_rows:
            column = int(np.flatnonzero(rows[index] < 0)[0])
            condition = f" | {row}" if axes else ""
            problems.add("E_MODEL_NEGATIVE", place, f"P({name} = {states[column]}{condition}) "
                         f"is {rows[index, column]:.10g}, negative (probabilities lie between 0 "
                         "and 1)")
        if index in off_rows:
            what = f"row {shown(row)} of {shown(name)}" if axes else f"the table of {shown(name)}"
            problems.add("E_MODEL_ROW_SUM", place, f"{what} sums to {sums[index]:.10g}, not 1 "
                         f"(within {TOLERANCE:g})")


def _check_values(model: DiscreteModel, latents: Mapping[str, tuple[str, ...]], known: set[str],
                  problems: Problems, places: _Places) -> None:
    for name, values in model.values.items():
        place = places.at("latents" if name in latents else "nodes", name, "utility")
        if name not in known and name not in model.tables and name not in model.states:
            problems.add("E_MODEL_UNKNOWN_NODE", place, f"{shown(name)} has values but is not "
                         f"a variable of the σ-model ({problems.suggest(name, known)})")
            continue
        states = model.states.get(name, ())
        if len(values) != len(states):
            problems.add("E_MODEL_UTILITY", place, f"{shown(name)} has {len(states)} states but "
                         f"{len(values)} values (one number per state)")
            continue
        for state, value in zip(states, values):
            if not math.isfinite(value):
                problems.add("E_MODEL_UTILITY", f"{place}.{state}", f"the value of state "
                             f"{shown(state)} of {shown(name)} is {value} (give a finite number)")


# --- reading --------------------------------------------------------------------------------------


def _numeric_values(states: Sequence[str]) -> tuple[float, ...] | None:
    """The states as numbers, when every one is a finite number."""
    if not states or not all(_NUMBER.match(state) for state in states):
        return None
    numbers = tuple(float(state) for state in states)
    return numbers if all(map(math.isfinite, numbers)) else None


def _state_index(text: str, states: Sequence[str]) -> int | None:
    """Where ``text`` is among ``states``: the same text, or a number equal to a numeric state."""
    if text in states:
        return states.index(text)
    if _NUMBER.match(text):
        number = float(text)
        for index, state in enumerate(states):
            if _NUMBER.match(state) and float(state) == number:
                return index
    return None


def _utility(name: str, states: Sequence[str], utility: Mapping[str, float],
             problems: Problems, place: str) -> tuple[float, ...] | None:
    """One number per state from a mapping state → number, or None after reporting why not."""
    numbers: dict[int, float] = {}
    found = len(problems.found)
    for key, value in utility.items():
        index = _state_index(key, states)
        if index is None:
            problems.add("E_MODEL_UNKNOWN_STATE", f"{place}.{key}", f"{shown(key)} is not a "
                         f"state of {shown(name)} "
                         f"({problems.suggest(key, states, _listed(states))})")
        elif index in numbers:
            problems.add("E_MODEL_UTILITY", f"{place}.{key}", f"{shown(key)} is the state "
                         f"{shown(states[index])} again (remove one)")
        else:
            numbers[index] = float(value)
    missing = [state for index, state in enumerate(states) if index not in numbers]
    if missing and len(problems.found) == found:  # else a misspelt state is the likely cause
        problems.add("E_MODEL_UTILITY", place, f"the utility of {shown(name)} has no number for "
                     f"{_listed(missing)} (give one for every state)")
    if len(problems.found) > found:
        return None
    return tuple(numbers[index] for index in range(len(states)))


class _DocumentReader:
    """A ``model:`` section (shape already checked) → DiscreteModel, or every problem."""

    def __init__(self, graph: CausalGraph, spec: ModelSpec, origin: Origin) -> None:
        self.graph, self.spec = graph, spec
        self.problems = Problems(origin)
        self.states: dict[str, tuple[str, ...]] = {}
        self.row_keys: dict[tuple[str, tuple[str, ...]], str] = {}
        self.unread: set[str] = set()

    def read(self) -> DiscreteModel:
        graph, spec = self.graph, self.spec
        training = {node: "train" for node in sorted(graph.regime)}
        deployment = {node: "deploy" for node in sorted(graph.regime)}
        self.states.update((node, ("train", "deploy")) for node in sorted(graph.regime))
        for name, regime in spec.regime.items():
            if name in graph.regime:
                self.states[name] = tuple(regime.states)
            training[name], deployment[name] = regime.train, regime.deploy
        latents: dict[str, tuple[str, ...]] = {}
        entries: list[tuple[str, str, list[str], Any]] = []
        for name, latent in spec.latents.items():
            latents[name] = tuple(latent.children)
            if name not in graph.node_set:
                self.states[name] = tuple(latent.states)
                entries.append(("latents", name, [], latent.table))
        values: dict[str, tuple[float, ...]] = {}
        for name, node in spec.nodes.items():
            if name in latents and name not in graph.node_set:
                self.problems.add("E_MODEL_LATENT", f"model.nodes.{name}", f"{shown(name)} is a "
                                  "latent (under model.latents) and cannot also be under "
                                  "model.nodes")
                continue
            if name in graph.regime:
                self.unread.add(name)
            else:
                self.states[name] = tuple(node.states)
            entries.append(("nodes", name, node.given, node.table))
            if node.utility is not None and _states_problem(node.states) is None:
                utility = _utility(name, node.states, node.utility, self.problems,
                                   f"model.nodes.{name}.utility")
                if utility is not None:
                    values[name] = utility
        for name, states in self.states.items():
            numbers = _numeric_values(states)
            if numbers is not None and name not in values:
                values[name] = numbers
        tables = {name: self._table(section, name, tuple(given), rows)
                  for section, name, given, rows in entries}
        model = DiscreteModel(graph, self.states, tables, latents, values, training, deployment)
        _check(model, self.problems, _Places(row_keys=self.row_keys), frozenset(self.unread))
        self.problems.raise_if_any()
        return model

    def _table(self, section: str, name: str, given: tuple[str, ...], rows: Any) -> Table:
        """The table's array from its rows; an empty one (and ``unread``) when it cannot be read."""
        unreadable = Table(name, given, np.empty(0))
        if name in self.unread or len(set(given)) < len(given) or any(
                self.states.get(node) is None or _states_problem(self.states[node])
                for node in (name, *given)):
            self.unread.add(name)  # the checks of states and given report why
            return unreadable
        states, axes = self.states[name], [self.states[node] for node in given]
        place = f"model.{section}.{name}.table"
        found = len(self.problems.found)
        if not given and isinstance(rows, dict):
            self.problems.add("E_MODEL_ROW_KEY", place, f"{shown(name)} is given nothing: its "
                              "table is one row, a list like [0.5, 0.5]")
        elif not given and len(rows) != len(states):
            self.problems.add("E_MODEL_ROW_LENGTH", place, f"the table of {shown(name)} has "
                              f"{len(rows)} entries, but {shown(name)} has {len(states)} states "
                              f"({', '.join(states)})")
        elif given and not isinstance(rows, dict):
            self.problems.add("E_MODEL_ROW_KEY", place, f"{shown(name)} is given "
                              f"{', '.join(given)}: its table is a mapping with one row per "
                              "combination of their states, like "
                              f"'{', '.join(axis[0] for axis in axes)}: [...]'")
        read = self._rows(name, given, axes, rows, place) if given else {(): rows}
        if len(self.problems.found) > found:
            self.unread.add(name)
            return unreadable
        probabilities = np.empty((*map(len, axes), len(states)))  # every row is read: small
        for combination, row in read.items():
            probabilities[combination] = row
        return Table(name, given, renormalised(probabilities))

    def _rows(self, name: str, given: tuple[str, ...], axes: list[tuple[str, ...]], rows: Any,
              place: str) -> dict[tuple[int, ...], list[float]]:
        """Each row by the state indices its key names; problems with keys and lengths, and
        the first few rows missing, are reported."""
        if not isinstance(rows, dict):
            return {}
        states = self.states[name]
        read: dict[tuple[int, ...], list[float]] = {}
        seen: dict[tuple[int, ...], str] = {}
        for key, row in rows.items():
            combination = self._row_key(name, given, axes, key, place)
            if combination is None:
                continue
            if combination in seen:
                self.problems.add("E_MODEL_ROW_KEY", f"{place}.{key}", f"row {shown(key)} of "
                                  f"{shown(name)} is the row {shown(seen[combination])} again "
                                  "(remove one)")
                continue
            seen[combination] = key
            self.row_keys[(name, tuple(axis[at] for axis, at in zip(axes, combination)))] = key
            if len(row) != len(states):
                self.problems.add("E_MODEL_ROW_LENGTH", f"{place}.{key}", f"row {shown(key)} of "
                                  f"{shown(name)} has {len(row)} entries, but {shown(name)} has "
                                  f"{len(states)} states ({', '.join(states)})")
            read[combination] = row
        missing_count = math.prod(map(len, axes)) - len(seen)
        if missing_count > 0 and len(seen) == len(rows):
            absent = (combination for combination in itertools.product(
                *(range(len(axis)) for axis in axes)) if combination not in seen)
            missing = [", ".join(axis[at] for axis, at in zip(axes, combination))
                       for combination in itertools.islice(absent, SHOWN_ROWS)]
            more = (f" and {missing_count - len(missing):,} more"
                    if missing_count > len(missing) else "")
            self.problems.add("E_MODEL_MISSING_ROW", place, f"the table of {shown(name)} has no "
                              f"row for {', '.join(map(shown, missing))}{more} (one row per "
                              f"combination of the states of {', '.join(given)})")
        return read

    def _row_key(self, name: str, given: tuple[str, ...], axes: list[tuple[str, ...]], key: str,
                 place: str) -> tuple[int, ...] | None:
        """The state index of each given variable named by a row key, or None after reporting."""
        parts = [part.strip() for part in key.split(",")]
        if len(parts) != len(given):
            self.problems.add("E_MODEL_ROW_KEY", f"{place}.{key}", f"row key {shown(key)} of "
                              f"{shown(name)} names {len(parts)} state"
                              f"{'s' if len(parts) != 1 else ''}, but the table is given "
                              f"{len(given)} variable{'s' if len(given) != 1 else ''} "
                              f"({', '.join(given)}): one state of each, joined by ', '")
            return None
        combination = []
        for part, parent, axis in zip(parts, given, axes):
            index = _state_index(part, axis)
            if index is None:
                self.problems.add("E_MODEL_UNKNOWN_STATE", f"{place}.{key}", f"row {shown(key)} "
                                  f"of {shown(name)}: {shown(part)} is not a state of "
                                  f"{shown(parent)} "
                                  f"({self.problems.suggest(part, axis, _listed(axis))})")
                return None
            combination.append(index)
        return tuple(combination)


class _NetworkReader:
    """A pgmpy network → DiscreteModel, or every problem (located at ``network.<variable>``)."""

    def __init__(self, graph: CausalGraph, network: DiscreteBayesianNetwork,
                 training: Mapping[str, str], deployment: Mapping[str, str],
                 values: Mapping[str, Mapping[str, float]]) -> None:
        self.graph, self.network = graph, network
        self.training, self.deployment, self.utilities = training, deployment, values
        self.problems = Problems(Origin("<pgmpy>"))

    def read(self) -> DiscreteModel:
        graph, network = self.graph, self.network
        cpds = {str(cpd.variable): cpd for cpd in network.get_cpds()}
        given = {str(node): tuple(map(str, cpds[str(node)].variables[1:])) if str(node) in cpds
                 else tuple(map(str, network.get_parents(node))) for node in network.nodes()}
        states = {name: tuple(map(str, cpd.state_names[cpd.variable]))
                  for name, cpd in cpds.items()}
        latents = {name: tuple(child for child in graph.nodes if name in given.get(child, ()))
                   for name in sorted(given) if name not in graph.node_set and not given[name]}
        tables: dict[str, Table] = {}
        unread: set[str] = set()
        others = sorted(set(cpds) - set(graph.nodes))
        for name in [*(node for node in graph.nodes if node in cpds), *others]:
            cpd = cpds[name]
            if name in graph.regime and not given[name]:
                continue  # a regime node's distribution plays no part: only its states do
            probabilities = self._probabilities(name, cpd, states)
            if probabilities is None:
                unread.add(name)
                probabilities = np.empty(0)
            tables[name] = Table(name, given[name], probabilities)
        values: dict[str, tuple[float, ...]] = {}
        for name, own in states.items():
            numbers = _numeric_values(own)
            if numbers is not None:
                values[name] = numbers
        for name, utility in self.utilities.items():
            if name not in states:
                values[name] = tuple(map(float, utility.values()))  # reported as unknown
            elif _states_problem(states[name]) is None:
                read = _utility(name, states[name], utility, self.problems, f"network.{name}")
                if read is not None:
                    values[name] = read
        training = {node: "train" for node in sorted(graph.regime)} | dict(self.training)
        deployment = {node: "deploy" for node in sorted(graph.regime)} | dict(self.deployment)
        model = DiscreteModel(graph, states, tables, latents, values, training, deployment)
        _check(model, self.problems, _Places(network=True), frozenset(unread))
        self.problems.raise_if_any()
        return model

    def _probabilities(self, name: str, cpd: Any,
                       states: Mapping[str, tuple[str, ...]]) -> Array | None:
        """The CPD's array with axes (given..., node), each in its variable's own state order."""
        probabilities = np.moveaxis(np.asarray(cpd.values, dtype=np.float64), 0, -1)
        for axis, parent in enumerate(cpd.variables[1:]):
            own = states.get(str(parent))
            written = tuple(map(str, cpd.state_names[parent]))
            if own is None:
                return None  # the parent has no CPD: reported as a missing table
            if sorted(written) != sorted(own) or len(set(own)) != len(own):
                self.problems.add("E_MODEL_UNKNOWN_STATE", f"network.{name}", f"the CPD of "
                                  f"{shown(name)} names the states of {shown(str(parent))} "
                                  f"{_listed(written)}, but its own CPD has {_listed(own)}")
                return None
            probabilities = np.take(probabilities, [written.index(state) for state in own],
                                    axis=axis)
        return probabilities


# --- writing --------------------------------------------------------------------------------------


class _Inline(dict[str, Any]):
    """A mapping written on one line."""


class _Dumper(yaml.SafeDumper):
    """Lists and :class:`_Inline` mappings on one line, everything else in blocks."""


_Dumper.add_representer(list, lambda dumper, items: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", items, flow_style=True))
_Dumper.add_representer(_Inline, lambda dumper, mapping: dumper.represent_mapping(
    "tag:yaml.org,2002:map", mapping.items(), flow_style=True))


def _rows(model: DiscreteModel, name: str) -> list[float] | dict[str, list[float]]:
    """A table as the file writes it: one list, or a mapping from row keys to lists."""
    table = model.tables[name]
    states = model.states[name]
    rows = table.probabilities.reshape(-1, len(states)).tolist()
    if not table.given:
        return [float(value) for value in rows[0]]
    keys = (", ".join(combination) for combination in itertools.product(
        *(model.states[parent] for parent in table.given)))
    return dict(zip(keys, rows))


def _listed(names: Iterable[str]) -> str:
    """Names for a message: ``a, b`` or ``nothing``."""
    return ", ".join(names) or "nothing"
