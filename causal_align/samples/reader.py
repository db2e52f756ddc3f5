"""Samples from a CSV file: a table indexed by the line each sample was read from.

Samples sit in one table, one column per variable and one row per sample, and every problem with
them is a :class:`~causal_align.errors.Problem` naming the file, the line and the column:

- :func:`read_table` reads any samples file as text: the first non-blank line names the columns,
  later blank lines are skipped, fields are stripped, and those in :data:`MISSING` are missing
  values (``None``). :mod:`causal_align.quantities.naturalness` reads its CSV files so.
- :func:`read_samples` reads one against a graph, for the tests of :mod:`causal_align.samples.check`
  and :mod:`causal_align.implied`: every column names a node, no value is missing, numbers and
  booleans get their types, and the regime column holds two values.
- :func:`check_columns` and :func:`regime_values` check a table, read here or built in Python,
  before a test uses it.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "samples.csv")
>>> with open(path, "w") as file:
...     _ = file.write("E,X\\n\\n a ,1\\nb,NA\\n")
>>> table = read_table(path)
>>> table.index.name, table.index.tolist(), table["E"].tolist(), table["X"].tolist()
('line', [3, 4], ['a', 'b'], ['1', None])
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from causal_align.errors import MAX_PROBLEMS, GraphSpecError, Problem, shown
from causal_align.header import resolve_query
from causal_align.limits import Limits, read_text
from causal_align.validate import suggest

if TYPE_CHECKING:
    from pandas import DataFrame, Series

    from causal_align.model import CausalGraph

MISSING = frozenset({"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"})
"""CSV fields read as a missing value."""

_TRAIN_WORDS, _DEPLOY_WORDS = frozenset({"train", "training"}), frozenset({"deploy", "deployment"})

_Records = list[tuple[int, list[str]]]
"""The data records of a CSV file, each with the line it starts on."""


def read_table(path: str | os.PathLike[str], *, limits: Limits = Limits()) -> DataFrame:
    """Read a CSV file of samples as text, one row per sample, indexed by its line.

    The first non-blank line names the columns (each name once); blank lines are skipped; every
    field is stripped, and the fields in :data:`MISSING` become ``None``.

    Parameters
    ----------
    path : str or os.PathLike
    limits : Limits
        ``max_bytes`` bounds the file's size.

    Returns
    -------
    pandas.DataFrame
        Text columns, indexed by the line each sample was read from (index name ``"line"``), the
        file name in ``.attrs["source"]`` and the header's line in ``.attrs["header_line"]``, so
        later errors can point into the file.

    Raises
    ------
    GraphSpecError
        The file cannot be read, is not UTF-8 or not valid CSV, a line has more or fewer fields
        than the header, two columns have one name, or no line holds a sample; each problem with
        the file and the line.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "samples.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write("E,X,E\\na,1,b\\n")
    >>> read_table(path)
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 1 problem:
      ...samples.csv:1 column 3: 'E' also names column 1 (rename or drop one) [E_DUPLICATE_COLUMN]
    """
    source = os.fspath(path)
    header, header_line, records = _records(read_text(Path(source), limits), source)
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for position, name in enumerate(header):
        if name in first:
            problems.append(Problem("E_DUPLICATE_COLUMN", f"{shown(name)} also names column "
                                    f"{first[name] + 1} (rename or drop one)",
                                    f"column {position + 1}", header_line, source))
        first.setdefault(name, position)
    _raise(problems)
    return _table(header, header_line, records, source)


def read_samples(path: str | Path, graph: CausalGraph, *, regime_column: str | None = None,
                 base: str | Iterable[str] | None = None, mesa: str | Iterable[str] | None = None,
                 regime: str | Iterable[str] | None = None,
                 limits: Limits = Limits()) -> DataFrame:
    """Read a CSV file of samples, one column per observed node, and check it against ``graph``.

    The file is read as by :func:`read_table`; missing values are refused. A column whose every
    value is a number becomes numeric, one of ``true``/``false`` boolean, any other text. The
    regime column (by default named after the query's regime node) is renamed to that node and
    must hold exactly two values.

    Parameters
    ----------
    path : str or Path
    graph : CausalGraph
        Every column must name one of its nodes; the query's base, mesa and regime nodes must
        have columns.
    regime_column : str, optional
        The column telling the regime, when it is not named after the regime node.
    base, mesa, regime : str or Iterable[str], optional
        The query whose nodes need columns; ``None`` takes the graph's default query.
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
      ...samples.csv:1 column 3: 'Yb' is not a node of graph (did you mean 'Y_b'?)
        [E_UNKNOWN_COLUMN]
      ...samples.csv:1: no column for the base objective 'Y_b' (found: 's', 'Y_m', 'Yb')
        [E_MISSING_COLUMN]
    """
    import pandas as pd

    source = str(path)
    header, header_line, records = _records(read_text(Path(path), limits), source)
    asked = resolve_query(graph, base=base, mesa=mesa, regime=regime, require_base=False)
    query = (frozenset(asked.base), frozenset(asked.mesa), frozenset(asked.regime))
    columns = _columns(header, header_line, graph, query, regime_column, source)
    table = _table(columns, header_line, records, source)
    missing = sorted((int(line), position) for position, name in enumerate(columns)
                     for line in table.index[table[name].isna().to_numpy()])
    problems = [Problem("E_MISSING_VALUE", "missing value (fill it in or drop the line)",
                        f"column {columns[position]}", line, source)
                for line, position in missing[:MAX_PROBLEMS]]
    more = max(len(missing) - MAX_PROBLEMS, 0)
    frame = pd.DataFrame({name: _typed(table[name].tolist(), table.index) for name in columns},
                         index=table.index)
    for name in columns:
        column = frame[name]
        problems += _stray_words(column, name, source)
        if pd.api.types.is_float_dtype(column):
            written = table[name].notna().to_numpy()  # a missing value is reported above
            infinite = column.index[~np.isfinite(column.to_numpy()) & written]  # inf, NAN
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


def check_columns(samples: DataFrame, roles: Mapping[str, str]) -> None:
    """Every node of ``roles`` (node -> its role, for messages) has a column without missing
    values; raises GraphSpecError listing every problem.

    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"X": [1, None]}), {"X": "the node", "Y": "the node"})
    Traceback (most recent call last):
    ...
    causal_align.errors.GraphSpecError: 2 problems:
      <samples>: no column for the node 'Y' (found: 'X') [E_MISSING_COLUMN]
      <samples> row 1, column X: missing value (fill it in or drop the row) [E_MISSING_VALUE]
    """
    import pandas as pd

    source = str(samples.attrs.get("source", "<samples>"))
    found = _found(list(samples.columns))
    problems = [Problem("E_MISSING_COLUMN", f"no column for {role} {shown(node)} (found: {found})",
                        source=source)
                for node, role in roles.items() if node not in samples.columns]
    for node in roles:
        if node in samples.columns:
            column = samples[node]
            missing = samples.index[column.isna().to_numpy()]
            problems += [_at_row(samples, "E_MISSING_VALUE", "missing value (fill it in or drop "
                                 "the row)", node, label, source)
                         for label in missing[:MAX_PROBLEMS - len(problems)]]
            if pd.api.types.is_float_dtype(column):
                infinite = samples.index[np.isinf(column.to_numpy())]
                problems += [_at_row(samples, "E_BAD_VALUE", "not a finite number", node, label,
                                     source) for label in infinite[:MAX_PROBLEMS - len(problems)]]
    if problems:
        raise GraphSpecError(problems)


def regime_values(column: Series, *, train: object = None, deploy: object = None,
                  source: str = "<samples>") -> tuple[object, object]:
    """The regime column's (training value, deployment value).

    ``train`` and ``deploy`` name them (matched as text too, so ``"0"`` finds ``0``); by
    default ``0``/``False`` and ``"train"``/``"training"`` mean training, and ``1``/``True`` and
    ``"deploy"``/``"deployment"`` deployment.

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


def _raise(problems: list[Problem]) -> None:
    """Raise GraphSpecError listing the first :data:`~causal_align.errors.MAX_PROBLEMS` of
    ``problems`` and counting the rest; return when there are none."""
    if problems:
        raise GraphSpecError(problems[:MAX_PROBLEMS], more=max(len(problems) - MAX_PROBLEMS, 0))


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


def _records(text: str, source: str) -> tuple[list[str], int, _Records]:
    """The header (names stripped), its line, and each later non-blank record with the line it
    starts on; GraphSpecError for a file that is not CSV, empty, or has ragged lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: _Records = []
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


def _table(names: Sequence[str], header_line: int, records: _Records, source: str) -> DataFrame:
    """``records`` as text columns called ``names``, indexed by line; missing values ``None``."""
    import pandas as pd

    if not records:
        raise GraphSpecError([Problem("E_EMPTY_DATA", "no samples: the file has a header but no "
                                      "data lines", line=header_line, source=source)])
    lines = pd.Index([line for line, _ in records], name="line")
    fields = zip(*(record for _, record in records))
    table = pd.DataFrame({name: pd.Series([None if field.strip() in MISSING else field.strip()
                                           for field in values], index=lines, dtype=object)
                          for name, values in zip(names, fields)}, index=lines)
    table.attrs["source"] = source
    table.attrs["header_line"] = header_line
    return table


def _columns(header: list[str], line: int, graph: CausalGraph,
             query: tuple[frozenset[str], frozenset[str], frozenset[str]],
             regime_column: str | None, source: str) -> list[str]:
    """The node each column stands for, or GraphSpecError for every problem of the header;
    ``query`` is (base, mesa, regime), the nodes that need columns."""
    base, mesa, query_regime = query
    problems: list[Problem] = []

    def add(code: str, message: str, position: int | None = None) -> None:
        location = "" if position is None else f"column {position + 1}"
        problems.append(Problem(code, message, location, line, source))

    regime_nodes = sorted(query_regime)
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
    for needed, role in ((base, "the base objective"), (mesa, "the mesa objective")):
        for node in sorted(needed - first.keys()):
            add("E_MISSING_COLUMN", f"no column for {role} {shown(node)} (found: {found})")
    _raise(problems)
    return nodes


def _found(names: Sequence[object]) -> str:
    """Column names for a message: the first ten, then how many there are."""
    listed = ", ".join(shown(str(name), 30) for name in names[:10])
    return listed + (f", … ({len(names):,} columns)" if len(names) > 10 else "")


def _stray_words(column: Series, name: str, source: str) -> list[Problem]:
    """A text column that is numbers but for a few words: the words are typos, not categories
    (read as categories, they would turn a numeric test into a meaningless one)."""
    if column.dtype != object:
        return []
    words = []
    numbers = 0
    for line, value in column.items():
        if value is None:
            continue
        try:
            float(value)
        except ValueError:
            words.append((int(line), value))
        else:
            numbers += 1
    if not words or numbers < 10 * len(words):
        return []
    return [Problem("E_BAD_VALUE", f"{shown(value)} in a column of numbers ({numbers:,} of "
                    f"{numbers + len(words):,} values are numbers: fix this one, or leave the "
                    "field empty for a missing value)", f"column {name}", line, source)
            for line, value in words[:MAX_PROBLEMS]]


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
    exact = np.isfinite(numbers).all() and bool((np.abs(numbers) < 2**53).all())
    if exact and np.array_equal(numbers, np.round(numbers)):  # whole numbers a float holds exactly
        return pd.Series(numbers.astype(np.int64), index=index)
    return pd.Series(numbers, index=index)
