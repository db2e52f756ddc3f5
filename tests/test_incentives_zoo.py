"""The diagram zoo (graphs/zoo/): every file's expected verdict, incentives, signatures and
trade-off status, read from its own header, and its reports against golden files.

Each zoo file ends its header with ``# expect <key>: <names>`` lines. Golden reports live in
``tests/golden/incentives/``; regenerate them with ``CAUSAL_ALIGN_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

import pytest

from causal_align.alignment import check_inner_alignment
from causal_align.cli.incentives import add_commands
from causal_align.errors import GraphSpecError
from causal_align.incentives.report import (
    incentive_report,
    render_incentives,
    render_tradeoffs,
)
from causal_align.incentives.signatures import signatures
from causal_align.incentives.tradeoffs import tradeoffs
from causal_align.loader import load_graph, parse_graph
from causal_align.model import CausalGraph

ROOT = Path(__file__).resolve().parent.parent
ZOO = sorted((ROOT / "graphs" / "zoo").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden" / "incentives"
UPDATE = os.environ.get("CAUSAL_ALIGN_UPDATE_GOLDEN", "") not in ("", "0")
EXPECT = re.compile(r"^# expect (\w+): (.*)$", re.MULTILINE)
ROLE = re.compile(r"^(utility|decision):\s*(.*)$", re.MULTILINE)


def load_zoo(path: Path) -> tuple[CausalGraph, dict[str, object]]:
    """The graph and the incentive arguments. Until the core reads ``utility:`` and
    ``decision:``, they are stripped here and passed as arguments; once it does, the file loads
    as it is and the arguments agree with the graph's own."""
    text = path.read_text(encoding="utf-8")
    roles = {key: value.strip() for key, value in ROLE.findall(text)}
    arguments: dict[str, object] = {"utility": [name.strip() for name in
                                                roles["utility"].strip("[]").split(",")]}
    if "decision" in roles:
        arguments["decision"] = roles["decision"]
    try:
        graph = load_graph(path)
    except GraphSpecError:  # the core does not know the keys yet
        graph = parse_graph(ROLE.sub("", text), source=str(path), default_name=path.stem)
    if hasattr(graph, "utility"):
        assert sorted(graph.utility) == sorted(arguments["utility"])  # type: ignore
    return graph, arguments


def expected(path: Path) -> dict[str, tuple[str, ...]]:
    found = {}
    for key, value in EXPECT.findall(path.read_text(encoding="utf-8")):
        value = value.strip()
        found[key] = () if value == "-" else tuple(name.strip() for name in value.split(","))
    return found


def test_the_zoo_has_the_diagrams_the_issue_asks_for() -> None:
    names = {path.stem for path in ZOO}
    assert {"reward_tampering", "reward_tampering_current_rf", "grade_predictor",
            "content_recommender", "content_recommender_predicted_clicks", "agi_oracle",
            "agi_counterfactual_oracle", "agi_reward_modeling", "coinrun", "keys_and_chests",
            "cheese_in_corner", "spheres"} <= names


@pytest.mark.parametrize("path", ZOO, ids=lambda path: path.stem)
def test_zoo_file_matches_its_header(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header = re.sub(r"\n#\s*", " ", text.split("\nname:")[0])
    assert "# Source: " in text and "our transcription" in header.lower()
    graph, arguments = load_zoo(path)
    want = expected(path)
    assert set(want) == {"aligned", "requisite", "voi", "ri", "voc", "ici", "deception",
                         "wireheading", "tampering", "tradeoffs"}
    found = signatures(graph, **arguments)  # type: ignore[arg-type]
    for kind in ("requisite", "voi", "ri", "voc", "ici"):
        assert getattr(found.incentives, kind) == want[kind], kind
    for kind in ("deception", "wireheading", "tampering"):
        assert getattr(found, kind) == want[kind], kind
    assert check_inner_alignment(graph).aligned == (want["aligned"] == ("yes",))
    assert tradeoffs(graph, **arguments).status == ", ".join(want["tradeoffs"])  # type: ignore


@pytest.mark.parametrize("path", ZOO, ids=lambda path: path.stem)
def test_zoo_reports_match_the_golden_files(path: Path) -> None:
    graph, arguments = load_zoo(path)
    report = incentive_report(graph, **arguments)  # type: ignore[arg-type]
    table = tradeoffs(graph, **arguments)  # type: ignore[arg-type]
    outputs = {f"{path.stem}.incentives.txt": render_incentives(report, "text"),
               f"{path.stem}.incentives.md": render_incentives(report, "markdown"),
               f"{path.stem}.tradeoffs.txt": render_tradeoffs(table, "text"),
               f"{path.stem}.tradeoffs.md": render_tradeoffs(table, "markdown")}
    for name, text in outputs.items():
        golden = GOLDEN / name
        if UPDATE:
            GOLDEN.mkdir(parents=True, exist_ok=True)
            golden.write_text(text + "\n", encoding="utf-8")
        assert golden.read_text(encoding="utf-8") == text + "\n", name
    assert json.loads(render_incentives(report, "json")) == report.to_dict()
    assert json.loads(render_tradeoffs(table, "json")) == table.to_dict()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="causal-align")
    add_commands(parser.add_subparsers(dest="command"))
    options = parser.parse_args(argv)
    code = options.run(options)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["incentives", "tradeoffs"])
@pytest.mark.parametrize("path", ZOO, ids=lambda path: path.stem)
def test_the_commands_run_on_the_zoo(path: Path, command: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    graph, arguments = load_zoo(path)
    extra = ["--utility", ",".join(arguments["utility"])]  # type: ignore[arg-type]
    code, out, err = run([command, str(path), "--format", "json", *extra], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    if command == "incentives":
        assert data == incentive_report(graph, **arguments).to_dict()  # type: ignore[arg-type]
    else:
        assert data == tradeoffs(graph, **arguments).to_dict()  # type: ignore[arg-type]


def test_command_errors_exit_2_with_the_message(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    path = ROOT / "graphs" / "zoo" / "coinrun.yaml"
    code, out, err = run(["incentives", str(path), "--utility", "GotCoins"], capsys)
    assert (code, out) == (2, "")
    assert err == ("error: 1 problem:\n  <incentives on coinrun> utility: unknown node "
                   "'GotCoins' in utility (did you mean 'GotCoin'?) [E_UNKNOWN_NODE]\n")
    code, out, err = run(["tradeoffs", str(tmp_path / "missing.yaml")], capsys)
    assert code == 2 and err.startswith("error: ") and out == ""
    bare = tmp_path / "bare.yaml"
    bare.write_text("nodes: {s: '', D: '', U: ''}\nedges: [s -> D, D -> U]\nregime: s\n"
                    "sigma: [{target: D}]\n", encoding="utf-8")
    code, out, err = run(["tradeoffs", str(bare), "--utility", "U"], capsys)
    assert code == 2 and err == (
        "error: 1 problem:\n  <tradeoffs on bare> query.base: the trade-off explorer needs the "
        "alignment query: declare query: base: (and mesa:) [E_NO_QUERY]\n")
    code, out, err = run(["incentives", str(bare), "--utility", "U", "--format", "text"], capsys)
    assert code == 0 and "alignment: no alignment query" in out
    code, out, err = run(["incentives", str(path), "--sigma", "Move"], capsys)
    assert (code, out) == (2, "")
    assert err == ("error: --sigma 'Move': expected TARGET=CONTEXT,... (e.g. D_m=O,C; D_m= for "
                   "an open-loop policy)\n")


def test_the_sigma_option_asks_what_if(capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "graphs" / "zoo" / "coinrun.yaml"
    code, out, _ = run(["incentives", str(path), "--sigma", "Move=", "--format", "json"],
                       capsys)
    data = json.loads(out)
    assert code == 0 and data["incentives"]["context"] == [] and data["signatures"][
        "deception"] == []
    code, out, _ = run(["tradeoffs", str(path), "--sigma", "Move=Screen,Layout"], capsys)
    assert code == 0 and "Move stops reading Layout" in out
