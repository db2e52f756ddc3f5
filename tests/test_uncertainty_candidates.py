"""Candidate diagrams: the min-over-models consensus, P(aligned), executors and the command."""

from __future__ import annotations

import argparse
import json
import os
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from causal_align.alignment import check_inner_alignment
from causal_align.cli.uncertainty import add_commands
from causal_align.errors import CausalAlignError, GraphSpecError
from causal_align.model import CausalGraph, SoftIntervention
from causal_align.uncertainty.candidates import check_candidates, load_candidates
from causal_align.uncertainty.partial import PartialGraph

ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE = ROOT / "graphs/candidates/warehouse.yaml"


def graph(*edges: str, name: str) -> CausalGraph:
    return CausalGraph.from_edges(edges, regime="s", base="Y_b", mesa="Y_m", name=name)


CHAIN = graph("s -> Y_m", "Y_m -> Y_b", name="chain")
LEAK = graph("s -> Y_m", "Y_m -> Y_b", "s -> Y_b", name="leak")
COLLIDER = graph("s -> Y_m", "Y_b -> Y_m", name="collider")


def test_consensus_on_textbook_cases() -> None:
    assert check_candidates([CHAIN]).verdict == "aligned"
    both = check_candidates([LEAK, COLLIDER])
    assert (both.verdict, both.blocking) == ("not aligned", ("leak", "collider"))
    mixed = check_candidates([CHAIN, LEAK, COLLIDER], [2, 1, 1])
    assert mixed.verdict == "undetermined"
    assert mixed.blocking == ("leak", "collider")
    assert [mixed.candidate(name).witness for name in mixed.blocking] == [
        "s -> Y_b", "s -> Y_m <- Y_b"]
    assert (mixed.p_aligned, mixed.p_bounds) == (0.5, (0.5, 0.5))
    assert check_candidates([CHAIN, LEAK]).p_aligned is None  # no weights, no probability


def test_an_undetermined_partial_candidate_leaves_an_interval() -> None:
    partial = PartialGraph.from_edges(["s -> M", "W -> M", "D -- W", "D -> B"], regime="s",
                                      sigma=[SoftIntervention("D", [])], base="B", mesa="M",
                                      name="partial")
    chain = CausalGraph.from_edges(["s -> M", "M -> B", "W -> M", "W -> D"], regime="s",
                                   base="B", mesa="M", name="chain")
    consensus = check_candidates([chain, partial], [0.25, 0.75])
    assert consensus.verdict == "undetermined"
    assert (consensus.p_aligned, consensus.p_bounds) == (None, (0.25, 1.0))
    assert consensus.blocking == ("partial",)


@pytest.mark.parametrize("seed", range(40))
def test_p_aligned_is_the_weight_of_the_aligned_candidates(seed: int) -> None:
    rng = random.Random(seed)
    graphs = []
    for index in range(rng.randint(1, 5)):
        nodes = ["s", "A", "B", "Y_m", "Y_b"]
        edges = [f"{a} -> {b}" for i, a in enumerate(nodes) for b in nodes[i + 1:]
                 if rng.random() < 0.4]
        graphs.append(CausalGraph(nodes, edges, regime="s", base="Y_b", mesa="Y_m",
                                  name=f"g{index}"))
    weights = [rng.uniform(0, 1) for _ in graphs]
    truth = [check_inner_alignment(g).aligned for g in graphs]
    consensus = check_candidates(graphs, weights)
    assert consensus.p_aligned == pytest.approx(
        sum(w for w, ok in zip(weights, truth) if ok) / sum(weights))
    expected = {(True,): "aligned", (False,): "not aligned"}.get(tuple(set(truth)),
                                                                 "undetermined")
    assert consensus.verdict == expected


def test_bad_inputs() -> None:
    with pytest.raises(CausalAlignError, match="no candidate diagrams"):
        check_candidates([])
    with pytest.raises(CausalAlignError, match="expected 2 weights"):
        check_candidates([CHAIN, LEAK], [1])
    with pytest.raises(CausalAlignError, match="finite numbers >= 0"):
        check_candidates([CHAIN, LEAK], [1, -1])
    with pytest.raises(CausalAlignError, match="distinct candidate names"):
        check_candidates([CHAIN, CHAIN])


def test_a_process_pool_gives_the_same_consensus() -> None:
    graphs, weights = load_candidates(WAREHOUSE)
    alone = check_candidates(graphs, weights)
    with ProcessPoolExecutor(2) as pool:
        pooled = check_candidates(graphs, weights, executor=pool)
    assert pooled.to_dict() == alone.to_dict()


def test_a_dask_cluster_gives_the_same_consensus() -> None:
    distributed = pytest.importorskip("distributed")
    graphs, weights = load_candidates(WAREHOUSE)
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None) as cluster,
          distributed.Client(cluster) as client):
        remote = check_candidates(graphs, weights, executor=client.get_executor())
    assert remote.to_dict() == check_candidates(graphs, weights).to_dict()


def test_list_file_problems_are_positioned(tmp_path: Path) -> None:
    listing = tmp_path / "list.yaml"
    listing.write_text("candidates:\n  - file: a.yaml\n    weight: -1\n  - 3\n  - file: b.yaml\n"
                       "    wieght: 1\n")
    with pytest.raises(GraphSpecError) as caught:
        load_candidates(listing)
    assert [str(problem).replace(str(listing), "L") for problem in caught.value.problems] == [
        "L:3 candidates[0].weight: expected a number >= 0, found -1 [E_TYPE]",
        ("L:4 candidates[1]: expected a mapping with file: (a graph file, relative to this one) "
         "and optionally weight: [E_TYPE]"),
        ("L:6 candidates[2].wieght: unknown key 'wieght' (expected file or weight) "
         "[E_UNKNOWN_KEY]")]


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    options = parser.parse_args(["candidates", *argv])
    code: int = options.run(options)
    return code


def test_command(capsys: pytest.CaptureFixture[str]) -> None:
    folder = ROOT / "graphs/candidates"
    assert run(str(WAREHOUSE)) == 3
    assert "P(aligned) = 0.5" in capsys.readouterr().out
    assert run(str(folder / "warehouse_as_designed.yaml")) == 0
    assert run(str(folder / "warehouse_carrier_shift.yaml"),
               str(folder / "warehouse_shared_damage.yaml")) == 1
    capsys.readouterr()
    assert run(str(folder / "warehouse_as_designed.yaml"),
               str(folder / "warehouse_carrier_shift.yaml"), "--weights", "3,1",
               "--format", "json", "--jobs", "2") == 3
    assert json.loads(capsys.readouterr().out)["p_aligned"] == 0.75
    assert run(str(WAREHOUSE), "--mesa", "Y_m,Carrier,Layout") == 0  # monitored: both blocked
    assert run(str(WAREHOUSE), "--weights", "x") == 2
    assert capsys.readouterr().err == "error: --weights: 'x' is not a number\n"
    assert run(str(ROOT / "graphs/uncertain/tutoring_cpdag.yaml"),  # a partial candidate
               str(folder / "warehouse_as_designed.yaml")) == 3
    capsys.readouterr()
    assert run(str(ROOT / "graphs/uncertain/tutoring_cpdag.yaml"),
               str(folder / "warehouse_as_designed.yaml"), "--base", "Y_b") == 2
    assert "unknown node 'Y_b'" in capsys.readouterr().err  # not a node of the tutoring graph


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="slow: CI only")
def test_many_candidates_in_a_pool() -> None:
    graphs = [graph("s -> Y_m", "Y_m -> Y_b", name=f"g{i}") for i in range(200)]
    with ProcessPoolExecutor(2) as pool:
        assert check_candidates(graphs, executor=pool).verdict == "aligned"


def test_progress_is_reported_after_each_candidate() -> None:
    calls: list[tuple[int, int]] = []
    check_candidates([CHAIN, LEAK, COLLIDER], progress=lambda done, total: calls.append(
        (done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
