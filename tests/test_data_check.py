"""Tests of causal_align.samples.check: (Y_b ⊥ s | Y_m) on samples drawn from stated models.

Every model is written out below and sampled with numpy at a fixed seed. Aligned models must not
be rejected and misaligned ones must be, with enough samples; the statistics must equal pgmpy's
(``pgmpy.estimators.CITests`` and ``pgmpy.ci_tests``) on the same data; every error names the
file, the line and the column. Reading the files is tested in test_samples_reader.py.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from causal_align import CausalAlignError, CausalGraph, GraphSpecError
from causal_align.samples.check import CITest, check_on_data, ci_test, is_discrete
from causal_align.samples.reader import read_samples

CHAIN = CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b",
                               mesa="Y_m", name="chain")
"""Aligned: every route from s to Y_b runs through Y_m."""
LEAK = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b", "s -> Y_b"], regime="s", base="Y_b",
                              mesa="Y_m", name="leak")
"""Not aligned: the regime changes Y_b's own mechanism."""


def chain_samples(n: int, seed: int, *, leak: float = 0.0) -> pd.DataFrame:
    """s -> X -> Y_m -> Y_b with three-valued X, Y_m, Y_b; ``leak`` adds s -> Y_b."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 2, n)
    x = np.minimum(rng.integers(0, 3, n) + s * (rng.random(n) < 0.6), 2)
    y_m = (x + (rng.random(n) < 0.3) * rng.integers(1, 3, n)) % 3
    y_b = (y_m + (rng.random(n) < 0.4 + leak * s) * rng.integers(1, 3, n)) % 3
    return pd.DataFrame({"s": s, "X": x, "Y_m": y_m, "Y_b": y_b})


def gaussian_samples(n: int, seed: int, *, leak: float = 0.0) -> pd.DataFrame:
    """Linear-Gaussian s -> X -> Y_m -> Y_b; ``leak`` is the coefficient of s -> Y_b."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 2, n)
    x = 1.5 * s + rng.normal(size=n)
    y_m = 0.8 * x + rng.normal(size=n)
    y_b = 1.2 * y_m + leak * s + rng.normal(size=n)
    return pd.DataFrame({"s": s, "X": x, "Y_m": y_m, "Y_b": y_b})


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "samples.csv"
    path.write_text(text, encoding="utf-8")
    return path


# Discrete -----------------------------------------------------------------------------------------

def test_an_aligned_discrete_model_is_not_rejected() -> None:
    result = check_on_data(CHAIN, chain_samples(4000, seed=1))
    assert result.graph_aligned and not result.rejected
    assert result.test.method == "g-test" and result.test.dof == 6  # 3 strata of a 3 x 2 table
    assert result.test.p_value > 0.05 and result.warnings == ()
    assert result.verdict == "not rejected at alpha = 0.05"


def test_a_misaligned_discrete_model_is_rejected() -> None:
    samples = chain_samples(4000, seed=1, leak=0.4)
    result = check_on_data(LEAK, samples)
    assert not result.graph_aligned and result.rejected
    assert result.test.p_value < 1e-6 and result.test.effect_size is not None
    assert result.reading() == "the diagram says not aligned, and the data show the leak"
    # the same data against the aligned diagram: the data contradict it
    contradicted = check_on_data(CHAIN, samples)
    assert contradicted.graph_aligned and contradicted.rejected
    assert contradicted.reading().startswith("the diagram says aligned, but the data reject")


def test_chi_square_agrees_with_the_g_test_on_large_samples() -> None:
    samples = chain_samples(4000, seed=2, leak=0.3)
    g_test = check_on_data(LEAK, samples).test
    pearson = check_on_data(LEAK, samples, method="chi-square").test
    assert pearson.method == "chi-square" and pearson.dof == g_test.dof
    assert pearson.statistic == pytest.approx(g_test.statistic, rel=0.1)
    assert pearson.statistic != g_test.statistic


def test_the_test_is_calibrated_under_the_null() -> None:
    """Over 200 aligned data sets, about alpha of them are rejected."""
    rejected = sum(check_on_data(CHAIN, chain_samples(300, seed)).rejected for seed in range(200))
    assert 2 <= rejected <= 22  # 5% of 200 is 10; this band holds with probability > 0.999


def test_several_base_nodes_are_tested_jointly() -> None:
    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> A", "Y_m -> B"], regime="s",
                                   base=["A", "B"], mesa="Y_m")
    rng = np.random.default_rng(3)
    s, n = rng.integers(0, 2, 3000), 3000
    y_m = (rng.random(n) < 0.3 + 0.4 * s).astype(int)
    a = (rng.random(n) < 0.2 + 0.6 * y_m).astype(int)
    b = (rng.random(n) < 0.7 - 0.4 * y_m).astype(int)
    result = check_on_data(graph, pd.DataFrame({"s": s, "Y_m": y_m, "A": a, "B": b}))
    assert result.test.x == ("A", "B") and result.test.dof == 6  # 2 strata of a 4 x 2 table
    assert not result.rejected
    # A and B together depend on s when their agreement (not each alone) shifts with the regime
    flip = rng.random(n) < 0.5
    a2 = np.where(flip, 0, 1)
    b2 = np.where(flip ^ ((s == 1) & (rng.random(n) < 0.3)), 0, 1)
    joint = check_on_data(graph, pd.DataFrame({"s": s, "Y_m": y_m, "A": a2, "B": b2}))
    assert joint.rejected
    for alone in ("A", "B"):
        assert not check_on_data(graph, pd.DataFrame({"s": s, "Y_m": y_m, "A": a2, "B": b2}),
                                 base=alone).rejected


def test_small_samples_draw_warnings() -> None:
    samples = chain_samples(16, seed=4).assign(s=[1, 1] + [0] * 14)
    result = check_on_data(CHAIN, samples)
    # Y_m = 0 (1 sample) and Y_m = 1 (6 samples) come from training only; Y_m = 2 holds 9
    # samples of both regimes and all three values of Y_b: 6 cells, none expecting 5
    assert samples.groupby("Y_m")["s"].agg(["size", "nunique"]).values.tolist() == [
        [1, 1], [6, 1], [9, 2]]
    assert result.warnings == (
        "6 of 6 cells (100%) have expected counts below 5 (more than 20%): the chi-square "
        "approximation is unreliable; collect more samples or merge values",
        "2 of 3 strata of Y_m (7 samples) hold one value of s only and carry no information",
        "only 2 samples from deploy (fewer than 10): the test has little power")
    assert str(result).endswith("\nwarnings:\n  - 6 of 6 cells (100%) have expected counts below 5 "
                                "(more than 20%): the chi-square approximation is unreliable; "
                                "collect more samples or merge values\n  - 2 of 3 strata of Y_m "
                                "(7 samples) hold one value of s only and carry no information\n"
                                "  - only 2 samples from deploy (fewer than 10): the test has "
                                "little power")


def test_strata_with_one_regime_are_named() -> None:
    samples = chain_samples(2000, seed=5)
    samples = samples[~((samples["Y_m"] == 2) & (samples["s"] == 1))]
    result = check_on_data(CHAIN, samples)
    stratum = int((samples["Y_m"] == 2).sum())
    assert (f"1 of 3 strata of Y_m ({stratum:,} samples) hold one value of s only and carry no "
            "information") in result.warnings
    assert result.test.dof == 4  # the lone stratum adds no degree of freedom


def test_data_that_cannot_test_say_so() -> None:
    samples = chain_samples(500, seed=6)
    samples["Y_m"] = samples["s"]  # Y_m tells the regime: no stratum holds both regimes
    result = check_on_data(CHAIN, samples)
    assert result.test.dof == 0 and result.test.p_value == 1.0 and not result.rejected
    assert result.warnings[0] == ("no stratum of Y_m holds two values of both Y_b and s: the "
                                  "data cannot test this independence")


def test_no_mesa_is_a_marginal_test() -> None:
    graph = CausalGraph.from_edges(["s -> X", "X -> Y_b"], regime="s", base="Y_b")
    samples = chain_samples(3000, seed=7)
    result = check_on_data(graph, samples.rename(columns={"Y_m": "Y_b", "Y_b": "unused"}))
    assert result.mesa == () and result.test.given == () and result.test.dof == 2
    assert result.rejected  # Y_m depends on s through X
    assert str(result).splitlines()[0].startswith("Data test of (Y_b ⊥ s | ∅) for graph")


# Continuous ---------------------------------------------------------------------------------------

def test_an_aligned_gaussian_model_is_not_rejected() -> None:
    result = check_on_data(CHAIN, gaussian_samples(3000, seed=8))
    assert result.test.method == "partial-correlation" and result.test.dof is None
    assert not result.rejected and abs(result.test.effect_size or 1) < 0.05


def test_a_misaligned_gaussian_model_is_rejected_with_the_right_sign() -> None:
    up = check_on_data(LEAK, gaussian_samples(3000, seed=8, leak=0.3))
    down = check_on_data(LEAK, gaussian_samples(3000, seed=8, leak=-0.3))
    assert up.rejected and down.rejected
    assert (up.test.effect_size or 0) > 0 > (down.test.effect_size or 0)
    # the regime column's coding follows train= / deploy=, not the order of its values
    text = gaussian_samples(3000, seed=8, leak=0.3).assign(
        s=lambda frame: np.where(frame["s"] == 1, "after", "before"))
    flipped = check_on_data(LEAK, text, train="after")
    assert flipped.test.effect_size == pytest.approx(-(up.test.effect_size or 0))


def test_a_discrete_mesa_objective_is_conditioned_on_exactly() -> None:
    """Y_b depends on Y_m through a bump, not a line: indicators of Y_m's values block s."""
    rng = np.random.default_rng(9)
    n = 4000
    s = rng.integers(0, 2, n)
    # s makes the middle value of Y_m likelier, and Y_b bumps at that value
    y_m = np.where(rng.random(n) < 0.2 + 0.5 * s, 1, 2 * rng.integers(0, 2, n))
    y_b = 2.0 * (y_m == 1) + rng.normal(size=n)
    samples = pd.DataFrame({"s": s, "X": s, "Y_m": y_m, "Y_b": y_b})
    result = check_on_data(CHAIN, samples)
    assert result.test.method == "partial-correlation" and not result.rejected
    # continuous, Y_m is conditioned on by a line, which cannot follow the bump: rejected; the
    # automatic choice sees the bump and takes the spline residuals, which do not reject
    continuous = samples.assign(Y_m=y_m + rng.normal(scale=1e-6, size=n))
    assert check_on_data(CHAIN, continuous, method="partial-correlation").rejected
    curved = check_on_data(CHAIN, continuous)
    assert curved.test.method == "spline-residual" and not curved.rejected


def test_several_continuous_base_nodes_are_chained() -> None:
    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> A", "A -> B", "s -> B"], regime="s",
                                   base=["A", "B"], mesa="Y_m")
    rng = np.random.default_rng(10)
    n = 2000
    s = rng.integers(0, 2, n)
    y_m = s + rng.normal(size=n)
    a = y_m + rng.normal(size=n)
    b = a + 0.4 * s + rng.normal(size=n)
    result = check_on_data(graph, pd.DataFrame({"s": s, "Y_m": y_m, "A": a, "B": b}))
    first, second = result.test.parts
    assert (first.x, first.given, second.x, second.given) == (("A",), ("Y_m",), ("B",),
                                                              ("Y_m", "A"))
    assert first.p_value > 0.05 and second.p_value < 1e-6
    assert result.test.p_value == pytest.approx(min(1.0, 2 * second.p_value))
    assert result.test.statistic == second.statistic and result.rejected
    assert "  B ⊥ s | Y_m, A: z = " in str(result)


# Oracles: pgmpy on the same data -----------------------------------------------------------------

def three_valued(n: int, seed: int) -> pd.DataFrame:
    """Three values of X in every stratum of Z, so no stratum is 2 x 2 (pgmpy corrects those)."""
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 3, n)
    y = (rng.random(n) < 0.3 + 0.2 * z).astype(int)
    x = (z + y * (rng.random(n) < 0.2) + rng.integers(0, 3, n) * (rng.random(n) < 0.5)) % 3
    w = rng.integers(0, 2, n)
    return pd.DataFrame({"X": x, "Y": y, "Z": z, "W": w})


@pytest.mark.parametrize("given", [[], ["Z"], ["Z", "W"]])
def test_g_test_and_chi_square_equal_pgmpy(given: list[str]) -> None:
    data = three_valued(3000, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pgmpy moves these to pgmpy.ci_tests
        from pgmpy.estimators import CITests

        expected = {"g-test": CITests.g_sq("X", "Y", given, data, boolean=False),
                    "chi-square": CITests.chi_square("X", "Y", given, data, boolean=False)}
    for method, (statistic, p_value, dof) in expected.items():
        test = ci_test(data, ["X"], ["Y"], given, method=method)
        assert test.statistic == pytest.approx(statistic, rel=1e-10)
        assert test.p_value == pytest.approx(p_value, rel=1e-8, abs=1e-12)
        assert test.dof == dof


def test_cramers_v_equals_pgmpy() -> None:
    from pgmpy.ci_tests import GSq

    data = three_valued(3000, seed=12)
    oracle = GSq(data)
    oracle("X", "Y", ["Z"])
    test = ci_test(data, ["X"], ["Y"], ["Z"], method="g-test")
    assert test.effect_size == pytest.approx(oracle.effect_size_, rel=1e-10)
    assert test.p_value == pytest.approx(oracle.p_value_, rel=1e-8)


def test_a_joint_base_equals_pgmpy_on_the_combined_column() -> None:
    data = three_valued(3000, seed=13)
    data["XW"] = data["X"] * 10 + data["W"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from pgmpy.estimators import CITests

        statistic, p_value, dof = CITests.g_sq("XW", "Y", ["Z"], data, boolean=False)
    test = ci_test(data, ["X", "W"], ["Y"], ["Z"])
    assert (test.statistic, test.dof) == (pytest.approx(statistic, rel=1e-10), dof)
    assert test.p_value == pytest.approx(p_value, rel=1e-8)


@pytest.mark.parametrize("given", [[], ["Y_m"], ["Y_m", "X"]])
def test_partial_correlation_equals_pgmpy(given: list[str]) -> None:
    from pgmpy.ci_tests import FisherZ

    data = gaussian_samples(2000, seed=14, leak=0.1).astype(float)
    test = ci_test(data, ["Y_b"], ["s"], given, method="partial-correlation")
    fisher = FisherZ(data)
    fisher("Y_b", "s", given)
    assert test.statistic == pytest.approx(fisher.statistic_, rel=1e-9)
    assert test.p_value == pytest.approx(fisher.p_value_, rel=1e-7)
    # the old interface regresses without an intercept: give it one
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from pgmpy.estimators import CITests

        coefficient, _ = CITests.pearsonr("Y_b", "s", [*given, "one"] if given else [],
                                          data.assign(one=1.0), boolean=False)
    assert test.effect_size == pytest.approx(coefficient, rel=1e-9)


# Column kinds and methods -------------------------------------------------------------------------

def test_column_kinds() -> None:
    assert is_discrete(pd.Series(["a", "b", "c"]))
    assert is_discrete(pd.Series([True, False]))
    assert is_discrete(pd.Series(np.arange(10) % 10))
    assert not is_discrete(pd.Series(np.arange(11)))  # eleven values: continuous
    assert not is_discrete(pd.Series([0.0, 0.5]))


def test_a_text_column_with_two_values_joins_a_partial_correlation() -> None:
    data = gaussian_samples(500, seed=15)
    as_text = data.assign(s=np.where(data["s"] == 1, "b", "a"))
    assert ci_test(as_text, ["Y_b"], ["s"], ["Y_m"]).statistic == pytest.approx(
        ci_test(data, ["Y_b"], ["s"], ["Y_m"]).statistic)


def test_a_text_column_with_more_values_cannot_join_a_partial_correlation() -> None:
    data = gaussian_samples(200, seed=16).assign(X=lambda frame: np.where(
        frame["X"] > 0.5, "high", np.where(frame["X"] > -0.5, "mid", "low")))
    with pytest.raises(CausalAlignError) as error:
        ci_test(data, ["X"], ["Y_b"], [])
    assert str(error.value) == (
        "column 'X' holds 3 text values, and a partial correlation needs numbers (text with two "
        "values counts as 0 and 1): test with method='g-test' after binning the continuous "
        "columns, or recode the column")
    # as a conditioning column it is fine: it enters as indicators of its values
    assert ci_test(data, ["Y_m"], ["Y_b"], ["X"]).method == "partial-correlation"


def test_a_contingency_table_too_large_is_refused() -> None:
    data = gaussian_samples(3000, seed=22)
    with pytest.raises(CausalAlignError) as error:
        ci_test(data, ["Y_b"], ["s"], ["Y_m"], method="g-test")  # every value its own level
    assert str(error.value) == (
        "a contingency test of Y_b (3,000 values) against s (2 values) in 3,000 strata would "
        "need 18,000,000 cells, more than 5,000,000: bin the columns, or test with "
        "method='partial-correlation'")


def test_an_unknown_method_and_alpha_are_refused() -> None:
    samples = chain_samples(100, seed=17)
    with pytest.raises(CausalAlignError, match=r"^unknown method 'fisher' \(choose one of: auto, "
                       r"g-test, chi-square, partial-correlation, spline-residual\)$"):
        check_on_data(CHAIN, samples, method="fisher")
    with pytest.raises(CausalAlignError, match=r"^alpha must lie strictly between 0 and 1, "
                       r"found 1.5$"):
        check_on_data(CHAIN, samples, alpha=1.5)


# Reports ------------------------------------------------------------------------------------------

def test_to_dict_is_json_ready_with_stable_keys() -> None:
    result = check_on_data(CHAIN, chain_samples(1000, seed=18))
    data = result.to_dict()
    assert list(data) == ["graph", "query", "regime_values", "samples", "method", "statistic",
                          "dof", "p_value", "effect_size", "alpha", "rejected", "verdict",
                          "graph_aligned", "reading", "warnings", "parts"]
    assert json.loads(json.dumps(data)) == data
    assert data["samples"] == {"train": result.train_samples, "deploy": result.deploy_samples,
                               "total": 1000}
    assert data["regime_values"] == {"train": "0", "deploy": "1"}


def test_the_text_report() -> None:
    samples = chain_samples(1000, seed=18)
    result = check_on_data(CHAIN, samples)
    counts = samples["s"].value_counts()
    lines = str(result).splitlines()
    assert lines[0] == (f"Data test of (Y_b ⊥ s | Y_m) for chain on 1,000 samples (train: "
                        f"{counts[0]} with s = 0, deploy: {counts[1]} with s = 1)")
    assert lines[1] == "method: G-test (likelihood ratio), stratified by Y_m"
    assert lines[2] == f"result: {result.test.summary()}"
    assert lines[3:] == ["verdict: not rejected at alpha = 0.05", f"reading: {result.reading()}"]


def test_the_summary_line() -> None:
    test = CITest(("A",), ("B",), (), "partial-correlation", -2.5, None, 0.0124, -0.11, 500)
    assert test.summary() == "z = -2.5, p = 0.0124, partial correlation = -0.11"
    single = CITest(("A",), ("B",), ("C",), "chi-square", 4.0, 1, 0.0455, None, 40)
    assert single.summary() == "X² = 4 on 1 degree of freedom, p = 0.0455"


# Errors on data frames ----------------------------------------------------------------------------

def test_data_frames_are_checked_too() -> None:
    samples = chain_samples(20, seed=20).drop(columns="Y_m")
    samples.loc[3, "Y_b"] = np.nan
    with pytest.raises(GraphSpecError) as error:
        check_on_data(CHAIN, samples)
    assert [str(problem) for problem in error.value.problems] == [
        "<samples>: no column for the mesa objective 'Y_m' (found: 's', 'X', 'Y_b') "
        "[E_MISSING_COLUMN]",
        "<samples> row 3, column Y_b: missing value (fill it in or drop the row) "
        "[E_MISSING_VALUE]"]


def test_errors_after_reading_point_into_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "s,X,Y_m,Y_b\na,1,1,1\nb,1,1,1\n")
    with pytest.raises(GraphSpecError) as error:
        check_on_data(CHAIN, read_samples(path, CHAIN))
    assert str(error.value.problems[0]) == (
        f"{path} column s: cannot tell which value of the regime column 's' is training: found "
        "'a', 'b' (name it with train= or --train) [E_REGIME_VALUES]")


def test_the_query_is_checked_and_needs_one_regime_node() -> None:
    graph = CausalGraph.from_edges(["s -> Y_m", "s2 -> Y_m", "Y_m -> Y_b"], regime=["s", "s2"],
                                   base="Y_b", mesa="Y_m")
    samples = chain_samples(50, seed=21).assign(s2=0)
    with pytest.raises(GraphSpecError) as error:
        check_on_data(graph, samples)
    assert str(error.value.problems[0]) == (
        "<samples> regime: the data test needs one regime node, the query has s, s2 (choose one "
        "with regime= or --regime) [E_QUERY_REGIME]")
    with pytest.raises(GraphSpecError, match="unknown node 'Y_bb'"):
        check_on_data(CHAIN, samples, base="Y_bb")
    assert check_on_data(graph, samples, regime="s").regime_node == "s"


def test_a_curved_mesa_objective_does_not_make_an_aligned_diagram_fail() -> None:
    """Y_b = Y_m² + noise and s shifts only Y_m: aligned. The partial correlation (linear)
    rejects it almost always; the automatic choice takes the spline residuals, and says so."""
    import pandas as pd

    graph = CausalGraph.from_edges(["s -> Y_m", "Y_m -> Y_b"], regime="s", base="Y_b",
                                   mesa="Y_m")
    linear_rejects = spline_rejects = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        s = rng.integers(0, 2, 1500)
        y_m = rng.normal(size=1500) * (1 + s) + 1.5 * s  # deployment: wider and higher
        y_b = y_m**2 + rng.normal(size=1500)
        samples = pd.DataFrame({"s": s, "Y_m": y_m, "Y_b": y_b})
        auto = check_on_data(graph, samples)
        assert auto.test.method == "spline-residual"
        spline_rejects += auto.test.p_value < 0.05
        linear_rejects += check_on_data(graph, samples,
                                        method="partial-correlation").test.p_value < 0.05
    assert linear_rejects >= 18 and spline_rejects <= 4, (linear_rejects, spline_rejects)
