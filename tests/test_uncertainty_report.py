"""Reports of the uncertainty layer: every format, stable JSON, escaped Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from causal_align.errors import CausalAlignError
from causal_align.model import CausalGraph, SoftIntervention
from causal_align.uncertainty.candidates import check_candidates
from causal_align.uncertainty.edges import EdgePrior, check_uncertain_edges
from causal_align.uncertainty.partial import PartialGraph
from causal_align.uncertainty.report import (
    render_consensus,
    render_edges,
    render_uncertain,
)
from causal_align.uncertainty.verdict import check_under_uncertainty

NAME = "a*b_[c]|<d>"
PARTIAL = PartialGraph.from_edges(["s -> M", "W -> M", "D -- W", "D -> B"], regime="s",
                                  sigma=[SoftIntervention("D", [])], base="B", mesa="M",
                                  name=NAME)


def test_markdown_escapes_the_graph_name() -> None:
    text = render_uncertain(check_under_uncertainty(PARTIAL), "markdown")
    assert text.splitlines()[0] == r"# a\*b\_\[c\]\|\<d\>: UNDETERMINED"
    assert "`s -> M <- W <- D -> B` is open" in text
    assert "- " not in text.splitlines()[0]


def test_every_format_of_every_result() -> None:
    graph = CausalGraph.from_edges(["s -> M", "M -> B"], regime="s", base="B", mesa="M",
                                   name=NAME)
    results = [(render_uncertain, check_under_uncertainty(PARTIAL)),
               (render_consensus, check_candidates([graph, PARTIAL.core], [1, 1],
                                                   names=["one", "two"])),
               (render_edges, check_uncertain_edges(graph, EdgePrior({"s -> B": 0.5})))]
    for render, result in results:
        assert json.loads(render(result, "json")) == result.to_dict()  # type: ignore[operator]
        assert render(result, "text")  # type: ignore[operator]
        assert render(result, "markdown").startswith("# ")  # type: ignore[operator]
        with pytest.raises(CausalAlignError, match="unknown format 'dot'"):
            render(result, "dot")  # type: ignore[operator]


def test_edge_report_says_what_was_pruned_and_sampled() -> None:
    graph = CausalGraph.from_edges(["s -> M", "M -> B", "X -> Z"], regime="s", base="B",
                                   mesa="M", name="g")
    prior = EdgePrior({"s -> B": 0.5, "s -> X": 0.5})
    text = render_edges(check_uncertain_edges(graph, prior, max_exact=0, samples=100))
    assert "cannot matter (outside the query's ancestral set in G_σ): s -> X" in text
    assert "(sampled: 100 draws, standard error 0.05)" in text


def test_an_uncertain_verdict_has_an_html_page_with_each_member_drawn(tmp_path: Path) -> None:
    from causal_align.cli.main import main

    page = tmp_path / "u.html"
    code = main(["check", "graphs/uncertain/tutoring_cpdag.yaml", "--format", "html",
                 "-o", str(page)])
    html = page.read_text(encoding="utf-8")
    assert code == 3
    assert "<h1>tutoring_cpdag: UNDETERMINED</h1>" in html
    assert html.count('class="graph-picture"') >= 3 or html.count("<svg") >= 3
    assert "Plan &lt;- {Mastery}" in html  # each member named by its parent set, escaped
