"""The bundled sample tables and pictures: up to date, drawn from the stated models, and saying
what docs/quantities.md says they say.

``examples/samples/make_samples.py`` writes the CSV files and ``docs/quantities/make_pictures.py``
the sweep picture; both are deterministic, so the committed files must equal a fresh run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from causal_align.loader import load_graph
from causal_align.model import CausalGraph
from causal_align.quantities.inference import joint_distribution
from causal_align.samples.check import check_on_data
from causal_align.samples.falsify import falsify
from causal_align.samples.reader import read_samples

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "examples" / "samples"
PICTURES = ROOT / "docs" / "quantities"


def _script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_samples = _script(SAMPLES / "make_samples.py")
make_pictures = _script(PICTURES / "make_pictures.py")


def read(name: str, graph_file: str) -> tuple[CausalGraph, pd.DataFrame]:
    graph = load_graph(ROOT / "graphs" / graph_file)
    return graph, read_samples(SAMPLES / name, graph)


@pytest.mark.parametrize("name", ["coinrun.csv", "aligned_proxy.csv",
                                  "coinrun_wrong_diagram.csv"])
def test_the_bundled_tables_are_what_the_script_writes(name: str) -> None:
    model, seed = make_samples.files()[name]
    path = SAMPLES / name
    assert path.read_text(encoding="utf-8") == make_samples.table_text(model, seed)
    assert path.stat().st_size < 150_000


def test_the_committed_sweep_picture_equals_a_fresh_render(tmp_path: Path) -> None:
    fresh = tmp_path / "coinrun_sweep.svg"
    make_pictures.draw_sweep(fresh)
    assert (PICTURES / "coinrun_sweep.svg").read_bytes() == fresh.read_bytes()


@pytest.mark.parametrize("regime", ["train", "deploy"])
def test_the_sampler_draws_from_the_model(regime: str) -> None:
    """On 200,000 rows every variable's frequencies, and those of (Y_m, Y_b), are within about
    five standard errors (0.006) of the exact probabilities."""
    model = make_samples.wrong_diagram_model()
    rows = 200_000
    codes = make_samples.sample(model, rows, regime, np.random.default_rng(1))
    evidence = {"s": regime}
    for name in model.graph.nodes:
        if name == "s":
            assert (codes[name] == model.states["s"].index(regime)).all()
            continue
        found = np.bincount(codes[name], minlength=len(model.states[name])) / rows
        assert np.abs(found - joint_distribution(model, [name], evidence)).max() < 0.006, name
    pairs = np.zeros((2, 2))
    np.add.at(pairs, (codes["Y_m"], codes["Y_b"]), 1 / rows)
    assert np.abs(pairs - joint_distribution(model, ["Y_m", "Y_b"], evidence)).max() < 0.006


def test_the_data_test_rejects_on_coinrun_and_not_on_aligned_proxy() -> None:
    graph, samples = read("coinrun.csv", "coinrun_model.yaml")
    leaky = check_on_data(graph, samples)
    assert (leaky.rejected, leaky.graph_aligned) == (True, False)
    assert (leaky.train_samples, leaky.deploy_samples) == (make_samples.ROWS, make_samples.ROWS)
    graph, samples = read("aligned_proxy.csv", "aligned_proxy_model.yaml")
    aligned = check_on_data(graph, samples)
    assert (aligned.rejected, aligned.graph_aligned) == (False, True)


def test_falsification_finds_the_edge_the_diagram_lacks_and_nothing_on_its_own_data() -> None:
    graph, samples = read("coinrun_wrong_diagram.csv", "coinrun_model.yaml")
    assert [str(tested.independence) for tested in falsify(graph, samples).rejected] == ["s ⊥ L"]
    truth = make_samples.wrong_diagram_model().graph
    assert "s -> L" in [str(edge) for edge in truth.edges]
    graph, samples = read("coinrun.csv", "coinrun_model.yaml")
    assert falsify(graph, samples).rejected == ()
