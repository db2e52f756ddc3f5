"""XE-naturalness (the post "Natural category, probability flows", in the series
"A putative new idea for AI control"): is Z a natural category for X, given the evidence E?

Put log-weights on the cells of the X × Z table, ``w[l, j] = log P(X=l, Z=j | e)``. Evidence that
bears on X alone adds a constant to each X row; evidence about Z alone adds one to each Z
column. Neither changes any *log odds ratio*

    log[ P(X=l, Z=j | e) P(X=m, Z=k | e) / (P(X=l, Z=k | e) P(X=m, Z=j | e)) ]
    = w[l, j] + w[m, k] - w[l, k] - w[m, j],

so if all the evidence moves probability along X or along Z, every log odds ratio is the same
whatever e is. A grue-like category, ``Z = X XOR Z'`` with Z' natural, turns evidence about Z'
into a change of the odds ratio. The post therefore measures Z by the variance over E
(weighted by P(E)) of each log odds ratio, and takes the largest: for binary X and Z there is
one pair, for more values every pair l < m of X values and j < k of Z values. Zero means Z is an
**XE-natural category** for X given E — which does not make X and Z independent, only "equally
(in)dependent whatever E is".

The probabilities come from a :class:`~causal_align.discrete.DiscreteModel` (exact: the σ-model
is summed out by :func:`~causal_align.inference.joint_distribution`, with every regime node held
at its training state unless it is evidence or ``given``) or from samples (counts in each stratum
of E plus a pseudocount in every X × Z cell; P(E) from the frequencies; the regime columns named
by ``regime=`` held at their training value, by the same rule). On samples with binary X and Z,
a Breslow–Day test says whether the odds ratios differ across the strata by more than chance.

Zero probabilities. The post neglects them; here a stratum E = e of probability zero
is left out, and a zero cell makes a log odds ratio infinite in its stratum (``±inf``) or 0/0
(both sides zero: ``None``, undefined). A pair's variance is then **infinite** when its log
odds ratio is infinite in some stratum but not ±inf alike in all (the variance grows without
bound however the zeros are approached), and **undefined** (``None``) when some stratum is 0/0
or every stratum is the same infinity. A reason says which cell. Nothing is ever NaN. The
measure is the largest variance: infinite when one is, and an undefined pair is left out (a
note counts them), so that it is undefined only when every pair is.

Examples
--------
X and Z each read E, and Z also reads X: Z's dependence on X changes with E unless the tables
make it constant.

>>> from causal_align.model import CausalGraph
>>> from causal_align.quantities.discrete import random_model
>>> graph = CausalGraph.from_edges(["s -> E", "E -> X", "E -> Z", "X -> Z"], regime="s")
>>> model = random_model(graph, seed=3, states={"E": 3})
>>> result = xe_naturalness(model, x="X", z="Z", evidence=["E"])
>>> result.value > 0, len(result.pairs), len(result.strata)
(True, 1, 3)

Without the edge ``X -> Z``, X and Z are independent in every stratum: the odds ratio is 1
throughout, and Z is XE-natural for X.

>>> independent = random_model(CausalGraph.from_edges(["s -> E", "E -> X", "E -> Z"],
...                                                   regime="s"), seed=3)
>>> round(xe_naturalness(independent, x="X", z="Z", evidence="E").value, 12)
0.0
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from causal_align.errors import (
    MAX_PROBLEMS,
    InferenceTooLarge,
    NaturalnessError,
    Problem,
    one_line,
    shown,
)
from causal_align.limits import Limits
from causal_align.quantities.discrete import DiscreteModel
from causal_align.quantities.inference import joint_distribution
from causal_align.quantities.rules import check_numbers
from causal_align.samples.reader import read_table
from causal_align.validate import suggest

if TYPE_CHECKING:
    import pandas as pd

Array = npt.NDArray[np.float64]

MAX_CATEGORIES = 50
"""Most values one variable may take (a column with more is probably continuous: bin it)."""
MAX_LOG_ODDS = 1_000_000
"""Most log odds ratios one result may hold: value pairs of X and Z times strata of E."""
ROUNDING = 1e-12
"""Numbers below this print as 0, and an exact model's variance below it reads as natural: a
zero variance comes out of floating point near 1e-30."""
SHOWN_PAIRS = 10
"""Most pairs the text report lists (largest variance first); ``to_dict`` has them all."""
SHOWN_STRATA = 8
"""Most strata the text report lists; ``to_dict`` has them all."""


@dataclass(frozen=True)
class Stratum:
    """One value of the evidence: a state per evidence variable, its weight P(E = e | given),
    and (on samples) how many rows it has."""

    evidence: tuple[str, ...]
    weight: float
    samples: int | None = None


@dataclass(frozen=True)
class PairVariance:
    """The variance over E of one log odds ratio: X values ``(l, m)``, Z values ``(j, k)``.

    ``log_odds_ratios`` has one entry per stratum of the result (``±inf`` at a zero cell,
    ``None`` at 0/0). ``variance`` is a number, ``math.inf`` (infinite) or ``None`` (undefined),
    and ``reason`` says why when it is not a number.
    """

    x: tuple[str, str]
    z: tuple[str, str]
    variance: float | None
    log_odds_ratios: tuple[float | None, ...]
    reason: str = ""

    @property
    def status(self) -> str:
        """``"finite"``, ``"infinite"`` or ``"undefined"``."""
        return _status(self.variance)

    def to_dict(self) -> dict[str, Any]:
        return {"x": list(self.x), "z": list(self.z), "variance": _json(self.variance),
                "status": self.status, "reason": self.reason,
                "log_odds_ratios": [_json(value) for value in self.log_odds_ratios]}


@dataclass(frozen=True)
class HomogeneityTest:
    """A test that the odds ratio of binary X and Z is the same in every stratum of E."""

    name: str
    statistic: float
    p_value: float
    degrees_of_freedom: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "statistic": self.statistic, "p_value": self.p_value,
                "degrees_of_freedom": self.degrees_of_freedom}


@dataclass(frozen=True)
class Naturalness:
    """The XE-naturalness measure of ``z`` for ``x`` given ``evidence``, and its parts.

    Attributes
    ----------
    x, z : str
    evidence : tuple[str, ...]
    given : tuple[tuple[str, str], ...]
        Variables held at one state (sorted): those given, and the regime nodes held at their
        training state by default (a note says which).
    method : str
        ``"exact"`` (a model) or ``"samples"``.
    value : float or None
        The largest variance over the pairs: ``math.inf`` if one is infinite; undefined pairs
        are left out (a note says how many), and ``None`` means every pair is undefined. Zero
        means ``z`` is an XE-natural category for ``x`` given E.
    pairs : tuple[PairVariance, ...]
        Every pair of X values ``l < m`` and Z values ``j < k``, in state order.
    strata : tuple[Stratum, ...]
        The values of E of positive probability, with their weights (summing to 1).
    samples, pseudocount : int or None
        The rows used and the pseudocount added to every cell (``None`` when exact).
    test : HomogeneityTest or None
        Breslow–Day, for samples with binary X and Z; ``notes`` says why there is none.
    notes : tuple[str, ...]
        What a reader should know: strata left out, how regime nodes were weighted, the test.
    """

    x: str
    z: str
    evidence: tuple[str, ...]
    given: tuple[tuple[str, str], ...]
    method: str
    value: float | None
    pairs: tuple[PairVariance, ...]
    strata: tuple[Stratum, ...]
    samples: int | None = None
    pseudocount: float | None = None
    test: HomogeneityTest | None = None
    notes: tuple[str, ...] = ()

    @property
    def is_exact(self) -> bool:
        return self.method == "exact"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: a non-finite number is the string ``"inf"`` or ``"-inf"``, undefined is
        ``None``."""
        return {
            "x": self.x, "z": self.z, "evidence": list(self.evidence), "given": dict(self.given),
            "method": self.method, "value": _json(self.value), "status": _status(self.value),
            "samples": self.samples, "pseudocount": self.pseudocount,
            "strata": [{"evidence": dict(zip(self.evidence, stratum.evidence)),
                        "weight": stratum.weight, "samples": stratum.samples}
                       for stratum in self.strata],
            "pairs": [pair.to_dict() for pair in self.pairs],
            "test": None if self.test is None else self.test.to_dict(),
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        evidence = ", ".join(self.evidence)
        source = ("exact" if self.is_exact else
                  f"from {self.samples:,} samples, pseudocount {self.pseudocount:g}")
        if self.given:
            source += ", given " + ", ".join(f"{name}={state}" for name, state in self.given)
        headline = (f"XE-naturalness of {self.z} for {self.x} given {evidence}: "
                    f"{_variance_text(self.value)} ({source})")
        lines = [headline, self._verdict()]
        shown_strata = self.strata[:SHOWN_STRATA]
        lines.append(f"strata of {evidence} (weight): " + ", ".join(
            f"{'/'.join(stratum.evidence)} {stratum.weight:.3g}" for stratum in shown_strata)
            + _more(len(self.strata) - len(shown_strata), "strata"))
        lines.append(f"pairs {self.x} = l, m and {self.z} = j, k: variance; log odds ratio "
                     "log[P(l, j) P(m, k) / (P(l, k) P(m, j))] in each stratum")
        ranked = sorted(self.pairs, key=_rank)[:SHOWN_PAIRS]
        for pair in ranked:
            values = ", ".join(_number(value) for value in pair.log_odds_ratios[:SHOWN_STRATA])
            lines.append(f"  {self.x} {', '.join(pair.x)} × {self.z} {', '.join(pair.z)}: "
                         f"{_variance_text(pair.variance)}; {values}"
                         + _more(len(pair.log_odds_ratios) - SHOWN_STRATA, "strata"))
            if pair.reason:
                lines.append(f"    {pair.reason}")
        if len(self.pairs) > len(ranked):
            lines.append(f"  … and {len(self.pairs) - len(ranked):,} more pairs")
        if self.test is not None:
            lines.append(f"{self.test.name} test of equal odds ratios across the strata: "
                         f"statistic {self.test.statistic:.4g}, "
                         f"df {self.test.degrees_of_freedom}, p = {self.test.p_value:.3g}")
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(one_line(line) for line in lines)  # user text stays on its line

    def _verdict(self) -> str:
        if self.value is None or math.isinf(self.value):
            return (f"The measure is {_status(self.value)}: a zero probability makes a log odds "
                    "ratio infinite or 0/0 (see the reasons below).")
        if not self.is_exact:
            test = "" if self.test is None else "; the test below says if it exceeds chance"
            return (f"An estimate: zero would make {self.z} an XE-natural category for "
                    f"{self.x}{test}.")
        if self.value < ROUNDING:
            which = ("every defined log odds ratio" if any(pair.variance is None for pair in
                                                           self.pairs) else
                     "every log odds ratio")
            return (f"{self.z} is an XE-natural category for {self.x}: {which} is the same in "
                    "every stratum.")
        return (f"{self.z} is not an XE-natural category for {self.x}: an odds ratio varies "
                f"with {', '.join(self.evidence)}.")


def xe_naturalness(source: DiscreteModel | pd.DataFrame | str | os.PathLike[str], *, x: str,
                   z: str, evidence: str | Iterable[str], pseudocount: float = 0.5,
                   given: Mapping[str, str] | None = None,
                   regime: str | Iterable[str] | None = None,
                   limits: Limits = Limits()) -> Naturalness:
    """The XE-naturalness measure of ``z`` for ``x`` given ``evidence``.

    Both sources follow one rule for the regime: every regime node that is neither ``given``
    nor evidence is **held at its training state**, and the result says so in a note (and in
    ``given``). A model knows its regime nodes and their training states; samples are told their
    regime columns with ``regime=`` (the command line names the graph's regime nodes), whose
    training value is the one of ``0``, ``false``, ``train`` or ``training`` they hold.

    Parameters
    ----------
    source : DiscreteModel, pandas.DataFrame, or path of a CSV file
        A model gives exact probabilities; samples give estimates (one row per sample, one
        column per variable; values are compared as text). A CSV file is read by
        :func:`~causal_align.samples.read_table`.
    x, z : str
        The two categorical variables.
    evidence : str or iterable of str
        The evidence variables E (at least one); each combination of their values is a stratum.
    pseudocount : float
        Added to every X × Z cell of every stratum of the samples (ignored for a model).
    given : Mapping[str, str], optional
        Variables held at one state: on a model, conditioned on; on samples, only the rows with
        these values are used. A regime node in the evidence has its states weighted equally
        (a model) or by their rows (samples).
    regime : str or iterable of str, optional
        The samples' regime columns (ignored for a model, which knows its regime nodes). A
        regime column the samples lack is noted, and the samples are used as they are.
    limits : Limits
        ``max_bytes`` bounds the size of a CSV file.

    Returns
    -------
    Naturalness

    Raises
    ------
    NaturalnessError
        A :class:`~causal_align.errors.GraphSpecError` whose problems have the codes of
        :data:`~causal_align.errors.NATURALNESS_CODES`, each with the samples file, the line and
        the column when they come from one: unknown variables or states, overlapping roles, too
        many categories, missing values, no samples left, no training state, a given event of
        probability zero, a bad pseudocount or source.
    GraphSpecError
        A CSV file that cannot be read as samples, each problem with the file and the line.

    Examples
    --------
    >>> import pandas as pd
    >>> samples = pd.DataFrame({"E": list("aaaabbbb"), "X": [0, 0, 1, 1] * 2,
    ...                         "Z": [0, 1, 0, 1, 0, 0, 1, 1]})
    >>> result = xe_naturalness(samples, x="X", z="Z", evidence="E", pseudocount=1)
    >>> [round(value, 3) for value in result.pairs[0].log_odds_ratios]
    [0.0, 2.197]
    >>> round(result.value, 4)
    1.2069
    """
    evidence = (evidence,) if isinstance(evidence, str) else tuple(evidence)
    given = dict(given or {})
    origin = _origin(source)
    _check_roles(x, z, evidence, given, origin)
    if isinstance(source, DiscreteModel):
        return _exact(source, x, z, evidence, given, origin)
    if not (isinstance(pseudocount, (int, float)) and not isinstance(pseudocount, bool)
            and 0 <= pseudocount < math.inf):
        raise _fail("E_PSEUDOCOUNT", f"pseudocount must be a finite number >= 0, not "
                    f"{shown(pseudocount)}", origin, "pseudocount")
    frame = _read_samples(source, limits)
    columns = (() if regime is None else (regime,) if isinstance(regime, str)
               else tuple(dict.fromkeys(regime)))
    return _from_samples(frame, origin, x, z, evidence, given, columns, float(pseudocount))


def _fail(code: str, message: str, source: str, location: str = "",
          line: int | None = None) -> NaturalnessError:
    return NaturalnessError([Problem(code, message, location, line, source)])


def _origin(source: object) -> str:
    """How problems name ``source``: the model's or the samples' file, else ``<python>`` or
    ``<samples>``."""
    if isinstance(source, DiscreteModel):
        return source.graph.source
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    attrs = getattr(source, "attrs", None)  # a DataFrame: read_table names its file
    return str(attrs.get("source", "<samples>")) if isinstance(attrs, dict) else "<python>"


def _held(node: str, state: str) -> str:
    """The note saying a regime node was held at its training state by default."""
    return (f"regime node {node} is held at its training state {state}, the default (hold it "
            f"elsewhere with given, or make it evidence to weigh both regimes)")


def _check_roles(x: str, z: str, evidence: tuple[str, ...], given: Mapping[str, str],
                 origin: str) -> None:
    if not evidence:
        raise _fail("E_ROLE", "no evidence variable: name at least one", origin, "evidence")
    roles = [("x", x), ("z", z), *(("evidence", name) for name in evidence),
             *(("given", name) for name in given)]
    for name, state in given.items():
        if not isinstance(state, str):
            raise _fail("E_UNKNOWN_STATE", f"given {shown(name)} must be a state name (text), "
                        f"not {shown(state)}", origin, "given")
    seen: dict[str, str] = {}
    for role, name in roles:
        if not isinstance(name, str):
            raise _fail("E_ROLE", f"{role} must be a variable name (text), not {shown(name)}",
                        origin, role)
        if name in seen:
            both = "twice in evidence" if role == seen[name] else f"{seen[name]} and {role}"
            raise _fail("E_ROLE", f"{shown(name)} is {both}: X, Z, the evidence and the given "
                        "variables must all differ", origin, role)
        seen[name] = role


def _unknown(name: str, known: Sequence[str], source: str, role: str, where: str, noun: str,
             line: int | None = None) -> NaturalnessError:
    listing = ", ".join(shown(item) for item in known[:12]) + (" …" if len(known) > 12 else "")
    fix = suggest(name, known, otherwise=f"its {noun}s are {listing}")
    return _fail("E_UNKNOWN_VARIABLE", f"{where} no {noun} {shown(name)}: {fix}", source, role,
                 line)


def _state_error(name: str, state: str, states: Sequence[str], source: str,
                 line: int | None = None) -> NaturalnessError:
    listing = ", ".join(shown(item) for item in states[:12]) + (" …" if len(states) > 12 else "")
    fix = suggest(state, states, otherwise=f"its values are {listing}")
    return _fail("E_UNKNOWN_STATE", f"{shown(name)} has no value {shown(state)}: {fix}", source,
                 "given", line)


# ---------------------------------------------------------------- exact, from a model


def _exact(model: DiscreteModel, x: str, z: str, evidence: tuple[str, ...],
           given: dict[str, str], origin: str) -> Naturalness:
    check_numbers(model)
    roles = [("x", x), ("z", z), *(("evidence", name) for name in evidence),
             *(("given", name) for name in given)]
    for role, name in roles:
        if name not in model.states:
            raise _unknown(name, list(model.states), origin, role, "the model has", "variable")
    notes = []
    for role, name in roles[:2]:
        if name in model.graph.regime:
            raise _fail("E_ROLE", f"{shown(name)} is a regime node: it has no distribution, so "
                        "it can be evidence or given, not x or z", origin, role)
    for node in sorted(model.graph.regime):
        if node in evidence:
            notes.append(f"regime node {node} is evidence: its states are weighted equally")
        elif node not in given:
            if node not in model.training:
                raise _fail("E_REGIME_STATE", f"regime node {shown(node)} has no training "
                            f"state in the model: say which state to hold it at, e.g. "
                            f"given={{{node!r}: ...}}, or make it evidence", origin, "given")
            given[node] = model.training[node]
            notes.append(_held(node, given[node]))
    for name, state in given.items():
        if state not in model.states[name]:
            raise _state_error(name, state, model.states[name], origin)
    _check_categories(x, model.states[x], origin, "x")
    _check_categories(z, model.states[z], origin, "z")
    try:
        joint = joint_distribution(model, (*evidence, x, z), given)
    except InferenceTooLarge as error:
        raise _fail("E_TOO_LARGE", str(error), origin) from error
    total = float(joint.sum())
    if total <= 0:
        held = ", ".join(f"{name}={state}" for name, state in sorted(given.items()))
        raise _fail("E_IMPOSSIBLE_GIVEN", f"the given states have probability zero in the "
                    f"model: {held}", origin, "given")
    shape = (-1, len(model.states[x]), len(model.states[z]))
    cells = joint.reshape(shape) / total
    weights = cells.sum(axis=(1, 2))
    combos = list(itertools.product(*(model.states[name] for name in evidence)))
    present = np.flatnonzero(weights > 0)
    if len(present) < len(combos):
        notes.append(f"{len(combos) - len(present):,} of {_strata(len(combos))} of "
                     f"{', '.join(evidence)} have probability zero and are left out")
    strata = tuple(Stratum(combos[index], float(weights[index])) for index in present)
    _check_size((len(present), len(model.states[x]), len(model.states[z])), origin)
    conditional = cells[present] / weights[present, None, None]
    pairs = _pairs(conditional, weights[present], model.states[x], model.states[z],
                   x, z, evidence, strata)
    value, skipped = _largest(pairs)
    notes.extend(skipped)
    notes.append("no test of homogeneity: the model gives the variance exactly")
    return Naturalness(x, z, evidence, tuple(sorted(given.items())), "exact", value,
                       pairs, strata, notes=tuple(notes))


# ---------------------------------------------------------------- estimates, from samples


def _read_samples(source: object, limits: Limits) -> pd.DataFrame:
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source
    if not isinstance(source, (str, os.PathLike)):
        raise _fail("E_SOURCE", "the source must be a DiscreteModel, a pandas DataFrame or the "
                    f"path of a CSV file, not {type(source).__name__}", "<python>")
    return read_table(source, limits=limits)


class _Rows:
    """Where a row of the samples is: its line in the file (the index of
    :func:`~causal_align.samples.read_table`), or its label in a DataFrame."""

    def __init__(self, frame: pd.DataFrame, source: str) -> None:
        self.source = source
        self.in_file = frame.index.name == "line"
        header = frame.attrs.get("header_line")
        self.header = int(header) if self.in_file and header is not None else None

    def problem(self, code: str, message: str, column: str, label: Any) -> Problem:
        if self.in_file:
            return Problem(code, message, f"column {column}", int(label), self.source)
        return Problem(code, message, f"row {label}, column {column}", source=self.source)

    def column(self, code: str, message: str, column: str) -> NaturalnessError:
        """A problem with a whole column: at the header line, when there is one."""
        return _fail(code, message, self.source, f"column {column}", self.header)


def _from_samples(frame: pd.DataFrame, origin: str, x: str, z: str, evidence: tuple[str, ...],
                  given: dict[str, str], regime: tuple[str, ...],
                  pseudocount: float) -> Naturalness:
    rows = _Rows(frame, origin)
    columns = [str(column) for column in frame.columns]
    roles = [("x", x), ("z", z), *(("evidence", name) for name in evidence),
             *(("given", name) for name in given)]
    notes: list[str] = []
    for name in regime:
        if name in (x, z):
            raise _fail("E_ROLE", f"{shown(name)} is a regime column: it can be evidence or "
                        "given, not x or z", origin, "x" if name == x else "z")
        if name not in columns:
            notes.append(f"the samples have no column for regime node {name}: they are used "
                         "as they are")
        elif name in evidence:
            notes.append(f"regime column {name} is evidence: each regime weighs as many rows "
                         "as it has")
        elif name not in given:
            roles.append(("regime", name))
    text: dict[str, npt.NDArray[Any]] = {}
    missing: list[Problem] = []
    uncounted = 0  # missing fields beyond the problems kept
    for role, name in roles:
        if name not in columns:
            raise _unknown(name, columns, origin, role, "the samples have", "column",
                           rows.header)
        if columns.count(name) > 1:
            raise rows.column("E_SOURCE", f"{columns.count(name)} columns are named "
                              f"{shown(name)}: rename all but one", name)
        column = frame.iloc[:, columns.index(name)]
        absent = frame.index[column.isna().to_numpy()]
        uncounted += max(len(absent) - MAX_PROBLEMS, 0)
        missing += [rows.problem("E_MISSING_VALUE", "missing value (fill it in or drop the "
                                 "line)" if rows.in_file else "missing value (fill it in or "
                                 "drop the row)", name, label)
                    for label in absent[:MAX_PROBLEMS]]
        text[name] = column.astype(str).to_numpy(dtype=object)
    if missing:
        missing.sort(key=lambda problem: problem.line or 0)
        raise NaturalnessError(missing[:MAX_PROBLEMS],
                               more=uncounted + max(len(missing) - MAX_PROBLEMS, 0))
    for role, name in roles:
        if role == "regime":
            given[name] = _training_value(name, _ordered(np.unique(text[name])), rows)
            notes.append(_held(name, given[name]))
    keep = np.ones(len(frame), dtype=bool)
    for name, state in given.items():
        values = text[name]
        if not (values == state).any():
            raise _state_error(name, state, _ordered(np.unique(values)), origin, rows.header)
        keep &= values == state
    if not keep.any():
        where = f" with {', '.join(f'{n}={s}' for n, s in given.items())}" if given else ""
        raise _fail("E_NO_SAMPLES", f"no rows{where}", origin, "given")
    labels = frame.index[keep]
    codes: dict[str, npt.NDArray[np.intp]] = {}
    states: dict[str, tuple[str, ...]] = {}
    for name in (x, z, *evidence):
        states[name], codes[name] = _categories(text[name][keep], labels, name, rows)
    _check_categories(x, states[x], origin, "x", rows)
    _check_categories(z, states[z], origin, "z", rows)
    stacked = np.stack([codes[name] for name in evidence], axis=1)
    found, which, sizes = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    which = which.reshape(-1)
    shape = (len(found), len(states[x]), len(states[z]))
    _check_size(shape, origin)
    counts = np.zeros(shape)
    np.add.at(counts, (which, codes[x], codes[z]), 1)
    smoothed = counts + pseudocount
    weights = sizes / sizes.sum()
    strata = tuple(Stratum(tuple(states[name][code] for name, code in zip(evidence, row)),
                           float(weight), int(size))
                   for row, weight, size in zip(found, weights, sizes))
    conditional = smoothed / smoothed.sum(axis=(1, 2), keepdims=True)
    pairs = _pairs(conditional, weights, states[x], states[z], x, z, evidence, strata)
    value, skipped = _largest(pairs)
    test, test_notes = _breslow_day(counts)
    return Naturalness(x, z, evidence, tuple(sorted(given.items())), "samples", value, pairs,
                       strata, int(sizes.sum()), pseudocount, test,
                       (*notes, *skipped, *test_notes))


TRAINING_VALUES = ("0", "false", "train", "training")
"""The values of a regime column that mean training (compared without case)."""


def _training_value(name: str, values: Sequence[str], rows: _Rows) -> str:
    """The one value of a regime column that means training."""
    training = [value for value in values if value.strip().lower() in TRAINING_VALUES]
    if len(training) == 1:
        return training[0]
    listing = ", ".join(shown(value) for value in values[:12]) + (" …" if len(values) > 12
                                                                 else "")
    raise rows.column("E_REGIME_STATE", f"cannot tell which value of the regime column "
                      f"{shown(name)} is training (found {listing}; training is one of "
                      f"{', '.join(TRAINING_VALUES)}): hold it with given {name}=VALUE, or "
                      "make it evidence", name)


def _categories(values: npt.NDArray[Any], labels: Any, name: str,
                rows: _Rows) -> tuple[tuple[str, ...], npt.NDArray[np.intp]]:
    found, codes = np.unique(values, return_inverse=True)
    if len(found) > MAX_CATEGORIES:
        value = list(dict.fromkeys(values.tolist()))[MAX_CATEGORIES]  # the first one too many
        label = labels[int(np.flatnonzero(values == value)[0])]
        raise NaturalnessError([rows.problem(
            "E_CATEGORIES", f"{shown(value)} is value number {MAX_CATEGORIES + 1} of column "
            f"{shown(name)}, which has {len(found):,} (at most {MAX_CATEGORIES}): is it "
            "continuous? bin it into categories first", name, label)])
    ordered = _ordered(found)
    rank = np.array([ordered.index(value) for value in found], dtype=np.intp)
    return ordered, rank[codes.reshape(-1)]


def _ordered(values: Iterable[Any]) -> tuple[str, ...]:
    """Values as text, in numeric order when they all are numbers, else in text order."""
    texts = [str(value) for value in values]
    try:
        return tuple(sorted(texts, key=float))
    except ValueError:
        return tuple(sorted(texts))


def _check_categories(name: str, states: Sequence[str], origin: str, role: str,
                      rows: _Rows | None = None) -> None:
    """At least two values (an odds ratio needs them), at most :data:`MAX_CATEGORIES`."""
    count = len(states)
    if 2 <= count <= MAX_CATEGORIES:
        return
    message = (f"{shown(name)} takes only the value {shown(states[0])}: an odds ratio needs two"
               if count == 1 else f"{shown(name)} has {count:,} states (at most "
               f"{MAX_CATEGORIES})")
    if rows is None:
        raise _fail("E_CATEGORIES", message, origin, role)
    raise rows.column("E_CATEGORIES", message, name)


def _check_size(shape: tuple[int, int, int], origin: str) -> None:
    strata, nx, nz = shape
    pairs = math.comb(nx, 2) * math.comb(nz, 2)
    if strata * pairs > MAX_LOG_ODDS:
        raise _fail("E_TOO_LARGE", f"{strata * pairs:,} log odds ratios ({pairs:,} value pairs "
                    f"× {_strata(strata)}): at most {MAX_LOG_ODDS:,}; use fewer evidence "
                    "variables or fewer categories", origin)


def _strata(count: int) -> str:
    return f"{count:,} {'stratum' if count == 1 else 'strata'}"


def _breslow_day(counts: Array) -> tuple[HomogeneityTest | None, tuple[str, ...]]:
    """Breslow–Day on the raw 2 × 2 tables of the strata where both X and Z vary."""
    if counts.shape[1:] != (2, 2):
        why = (f"no Breslow–Day test: it needs binary X and Z, here {counts.shape[1]} × "
               f"{counts.shape[2]} values")
        return None, (why,)
    informative = (counts.sum(axis=2).min(axis=1) > 0) & (counts.sum(axis=1).min(axis=1) > 0)
    notes = []
    if not informative.all():
        notes.append(f"strata where X or Z takes one value carry no odds ratio: the test leaves "
                     f"out {int((~informative).sum()):,} of {_strata(len(informative))}")
    if informative.sum() < 2:
        notes.append("no Breslow–Day test: fewer than two strata where both X and Z vary")
        return None, tuple(notes)
    from scipy.stats import chi2
    from statsmodels.stats.contingency_tables import StratifiedTable

    with np.errstate(all="ignore"):
        result = StratifiedTable(counts[informative].transpose(1, 2, 0)).test_equal_odds()
    freedom = int(informative.sum()) - 1
    statistic = float(result.statistic)
    p_value = float(chi2.sf(statistic, freedom))  # statsmodels' 1 - cdf rounds small p to 0
    if not (math.isfinite(statistic) and math.isfinite(p_value)):
        notes.append("no Breslow–Day test: the common odds ratio is 0 or infinite "
                     "(zero cells in every stratum)")
        return None, tuple(notes)
    notes.append("the test uses the raw counts; the variances add the pseudocount")
    return HomogeneityTest("Breslow–Day", statistic, p_value, freedom), tuple(notes)


# ---------------------------------------------------------------- the measure


def _pairs(conditional: Array, weights: Array, x_states: Sequence[str], z_states: Sequence[str],
           x: str, z: str, evidence: tuple[str, ...],
           strata: tuple[Stratum, ...]) -> tuple[PairVariance, ...]:
    """One :class:`PairVariance` per pair l < m of X values and j < k of Z values.

    ``conditional[e, l, j]`` is P(X=l, Z=j | E=e); ``weights[e]`` is P(E=e), summing to 1.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(conditional)
    pairs = []
    for (l, m), (j, k) in itertools.product(itertools.combinations(range(len(x_states)), 2),
                                            itertools.combinations(range(len(z_states)), 2)):
        with np.errstate(invalid="ignore"):
            ratios = (logs[:, l, j] + logs[:, m, k]) - (logs[:, l, k] + logs[:, m, j])
        variance, first = _variance(ratios, weights)
        reason = ""
        if first is not None:
            where = ", ".join(f"{n}={s}" for n, s in zip(evidence, strata[first].evidence))
            zeros = [f"P({x}={x_states[a]}, {z}={z_states[b]} | {where}) = 0"
                     for a, b in ((l, j), (m, k), (l, k), (m, j)) if conditional[first, a, b] == 0]
            reason = _reason(variance, float(ratios[first]), zeros)
        pairs.append(PairVariance((x_states[l], x_states[m]), (z_states[j], z_states[k]),
                                  variance, tuple(None if math.isnan(value) else float(value)
                                                  for value in ratios), reason))
    return tuple(pairs)


def _variance(ratios: Array, weights: Array) -> tuple[float | None, int | None]:
    """The weighted variance of ``ratios`` (``math.inf`` infinite, ``None`` undefined) and the
    first stratum whose log odds ratio is not finite (``None`` when all are)."""
    undefined = np.flatnonzero(np.isnan(ratios))
    if len(undefined):
        return None, int(undefined[0])
    infinite = np.flatnonzero(np.isinf(ratios))
    if len(infinite):
        same = len(infinite) == len(ratios) and len(set(np.sign(ratios).tolist())) == 1
        return (None if same else math.inf), int(infinite[0])
    mean = float(weights @ ratios)
    return float(weights @ (ratios - mean) ** 2), None


def _reason(variance: float | None, ratio: float, zeros: Sequence[str]) -> str:
    """Why a pair's variance is infinite or undefined, from its first non-finite stratum."""
    if math.isnan(ratio):
        return f"undefined: {' and '.join(zeros)}, so the odds ratio is 0/0 there"
    if variance is None:
        return (f"undefined: the log odds ratio is {ratio:+} in every stratum (first: "
                f"{zeros[0]}); its variance depends on how the zeros are approached")
    return (f"infinite: {' and '.join(zeros)}, so the log odds ratio is {ratio:+} there but "
            "not in every stratum")


def _largest(pairs: Sequence[PairVariance]) -> tuple[float | None, tuple[str, ...]]:
    """The measure: the largest variance of a pair, ``math.inf`` when one is infinite, and
    ``None`` only when every pair is undefined; an undefined pair (0/0 somewhere, or the same
    infinity everywhere) says nothing about the others, so it is left out, and a note says so.
    """
    variances = [pair.variance for pair in pairs]
    defined = [value for value in variances if value is not None]
    if not defined:
        return None, ()
    undefined = len(variances) - len(defined)
    note = (f"{undefined:,} of {len(variances):,} value pairs {'is' if undefined == 1 else 'are'}"
            " undefined (0/0 in a stratum, or the same infinity in every stratum) and left out "
            "of the measure" if undefined else "")
    return max(defined), (note,) if note else ()


def _rank(pair: PairVariance) -> tuple[int, float]:
    """Infinite first, then undefined, then by decreasing variance."""
    if pair.variance is None:
        return 1, 0.0
    return (0, 0.0) if math.isinf(pair.variance) else (2, -pair.variance)


def _status(variance: float | None) -> str:
    if variance is None:
        return "undefined"
    return "infinite" if math.isinf(variance) else "finite"


def _json(value: float | None) -> float | str | None:
    if value is None or math.isfinite(value):
        return value
    return "inf" if value > 0 else "-inf"


def _number(value: float | None) -> str:
    """A log odds ratio as text: ``+inf``, ``-inf``, ``0/0`` or four significant digits."""
    if value is None:
        return "0/0"
    if math.isinf(value):
        return "+inf" if value > 0 else "-inf"
    return "0" if abs(value) < ROUNDING else f"{value:.4g}"


def _variance_text(value: float | None) -> str:
    if value is None:
        return "undefined"
    return "infinite" if math.isinf(value) else _number(value)


def _more(count: int, what: str) -> str:
    return f", … and {count:,} more {what}" if count > 0 else ""
