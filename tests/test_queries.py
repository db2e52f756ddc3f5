"""Batches of queries against one graph: load_queries, check_queries, --query-file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from causal_align import (
    GraphSpecError,
    Query,
    SoftIntervention,
    check_inner_alignment,
    check_queries,
    load_graph,
    load_queries,
)
from causal_align.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CUE = ROOT / "graphs" / "deceptive_cue.yaml"

QUERIES = """\
queries:
  - name: as filed
    base: Y_b
  - name: policy ignores the cue
    base: Y_b
    sigma:
      - target: D_m
        context: [Prompt]
  - base: [Y_b]
    mesa: [Y_m, Cue]
"""


@pytest.fixture
def query_file(tmp_path: Path) -> Path:
    path = tmp_path / "queries.yaml"
    path.write_text(QUERIES, encoding="utf-8")
    return path


def test_queries_load_with_defaults_from_the_graph(query_file: Path) -> None:
    graph = load_graph(CUE)
    queries = load_queries(query_file, graph)
    assert [query.name for query in queries] == ["as filed", "policy ignores the cue", "query 3"]
    assert queries[0] == Query("Y_b", name="as filed")
    assert queries[1].sigma == (SoftIntervention("D_m", ["Prompt"]),)
    assert queries[2].mesa == ("Y_m", "Cue")


def test_a_batch_gives_the_same_answers_as_single_checks(query_file: Path) -> None:
    graph = load_graph(CUE)
    results = check_queries(graph, load_queries(query_file, graph))
    assert [result.aligned for result in results] == [False, True, True]
    single = check_inner_alignment(graph, sigma=[SoftIntervention("D_m", ["Prompt"])])
    assert results[1] == single


def test_query_file_problems_are_positioned(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("queries:\n  - base: Y_bb\n  - base: Y_b\n    bsae: Y_m\n"
                    "  - base: Y_b\n    sigma: [{target: D_m, context: [Y_b]}]\n",
                    encoding="utf-8")
    with pytest.raises(GraphSpecError) as caught:
        load_queries(path, load_graph(CUE))
    assert [str(problem) for problem in caught.value.problems] == [
        f"{path}:4 queries[1].bsae: unknown key 'bsae' (did you mean 'base'?) [E_UNKNOWN_KEY]"]
    path.write_text("queries:\n  - base: Y_bb\n  - base: Y_b\n"
                    "    sigma: [{target: D_m, context: [Y_b]}]\n", encoding="utf-8")
    with pytest.raises(GraphSpecError) as caught:
        load_queries(path, load_graph(CUE))
    assert [str(problem) for problem in caught.value.problems] == [
        f"{path}:2 queries[0].base: unknown node 'Y_bb' in queries[0].base (did you mean "
        "'Y_b'?) [E_UNKNOWN_NODE]"]


def test_the_cli_answers_every_query(query_file: Path, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    code = main(["check", str(CUE), "--query-file", str(query_file), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 1  # one query is not aligned
    answers = json.loads(out)
    assert [(item["query"], item["result"]["aligned"]) for item in answers] == [
        ("as filed", False), ("policy ignores the cue", True), ("query 3", True)]
    assert main(["check", str(CUE), "--query-file", str(query_file)]) == 1
    text = capsys.readouterr().out
    assert text.startswith("=== query: as filed ===\n\ndeceptive_cue: NOT ALIGNED\n")
    assert "\n=== query: query 3 ===\n" in text


def test_an_empty_query_file_and_a_missing_base_objective_name_their_file(
        tmp_path: Path) -> None:
    graph_file = tmp_path / "g.yaml"
    graph_file.write_text("nodes: {s: r, A: a}\nedges: [s -> A]\nregime: s\n", encoding="utf-8")
    graph = load_graph(graph_file)
    with pytest.raises(GraphSpecError) as no_base:
        check_inner_alignment(graph)
    assert str(no_base.value).splitlines()[1].startswith(f"  {graph_file} query.base: no base")
    queries = tmp_path / "q.yaml"
    queries.write_text("queries: []\n", encoding="utf-8")
    with pytest.raises(GraphSpecError) as empty:
        load_queries(queries, graph)
    assert [(p.code, p.line) for p in empty.value.problems] == [("E_EMPTY_SET", 1)]
