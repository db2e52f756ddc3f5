"""The incentive reports: formats, escaping, the panel for the alignment report, node marks."""

from __future__ import annotations

import json

import pytest

from causal_align.incentives.report import (
    incentive_panel,
    incentive_panel_data,
    incentive_report,
    node_marks,
    render_incentives,
    render_tradeoffs,
)
from causal_align.incentives.tradeoffs import tradeoffs
from causal_align.loader import load_graph
from causal_align.model import CausalGraph, SoftIntervention


def hostile() -> CausalGraph:
    return CausalGraph.from_edges(["s -> O", "O -> D", "D -> Y_m", "Y_m -> R", "O -> Y_b"],
                                  regime="s", sigma=[SoftIntervention("D", ["O"])],
                                  base="Y_b", mesa="Y_m", name="<script>*x*</script> | #1")


def test_markdown_escapes_free_text_and_sets_names_in_code() -> None:
    graph = hostile()
    text = render_incentives(incentive_report(graph, utility="R"), "markdown")
    assert text.splitlines()[0] == ("# &lt;script&gt;\\*x\\*&lt;/script&gt; \\| #1: incentives "
                                    "of `D`")
    assert "<script>" not in text
    table = render_tradeoffs(tradeoffs(graph, utility="R"), "markdown")
    assert "<script>" not in table and "`Y_m`" in table


def test_every_format_and_the_bad_one() -> None:
    report = incentive_report(hostile(), utility="R")
    for format in ("text", "markdown"):
        assert "wireheading" in render_incentives(report, format)
    assert json.loads(render_incentives(report, "json"))["signatures"]["wireheading"] == ["Y_m"]
    with pytest.raises(ValueError, match="unknown format 'html' \\(expected one of: text, "
                                         "markdown, json\\)"):
        render_incentives(report, "html")
    with pytest.raises(ValueError, match="unknown format"):
        render_tradeoffs(tradeoffs(hostile(), utility="R"), "dot")


def test_the_panel_for_the_alignment_report() -> None:
    graph = load_graph("graphs/zoo/reward_tampering.yaml")
    text = incentive_panel(graph, "text")
    assert text is not None and text.startswith("Incentives of D (utility: R2):\n")
    assert "  signatures:\n" in text and "    reward tampering: Theta_R2\n" in text
    markdown = incentive_panel(graph, "markdown")
    assert markdown is not None and markdown.startswith("## Incentives of `D`\n")
    assert "**Alignment:**" not in markdown and "### Signatures" in markdown
    data = incentive_panel_data(graph)
    assert data is not None and data["signatures"]["tampering"] == ["Theta_R2"]
    assert incentive_panel(hostile()) is None  # no utility declared
    assert incentive_panel_data(hostile()) is None
    with pytest.raises(ValueError, match="unknown format 'json'"):
        incentive_panel(graph, "json")


def test_importing_the_layer_imports_no_heavy_library() -> None:
    import subprocess
    import sys

    code = ("import sys, causal_align.incentives, causal_align.cli.incentives; "
            "print(sorted(name for name in ('numpy', 'pandas', 'scipy', 'matplotlib', 'pgmpy') "
            "if name in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_node_marks_list_every_incentive_and_signature_of_a_node() -> None:
    report = incentive_report(load_graph("graphs/zoo/reward_tampering.yaml"))
    marks = node_marks(report)
    found = report.incentives
    for node, kinds in marks.items():
        for kind in ("requisite", "voi", "ri", "voc", "ici"):
            assert (kind in kinds) == (node in found.of(kind))
    assert marks["s"] == ("voi", "ri", "voc", "deceptive alignment")
    assert "Perf" not in marks  # no incentive on the base objective here
