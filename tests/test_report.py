"""Golden reports: every example graph in every format, byte for byte.

``tests/golden/<stem>.txt``, ``<stem>.md`` and ``<stem>.json`` hold
``render(check_inner_alignment(load_graph("graphs/<stem>.yaml")), format)`` for the formats
``"text"``, ``"markdown"`` and ``"json"``, each followed by one newline (what the CLI prints).

To regenerate them after an intended change of the report, run::

    CAUSAL_ALIGN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_report.py

which rewrites every golden file, creates those of new graphs and deletes those of removed
graphs; then read ``git diff tests/golden`` before committing. Without the variable the tests
only compare.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from causal_align import CausalAlignError, check_inner_alignment, load_graph, render
from causal_align.alignment import AlignmentResult
from causal_align.pictures.formats import FORMATS

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = sorted((ROOT / "graphs").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
SUFFIXES = {"text": ".txt", "markdown": ".md", "json": ".json", "dot": ".dot"}
# svg and html embed Graphviz's layout: they are checked in a browser (test_browser.py) and by
# test_picture.py, not byte-wise.
GOLDEN_FORMATS = tuple(format for format in FORMATS if format not in ("svg", "html"))
UPDATE = os.environ.get("CAUSAL_ALIGN_UPDATE_GOLDEN", "") not in ("", "0")


def _result(graph: Path) -> AlignmentResult:
    return check_inner_alignment(load_graph(graph))


def _golden(graph: Path, format: str) -> Path:
    return GOLDEN / f"{graph.stem}{SUFFIXES[format]}"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def test_example_graphs_exist() -> None:
    assert len(GRAPHS) >= 8, f"expected the example graphs in {ROOT / 'graphs'}"


def test_every_format_has_a_golden_suffix() -> None:
    assert tuple(SUFFIXES) == GOLDEN_FORMATS


@pytest.mark.parametrize("format", GOLDEN_FORMATS)
@pytest.mark.parametrize("graph", GRAPHS, ids=lambda path: path.stem)
def test_golden_report(graph: Path, format: str) -> None:
    report = render(_result(graph), format) + "\n"
    golden = _golden(graph, format)
    if UPDATE:
        _write(golden, report)
    assert golden.exists(), (f"missing {golden.relative_to(ROOT)}: run "
                             "CAUSAL_ALIGN_UPDATE_GOLDEN=1 pytest tests/test_report.py")
    expected = _read(golden)
    diff = "".join(difflib.unified_diff(
        expected.splitlines(keepends=True), report.splitlines(keepends=True),
        fromfile=str(golden.relative_to(ROOT)), tofile="render()"))
    assert report == expected, (f"report differs from its golden file (if intended, run "
                                f"CAUSAL_ALIGN_UPDATE_GOLDEN=1 pytest tests/test_report.py):\n{diff}")


def test_golden_files_match_the_graphs_exactly() -> None:
    """Every graph has its three golden files; no golden file is left without a graph.
    Subfolders hold other layers' golden files (``incentives/``) and are theirs."""
    expected = {_golden(graph, format).name for graph in GRAPHS for format in GOLDEN_FORMATS}
    if UPDATE:
        for graph in GRAPHS:
            for format in GOLDEN_FORMATS:
                _write(_golden(graph, format), render(_result(graph), format) + "\n")
        for orphan in (path for path in GOLDEN.iterdir() if path.is_file()):
            if orphan.is_file() and orphan.name not in expected:
                orphan.unlink()
    found = ({path.name for path in GOLDEN.iterdir() if path.is_file()} if GOLDEN.is_dir()
             else set())
    assert sorted(expected - found) == [], "golden files missing"
    assert sorted(found - expected) == [], "orphaned golden files (no graphs/<stem>.yaml)"


def test_golden_reports_do_not_depend_on_the_hash_seed() -> None:
    """Set iteration order must never leak into a report: render under two other seeds."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from causal_align import CausalAlignError, check_inner_alignment, load_graph, render\n"
        "from causal_align.pictures.formats import FORMATS\n"
        "for path in sorted(Path('graphs').glob('*.yaml')):\n"
        "    result = check_inner_alignment(load_graph(path))\n"
        "    for format in FORMATS:\n"
        "        sys.stdout.write(render(result, format) + '\\n')\n")
    expected = "".join(render(_result(graph), format) + "\n"
                       for graph in GRAPHS for format in FORMATS)
    for seed in ("1", "4242"):
        completed = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, capture_output=True, encoding="utf-8",
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONIOENCODING": "utf-8"}, check=False)
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout == expected, f"reports differ under PYTHONHASHSEED={seed}"


# --- The headers of graphs/*.yaml document the verdict and, when not aligned, the open paths.

def _documented(graph: Path) -> tuple[str, set[str]]:
    """The verdict and the open paths listed under "Expected verdict:" in the header comment.

    The paths are the indented comment lines that start with ``s -> `` in the first indented block
    after the verdict (text after two spaces is commentary).
    """
    lines = [line for line in _read(graph).splitlines() if line.startswith("#")]
    [start] = [index for index, line in enumerate(lines) if "Expected verdict:" in line]
    verdict = re.search(r"Expected verdict: (NOT ALIGNED|ALIGNED)", lines[start])
    assert verdict, lines[start]
    paths: set[str] = set()
    if verdict[1] == "ALIGNED":
        return verdict[1], paths
    started = False
    for line in lines[start + 1:]:
        indented = line.startswith("#  ")
        if started and not indented:
            break
        if indented:
            started = True
            chunk = re.split(r"\s{2,}", line[1:].strip())[0]
            if chunk.startswith("s -> "):
                paths.add(chunk)
    return verdict[1], paths


def _reported_paths(text: str) -> list[str]:
    return re.findall(r"^ +\d+\. (.+?)  \[", text, flags=re.MULTILINE)


@pytest.mark.parametrize("graph", GRAPHS, ids=lambda path: path.stem)
def test_text_report_states_the_documented_verdict_and_paths(graph: Path) -> None:
    verdict, paths = _documented(graph)
    text = render(_result(graph), "text")
    assert text.splitlines()[0] == f"{graph.stem}: {verdict}"
    reported = _reported_paths(text)
    assert len(reported) == len(set(reported))
    assert set(reported) == paths
    if verdict == "NOT ALIGNED":
        assert paths, "a NOT ALIGNED example must document its open paths"


@pytest.mark.parametrize("graph", GRAPHS, ids=lambda path: path.stem)
def test_every_format_carries_the_same_verdict_and_paths(graph: Path) -> None:
    result = _result(graph)
    paths = [str(path) for path in result.open_paths]
    verdict = "ALIGNED" if result.aligned else "NOT ALIGNED"
    text, markdown = render(result, "text"), render(result, "markdown")
    data = json.loads(render(result, "json"))
    assert text.splitlines()[0] == f"{result.graph_name}: {verdict}"
    assert markdown.splitlines()[0] == f"# {result.graph_name}: {verdict}"
    assert data["aligned"] is result.aligned
    assert _reported_paths(text) == paths
    assert re.findall(r"^\| \d+ \| `(.+?)` \|", markdown, flags=re.MULTILINE) == paths
    assert [path["path"] for path in data["open_paths"]] == paths
    assert [path["nodes"] for path in data["open_paths"]] == [
        list(path.nodes) for path in result.open_paths]


# --- JSON

JSON_KEYS = ["graph", "aligned", "query", "sigma", "sigma_removed", "sigma_added", "open_paths",
             "limit", "truncated", "blocked_paths", "conjecture", "repairs", "certificate"]


@pytest.mark.parametrize("graph", GRAPHS, ids=lambda path: path.stem)
def test_json_round_trips_with_a_stable_key_order(graph: Path) -> None:
    report = render(_result(graph), "json")
    data = json.loads(report)
    assert json.dumps(data, indent=2, ensure_ascii=False) == report
    assert list(data) == JSON_KEYS
    assert list(data["query"]) == ["base", "mesa", "regime"]
    assert list(data["repairs"]) == ["impossible", "monitor", "narrow_context"]
    assert render(_result(graph), "json") == report


def test_json_keeps_non_ascii_characters() -> None:
    graph = GRAPHS[0]
    assert "\\u" not in render(_result(graph), "json")


# --- Formats

@pytest.mark.parametrize("format", ["pdf", "TEXT", "md", "txt", ""])
def test_unknown_format_raises_our_error(format: str) -> None:
    result = _result(ROOT / "graphs" / "coinrun.yaml")
    with pytest.raises(CausalAlignError) as caught:
        render(result, format)
    assert str(caught.value) == (f"unknown format {format!r} "
                                 "(expected one of: text, markdown, json, dot, svg, html)")


def test_default_format_is_text() -> None:
    result = _result(ROOT / "graphs" / "coinrun.yaml")
    assert render(result) == render(result, "text")


def test_a_node_named_like_emphasis_is_not_italics_in_markdown() -> None:
    """``_x_`` would render as an italic x: escaped outside code spans, untouched inside."""
    from causal_align import CausalGraph, check_inner_alignment

    result = check_inner_alignment(CausalGraph.from_edges(
        ["s -> _x_", "_x_ -> Y_b", "_x_ -> Y_m"], regime="s", base="Y_b", mesa="Y_m",
        name="*bold* _it_"))
    report = render(result, "markdown")
    assert report.splitlines()[0] == "# \\*bold\\* \\_it\\_: NOT ALIGNED"
    assert "- \\_x\\_ is a chain (s -> \\_x\\_ -> Y_b), not conditioned on" in report
    assert "| 1 | `s -> _x_ -> Y_b` |" in report  # code spans need no escaping
    assert "Y_b" in report and "Y\\_b" not in report  # an underscore inside a word stays
