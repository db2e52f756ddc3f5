"""The transport formula estimated from samples: a training file and a deployment file.

The training file holds Y_b, Y_m and Z; the deployment file needs only Y_m and Z (Z is the
S-admissible set of :func:`~causal_align.transport.formula.transport_formula`, chosen among the
nodes the deployment file has). For each value y of Y_m:

- **transported**: Σ_z Ê_train(Y_b | y, z) · P̂_deploy(z | y), computed as the mean, over the
  deployment rows with Y_m = y, of the training estimate of E(Y_b | y, z) at each row's z. For
  discrete Z that estimate is the mean of Y_b in the training stratum (y, z); a numeric column of Z
  with more than ``max_levels`` distinct values is *continuous*, and E(Y_b | y, z) is then a least
  squares line in the continuous columns, fitted within each stratum of y and the discrete ones;
- **naive**: Ê_train(Y_b | y), what training promises;
- **measured**: Ê_deploy(Y_b | y), when the deployment file has Y_b too (a check).

Each has a percentile bootstrap interval: both files are resampled with replacement, ``boots``
times, seeded. A deployment stratum never seen in training has no estimate (positivity fails);
the row says so.

Examples
--------
>>> from causal_align.loader import load_graph
>>> graph = load_graph("graphs/transport_measure_coin.yaml")
>>> result = estimate_transport(graph, read_samples_file("examples/transport/train.csv"),
...                             read_samples_file("examples/transport/deploy_with_outcome.csv"),
...                             scores={"Y_b": {"missed": 0.0, "got": 10.0}}, boots=50)
>>> result.measure
('C',)
>>> row = result.rows[1]
>>> row.label(), round(row.naive, 2), round(row.transported, 2), round(row.measured, 2)
('Y_m=1', 9.02, 3.76, 3.59)
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from causal_align.errors import TransportError, one_line, shown
from causal_align.header import resolve_query
from causal_align.intervention import sigma_graph
from causal_align.limits import Limits, read_text
from causal_align.model import CausalGraph
from causal_align.separation import is_separated
from causal_align.transport.formula import TransportFormula, transport_formula

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float64]

MISSING = frozenset({"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"})
Interval = tuple[float, float]


@dataclass(frozen=True)
class Samples:
    """A CSV file as text columns: ``columns[name][i]`` is row i's value; ``source`` names it."""

    source: str
    columns: Mapping[str, tuple[str, ...]]

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()), ()))


def read_samples_file(path: str | Path, *, limits: Limits = Limits()) -> Samples:
    """Read a CSV file of samples: a header line, then one row per sample, no missing value.

    Raises
    ------
    CausalAlignError
        When the file cannot be read, a line has the wrong number of fields, a column is named
        twice, a value is missing, or there is no row.

    Examples
    --------
    >>> samples = read_samples_file("examples/transport/deploy.csv")
    >>> sorted(samples.columns), samples.rows
    (['C', 'Y_m'], 2000)
    """
    source = str(path)
    text = read_text(Path(source), limits)
    records = [
        (number, row)
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1)
        if any(f.strip() for f in row)
    ]
    if not records:
        raise TransportError("E_TRANSPORT_SAMPLES", f"{source}: no header line")
    _, header = records[0]
    names = [name.strip() for name in header]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise TransportError(
            "E_TRANSPORT_SAMPLES",
            f"{source}:{records[0][0]}: column {shown(twice[0])} is named twice",
        )
    values: list[list[str]] = [[] for _ in names]
    for number, row in records[1:]:
        if len(row) != len(names):
            raise TransportError(
                "E_TRANSPORT_SAMPLES",
                f"{source}:{number}: {len(row)} fields, expected {len(names)}",
            )
        for position, field in enumerate(row):
            field = field.strip()
            if field in MISSING:
                raise TransportError(
                    "E_TRANSPORT_SAMPLES",
                    f"{source}:{number}: missing value in column {shown(names[position])}",
                )
            values[position].append(field)
    if len(records) < 2:
        raise TransportError("E_TRANSPORT_SAMPLES", f"{source}: no sample (only a header line)")
    return Samples(source, {name: tuple(column) for name, column in zip(names, values)})


@dataclass(frozen=True)
class EstimateRow:
    """Estimates at one value of Y_m; ``None`` (and a ``note``) where there is no estimate."""

    mesa: tuple[tuple[str, str], ...]
    n_train: int
    n_deploy: int
    naive: float | None
    naive_interval: Interval | None
    transported: float | None
    transported_interval: Interval | None
    measured: float | None
    measured_interval: Interval | None
    note: str = ""

    def label(self) -> str:
        """``Y_m=1`` or ``A=1, B=0``."""
        return ", ".join(f"{node}={state}" for node, state in self.mesa) or "(no Y_m)"

    def to_dict(self) -> dict[str, Any]:
        def pair(interval: Interval | None) -> list[float] | None:
            return None if interval is None else list(interval)

        return {
            "mesa": dict(self.mesa),
            "n_train": self.n_train,
            "n_deploy": self.n_deploy,
            "naive": self.naive,
            "naive_interval": pair(self.naive_interval),
            "transported": self.transported,
            "transported_interval": pair(self.transported_interval),
            "measured": self.measured,
            "measured_interval": pair(self.measured_interval),
            "note": self.note,
        }


@dataclass(frozen=True)
class TransportEstimate:
    """E_deploy(Y_b | Y_m = y) transported from training through Z, for every y."""

    formula: TransportFormula
    measure: tuple[str, ...]
    continuous: tuple[str, ...]
    boots: int
    level: float
    seed: int
    rows: tuple[EstimateRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "formula": self.formula.to_dict(),
            "measure": list(self.measure),
            "continuous": list(self.continuous),
            "boots": self.boots,
            "level": self.level,
            "seed": self.seed,
            "rows": [row.to_dict() for row in self.rows],
        }

    def __str__(self) -> str:
        percent = f"{self.level:.0%}"
        head = ["Y_m", "n train", "n deploy", "naive (train)", "transported", "measured (deploy)"]
        body = [
            [
                row.label(),
                str(row.n_train),
                str(row.n_deploy),
                _shown(row.naive, row.naive_interval),
                _shown(row.transported, row.transported_interval),
                _shown(row.measured, row.measured_interval),
            ]
            for row in self.rows
        ]
        widths = [max(len(line[index]) for line in [head, *body]) for index in range(len(head))]
        lines = [
            f"transported E_deploy({' + '.join(self.formula.base)} | Y_m = y) in "
            f"{self.formula.admissible.graph}, measuring "
            f"{', '.join(self.measure) or 'nothing'} in deployment",
            self.formula.text,
            f"[{percent} bootstrap intervals, {self.boots} resamples, seed {self.seed}]",
        ]
        if self.continuous:
            lines.append(
                f"continuous, by least squares within strata: {', '.join(self.continuous)}"
            )
        lines += [
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
            for line in [head, *body]
        ]
        lines += [f"{row.label()}: {row.note}" for row in self.rows if row.note]
        return "\n".join(one_line(line) for line in lines)  # user text stays on its line


def _shown(value: float | None, interval: Interval | None) -> str:
    if value is None:
        return "—"
    if interval is None:
        return f"{value:.4f}"
    return f"{value:.4f} [{interval[0]:.4f}, {interval[1]:.4f}]"


def estimate_transport(
    graph: CausalGraph,
    train: Samples,
    deploy: Samples,
    *,
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    measure: Iterable[str] | None = None,
    measurable: Iterable[str] | None = None,
    costs: Mapping[str, float] | None = None,
    scores: Mapping[str, Mapping[str, float]] | None = None,
    boots: int = 200,
    seed: int = 0,
    level: float = 0.95,
    max_levels: int = 10,
) -> TransportEstimate:
    """Estimate E_deploy(Y_b | Y_m = y) by the transport formula, with bootstrap intervals.

    Parameters
    ----------
    graph : CausalGraph
    train, deploy : Samples
        The training file (Y_b, Y_m and Z) and the deployment file (Y_m and Z; Y_b optional).
    base, mesa : optional
        Y_b and Y_m; default: the graph's query.
    measure : Iterable[str], optional
        Z; default: the cheapest S-admissible set among the measurable nodes that are columns
        of both files. A given Z must be S-admissible.
    measurable, costs : optional
        As for :func:`~causal_align.transport.formula.transport_formula`.
    scores : Mapping[str, Mapping[str, float]], optional
        A number for each state of a Y_b column that is not numeric.
    boots : int
        Bootstrap resamples (0: no intervals).
    seed : int
    level : float
        The intervals' coverage, in (0, 1).
    max_levels : int
        A numeric Z column with more distinct values than this is treated as continuous.

    Returns
    -------
    TransportEstimate

    Raises
    ------
    CausalAlignError
        When no S-admissible set can be measured, a column is missing, or Y_b is not numeric.

    Examples
    --------
    >>> graph = CausalGraph.from_edges(["s -> Z", "Z -> Y_m", "Z -> Y_b"], regime="s",
    ...                                base="Y_b", mesa="Y_m")
    >>> train = Samples("train", {"Z": ("0", "0", "1", "1"), "Y_m": ("0", "1", "0", "1"),
    ...                           "Y_b": ("0", "1", "2", "3")})
    >>> deploy = Samples("deploy", {"Z": ("1", "1", "0", "1"), "Y_m": ("0", "1", "1", "1")})
    >>> result = estimate_transport(graph, train, deploy, boots=0)
    >>> [(row.label(), row.naive, row.transported) for row in result.rows]
    [('Y_m=0', 1.0, 2.0), ('Y_m=1', 2.0, 2.3333333333333335)]
    """
    import numpy as np

    if not (isinstance(boots, int) and boots >= 0) or not 0 < level < 1:
        raise TransportError(
            "E_TRANSPORT_ARGUMENT", f"need boots >= 0 and 0 < level < 1, got {boots} and {level}"
        )
    header = resolve_query(graph, base=base, mesa=mesa)
    base_names, mesa_names = header.base, header.mesa
    shared = set(train.columns) & set(deploy.columns)
    if measure is None:
        allowed = [
            node for node in (graph.nodes if measurable is None else measurable) if node in shared
        ]
        formula = transport_formula(
            graph, base=base_names, mesa=mesa_names, measurable=allowed, costs=costs
        )
        if formula.measure is None:
            raise TransportError(
                "E_NOT_TRANSPORTABLE",
                f"cannot transport with the columns of {deploy.source}: {formula.reason}",
            )
        chosen = formula.measure
    else:
        chosen = tuple(sorted(set(measure)))
        formula = transport_formula(graph, base=base_names, mesa=mesa_names, measurable=chosen)
        if not is_separated(
            sigma_graph(graph), graph.query_regime, base_names, given={*mesa_names, *chosen}
        ):
            raise TransportError(
                "E_NOT_TRANSPORTABLE",
                f"Z = {{{', '.join(chosen)}}} is not S-admissible: "
                "(Y_b ⊥ S | Y_m ∪ Z) fails in G_σ",
            )
    for samples, names in (
        (train, (*base_names, *mesa_names, *chosen)),
        (deploy, (*mesa_names, *chosen)),
    ):
        absent = [name for name in names if name not in samples.columns]
        if absent:
            raise TransportError(
                "E_TRANSPORT_SAMPLES",
                f"{samples.source} has no column {shown(absent[0])} "
                f"(columns: {', '.join(samples.columns)})",
            )
    for node in mesa_names:
        if _is_continuous(train.columns[node] + deploy.columns[node], max_levels):
            raise TransportError(
                "E_TRANSPORT_SAMPLES",
                f"Y_m column {shown(node)} is continuous (numbers with more "
                f"than {max_levels} distinct values): E(Y_b | Y_m = y) is "
                "estimated per value of Y_m, so bin it first",
            )
    continuous = tuple(
        node
        for node in chosen
        if _is_continuous(train.columns[node] + deploy.columns[node], max_levels)
    )
    discrete = tuple(node for node in chosen if node not in continuous)
    y_train = base_scores(train, base_names, scores)
    y_deploy = (
        base_scores(deploy, base_names, scores)
        if all(name in deploy.columns for name in base_names)
        else None
    )
    keys_train = _keys(train, mesa_names)
    keys_deploy = _keys(deploy, mesa_names)
    strata_train = _keys(train, (*mesa_names, *discrete))
    strata_deploy = _keys(deploy, (*mesa_names, *discrete))
    x_train = _numbers(train, continuous)
    x_deploy = _numbers(deploy, continuous)
    mesa_values = sorted(set(keys_train) | set(keys_deploy), key=_natural)
    data = _Data(
        y_train,
        y_deploy,
        keys_train,
        keys_deploy,
        strata_train,
        strata_deploy,
        x_train,
        x_deploy,
        mesa_values,
    )
    ones_t, ones_d = np.ones(len(keys_train)), np.ones(len(keys_deploy))
    point = data.estimates(ones_t, ones_d)
    generator = np.random.default_rng(seed)
    replicates = [
        data.estimates(
            np.bincount(
                generator.integers(0, len(ones_t), len(ones_t)), minlength=len(ones_t)
            ).astype(np.float64),
            np.bincount(
                generator.integers(0, len(ones_d), len(ones_d)), minlength=len(ones_d)
            ).astype(np.float64),
        )
        for _ in range(boots)
    ]
    rows = []
    for index, value in enumerate(mesa_values):
        intervals = []
        for kind in range(3):
            draws = [drawn for rep in replicates if (drawn := rep[index][kind]) is not None]
            intervals.append(
                None if not draws or point[index][kind] is None else _percentile(draws, level)
            )
        notes = []
        if point[index][1] is None and keys_deploy.count(value):
            notes.append(
                "a value of Z seen in deployment with Y_m = y never occurs in training "
                "with Y_m = y (positivity fails): no transported estimate"
            )
        failed = sum(rep[index][1] is None for rep in replicates)
        if point[index][1] is not None and failed:
            notes.append(f"{failed} of {boots} resamples had no estimate (a stratum went empty)")
        rows.append(
            EstimateRow(
                tuple(zip(mesa_names, value)),
                keys_train.count(value),
                keys_deploy.count(value),
                point[index][0],
                intervals[0],
                point[index][1],
                intervals[1],
                point[index][2],
                intervals[2],
                "; ".join(notes),
            )
        )
    return TransportEstimate(formula, chosen, continuous, boots, level, seed, tuple(rows))


class _Data:
    """The columns an estimate needs, coded once; :meth:`estimates` reads them with weights."""

    def __init__(
        self,
        y_train: Floats,
        y_deploy: Floats | None,
        keys_train: list[tuple[str, ...]],
        keys_deploy: list[tuple[str, ...]],
        strata_train: list[tuple[str, ...]],
        strata_deploy: list[tuple[str, ...]],
        x_train: Floats,
        x_deploy: Floats,
        mesa_values: list[tuple[str, ...]],
    ) -> None:
        import numpy as np

        self.y_train, self.y_deploy = y_train, y_deploy
        self.x_train, self.x_deploy = x_train, x_deploy
        self.mesa_values = mesa_values
        mesa_code = {value: index for index, value in enumerate(mesa_values)}
        self.mesa_train = np.array([mesa_code[key] for key in keys_train], dtype=np.intp)
        self.mesa_deploy = np.array([mesa_code[key] for key in keys_deploy], dtype=np.intp)
        strata = sorted(set(strata_train) | set(strata_deploy))
        code = {value: index for index, value in enumerate(strata)}
        self.count = len(strata)
        self.stratum_train = np.array([code[key] for key in strata_train], dtype=np.intp)
        self.stratum_deploy = np.array([code[key] for key in strata_deploy], dtype=np.intp)

    def estimates(
        self, w_train: Floats, w_deploy: Floats
    ) -> list[tuple[float | None, float | None, float | None]]:
        """(naive, transported, measured) for every value of Y_m, with these row weights."""
        import numpy as np

        levels = len(self.mesa_values)
        naive = _ratio(
            _sums(self.mesa_train, w_train * self.y_train, levels),
            _sums(self.mesa_train, w_train, levels),
        )
        measured = (
            _ratio(
                _sums(self.mesa_deploy, w_deploy * self.y_deploy, levels),
                _sums(self.mesa_deploy, w_deploy, levels),
            )
            if self.y_deploy is not None
            else [None] * levels
        )
        predicted = self._predicted(w_train)
        transported: list[float | None] = []
        for level in range(levels):
            rows = (self.mesa_deploy == level) & (w_deploy > 0)
            weight = float(w_deploy[rows].sum())
            if weight == 0 or not np.isfinite(predicted[rows]).all():
                transported.append(None)
            else:
                transported.append(float((w_deploy[rows] * predicted[rows]).sum() / weight))
        return list(zip(naive, transported, measured))

    def _predicted(self, w_train: Floats) -> Floats:
        """The training estimate of E(Y_b | y, z) at every deployment row (NaN: none)."""
        import numpy as np

        if self.x_train.shape[1] == 0:
            sums = np.bincount(self.stratum_train, w_train * self.y_train, self.count)
            weights = np.bincount(self.stratum_train, w_train, self.count)
            with np.errstate(invalid="ignore", divide="ignore"):
                means = np.where(weights > 0, sums / np.where(weights > 0, weights, 1), np.nan)
            return np.asarray(means[self.stratum_deploy], dtype=np.float64)
        result = np.full(len(self.stratum_deploy), np.nan)
        for stratum in np.unique(self.stratum_deploy):
            mine = (self.stratum_train == stratum) & (w_train > 0)
            design = np.column_stack([np.ones(int(mine.sum())), self.x_train[mine]])
            root = np.sqrt(w_train[mine])
            if np.linalg.matrix_rank(design * root[:, None]) < design.shape[1]:
                continue
            coefficients = np.linalg.lstsq(
                design * root[:, None], self.y_train[mine] * root, rcond=None
            )[0]
            there = self.stratum_deploy == stratum
            result[there] = (
                np.column_stack([np.ones(int(there.sum())), self.x_deploy[there]]) @ coefficients
            )
        return result


def _sums(codes: npt.NDArray[np.intp], weights: Floats, levels: int) -> Floats:
    import numpy as np

    return np.bincount(codes, weights, levels).astype(np.float64)


def _ratio(top: Floats, bottom: Floats) -> list[float | None]:
    return [float(a / b) if b > 0 else None for a, b in zip(top, bottom)]


def _percentile(draws: Sequence[float], level: float) -> Interval:
    import numpy as np

    low, high = np.quantile(np.asarray(draws), [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _is_continuous(values: Sequence[str], max_levels: int) -> bool:
    numbers = [_number(value) for value in values]
    return all(number is not None for number in numbers) and len(set(numbers)) > max_levels


def _natural(key: tuple[str, ...]) -> tuple[tuple[int, float, str], ...]:
    return tuple(
        (0, number, "") if (number := _number(part)) is not None else (1, 0.0, part) for part in key
    )


def _keys(samples: Samples, names: Sequence[str]) -> list[tuple[str, ...]]:
    return list(zip(*(samples.columns[name] for name in names))) if names else [()] * samples.rows


def _numbers(samples: Samples, names: Sequence[str]) -> Floats:
    import numpy as np

    if not names:
        return np.zeros((samples.rows, 0))
    return np.column_stack(
        [np.array([float(value) for value in samples.columns[name]]) for name in names]
    )


def base_scores(
    samples: Samples, base: Sequence[str], scores: Mapping[str, Mapping[str, float]] | None
) -> Floats:
    """U(Y_b) for every row: the sum over the Y_b columns of each value's score (``scores``
    for a column that has them, else the value read as a number).

    Examples
    --------
    >>> samples = Samples("s.csv", {"Y_b": ("got", "missed")})
    >>> base_scores(samples, ["Y_b"], {"Y_b": {"got": 10.0, "missed": 0.0}}).tolist()
    [10.0, 0.0]
    """
    import numpy as np

    total = np.zeros(samples.rows)
    for name in base:
        table = (scores or {}).get(name)
        column = []
        for value in samples.columns[name]:
            number = table.get(value) if table is not None else _number(value)
            if number is None:
                raise TransportError(
                    "E_TRANSPORT_SAMPLES",
                    f"{samples.source}: Y_b column {shown(name)} holds {shown(value)}, which is "
                    + (
                        "not among its scores"
                        if table is not None
                        else "not a number (give a score for every state)"
                    ),
                )
            column.append(float(number))
        total += np.array(column)
    return total
