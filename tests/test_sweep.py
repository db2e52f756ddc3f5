"""Shift sweeps (causal_align.quantities.sweep) and their pictures (causal_align.quantities.plot).

Set the environment variable ``CI=true`` for five times as many examples.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import Case, cases

from causal_align.errors import CausalAlignError
from causal_align.loader import load_graph
from causal_align.model import CausalGraph
from causal_align.quantities.discrete import DiscreteModel, Table, random_model
from causal_align.quantities.gap import alignment_gap
from causal_align.quantities.plot import plot_sweep, sweep_svg
from causal_align.quantities.sweep import Sweep, partial_shift, sweep

ROOT = Path(__file__).resolve().parent.parent
SCALE = 5 if os.environ.get("CI") == "true" else 1
SOME = settings(max_examples=60 * SCALE, deadline=None)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def chain_model() -> DiscreteModel:
    """s -> Y_m -> Y_b and s -> Y_b, with tables simple enough to sweep by hand."""
    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b", "s -> Y_b"], regime="s",
                                   base="Y_b", mesa="Y_m", name="chain")
    states = {"s": ("train", "deploy"), "Y_m": ("0", "1"), "Y_b": ("low", "high")}
    tables = {"Y_m": Table("Y_m", ("s",), np.array([[0.25, 0.75], [0.5, 0.5]])),
              "Y_b": Table("Y_b", ("Y_m", "s"), np.array([[[0.5, 0.5], [0.2, 0.8]],
                                                          [[0.9, 0.1], [0.6, 0.4]]]))}
    return DiscreteModel(graph, states, tables, {}, {"Y_m": (0.0, 1.0), "Y_b": (0.0, 1.0)},
                         {"s": "train"}, {"s": "deploy"})


# the laws of a sweep ----------------------------------------------------------------------------

@SOME
@given(case=cases(max_nodes=5), seed=SEEDS)
def test_no_shift_gives_exactly_zero_and_the_full_shift_gives_alignment_gap(case: Case,
                                                                           seed: int) -> None:
    model = random_model(case.graph, seed=seed)
    result = sweep(model, steps=4)
    full = alignment_gap(model)
    assert result.strengths == (0.0, 1 / 3, 2 / 3, 1.0)
    assert [line.gaps[0] for line in result.lines] == [0.0] * len(full.rows)
    assert [line.gaps[-1] for line in result.lines] == [row.gap for row in full.rows]
    assert [line.mesa for line in result.lines] == [row.mesa for row in full.rows]


@SOME
@given(case=cases(max_nodes=5), seed=SEEDS)
def test_with_one_shifted_mechanism_and_no_mesa_the_gap_grows_linearly(case: Case,
                                                                       seed: int) -> None:
    """E(U | deploy_λ) is linear in a single table's rows, so gap(λ) = λ · gap(1)."""
    model = random_model(case.graph, seed=seed)
    shifted = [node for node, table in model.tables.items()
               if set(table.given) & set(case.regime)]
    assume(len(shifted) == 1)
    result = sweep(model, steps=5, mesa=[])
    [line] = result.lines
    final = line.gaps[-1]
    assert final is not None
    assert np.allclose(line.gaps, [strength * final for strength in result.strengths],
                       rtol=0, atol=1e-12)


def test_a_half_shift_matches_the_hand_computation() -> None:
    result = sweep(chain_model(), steps=3)
    # λ = 1/2: P(Y_m = 1 | deploy) = .625; P(high | Y_m, deploy) = (.65, .25); train: (.5, .1)
    assert result.lines[0].gaps[1] == pytest.approx(0.65 - 0.5)
    assert result.lines[1].gaps[1] == pytest.approx(0.25 - 0.1)
    assert [line.highest for line in result.lines] == [False, True]


def test_partial_shift_moves_only_the_deployment_rows_of_shifted_tables() -> None:
    graph = CausalGraph.from_edges(["s -> A", "s2 -> A", "A -> B", "s2 -> B"],
                                   regime=["s", "s2"], base="B")
    model = random_model(graph, seed=11)
    rows = model.tables["A"].probabilities  # axes: s, s2, A
    both = partial_shift(model, 0.25).tables["A"].probabilities
    assert np.array_equal(both[0, 0], rows[0, 0])
    assert np.allclose(both[1, 1], 0.75 * rows[0, 0] + 0.25 * rows[1, 1])
    assert np.array_equal(both[0, 1], rows[0, 1]) and np.array_equal(both[1, 0], rows[1, 0])
    only_s = partial_shift(model, 0.25, regime="s")
    assert np.allclose(only_s.tables["A"].probabilities[1],
                       0.75 * rows[0] + 0.25 * rows[1])  # for each state of s2
    assert only_s.tables["B"] is model.tables["B"]  # s does not point at B
    assert np.allclose(sum(table.probabilities.sum() for table in only_s.tables.values()),
                       sum(table.probabilities.sum() for table in model.tables.values()))


@pytest.mark.parametrize(("call", "message"), [
    (lambda model: partial_shift(model, 1.5),
     "the shift strength must be in [0, 1], found 1.5"),
    (lambda model: partial_shift(model, 0.5, regime="Y_m"),
     "cannot shift 'Y_m': not a regime node (regime nodes: s)"),
    (lambda model: sweep(model, steps=1), "a sweep needs at least 2 steps, found 1"),
    (lambda model: sweep(model, mesa_value="2"),
     "Y_m node 'Y_m' has no state '2' (states: 0, 1)"),
    (lambda model: sweep(model, mesa_value={"Y_b": "low"}),
     "mesa_value must give a state to each Y_m node (Y_m), found 'Y_b'"),
    (lambda model: sweep(model, mesa=[], mesa_value="1"),
     "mesa_value '1' names one state, but Y_m has 0 nodes (none): give a state per node, "
     "e.g. {}"),
])
def test_bad_arguments_are_clear_errors(call: object, message: str) -> None:
    with pytest.raises(CausalAlignError) as error:
        call(chain_model())  # type: ignore[operator]
    assert str(error.value) == message


def test_a_chosen_mesa_value_keeps_only_its_line() -> None:
    model = chain_model()
    everything = sweep(model, steps=3)
    assert sweep(model, steps=3, mesa_value="1").lines == everything.lines[1:]
    assert sweep(model, steps=3, mesa_value={"Y_m": "0"}).lines == everything.lines[:1]


def test_a_value_never_seen_in_training_has_no_gap_at_any_strength() -> None:
    model = chain_model()
    never = model.with_tables({"Y_m": Table("Y_m", ("s",), np.array([[1.0, 0.0], [0.5, 0.5]]))})
    result = sweep(never, steps=3)
    assert result.lines[1].gaps == (None, None, None)
    assert "—" in str(result)
    assert json.loads(json.dumps(result.to_dict(), allow_nan=False))["lines"][1]["gaps"] == \
        [None, None, None]


def test_to_dict_and_text() -> None:
    result = sweep(chain_model(), steps=3)
    data = result.to_dict()
    assert list(data) == ["graph", "base", "mesa", "regime", "score", "strengths", "lines",
                          "highest_note"]
    assert data["lines"][1] == {"mesa": {"Y_m": "1"}, "mesa_value": 1.0, "highest": True,
                                "gaps": [0.0, pytest.approx(0.15), pytest.approx(0.3)]}
    assert str(result).splitlines() == [
        "gap of chain against the shift strength λ (0 = training mechanisms, 1 = deployment)",
        "λ       Y_m=0   Y_m=1*",
        "0.00   0.0000   0.0000",
        "0.50  +0.1500  +0.1500",
        "1.00  +0.3000  +0.3000",
        "* highest Y_m (Y_m=1 has the highest mesa value, 1)"]


def test_a_wide_sweep_shows_eight_columns_and_says_how_many_more() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> Y_b"], regime="s", base="Y_b",
                                   mesa=["A", "B"])
    result = sweep(random_model(graph, seed=2, states=3), steps=2)
    assert len(result.lines) == 9
    assert str(result).splitlines()[1].count("=") == 16
    assert "(1 more values of Y_m, with smaller gaps at λ = 1: see to_dict())" in str(result)


def test_progress_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    quiet = sweep(chain_model(), steps=6)
    assert capsys.readouterr() == ("", "")
    shown = sweep(chain_model(), steps=6, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "sweep" in err and "6/6" in err
    assert shown == quiet


# pictures ---------------------------------------------------------------------------------------

def coinrun_sweep(states: int = 3) -> Sweep:
    return sweep(random_model(load_graph(ROOT / "graphs" / "coinrun.yaml"), seed=3,
                              states=states), steps=11)


def test_svg_and_png_files_are_written_and_the_same_every_time(tmp_path: Path) -> None:
    result = coinrun_sweep()
    for suffix, magic in ((".svg", b"<?xml"), (".png", b"\x89PNG")):
        first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix.upper()}"
        plot_sweep(result, first)
        plot_sweep(result, second)
        assert first.read_bytes().startswith(magic)
        assert first.read_bytes() == second.read_bytes()
    svg = sweep_svg(result)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert (tmp_path / "a.svg").read_text(encoding="utf-8").endswith(svg)
    assert "<dc:date>" not in svg


def test_the_picture_labels_its_axes_and_emphasises_the_highest() -> None:
    svg = sweep_svg(coinrun_sweep())
    texts = re.findall(r"<!-- (.*?) -->", svg)  # matplotlib writes every text as a comment
    assert "shift strength λ   (0 = training mechanisms, 1 = deployment)" in texts
    assert "gap  E(Y_b | Y_m = y):  deployment − training" in texts
    assert {"Y_m=0", "Y_m=1", "Y_m=2  (highest Y_m)"} <= set(texts)
    assert "stroke: #b91c1c" in svg and "stroke-dasharray" in svg  # highest line; zero line


def test_many_lines_are_grey_with_one_legend_entry() -> None:
    graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> Y_b"], regime="s", base="Y_b",
                                   mesa=["A", "B"])
    texts = re.findall(r"<!-- (.*?) -->", sweep_svg(sweep(random_model(graph, seed=2, states=3),
                                                          steps=3)))
    assert texts.count("other values of Y_m") == 1
    assert not any(text.startswith("A=0, B=0") for text in texts)


def test_other_suffixes_and_unwritable_paths_are_clear_errors(tmp_path: Path) -> None:
    result = sweep(chain_model(), steps=2)
    with pytest.raises(CausalAlignError) as error:
        plot_sweep(result, tmp_path / "sweep.pdf")
    assert str(error.value).endswith("the file must end in .png or .svg, found '.pdf'")
    with pytest.raises(CausalAlignError, match="^cannot write .*: No such file or directory$"):
        plot_sweep(result, tmp_path / "missing" / "sweep.png")


def test_the_quantitative_modules_import_no_heavy_library() -> None:
    code = ("import causal_align.quantities.gap, causal_align.quantities.sweep, causal_align.quantities.plot, "
            "causal_align.quantities.simulation, sys; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'matplotlib', 'pgmpy', 'pandas', 'tqdm', 'scipy'}))")
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                               encoding="utf-8", check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "[]\n"


def test_without_matplotlib_or_tqdm_the_error_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    result = sweep(chain_model(), steps=2)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(CausalAlignError) as error:
        sweep_svg(result)
    assert str(error.value) == ("drawing a sweep needs matplotlib, part of the quantities extra: "
                                "pip install 'causal_align[quantities]'")
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(CausalAlignError, match=r"^a progress bar needs tqdm, .*\[quantities\]"):
        sweep(chain_model(), steps=2, progress=True)


def test_the_text_table_keeps_the_highest_score_of_a_ten_valued_mesa_objective() -> None:
    """A 0-9 score: the table has room for 8 columns, and Y_m = 9 (the value the
    mesa-optimizer reaches) must be among them, with the largest gaps."""
    graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b"], regime="s",
                                   base="Y_b", mesa="Y_m")
    swept = sweep(random_model(graph, seed=4, states={"Y_m": 10}), steps=3)
    text = str(swept)
    header = next(line for line in text.splitlines() if line.lstrip().startswith("λ"))
    shown = swept.shown_lines()
    assert len(shown) == 8 and any(line.highest for line in shown)
    assert "Y_m=9*" in header.replace(" ", "") or "9*" in header
    finals = sorted((abs(line.gaps[-1]) for line in swept.lines if line.gaps[-1] is not None),
                    reverse=True)
    assert min(abs(line.gaps[-1]) for line in shown if not line.highest) >= finals[7] - 1e-12
    assert "(2 more values of Y_m, with smaller gaps at λ = 1: see to_dict())" in text
