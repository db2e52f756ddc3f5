"""Read a discrete model of a diagram: the ``model:`` section of a graph file, or a pgmpy network.

The model gives every variable of the σ-model (see :mod:`causal_align.quantities.discrete`)
its states and table. Written by hand, after the graph's keys::

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
  [E_MODEL_ROW_LENGTH]; entries are not negative [E_MODEL_NEGATIVE] and sum to 1 within 1e-4
  [E_MODEL_ROW_SUM]; a row within that is divided by its sum (thirds written ``0.333333``).
- **Values**: states that are all numbers are their own values; ``utility`` gives a finite number
  for each state (and overrides numeric states) [E_MODEL_UNKNOWN_STATE, E_MODEL_UTILITY].

:func:`~causal_align.quantities.rules.check_model` (:mod:`causal_align.quantities.rules`)
holds the rules a built :class:`~causal_align.quantities.discrete.DiscreteModel` must meet, for
files, pgmpy networks and models built in Python alike; the readers add only what is particular
to their format (row keys, CPD state names) and hand the model to the same checks. A file
without a ``model:`` section is refused by :func:`load_model` [E_MODEL_MISSING].

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

A bad row gets the same code, place and message as in Python: see
:mod:`causal_align.quantities.rules`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from causal_align.errors import GraphSpecError, Problem, shown
from causal_align.limits import Limits, read_text
from causal_align.loader import read_graph_document
from causal_align.model import CausalGraph, Origin
from causal_align.quantities.discrete import Array, DiscreteModel, Table
from causal_align.quantities.rules import Places, collect_problems, listed, states_problem
from causal_align.schema import ModelSpec
from causal_align.validate import Problems

if TYPE_CHECKING:
    from pgmpy.models import DiscreteBayesianNetwork

SHOWN_ROWS = 3
"""Most missing rows a message lists."""
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\Z")


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
                         f"({problems.suggest(key, states, listed(states))})")
        elif index in numbers:
            problems.add("E_MODEL_UTILITY", f"{place}.{key}", f"{shown(key)} is the state "
                         f"{shown(states[index])} again (remove one)")
        else:
            numbers[index] = float(value)
    missing = [state for index, state in enumerate(states) if index not in numbers]
    if missing and len(problems.found) == found:  # else a misspelt state is the likely cause
        problems.add("E_MODEL_UTILITY", place, f"the utility of {shown(name)} has no number for "
                     f"{listed(missing)} (give one for every state)")
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
            if node.utility is not None and states_problem(node.states) is None:
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
        collect_problems(model, self.problems, Places(row_keys=self.row_keys),
                         frozenset(self.unread))
        self.problems.raise_if_any()
        return model

    def _table(self, section: str, name: str, given: tuple[str, ...], rows: Any) -> Table:
        """The table's array from its rows; an empty one (and ``unread``) when it cannot be read."""
        unreadable = Table(name, given, np.empty(0))
        if name in self.unread or len(set(given)) < len(given) or any(
                self.states.get(node) is None or states_problem(self.states[node])
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
        return Table(name, given, probabilities)

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
                                  f"({self.problems.suggest(part, axis, listed(axis))})")
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
            elif states_problem(states[name]) is None:
                read = _utility(name, states[name], utility, self.problems, f"network.{name}")
                if read is not None:
                    values[name] = read
        training = {node: "train" for node in sorted(graph.regime)} | dict(self.training)
        deployment = {node: "deploy" for node in sorted(graph.regime)} | dict(self.deployment)
        model = DiscreteModel(graph, states, tables, latents, values, training, deployment)
        collect_problems(model, self.problems, Places(network=True), frozenset(unread))
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
                                  f"{listed(written)}, but its own CPD has {listed(own)}")
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
