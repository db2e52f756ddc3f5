"""The rules of a discrete model: one set, whichever way the model was made.

A :class:`~causal_align.quantities.discrete.DiscreteModel` comes from a ``model:`` section of a
graph file or a pgmpy network (:mod:`causal_align.quantities.parameters`), from
:func:`~causal_align.quantities.discrete.random_model`, or from Python. The readers end in
:func:`check_model`, and the gap (so every sweep and simulation) starts with it;
:func:`check_numbers` applies the same functions to the tables alone. So a bad table gets the
same code, message and place (``model.nodes.C.table.train``) whether it was written in a file or
built in Python. The rules are listed, with their codes, in
:mod:`causal_align.quantities.parameters`; those about numbers are these:

- **States** are text, non-empty, unique, printable (no line break or escape code), without
  commas or surrounding spaces, and no two spell the same number (``1`` and ``1.0``)
  [E_MODEL_STATES].
- **Tables** have one axis per given variable, then the node's states [E_MODEL_ROW_LENGTH].
- **Rows** hold no negative entry [E_MODEL_NEGATIVE] and sum to 1 within :data:`ROUNDING`
  (1e-4); a ``nan`` or infinite entry makes the sum ``nan`` or ``inf`` [E_MODEL_ROW_SUM].
  A row within the tolerance is divided by its sum when its
  :class:`~causal_align.quantities.discrete.Table` is built (:func:`renormalised`), so thirds
  written ``0.333333`` compute as exact thirds, and every computation sees rows summing to 1.

Examples
--------
The same bad row, built in Python and written in a file:

>>> import numpy as np
>>> from causal_align.model import CausalGraph
>>> from causal_align.quantities.discrete import DiscreteModel, Table
>>> from causal_align.quantities.parameters import parse_model
>>> graph = CausalGraph.from_edges(["s -> Y"], regime="s")
>>> model = DiscreteModel(graph, {"s": ("train", "deploy"), "Y": ("lo", "hi")},
...                       {"Y": Table("Y", ("s",), np.array([[0.5, 0.6], [1, 0]]))},
...                       training={"s": "train"}, deployment={"s": "deploy"})
>>> check_model(model)
Traceback (most recent call last):
...
causal_align.errors.GraphSpecError: 1 problem:
  <python> model.nodes.Y.table.train: row 'train' of 'Y' sums to 1.1, not 1 (within 1e-04)
  [E_MODEL_ROW_SUM]
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
  g.yaml:7 model.nodes.Y.table.train: row 'train' of 'Y' sums to 1.1, not 1 (within 1e-04)
  [E_MODEL_ROW_SUM]
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from causal_align.errors import shown
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.model import CausalGraph, Origin
from causal_align.validate import NAME, Problems

if TYPE_CHECKING:
    from causal_align.quantities.discrete import Array, DiscreteModel, Table

ROUNDING = 1e-4
"""How far from 1 a row of probabilities may sum: rows within it are divided by their sum
(thirds written as 0.333333 or 0.3333); rows further off are refused (``E_MODEL_ROW_SUM``)."""
EXACT = 1e-12
"""Rows within this of 1 are float rounding and are kept exactly as written."""
_NAME = re.compile(NAME + r"\Z")


def check_model(model: DiscreteModel) -> None:
    """Check a model built in Python against every rule of a ``model:`` section.

    Problems are located as in the model's
    :func:`~causal_align.quantities.parameters.dump_model` text (``model.nodes.C.table``).

    Raises
    ------
    GraphSpecError
        Every problem found.

    Examples
    --------
    >>> import numpy as np
    >>> from causal_align import CausalGraph
    >>> from causal_align.quantities.discrete import Table, random_model
    >>> model = random_model(CausalGraph.from_edges(["s -> Y"], regime="s"), seed=0)
    >>> check_model(model)
    >>> check_model(model.with_tables({"Y": Table("Y", ("s",), np.full((2, 2), 0.4))}))
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 2 problems:
      <python> model.nodes.Y.table.train: row 'train' of 'Y' sums to 0.8, not 1
      (within 1e-04) [E_MODEL_ROW_SUM]
      <python> model.nodes.Y.table.deploy: row 'deploy' of 'Y' sums to 0.8, not 1
      (within 1e-04) [E_MODEL_ROW_SUM]
    """
    problems = Problems(Origin("<python>"))
    collect_problems(model, problems, Places())
    problems.raise_if_any()


def check_numbers(model: DiscreteModel) -> None:
    """Check what a computation needs, with :func:`check_model`'s codes, messages and places:
    every variable but the regime nodes has a table, every variable's states are well formed,
    and every table has the right shape and holds probabilities. The structure (each table's
    ``given``, the latents, the regime states, the values) is left to :func:`check_model`.

    Raises
    ------
    GraphSpecError
        Every problem found.

    Examples
    --------
    >>> import numpy as np
    >>> from causal_align import CausalGraph
    >>> from causal_align.quantities.discrete import Table, random_model
    >>> model = random_model(CausalGraph.from_edges(["s -> Y"], regime="s"), seed=0)
    >>> check_numbers(model.with_tables({"Y": Table("Y", ("s",), np.array([[1.0, 0.0],
    ...                                                                   [-0.5, 1.5]]))}))
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 1 problem:
      <python> model.nodes.Y.table.deploy: P(Y = 0 | deploy) is -0.5, negative (probabilities
      lie between 0 and 1) [E_MODEL_NEGATIVE]
    """
    problems = Problems(Origin("<python>"))
    places = Places()
    graph = model.graph
    good = set()
    for name, states in model.states.items():
        trouble = states_problem(states)
        section = ("regime" if name in graph.regime else
                   "latents" if name in model.latents else "nodes")
        if trouble:
            problems.add("E_MODEL_STATES", places.at(section, name, "states"),
                         f"the states of {shown(name)}: {trouble}")
        else:
            good.add(name)
    targets = {item.target: item.context or () for item in sigma_graph(graph).interventions}
    _check_missing_tables(model, model.latents, targets, problems, places)
    for name, table in model.tables.items():
        if {name, *table.given} <= good:
            _check_table(model, name, table, problems, places,
                         "latents" if name in model.latents else "nodes")
    problems.raise_if_any()


def renormalised(probabilities: Array) -> Array:
    """Rows of non-negative numbers summing to 1 within :data:`ROUNDING`, divided by their sum;
    rows within :data:`EXACT` and other rows (for the checks to report) left as they are.

    Examples
    --------
    >>> renormalised(np.array([[0.333333, 0.333333, 0.333333], [0.5, 0.6, 0.0]])).sum(axis=-1)
    array([1. , 1.1])
    """
    if (not isinstance(probabilities, np.ndarray) or probabilities.ndim == 0
            or not np.issubdtype(probabilities.dtype, np.number)):
        return probabilities
    with np.errstate(invalid="ignore"):
        sums = probabilities.sum(axis=-1, keepdims=True)
        off = np.abs(sums - 1)
        rounded = ((off > EXACT) & (off <= ROUNDING)
                   & (probabilities >= 0).all(axis=-1, keepdims=True))
    if not rounded.any():
        return probabilities
    return np.asarray(np.where(rounded, probabilities / np.where(rounded, sums, 1),
                               probabilities), dtype=np.float64)


@dataclass(frozen=True)
class Places:
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


def collect_problems(model: DiscreteModel, problems: Problems, places: Places,
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
    _check_missing_tables(model, latents, targets, problems, places)
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


def _check_missing_tables(model: DiscreteModel, latents: Mapping[str, tuple[str, ...]],
                          targets: Mapping[str, tuple[str, ...]], problems: Problems,
                          places: Places) -> None:
    """Report every node and latent, except the regime nodes, that has no table."""
    graph = model.graph
    for name in [*graph.nodes, *latents]:
        if name not in graph.regime and name not in model.tables:
            policy = (f" (σ target: its table is the policy P*({name} | "
                      f"{', '.join(targets[name]) or 'nothing'}))" if name in targets else "")
            problems.add("E_MODEL_MISSING_TABLE", places.holder(
                "latents" if name in latents else "nodes", name), f"{shown(name)} has no "
                f"table{policy}; every variable except the regime nodes needs states and a table")


def _check_states(model: DiscreteModel, latents: Mapping[str, tuple[str, ...]], known: set[str],
                  problems: Problems, places: Places) -> set[str]:
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
        trouble = states_problem(states)
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


def states_problem(states: Sequence[str]) -> str | None:
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
        if not state.isprintable():
            return (f"{shown(state)} holds a control character (a line break, a tab or an "
                    "escape code): a state is printed in reports, on one line")
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


def _as_number(text: str) -> float | None:
    """The number ``text`` spells (``1``, ``1.0``, ``1e0``), or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _check_latent_name(name: str, graph: CausalGraph, places: Places,
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


def _check_regime(model: DiscreteModel, problems: Problems, places: Places,
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
                hint = f"{listed(model.states[name])}: name one of them"
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
                   problems: Problems, places: Places) -> set[str]:
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
        problems.add("E_MODEL_PARENTS", place, f"{what} ({listed(sorted(expected))}), not "
                     f"{listed(given)}: {'; '.join(found)}")
        wrong = True
    return wrong


def _check_table(model: DiscreteModel, name: str, table: Table, problems: Problems,
                 places: Places, section: str) -> None:
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
        off = np.flatnonzero(~(np.abs(sums - 1) <= ROUNDING))
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
                         f"(within {ROUNDING:.0e})")


def _check_values(model: DiscreteModel, latents: Mapping[str, tuple[str, ...]], known: set[str],
                  problems: Problems, places: Places) -> None:
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


def listed(names: Iterable[str]) -> str:
    """Names for a message: ``a, b`` or ``nothing``."""
    return ", ".join(names) or "nothing"
