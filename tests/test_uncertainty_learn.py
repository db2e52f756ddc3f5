"""Learning from two-regime samples (causal-learn's PC, the ``learn`` extra)."""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from causal_align.alignment import check_inner_alignment
from causal_align.cli.uncertainty import add_commands
from causal_align.errors import CausalAlignError
from causal_align.model import CausalGraph, SoftIntervention
from causal_align.uncertainty.files import load_partial_graph
from causal_align.uncertainty.learn import bootstrap, learn_partial_graph
from causal_align.uncertainty.verdict import check_under_uncertainty

# causal-learn is imported lazily by uncertainty.learn; these skip the module without it.
pytest.importorskip("causallearn")
numpy = pytest.importorskip("numpy")
pandas = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "examples/uncertainty/tutoring_samples.csv"
OPEN_LOOP = [SoftIntervention("Plan", [])]


def test_the_bundled_samples_give_the_tutoring_cpdag() -> None:
    learned = learn_partial_graph(pandas.read_csv(SAMPLES), sigma=OPEN_LOOP, base="Mastery",
                                  mesa="Score")
    bundled = load_partial_graph(ROOT / "graphs/uncertain/tutoring_cpdag.yaml")
    assert learned.closed_directed == bundled.closed_directed
    assert learned.closed_undirected == bundled.closed_undirected
    result = check_under_uncertainty(learned)
    assert result.verdict == "undetermined"
    truth = next(m for m in result.members if m.parents["Plan"] == frozenset({"Motivation"}))
    assert truth.result.aligned  # the member the samples were drawn from (make_tutoring_samples)


def chain_samples(rows: int, seed: int) -> pandas.DataFrame:
    """s shifts A; A -> B -> Y_b and A -> Y_m: the regime orients every edge (Meek's R1)."""
    rng = numpy.random.default_rng(seed)
    s = numpy.repeat([0, 1], rows // 2)
    a = s + rng.normal(size=rows)
    b = 0.8 * a + rng.normal(size=rows)
    y_b = 0.8 * b + rng.normal(size=rows)
    y_m = 0.8 * a + rng.normal(size=rows)
    return pandas.DataFrame({"s": s, "A": a, "B": b, "Y_b": y_b, "Y_m": y_m})


def test_learned_verdicts_match_the_truth_in_most_runs() -> None:
    sigma = [SoftIntervention("B", [])]
    truth = check_inner_alignment(CausalGraph.from_edges(
        ["s -> A", "A -> B", "B -> Y_b", "A -> Y_m"], regime="s", sigma=sigma, base="Y_b",
        mesa="Y_m")).aligned
    assert truth  # σ cuts A -> B: s reaches Y_b no more
    verdicts = [check_under_uncertainty(learn_partial_graph(
        chain_samples(1000, seed), sigma=sigma, base="Y_b", mesa="Y_m")).verdict
        for seed in range(10)]
    assert verdicts.count("aligned") >= 8, verdicts


def test_bootstrap_in_a_pool_equals_one_by_one() -> None:
    data = pandas.read_csv(SAMPLES)
    options = {"resamples": 4, "seed": 1, "sigma": OPEN_LOOP, "base": "Mastery",
               "mesa": "Score"}
    with ProcessPoolExecutor(2) as pool:
        pooled = bootstrap(data, executor=pool, **options)
    assert pooled == bootstrap(data, **options)
    assert sum(pooled.verdicts.values()) == 4 and pooled.edges["s -> Score"] == 1.0


def test_bad_inputs() -> None:
    data = pandas.read_csv(SAMPLES)
    with pytest.raises(CausalAlignError, match="no column 'regime'"):
        learn_partial_graph(data, regime="regime")
    with pytest.raises(CausalAlignError, match="unknown test 'kci'"):
        learn_partial_graph(data, test="kci")
    with pytest.raises(CausalAlignError, match="too little data"):
        learn_partial_graph(data.head(5))


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    options = parser.parse_args(["learn", *argv])
    code: int = options.run(options)
    return code


def test_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "learned.yaml"
    assert run(str(SAMPLES), "--regime", "s", "-o", str(out), "--sigma", "Plan=",
               "--base", "Mastery", "--mesa", "Score") == 0
    printed = capsys.readouterr().out
    assert "undirected: Mastery -- Plan, Motivation -- Plan" in printed
    assert "verdict over the learned diagram: undetermined (3 members)" in printed
    assert check_under_uncertainty(load_partial_graph(out)).verdict == "undetermined"
    assert out.read_text().startswith("# causal-align learn: learned from 2,000 rows")
    assert run(str(tmp_path / "missing.csv"), "-o", str(out)) == 2
    assert capsys.readouterr().err.startswith("error: cannot read")
    assert run(str(SAMPLES), "-o", str(out), "--base", "Mastery") == 2
