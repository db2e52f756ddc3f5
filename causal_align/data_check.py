"""Test (Y_b ⊥ s | Y_m) on samples: does the data agree with the diagram's verdict?

The verdict of :func:`~causal_align.alignment.check_inner_alignment` holds for every model of the
diagram; samples speak about *the* model. Samples from training and deployment sit in one table,
one column per observed node, and the regime column says in which regime each row was drawn.
(Y_b ⊥ s | Y_m) then becomes a conditional-independence test, chosen by the columns:

- **discrete** columns: the G-test (likelihood ratio, ``"g-test"``) or Pearson's chi-square
  (``"chi-square"``), *stratified*: one contingency table of Y_b against s for each value of
  Y_m, the statistics summed, and the degrees of freedom (r − 1)(c − 1) summed over the strata,
  where r and c count the rows and columns that hold data in that stratum. No continuity
  correction.
- **continuous** columns: the partial correlation r of Y_b and s given Y_m (the correlation of
  least-squares residuals, intercept included) and Fisher's z = atanh(r) √(n − k − 3), with k
  the number of regressors (``"partial-correlation"``). A discrete conditioning column enters as
  indicators of its values, so conditioning on it is exact rather than linear.

A column is *discrete* when it holds text or booleans, or numbers that are all whole and take at
most :data:`DISCRETE_LEVELS` distinct values; otherwise it is *continuous*. ``method="auto"`` takes
the G-test when every column of the test is discrete and the partial correlation otherwise; there,
a text column with two values counts as 0 and 1, and one with more values cannot be tested against.

Several Y_b nodes: the contingency tests take their joint value as one variable; the partial
correlation tests them one at a time, Y_b[i] given Y_m and Y_b[:i] — by the chain rule
X ⊥ (A, B) | Z ⇔ X ⊥ A | Z and X ⊥ B | Z, A, together they test the joint independence —
and reports the smallest p-value times the number of tests (Bonferroni).

Rejecting says the regime shifts Y_b in a way Y_m does not show. Not rejecting is no proof of
alignment: a test can fail to find a dependence, never confirm an independence.

Examples
--------
Aligned by the diagram, with discrete samples drawn from a model of it:

>>> import numpy as np, pandas as pd
>>> from causal_align.model import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"], regime="s",
...                                base="Y_b", mesa="Y_m")
>>> rng = np.random.default_rng(0)
>>> s = rng.integers(0, 2, 2000)
>>> x = rng.random(2000) < 0.2 + 0.6 * s
>>> y_m = rng.random(2000) < 0.1 + 0.8 * x
>>> y_b = rng.random(2000) < 0.3 + 0.4 * y_m
>>> result = check_on_data(graph, pd.DataFrame({"s": s, "X": x, "Y_m": y_m, "Y_b": y_b}))
>>> result.test.method, result.test.dof, result.verdict
('g-test', 2, 'not rejected at alpha = 0.05')
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from causal_align.alignment import check_inner_alignment
from causal_align.errors import MAX_PROBLEMS, CausalAlignError, GraphSpecError, Problem, shown
from causal_align.loader import Limits, read_text
from causal_align.model import CausalGraph
from causal_align.validate import suggest

if TYPE_CHECKING:
    from pandas import DataFrame, Series

Array = npt.NDArray[np.float64]

DISCRETE_LEVELS = 10
"""A numeric column of whole numbers with at most this many distinct values is discrete."""
MIN_EXPECTED = 5
"""Cochran's rule: expected counts below this ..."""
MAX_SMALL_CELLS = 0.2
"""... in more than this share of the cells make the chi-square approximation unreliable."""
MIN_PER_REGIME = 10
"""Fewer samples than this from a regime draw a warning."""
MAX_CELLS = 5_000_000
"""Most cells (strata × values of x × values of y) a contingency test builds."""
METHODS = ("auto", "g-test", "chi-square", "partial-correlation")
MISSING = frozenset({"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"})
"""CSV fields read as a missing value."""

_NAMES = {"g-test": "G-test (likelihood ratio)", "chi-square": "Pearson's chi-square",
          "partial-correlation": "partial correlation, Fisher's z"}
_SYMBOLS = {"g-test": "G", "chi-square": "X²", "partial-correlation": "z"}
_TRAIN_WORDS, _DEPLOY_WORDS = frozenset({"train", "training"}), frozenset({"deploy", "deployment"})


@dataclass(frozen=True)
class CITest:
    """One test of ``x ⊥ y | given`` on samples.

    ``dof`` is ``None`` for Fisher's z (a standard normal statistic). ``effect_size`` is Cramér's V
    from the summed statistic for the contingency tests, the partial correlation for Fisher's z;
    ``None`` when there is nothing to measure (a side with one value, a constant residual).
    ``parts`` holds the chained tests of several
    variables under a partial correlation (empty for a single test); the statistic and effect
    size are then those of the part with the smallest p-value.
    """

    x: tuple[str, ...]
    y: tuple[str, ...]
    given: tuple[str, ...]
    method: str
    statistic: float
    dof: int | None
    p_value: float
    effect_size: float | None
    samples: int
    warnings: tuple[str, ...] = ()
    parts: tuple[CITest, ...] = ()

    @property
    def effect_name(self) -> str:
        return "partial correlation" if self.method == "partial-correlation" else "Cramér's V"

    def summary(self) -> str:
        """One line: the statistic, its degrees of freedom, the p-value and the effect size.

        >>> print(CITest(("A",), ("B",), (), "g-test", 3.5, 2, 0.17, 0.08, 300).summary())
        G = 3.5 on 2 degrees of freedom, p = 0.17, Cramér's V = 0.08
        """
        text = f"{_SYMBOLS[self.method]} = {self.statistic:.4g}"
        if self.dof is not None:
            text += f" on {self.dof} degree{'s' if self.dof != 1 else ''} of freedom"
        text += f", p = {self.p_value:.3g}"
        if self.effect_size is not None:
            text += f", {self.effect_name} = {self.effect_size:.3g}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"x": list(self.x), "y": list(self.y), "given": list(self.given),
                "method": self.method, "statistic": self.statistic, "dof": self.dof,
                "p_value": self.p_value,
                "effect_size": {"name": self.effect_name, "value": self.effect_size},
                "samples": self.samples, "warnings": list(self.warnings),
                "parts": [part.to_dict() for part in self.parts]}


@dataclass(frozen=True)
class DataCheck:
    """(Y_b ⊥ s | Y_m) tested on samples, beside the diagram's verdict on it.

    ``train_value``/``deploy_value`` are the regime column's values, as text; ``graph_aligned``
    is the diagram's verdict (d-separation in G_σ); ``warnings`` are the test's and the
    sample-size ones.
    """

    graph: str
    regime: str
    base: tuple[str, ...]
    mesa: tuple[str, ...]
    train_value: str
    deploy_value: str
    train_samples: int
    deploy_samples: int
    alpha: float
    test: CITest
    rejected: bool
    graph_aligned: bool
    warnings: tuple[str, ...]

    @property
    def verdict(self) -> str:
        return f"{'rejected' if self.rejected else 'not rejected'} at alpha = {self.alpha:g}"

    @property
    def query(self) -> str:
        given = f" | {', '.join(self.mesa)}" if self.mesa else ""
        return f"({', '.join(self.base)} ⊥ {self.regime}{given})"

    def reading(self) -> str:
        """What the verdict and the test say together."""
        if self.graph_aligned and self.rejected:
            return ("the diagram says aligned, but the data reject the independence: the diagram "
                    "misses a route from the regime to the base objective (test the diagram's "
                    "other independences with --falsify)")
        if self.graph_aligned:
            return ("the diagram says aligned and the data agree (no proof: a test can only fail "
                    "to find a dependence)")
        if self.rejected:
            return "the diagram says not aligned, and the data show the leak"
        return ("the diagram says not aligned, yet the data show no leak at this sample size: "
                "the open paths may be weak in this model, or the test lacks power")

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form."""
        return {"graph": self.graph,
                "query": {"base": list(self.base), "mesa": list(self.mesa),
                          "regime": [self.regime]},
                "regime_values": {"train": self.train_value, "deploy": self.deploy_value},
                "samples": {"train": self.train_samples, "deploy": self.deploy_samples,
                            "total": self.train_samples + self.deploy_samples},
                "method": self.test.method, "statistic": self.test.statistic,
                "dof": self.test.dof, "p_value": self.test.p_value,
                "effect_size": {"name": self.test.effect_name, "value": self.test.effect_size},
                "alpha": self.alpha, "rejected": self.rejected, "verdict": self.verdict,
                "graph_aligned": self.graph_aligned, "reading": self.reading(),
                "warnings": list(self.warnings),
                "parts": [part.to_dict() for part in self.test.parts]}

    def __str__(self) -> str:
        total = self.train_samples + self.deploy_samples
        given = ""
        if self.mesa:
            how = "given" if self.test.method == "partial-correlation" else "stratified by"
            given = f", {how} {', '.join(self.mesa)}"
        lines = [f"Data test of {self.query} for {self.graph} on {total:,} samples "
                 f"(train: {self.train_samples:,} with {self.regime} = {self.train_value}, "
                 f"deploy: {self.deploy_samples:,} with {self.regime} = {self.deploy_value})",
                 f"method: {_NAMES[self.test.method]}{given}",
                 f"result: {self.test.summary()}"]
        lines += [f"  {', '.join(part.x)} ⊥ {', '.join(part.y)}"
                  f"{' | ' + ', '.join(part.given) if part.given else ''}: {part.summary()}"
                  for part in self.test.parts]
        lines += [f"verdict: {self.verdict}", f"reading: {self.reading()}"]
        if self.warnings:
            lines += ["warnings:", *(f"  - {warning}" for warning in self.warnings)]
        return "\n".join(lines)


def read_samples(path: str | Path, graph: CausalGraph, *, regime_column: str | None = None,
                 limits: Limits = Limits()) -> DataFrame:
    """Read a CSV file of samples, one column per observed node, and check it against ``graph``.

    The first line names the columns; blank lines are skipped; the fields in :data:`MISSING` are
    missing values, which are refused. A column whose every value is a number becomes numeric,
    one of ``true``/``false`` boolean, any other text. The regime column (by default named after
    the query's regime node) is renamed to that node and must hold exactly two values.

    Parameters
    ----------
    path : str or Path
    graph : CausalGraph
        Every column must name one of its nodes; the query's base, mesa and regime nodes must
        have columns.
    regime_column : str, optional
        The column telling the regime, when it is not named after the regime node.
    limits : Limits
        ``max_bytes`` bounds the file's size.

    Returns
    -------
    pandas.DataFrame
        Indexed by the line each sample was read from (index name ``"line"``), the file name in
        ``.attrs["source"]``, so later errors can point into the file.

    Raises
    ------
    GraphSpecError
        Every problem found, each with the file, the line and the column.

    Examples
    --------
    >>> import tempfile, os
    >>> from causal_align.model import CausalGraph
    >>> graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b",
    ...                                mesa="Y_m")
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "samples.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write("s,Y_m,Yb\\ntrain,1,0\\ndeploy,,1\\n")
    >>> read_samples(path, graph)
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 2 problems:
      ...samples.csv:1 column 3: 'Yb' is not a node of graph (did you mean 'Y_b'?) [E_UNKNOWN_COLUMN]
      ...samples.csv:1: no column for the base objective 'Y_b' (found: 's', 'Y_m', 'Yb') [E_MISSING_COLUMN]
    """
    import pandas as pd

    source = str(path)
    text = read_text(Path(path), limits)
    header, header_line, records = _records(text, source)
    columns = _columns(header, header_line, graph, regime_column, source)
    if not records:
        raise GraphSpecError([Problem("E_EMPTY_DATA", "no samples: the file has a header but no "
                                      "data lines", line=header_line, source=source)])
    line_numbers = [line for line, _ in records]
    cells: dict[str, list[str | None]] = {}
    missing: list[tuple[int, int]] = []
    for position, (name, fields) in enumerate(zip(columns, zip(*(row for _, row in records)))):
        cells[name] = [None if field.strip() in MISSING else field.strip() for field in fields]
        missing += [(line_numbers[row], position) for row, value in enumerate(cells[name])
                    if value is None]
    problems = [Problem("E_MISSING_VALUE", "missing value (fill it in or drop the line)",
                        f"column {columns[position]}", line, source)
                for line, position in sorted(missing)[:MAX_PROBLEMS]]
    more = max(len(missing) - MAX_PROBLEMS, 0)
    lines = pd.Index(line_numbers, name="line")
    frame = pd.DataFrame({name: _typed(values, lines) for name, values in cells.items()},
                         index=lines)
    for name in columns:
        column = frame[name]
        if pd.api.types.is_float_dtype(column):
            infinite = column.index[np.isinf(column.to_numpy())]
            problems += [Problem("E_BAD_VALUE", "not a finite number (give a number, or leave "
                                 "the field empty for a missing value)", f"column {name}",
                                 int(line), source) for line in infinite[:MAX_PROBLEMS]]
        if name in graph.regime and not problems:
            problem = _regime_problem(column, source, header_line)
            problems.extend([problem] if problem else [])
    if problems or more:
        raise GraphSpecError(sorted(problems, key=lambda problem: problem.line or 0), more=more)
    frame.attrs["source"] = source
    return frame


def check_on_data(graph: CausalGraph, samples: DataFrame, *,
                  base: str | Collection[str] | None = None,
                  mesa: str | Collection[str] | None = None, regime: str | None = None,
                  alpha: float = 0.05, method: str = "auto", train: object = None,
                  deploy: object = None) -> DataCheck:
    """Test (Y_b ⊥ s | Y_m) on ``samples`` and set the result beside the diagram's verdict.

    Parameters
    ----------
    graph : CausalGraph
    samples : pandas.DataFrame
        One column per observed node, named after it, as :func:`read_samples` returns.
    base, mesa, regime : optional
        The query; ``None`` takes the graph's. The test needs exactly one regime node.
    alpha : float
        The significance level.
    method : str
        ``"auto"``, ``"g-test"``, ``"chi-square"`` or ``"partial-correlation"``.
    train, deploy : optional
        The regime column's training or deployment value (matched as text too, so ``"0"``
        finds ``0``). By default ``0``/``False`` and ``"train"``/``"training"`` mean training,
        and ``1``/``True`` and ``"deploy"``/``"deployment"`` deployment.

    Returns
    -------
    DataCheck

    Raises
    ------
    GraphSpecError
        For an invalid query, a missing column, a missing value, or a regime column that does not
        hold two values telling training from deployment.
    CausalAlignError
        For an invalid ``alpha`` or ``method``, or columns the method cannot test.
    """
    if not 0 < alpha < 1:
        raise CausalAlignError(f"alpha must lie strictly between 0 and 1, found {alpha!r}")
    verdict = check_inner_alignment(graph, base=base, mesa=mesa, regime=regime, limit=0)
    source = str(samples.attrs.get("source", "<samples>"))
    if len(verdict.regime) != 1:
        raise GraphSpecError([Problem(
            "E_QUERY_REGIME", f"the data test needs one regime node, the query has "
            f"{', '.join(verdict.regime)} (choose one with regime= or --regime)", "regime",
            source=source)])
    node = verdict.regime[0]
    check_columns(samples, {**{name: "the base objective" for name in verdict.base},
                            **{name: "the mesa objective" for name in verdict.mesa},
                            node: "the regime node"})
    train_value, deploy_value = regime_values(samples[node], train=train, deploy=deploy,
                                              source=source)
    in_deployment = (samples[node] == deploy_value).to_numpy()
    coded = samples[[*verdict.base, *verdict.mesa]].assign(**{node: in_deployment.astype(int)})
    test = ci_test(coded, verdict.base, (node,), verdict.mesa, method=method)
    counts = {"train": int((~in_deployment).sum()), "deploy": int(in_deployment.sum())}
    warnings = [*test.warnings, *(
        f"only {count} sample{'s' if count != 1 else ''} from {regime_name} (fewer than "
        f"{MIN_PER_REGIME}): the test has little power" for regime_name, count in counts.items()
        if count < MIN_PER_REGIME)]
    return DataCheck(verdict.graph, node, verdict.base, verdict.mesa, str(train_value),
                     str(deploy_value), counts["train"], counts["deploy"], alpha, test,
                     test.p_value < alpha, verdict.aligned, tuple(warnings))


def ci_test(samples: DataFrame, x: Sequence[str], y: Sequence[str], given: Sequence[str], *,
            method: str = "auto") -> CITest:
    """Test ``x ⊥ y | given`` on ``samples`` (see the module docstring for the methods).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> z = rng.normal(size=500)
    >>> data = pd.DataFrame({"Z": z, "A": z + rng.normal(size=500),
    ...                      "B": z + rng.normal(size=500)})
    >>> ci_test(data, ["A"], ["B"], []).p_value < 1e-6
    True
    >>> test = ci_test(data, ["A"], ["B"], ["Z"])
    >>> test.method, test.p_value > 0.05
    ('partial-correlation', True)
    """
    if method not in METHODS:
        raise CausalAlignError(f"unknown method {shown(method)} (choose one of: "
                               f"{', '.join(METHODS)})")
    x, y, given = tuple(x), tuple(y), tuple(given)
    if method == "auto":
        discrete = all(is_discrete(samples[name]) for name in (*x, *y, *given))
        method = "g-test" if discrete else "partial-correlation"
    if method == "partial-correlation":
        return _partial_correlation(samples, x, y, given)
    return _contingency(samples, x, y, given, method)


def is_discrete(column: Series) -> bool:
    """True for text, booleans, and whole numbers taking at most :data:`DISCRETE_LEVELS` values.

    >>> import pandas as pd
    >>> is_discrete(pd.Series([0.0, 1.0, 2.0])), is_discrete(pd.Series([0.5, 1.0]))
    (True, False)
    """
    from pandas.api import types

    if types.is_bool_dtype(column) or not types.is_numeric_dtype(column):
        return True
    values = column.to_numpy(dtype=float)
    return bool(np.all(values == np.round(values))) and len(np.unique(values)) <= DISCRETE_LEVELS


def check_columns(samples: DataFrame, roles: Mapping[str, str]) -> None:
    """Every node of ``roles`` (node -> its role, for messages) has a column without missing
    values; raises GraphSpecError listing every problem."""
    source = str(samples.attrs.get("source", "<samples>"))
    found = _found(list(samples.columns))
    problems = [Problem("E_MISSING_COLUMN", f"no column for {role} {shown(node)} (found: {found})",
                        source=source)
                for node, role in roles.items() if node not in samples.columns]
    for node in roles:
        if node in samples.columns:
            missing = samples.index[samples[node].isna().to_numpy()]
            problems += [_at_row(samples, "E_MISSING_VALUE", "missing value (fill it in or drop "
                                 "the row)", node, label, source)
                         for label in missing[:MAX_PROBLEMS - len(problems)]]
    if problems:
        raise GraphSpecError(problems)


def regime_values(column: Series, *, train: object = None, deploy: object = None,
                  source: str = "<samples>") -> tuple[object, object]:
    """The regime column's (training value, deployment value); see :func:`check_on_data`.

    >>> import pandas as pd
    >>> regime_values(pd.Series(["deploy", "train"])), regime_values(pd.Series([0, 1]), deploy="0")
    (('train', 'deploy'), (1, 0))
    """
    name = str(column.name)
    problem = _regime_problem(column, source, None)
    if problem is not None:
        raise GraphSpecError([problem])
    values = sorted(column.unique().tolist(), key=lambda value: (str(type(value)), value))

    def fail(message: str) -> GraphSpecError:
        return GraphSpecError([Problem("E_REGIME_VALUES", message, f"column {name}",
                                       source=source)])

    def match(given: object) -> object:
        for value in values:
            if value == given or str(value).lower() == str(given).lower():
                return value
        raise fail(f"{shown(given)} is not a value of the regime column {shown(name)} (its "
                   f"values: {_listed(values)})")

    def other(value: object) -> object:
        return values[1] if value == values[0] else values[0]

    if train is not None or deploy is not None:
        first = match(train) if train is not None else other(match(deploy))
        second = match(deploy) if deploy is not None else other(first)
        if first == second:
            raise fail(f"train and deploy are the same value {shown(first)}")
        return first, second
    if set(values) == {0, 1}:
        return values[0], values[1]
    words = [str(value).lower() for value in values]
    for index in (0, 1):
        if words[index] in _TRAIN_WORDS and words[1 - index] in _DEPLOY_WORDS:
            return values[index], values[1 - index]
    raise fail(f"cannot tell which value of the regime column {shown(name)} is training: found "
               f"{_listed(values)} (name it with train= or --train)")


def _listed(values: Sequence[object]) -> str:
    return ", ".join(shown(value) for value in values)


def _regime_problem(column: Series, source: str, header_line: int | None) -> Problem | None:
    """A problem when the regime column does not hold exactly two values, else None."""
    seen: dict[object, object] = {}
    location = f"column {column.name}"
    for label, value in column.items():
        if value not in seen:
            seen[value] = label
            if len(seen) == 3:
                line = int(label) if column.index.name == "line" else None
                return Problem("E_REGIME_VALUES", f"the regime column {shown(column.name)} holds "
                               f"a third value {shown(value)} after {_listed(list(seen)[:2])} "
                               "(expected exactly two: training and deployment)", location,
                               line, source)
    if len(seen) == 2:
        return None
    only = f"only the value {_listed(list(seen))}" if seen else "no value"
    return Problem("E_REGIME_VALUES", f"the regime column {shown(column.name)} holds {only} (the "
                   "samples must come from both training and deployment)", location, header_line,
                   source)


def _at_row(samples: DataFrame, code: str, message: str, column: str, label: Any,
            source: str) -> Problem:
    if samples.index.name == "line":
        return Problem(code, message, f"column {column}", int(label), source)
    return Problem(code, message, f"row {label}, column {column}", source=source)


def _records(text: str, source: str) -> tuple[list[str], int, list[tuple[int, list[str]]]]:
    """The header, its line, and each later non-blank record with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for record in reader:
            if len(record) > 1 or (record and record[0].strip()):
                records.append((end + 1, record))
            end = reader.line_num
    except csv.Error as error:
        raise GraphSpecError([Problem("E_CSV_SYNTAX", f"not valid CSV: {error}", line=end + 1,
                                      source=source)]) from None
    if not records:
        raise GraphSpecError([Problem("E_EMPTY_DATA", "the file holds no data (expected a header "
                                      "line naming the columns, then one sample per line)",
                                      source=source)])
    (header_line, header), rows = records[0], records[1:]
    ragged = [(line, len(record)) for line, record in rows if len(record) != len(header)]
    if ragged:
        raise GraphSpecError([Problem("E_CSV_SYNTAX", f"{count} fields, expected {len(header)} "
                                      f"(one per column of the header on line {header_line})",
                                      line=line, source=source)
                              for line, count in ragged[:MAX_PROBLEMS]],
                             more=max(len(ragged) - MAX_PROBLEMS, 0))
    return [name.strip() for name in header], header_line, rows


def _columns(header: list[str], line: int, graph: CausalGraph, regime_column: str | None,
             source: str) -> list[str]:
    """The node each column stands for, or GraphSpecError for every problem of the header."""
    problems: list[Problem] = []

    def add(code: str, message: str, position: int | None = None) -> None:
        location = "" if position is None else f"column {position + 1}"
        problems.append(Problem(code, message, location, line, source))

    regime_nodes = sorted(graph.query_regime)
    renamed: dict[str, str] = {}
    if regime_column is not None and regime_column not in graph.regime:
        if len(regime_nodes) == 1:
            renamed[regime_column] = regime_nodes[0]
        else:
            add("E_MISSING_COLUMN", f"the regime column {shown(regime_column)} could stand for "
                f"any of {', '.join(regime_nodes)} (name the column after one of them)")
    nodes: list[str] = []
    first: dict[str, int] = {}
    guesses = 20  # difflib is slow: only the first unknown columns get a suggestion
    for position, name in enumerate(header):
        node = renamed.get(name, name)
        if not name:
            add("E_UNKNOWN_COLUMN", f"the column has no name (name it after a node of "
                f"{graph.name})", position)
        elif node in first:
            earlier = first[node]
            also = "" if header[earlier] == name else f" (as does {shown(header[earlier])})"
            add("E_DUPLICATE_COLUMN", f"{shown(name)} stands for the node {shown(node)}, like "
                f"column {earlier + 1}{also} (keep one)", position)
        elif node not in graph.node_set and name != regime_column:
            fix = "drop the column or add the node"
            guesses -= 1
            add("E_UNKNOWN_COLUMN", f"{shown(name)} is not a node of {graph.name} "
                f"({suggest(name, graph.node_set, fix) if guesses >= 0 else fix})", position)
        first.setdefault(node, position)
        nodes.append(node)
    found = _found(header)
    if regime_column is not None and regime_column not in header:
        add("E_MISSING_COLUMN", f"no regime column {shown(regime_column)} (found: {found})")
    for node in regime_nodes if regime_column is None else ():
        if node not in first:
            add("E_MISSING_COLUMN", f"no regime column for the regime node {shown(node)} (found: "
                f"{found}; name the regime column with regime_column= or --regime-column)")
    for needed, role in ((graph.base, "the base objective"), (graph.mesa, "the mesa objective")):
        for node in sorted(needed - first.keys()):
            add("E_MISSING_COLUMN", f"no column for {role} {shown(node)} (found: {found})")
    if problems:
        raise GraphSpecError(problems[:MAX_PROBLEMS], more=max(len(problems) - MAX_PROBLEMS, 0))
    return nodes


def _found(names: Sequence[object]) -> str:
    """Column names for a message: the first ten, then how many there are."""
    listed = ", ".join(shown(str(name), 30) for name in names[:10])
    return listed + (f", … ({len(names):,} columns)" if len(names) > 10 else "")


def _typed(values: list[str | None], index: Any) -> Series:
    """Numbers when every present value is one (integers when all are whole), booleans for
    true/false, otherwise text; ``None`` is a missing value."""
    import pandas as pd

    try:
        numbers = np.array(values, dtype=float)
    except ValueError:
        present = {value.lower() for value in values if value is not None}
        if present <= {"true", "false"}:
            return pd.Series([None if value is None else value.lower() == "true"
                              for value in values], index=index)
        return pd.Series(values, index=index, dtype=object)
    if np.isfinite(numbers).all() and np.array_equal(numbers, np.round(numbers)):
        return pd.Series(numbers.astype(np.int64), index=index)
    return pd.Series(numbers, index=index)


def _codes(samples: DataFrame, columns: Sequence[str]) -> npt.NDArray[np.int64]:
    """One integer per row for the joint value of ``columns`` (all zero for no columns)."""
    if not columns:
        return np.zeros(len(samples), dtype=np.int64)
    groups = samples.groupby(list(columns), sort=True, observed=True, dropna=False).ngroup()
    return np.asarray(groups.to_numpy(), dtype=np.int64)


def _contingency(samples: DataFrame, x: tuple[str, ...], y: tuple[str, ...],
                 given: tuple[str, ...], method: str) -> CITest:
    """The stratified G-test or Pearson chi-square; degrees of freedom from occupied cells."""
    from scipy import special, stats

    xs, ys, zs = _codes(samples, x), _codes(samples, y), _codes(samples, given)
    size = len(samples)
    kx, ky, kz = (int(codes.max()) + 1 if size else 1 for codes in (xs, ys, zs))
    if kx * ky * kz > MAX_CELLS:
        raise CausalAlignError(
            f"a contingency test of {', '.join(x)} ({kx:,} values) against {', '.join(y)} "
            f"({ky:,} values) in {kz:,} strata would need {kx * ky * kz:,} cells, more than "
            f"{MAX_CELLS:,}: bin the columns, or test with method='partial-correlation'")
    table = np.bincount((zs * kx + xs) * ky + ys, minlength=kz * kx * ky).reshape(kz, kx, ky)
    observed = table.astype(np.float64)
    rows, columns = observed.sum(axis=2), observed.sum(axis=1)
    per_stratum = rows.sum(axis=1)
    expected = rows[:, :, None] * columns[:, None, :] / np.maximum(per_stratum, 1)[:, None, None]
    dof_each = (((rows > 0).sum(axis=1) - 1).clip(min=0)
                * ((columns > 0).sum(axis=1) - 1).clip(min=0))
    occupied = expected > 0
    if method == "g-test":
        terms = 2 * (special.xlogy(observed, observed) - special.xlogy(observed, expected))
    else:
        terms = np.divide((observed - expected) ** 2, expected, out=np.zeros_like(expected),
                          where=occupied)
    statistic, dof = max(float(terms.sum()), 0.0), int(dof_each.sum())
    p_value = float(stats.chi2.sf(statistic, dof)) if dof else 1.0
    levels = min(kx, ky)
    effect = float(np.sqrt(statistic / (size * (levels - 1)))) if levels > 1 and size else None
    warnings = []
    names, beside = ", ".join(y), ", ".join(given)
    if not dof:
        where = f"no stratum of {beside} holds" if given else "the samples do not hold"
        warnings.append(f"{where} two values of both {', '.join(x)} and {names}: the data "
                        "cannot test this independence")
    tested = occupied & (dof_each > 0)[:, None, None]
    small = int((tested & (expected < MIN_EXPECTED)).sum())
    if tested.any() and small > MAX_SMALL_CELLS * tested.sum():
        warnings.append(f"{small} of {int(tested.sum())} cells ({small / tested.sum():.0%}) have "
                        f"expected counts below {MIN_EXPECTED} (more than "
                        f"{MAX_SMALL_CELLS:.0%}): the chi-square approximation is unreliable; "
                        "collect more samples or merge values")
    single = (columns > 0).sum(axis=1) == 1
    if given and single.any() and not single.all():
        warnings.append(f"{int(single.sum())} of {kz} strata of {beside} "
                        f"({int(per_stratum[single].sum()):,} samples) hold one value of {names} "
                        "only and carry no information")
    return CITest(x, y, given, method, statistic, dof, p_value, effect, size, tuple(warnings))


def _numbers(column: Series) -> Array:
    """A column as numbers; text or booleans with two values as 0 and 1."""
    import pandas as pd
    from pandas.api import types

    if types.is_numeric_dtype(column) and not types.is_bool_dtype(column):
        return np.asarray(column.to_numpy(dtype=float), dtype=np.float64)
    codes, levels = pd.factorize(column, sort=True)
    if len(levels) > 2:
        raise CausalAlignError(
            f"column {shown(column.name)} holds {len(levels)} text values, and a partial "
            "correlation needs numbers (text with two values counts as 0 and 1): test with "
            "method='g-test' after binning the continuous columns, or recode the column")
    return np.asarray(codes, dtype=np.float64)


def _regressors(samples: DataFrame, given: Sequence[str]) -> Array:
    """An intercept, continuous columns as they are, discrete ones as value indicators."""
    import pandas as pd

    blocks = [np.ones((len(samples), 1))]
    for name in given:
        column = samples[name]
        if is_discrete(column):
            codes, levels = pd.factorize(column, sort=True)
            blocks.append(np.eye(len(levels))[codes][:, 1:])
        else:
            blocks.append(_numbers(column)[:, None])
    return np.asarray(np.hstack(blocks), dtype=np.float64)


def _partial_correlation(samples: DataFrame, x: tuple[str, ...], y: tuple[str, ...],
                         given: tuple[str, ...]) -> CITest:
    """Fisher's z, chaining over several x and y (see the module docstring)."""
    parts = [_fisher_z(samples, one, other, (*given, *x[:i], *y[:j]))
             for i, one in enumerate(x) for j, other in enumerate(y)]
    if len(parts) == 1:
        return parts[0]
    best = min(parts, key=lambda part: part.p_value)
    warnings = tuple(dict.fromkeys(warning for part in parts for warning in part.warnings))
    return CITest(x, y, given, "partial-correlation", best.statistic, None,
                  min(1.0, best.p_value * len(parts)), best.effect_size, len(samples), warnings,
                  tuple(parts))


def _fisher_z(samples: DataFrame, x: str, y: str, given: tuple[str, ...]) -> CITest:
    from scipy import stats

    design = _regressors(samples, given)
    targets = np.column_stack([_numbers(samples[x]), _numbers(samples[y])])
    residuals = targets - design @ np.linalg.lstsq(design, targets, rcond=None)[0]
    spread = np.linalg.norm(targets - targets.mean(axis=0), axis=0)
    left = np.linalg.norm(residuals, axis=0)
    rank = np.linalg.matrix_rank(design) - 1
    freedom = len(samples) - rank - 3
    test = (x,), (y,), given, "partial-correlation"
    if freedom < 1:
        return CITest(*test, 0.0, None, 1.0, None, len(samples), (
            f"{len(samples)} samples are too few for a partial correlation given "
            f"{rank} regressors",))
    flat = [name for name, before, after in zip((x, y), spread, left) if after <= 1e-10 * before
            or before == 0]
    if flat:
        reason = f"given {', '.join(given)}" if given else "in the samples"
        return CITest(*test, 0.0, None, 1.0, None, len(samples), (
            f"{', '.join(flat)} is constant {reason}: nothing to correlate",))
    r = float(residuals[:, 0] @ residuals[:, 1] / (left[0] * left[1]))
    z = float(np.arctanh(np.clip(r, -1 + 1e-12, 1 - 1e-12)) * np.sqrt(freedom))
    return CITest(*test, z, None, float(2 * stats.norm.sf(abs(z))), r, len(samples))
