"""Tests of causal_align.samples.reader: CSV files of samples read into tables indexed by their lines,
checked against a graph, and every problem naming the file, the line and the column.

Set the environment variable ``CI=true`` for five times as many random tables.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causal_align import CausalGraph, GraphSpecError
from causal_align.limits import Limits
from causal_align.samples.check import check_on_data
from causal_align.samples.reader import (
    MISSING,
    check_columns,
    read_samples,
    read_table,
    regime_values,
)

SCALE = 5 if os.environ.get("CI") == "true" else 1
CHAIN = CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b",
                               mesa="Y_m", name="chain")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "samples.csv"
    path.write_text(text, encoding="utf-8")
    return path


def problems(error: pytest.ExceptionInfo[GraphSpecError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


# read_table: any samples file, as text ------------------------------------------------------------

def test_a_table_is_text_indexed_by_line(tmp_path: Path) -> None:
    path = write(tmp_path, "\nE , X,flag\n\n a ,01,true\n\nb,NA,\n c,1.50 , False\n")
    table = read_table(path)
    assert list(table.columns) == ["E", "X", "flag"]
    assert table.index.name == "line" and list(table.index) == [4, 6, 7]
    assert table.attrs["source"] == str(path)
    # fields are stripped and kept as text: no numbers, no booleans, missing values are None
    assert table.to_dict("list") == {"E": ["a", "b", "c"], "X": ["01", None, "1.50"],
                                     "flag": ["true", None, "False"]}


ALPHABET = st.sampled_from(list("ab 1.,\"\n") + ["NA", "null", "é"])
FIELDS = st.lists(ALPHABET, max_size=4).map("".join)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header of 2 to 4 distinct names and up to 6 rows of fields CSV must quote or not."""
    header = draw(st.lists(st.text("XYZ_", min_size=1, max_size=3), min_size=2, max_size=4,
                           unique=True))
    rows = draw(st.lists(st.lists(FIELDS, min_size=len(header), max_size=len(header)),
                         min_size=1, max_size=6))
    return header, rows


@settings(max_examples=100 * SCALE, deadline=None)
@given(tables())
def test_any_written_table_reads_back(tmp_path_factory: pytest.TempPathFactory,
                                      table: tuple[list[str], list[list[str]]]) -> None:
    header, rows = table
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    lines = []
    for row in rows:
        lines.append(text.getvalue().count("\n") + 1)  # the line this record starts on
        writer.writerow(row)
    path = tmp_path_factory.mktemp("table") / "samples.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    read = read_table(path)
    assert list(read.columns) == header and list(read.index) == lines
    expected = [[None if field.strip() in MISSING else field.strip() for field in row]
                for row in rows]
    assert read.to_numpy().tolist() == expected


def test_repeated_column_names_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "E,X,E,,,E\n1,2,3,4,5,6\n")
    with pytest.raises(GraphSpecError) as error:
        read_table(path)
    assert problems(error) == [
        f"{path}:1 column 3: 'E' also names column 1 (rename or drop one) [E_DUPLICATE_COLUMN]",
        f"{path}:1 column 5: '' also names column 4 (rename or drop one) [E_DUPLICATE_COLUMN]",
        f"{path}:1 column 6: 'E' also names column 1 (rename or drop one) [E_DUPLICATE_COLUMN]"]


FILE_ERRORS = [
    ("", "samples.csv: the file holds no data (expected a header line naming the columns, then "
     "one sample per line) [E_EMPTY_DATA]"),
    ("\n\n  \n", "samples.csv: the file holds no data (expected a header line naming the "
     "columns, then one sample per line) [E_EMPTY_DATA]"),
    ("s,X,Y_m,Y_b\n", "samples.csv:1: no samples: the file has a header but no data lines "
     "[E_EMPTY_DATA]"),
    ("s,X,Y_m,Y_b\n0,1,1,1\n1,1,1\n1,0,0,0,0\n",
     "samples.csv:3: 3 fields, expected 4 (one per column of the header on line 1) "
     "[E_CSV_SYNTAX]\n"
     "samples.csv:4: 5 fields, expected 4 (one per column of the header on line 1) "
     "[E_CSV_SYNTAX]"),
    ('s,X,Y_m,Y_b\n0,1,1,1\n1,"1,1,1\n', "samples.csv:3: not valid CSV: unexpected end of data "
     "[E_CSV_SYNTAX]"),
]
"""Problems of the file itself: read_table and read_samples report them alike."""


@pytest.mark.parametrize(("text", "message"), FILE_ERRORS)
def test_file_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    for read in (read_table, lambda path: read_samples(path, CHAIN)):
        with pytest.raises(GraphSpecError) as error:
            read(path)
        assert "\n".join(problems(error)) == message.replace("samples.csv", str(path))


def test_a_missing_file_and_a_file_not_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("s,X,Y_m,Y_b\n0,1,1,caf\xe9\n".encode("latin-1"))
    for read in (read_table, lambda path: read_samples(path, CHAIN)):
        with pytest.raises(GraphSpecError) as error:
            read(tmp_path / "nope.csv")
        assert problems(error) == [f"{tmp_path / 'nope.csv'}: cannot read the file: No such "
                                   "file or directory [E_FILE]"]
        with pytest.raises(GraphSpecError) as error:
            read(path)
        assert problems(error) == [f"{path}:2: not UTF-8 text: byte 21 is 0xe9 (save the file "
                                   "as UTF-8) [E_ENCODING]"]


def test_the_size_limit_holds_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, "E,X\na,1\n")
    with pytest.raises(GraphSpecError) as error:
        read_table(path, limits=Limits(max_bytes=5))
    assert [problem.code for problem in error.value.problems] == ["E_TOO_LARGE"]
    assert len(read_table(path, limits=Limits(max_bytes=8))) == 1


# read_samples: against a graph, typed -------------------------------------------------------------

def test_a_csv_file_round_trips(tmp_path: Path) -> None:
    rng = np.random.default_rng(19)
    regime = np.where(rng.random(500) < 0.5, "deploy", "train")
    samples = pd.DataFrame({"s": pd.Series(regime, dtype=object),
                            "X": rng.integers(0, 3, 500), "Y_m": rng.integers(0, 3, 500),
                            "Y_b": rng.normal(size=500)})
    path = tmp_path / "samples.csv"
    samples.to_csv(path, index=False)
    frame = read_samples(path, CHAIN)
    assert list(frame.index[:2]) == [2, 3] and frame.index.name == "line"
    assert frame.attrs["source"] == str(path)
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), samples, check_exact=False)
    assert check_on_data(CHAIN, frame).to_dict() == check_on_data(CHAIN, samples).to_dict()


def test_types_blank_lines_and_a_renamed_regime_column(tmp_path: Path) -> None:
    path = write(tmp_path, "phase, X ,Y_m,Y_b\n\nbefore,1.5,true,a\n after ,2,False,b\n\n")
    frame = read_samples(path, CHAIN, regime_column="phase")
    assert list(frame.columns) == ["s", "X", "Y_m", "Y_b"]
    assert list(frame.index) == [3, 4]
    assert frame["X"].tolist() == [1.5, 2.0] and frame["Y_m"].tolist() == [True, False]
    assert frame["s"].tolist() == ["before", "after"] and frame["Y_b"].tolist() == ["a", "b"]


GRAPH_ERRORS = [
    ("s,X,Y_mm,Y_b,,X\n0,1,1,1,1,1\n",
     "samples.csv:1 column 3: 'Y_mm' is not a node of chain (did you mean 'Y_m'?) "
     "[E_UNKNOWN_COLUMN]\n"
     "samples.csv:1 column 5: the column has no name (name it after a node of chain) "
     "[E_UNKNOWN_COLUMN]\n"
     "samples.csv:1 column 6: 'X' stands for the node 'X', like column 2 (keep one) "
     "[E_DUPLICATE_COLUMN]\n"
     "samples.csv:1: no column for the mesa objective 'Y_m' (found: 's', 'X', 'Y_mm', 'Y_b', '', "
     "'X') [E_MISSING_COLUMN]"),
    ("regime,X,Y_m,Y_b\n0,1,1,1\n",
     "samples.csv:1 column 1: 'regime' is not a node of chain (drop the column or add the node) "
     "[E_UNKNOWN_COLUMN]\n"
     "samples.csv:1: no regime column for the regime node 's' (found: 'regime', 'X', 'Y_m', "
     "'Y_b'; name the regime column with regime_column= or --regime-column) [E_MISSING_COLUMN]"),
    ("s,X,Y_m,Y_b\n0,1,1,1\n1,,1,NA\n1,0,0,0\n0,1,null,1\n",
     "samples.csv:3 column X: missing value (fill it in or drop the line) [E_MISSING_VALUE]\n"
     "samples.csv:3 column Y_b: missing value (fill it in or drop the line) [E_MISSING_VALUE]\n"
     "samples.csv:5 column Y_m: missing value (fill it in or drop the line) [E_MISSING_VALUE]"),
    ("s,X,Y_m,Y_b\n0,1,1,1\n1,inf,1,2.5\n", "samples.csv:3 column X: not a finite number (give "
     "a number, or leave the field empty for a missing value) [E_BAD_VALUE]"),
    ("s,X,Y_m,Y_b\n0,1,1,1\n1,1,1,1\n0,1,1,1\n2,1,1,1\n2,1,1,1\n",
     "samples.csv:5 column s: the regime column 's' holds a third value 2 after 0, 1 (expected "
     "exactly two: training and deployment) [E_REGIME_VALUES]"),
    ("s,X,Y_m,Y_b\ntrain,1,1,1\ntrain,1,1,1\n",
     "samples.csv:1 column s: the regime column 's' holds only the value 'train' (the samples "
     "must come from both training and deployment) [E_REGIME_VALUES]"),
]


@pytest.mark.parametrize(("text", "message"), GRAPH_ERRORS)
def test_csv_errors_name_file_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(GraphSpecError) as error:
        read_samples(path, CHAIN)
    assert "\n".join(problems(error)) == message.replace("samples.csv", str(path))


def test_ragged_lines_are_reported_before_the_header_is_matched(tmp_path: Path) -> None:
    path = write(tmp_path, "s,X,Yb,Y_b\n0,1,1\n")
    with pytest.raises(GraphSpecError) as error:
        read_samples(path, CHAIN)
    assert [problem.code for problem in error.value.problems] == ["E_CSV_SYNTAX"]


def test_a_named_regime_column_that_is_absent(tmp_path: Path) -> None:
    path = write(tmp_path, "s,X,Y_m,Y_b\n0,1,1,1\n")
    with pytest.raises(GraphSpecError) as error:
        read_samples(path, CHAIN, regime_column="phase")
    assert problems(error) == [
        f"{path}:1: no regime column 'phase' (found: 's', 'X', 'Y_m', 'Y_b') [E_MISSING_COLUMN]"]


def test_a_regime_column_and_a_column_named_after_the_regime_node(tmp_path: Path) -> None:
    path = write(tmp_path, "phase,s,X,Y_m,Y_b\n0,0,1,1,1\n")
    with pytest.raises(GraphSpecError) as error:
        read_samples(path, CHAIN, regime_column="phase")
    assert problems(error) == [
        f"{path}:1 column 2: 's' stands for the node 's', like column 1 (as does 'phase') "
        "(keep one) [E_DUPLICATE_COLUMN]"]


def test_a_regime_column_is_ambiguous_with_two_regime_nodes(tmp_path: Path) -> None:
    graph = CausalGraph.from_edges(["s -> Y_m", "s2 -> Y_m", "Y_m -> Y_b"], regime=["s", "s2"],
                                   base="Y_b", mesa="Y_m")
    path = write(tmp_path, "phase,Y_m,Y_b\n0,1,1\n")
    with pytest.raises(GraphSpecError) as error:
        read_samples(path, graph, regime_column="phase")
    assert problems(error) == [
        f"{path}:1: the regime column 'phase' could stand for any of s, s2 (name the column after "
        "one of them) [E_MISSING_COLUMN]"]


# check_columns and regime_values: tables read here or built in Python -----------------------------

def test_columns_are_checked_by_line_or_by_row(tmp_path: Path) -> None:
    roles = {"X": "the node", "Y": "the mesa objective"}
    frame = pd.DataFrame({"X": [1.0, np.nan, 3.0]}, index=[10, 11, 12])
    with pytest.raises(GraphSpecError) as error:
        check_columns(frame, roles)
    assert problems(error) == [
        "<samples>: no column for the mesa objective 'Y' (found: 'X') [E_MISSING_COLUMN]",
        "<samples> row 11, column X: missing value (fill it in or drop the row) "
        "[E_MISSING_VALUE]"]
    table = read_table(write(tmp_path, "X,Y\n1,2\n\n,3\n"))
    with pytest.raises(GraphSpecError) as error:
        check_columns(table, roles)
    assert problems(error) == [f"{tmp_path / 'samples.csv'}:4 column X: missing value (fill it "
                               "in or drop the row) [E_MISSING_VALUE]"]
    check_columns(table, {"Y": "the node"})  # complete: no error


@pytest.mark.parametrize(("values", "expected"), [
    ([0, 1], (0, 1)), ([1, 0], (0, 1)), ([True, False], (False, True)), ([0.0, 1.0], (0.0, 1.0)),
    (["deploy", "train"], ("train", "deploy")), (["Training", "Deployment"],
                                                 ("Training", "Deployment"))])
def test_the_training_value_by_default(values: list[object], expected: tuple[object, ...]) -> None:
    assert regime_values(pd.Series(values * 3, name="s")) == expected


@pytest.mark.parametrize(("train", "deploy", "expected"), [
    ("a", None, ("a", "b")), (None, "a", ("b", "a")), ("b", "a", ("b", "a")),
    ("B", None, ("b", "a"))])
def test_train_and_deploy_name_the_values(train: str | None, deploy: str | None,
                                          expected: tuple[str, str]) -> None:
    assert regime_values(pd.Series(["a", "b"], name="s"), train=train, deploy=deploy) == expected


def test_numbers_given_as_text_find_their_values() -> None:
    assert regime_values(pd.Series([1, 2, 1], name="s"), train="2") == (2, 1)


@pytest.mark.parametrize(("values", "options", "message"), [
    (["a", "b"], {}, "<samples> column s: cannot tell which value of the regime column 's' is "
     "training: found 'a', 'b' (name it with train= or --train) [E_REGIME_VALUES]"),
    (["a", "b"], {"train": "c"}, "<samples> column s: 'c' is not a value of the regime column "
     "'s' (its values: 'a', 'b') [E_REGIME_VALUES]"),
    (["a", "b"], {"train": "a", "deploy": "a"}, "<samples> column s: train and deploy are the "
     "same value 'a' [E_REGIME_VALUES]"),
    (["a", "a"], {}, "<samples> column s: the regime column 's' holds only the value 'a' (the "
     "samples must come from both training and deployment) [E_REGIME_VALUES]"),
    (["a", "b", "a", "c"], {}, "<samples> column s: the regime column 's' holds a third value "
     "'c' after 'a', 'b' (expected exactly two: training and deployment) [E_REGIME_VALUES]"),
])
def test_regime_value_errors(values: list[str], options: dict[str, str], message: str) -> None:
    with pytest.raises(GraphSpecError) as error:
        regime_values(pd.Series(values, name="s"), **options)
    assert problems(error) == [message]


def test_values_that_are_not_finite_numbers_are_refused_in_files_and_frames(
        tmp_path: Path) -> None:
    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b",
                                   mesa="Y_m")
    path = tmp_path / "odd.csv"
    path.write_text("s,Y_m,Y_b\ntrain,1,NAN\ndeploy,0,1.5\ntrain,1e300,2\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.index) == [2, 3, 4]
    with pytest.raises(GraphSpecError) as caught:
        read_samples(path, graph)
    assert [(problem.code, problem.line) for problem in caught.value.problems] == [
        ("E_BAD_VALUE", 2)]
    big = tmp_path / "big.csv"
    big.write_text("s,Y_m,Y_b\ntrain,1e300,0\ndeploy,0,1\n", encoding="utf-8")
    assert read_samples(big, graph)["Y_m"].tolist() == [1e300, 0.0]  # not an int64 overflow
    with pytest.raises(GraphSpecError) as caught:
        check_columns(pd.DataFrame({"Y_b": [0.5, float("inf")]}), {"Y_b": "the base objective"})
    assert [problem.code for problem in caught.value.problems] == ["E_BAD_VALUE"]


def test_a_stray_word_in_a_column_of_numbers_is_refused_at_its_line(tmp_path: Path) -> None:
    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b",
                                   mesa="Y_m")
    rows = [f"{'train' if index % 2 else 'deploy'},{index % 3},{index * 0.5}"
            for index in range(30)]
    rows[7] = "train,1,oops"
    path = tmp_path / "samples.csv"
    path.write_text("s,Y_m,Y_b\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(GraphSpecError) as info:
        read_samples(path, graph)
    [problem] = info.value.problems
    assert (problem.code, problem.line, problem.location) == ("E_BAD_VALUE", 9, "column Y_b")
    assert problem.message.startswith("'oops' in a column of numbers (29 of 30 values")
