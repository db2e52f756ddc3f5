"""The quantities commands of ``causal-align``: gap, sweep, simulate, test-data, naturalness, and
the shift sweep in ``check --format html``.

Driven in process through :func:`causal_align.cli.main` from the repository root, on the bundled
examples: ``graphs/coinrun_model.yaml`` (not aligned, gap about −7.23 at the highest Y_m),
``graphs/aligned_proxy_model.yaml`` (aligned, gap 0), the samples in ``examples/samples/`` and
``examples/naturalness/``. Each report is compared with the library's own result, so the tests
check the command line (options, streams, exit codes, errors), not the numbers twice.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from cli_harness import ROOT, at_repository_root, run_cli  # noqa: F401 (a fixture)

from causal_align.cli.main import main, parser
from causal_align.loader import load_graph
from causal_align.quantities.gap import alignment_gap
from causal_align.quantities.naturalness import xe_naturalness
from causal_align.quantities.parameters import load_model
from causal_align.quantities.simulation import simulate
from causal_align.quantities.sweep import sweep
from causal_align.samples.check import check_on_data
from causal_align.samples.falsify import falsify
from causal_align.samples.reader import read_samples

COINRUN, ALIGNED = "graphs/coinrun_model.yaml", "graphs/aligned_proxy_model.yaml"
SAMPLES = "examples/samples"
COMMANDS = ("gap", "sweep", "simulate", "test-data", "naturalness")
EXTRA_HINT = "part of the quantities extra: pip install 'causal_align[quantities]'"
COLOURS_GRAPH = """\
name: colours
nodes: {s: which evidence we meet, E: evidence, Late: late, Green: green, Grue: grue}
edges: [s -> E, E -> Late, E -> Green, Late -> Green, Green -> Grue, Late -> Grue]
regime: s
"""


def _usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """argparse's complaint about ``argv`` (it exits 2 and writes nothing on stdout)."""
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    out, err = capsys.readouterr()
    assert (stopped.value.code, out) == (2, "")
    return err


@pytest.fixture(scope="module")
def colours(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A graph file for the columns of examples/naturalness/colours.csv."""
    path = tmp_path_factory.mktemp("graphs") / "colours.yaml"
    path.write_text(COLOURS_GRAPH, encoding="utf-8")
    return str(path)


# --- every command

@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_is_explained_in_help(capsys: pytest.CaptureFixture[str],
                                           command: str) -> None:
    subcommands = next(action for action in parser()._actions
                       if isinstance(action.choices, dict))
    command_parser = subcommands.choices[command]  # type: ignore[index]
    unexplained = [action.dest for action in command_parser._actions if not action.help]
    assert unexplained == []
    with pytest.raises(SystemExit) as stopped:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert stopped.value.code == 0
    assert out.startswith(f"usage: causal-align {command} ")
    assert "Exit code" in " ".join(out.split())


@pytest.mark.parametrize("command", ["gap", "sweep", "simulate", "naturalness"])
def test_a_missing_graph_file_exits_2(capsys: pytest.CaptureFixture[str], command: str) -> None:
    extra = ["--x", "C", "--z", "O", "--evidence", "L"] if command == "naturalness" else []
    code, out, err = run_cli(capsys, command, "graphs/nope.yaml", *extra)
    assert (code, out) == (2, "")
    assert err == ("error: 1 problem:\n  graphs/nope.yaml: cannot read the file: No such file or "
                   "directory [E_FILE]\n")


@pytest.mark.parametrize("command", ["gap", "sweep", "simulate"])
def test_the_file_size_limit_applies(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, err = run_cli(capsys, command, COINRUN, "--max-bytes", "100")
    assert (code, out) == (2, "")
    assert err.startswith("error: 1 problem:\n  graphs/coinrun_model.yaml: the file is ")
    assert "--max-bytes" in err


# --- gap

def test_gap_of_coinrun_is_not_zero_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "gap", COINRUN)
    assert (code, err) == (1, "")
    assert out == f"{alignment_gap(load_model(COINRUN))}\n"
    assert "highest Y_m: Y_m=1, gap -7.2345 " in out


def test_gap_of_the_aligned_model_is_zero_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "gap", ALIGNED, "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data == json.loads(json.dumps(alignment_gap(load_model(ALIGNED)).to_dict()))
    assert [row["mesa"] for row in data["rows"]] == [{"Y_m": "0"}, {"Y_m": "1"}]
    assert max(abs(row["gap"]) for row in data["rows"]) < 1e-9


def test_gap_without_the_screening_mesa_is_not_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "gap", ALIGNED, "--mesa", "", "--format", "json")
    assert code == 1
    (row,) = json.loads(out)["rows"]
    assert row["mesa"] == {} and abs(row["gap"]) > 1e-3


def test_gap_utility_rescores_y_b(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "gap", COINRUN, "--utility", "Y_b=missed:0,got:1",
                        "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["utility"] == {"Y_b": {"missed": 0.0, "got": 1.0}}
    assert data["score"] == "U(Y_b)"
    assert data["highest"]["gap"] == pytest.approx(
        alignment_gap(load_model(COINRUN)).highest.gap / 10)  # type: ignore[union-attr]


def test_gap_query_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "gap", COINRUN, "--mesa", "Y_m,L")
    assert code == 1
    assert out == f"{alignment_gap(load_model(COINRUN), mesa=['Y_m', 'L'])}\n"
    assert [line.split("  ")[0] for line in out.splitlines()[3:7]] == [
        "L=easy, Y_m=0", "L=easy, Y_m=1", "L=hard, Y_m=0", "L=hard, Y_m=1"]


def test_gap_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "gap.txt"
    code, out, err = run_cli(capsys, "gap", COINRUN, "-o", str(target))
    assert (code, out, err) == (1, "", "")
    assert target.read_text(encoding="utf-8") == f"{alignment_gap(load_model(COINRUN))}\n"


def test_gap_needs_a_model_section_and_points_to_simulate(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "gap", "graphs/coinrun.yaml")
    assert (code, out) == (2, "")
    assert err == (
        "error: 1 problem:\n  graphs/coinrun.yaml:33: the file has no model: section (give the "
        "states and table of every node under model: nodes:, see causal_align.quantities.parameters) "
        "[E_MODEL_MISSING]\n"
        "hint: causal-align simulate graphs/coinrun.yaml works from the graph alone: it draws "
        "random models of the diagram\n")


def test_gap_of_an_invalid_model_lists_its_problems(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "gap", "tests/bad_models/negative.yaml")
    assert (code, out) == (2, "")
    expected = (ROOT / "tests/bad_models/negative.err").read_text(encoding="utf-8")
    assert err == f"error: {expected}"


@pytest.mark.parametrize(("argv", "stderr"), [
    (["--utility", "Y_b=missed"],
     "error: --utility 'Y_b=missed': 'missed' is not STATE:NUMBER; expected "
     "NODE=STATE:NUMBER,... (e.g. Y_b=lose:0,win:1)\n"),
    (["--utility", "missed:0,got:1"],
     "error: --utility 'missed:0,got:1': expected NODE=STATE:NUMBER,... (e.g. "
     "Y_b=lose:0,win:1)\n"),
    (["--utility", "Y_b=missed:0,got:x"],
     "error: --utility 'Y_b=missed:0,got:x': 'got:x' is not STATE:NUMBER; expected "
     "NODE=STATE:NUMBER,... (e.g. Y_b=lose:0,win:1)\n"),
    (["--utility", "Y_b=missed:0,got:1", "--utility", "Y_b=got:2"],
     "error: --utility scores 'Y_b' twice\n"),
    (["--utility", "Y_b=missed:0"],
     "error: graphs/coinrun_model.yaml: the utility of 'Y_b' must score each of its states "
     "(missed, got); missing: got; unknown: none\n"),
    (["--utility", "Y_m=0:0,1:1"],
     "error: graphs/coinrun_model.yaml: the utility scores 'Y_m', which is not in Y_b (Y_b)\n"),
    (["--base", "Y_bb"],
     "error: 1 problem:\n  <query on coinrun_model> base[0]: unknown node 'Y_bb' in base (did you "
     "mean 'Y_b'?) [E_UNKNOWN_NODE]\n"),
    (["--base", "T"],
     "error: graphs/coinrun_model.yaml: Y_b node 'T' has no numbers for its states (to_end, "
     "to_coin, stuck): give a utility, e.g. utility={'T': {'to_end': ..., 'to_coin': ..., "
     "'stuck': ...}}\n"),
])
def test_gap_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                               stderr: str) -> None:
    assert run_cli(capsys, "gap", COINRUN, *argv) == (2, "", stderr)


# --- sweep

def test_sweep_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "sweep", COINRUN, "--steps", "5")
    assert (code, err) == (0, "")
    assert out == f"{sweep(load_model(COINRUN), steps=5)}\n"
    assert out.splitlines()[2] == "0.00   0.0000   0.0000"
    assert out.splitlines()[-2] == "1.00  +0.1664  -7.2345"


def test_sweep_json_ends_at_the_gap(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "sweep", COINRUN, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert len(data["strengths"]) == 21 and data["strengths"][0] == 0 == data["lines"][1]["gaps"][0]
    highest = alignment_gap(load_model(COINRUN)).highest
    assert highest is not None
    assert [line["highest"] for line in data["lines"]] == [False, True]
    assert data["lines"][1]["gaps"][-1] == pytest.approx(highest.gap, abs=1e-12)


@pytest.mark.parametrize("value", ["1", "Y_m=1"])
def test_sweep_follows_one_mesa_value(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, out, _ = run_cli(capsys, "sweep", COINRUN, "--steps", "3", "--mesa-value", value,
                        "--format", "json")
    assert code == 0
    assert [line["mesa"] for line in json.loads(out)["lines"]] == [{"Y_m": "1"}]


def test_sweep_of_the_aligned_model_stays_at_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "sweep", ALIGNED, "--steps", "4", "--format", "json")
    assert code == 0
    assert max(abs(gap) for line in json.loads(out)["lines"] for gap in line["gaps"]) < 1e-9


@pytest.mark.parametrize(("suffix", "start"), [(".svg", b"<?xml"), (".png", b"\x89PNG")])
def test_sweep_draws_the_picture(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                 suffix: str, start: bytes) -> None:
    picture = tmp_path / f"sweep{suffix}"
    code, out, err = run_cli(capsys, "sweep", COINRUN, "--steps", "3", "-o", str(picture))
    assert (code, err) == (0, "")
    assert out == f"{sweep(load_model(COINRUN), steps=3)}\n"
    assert picture.read_bytes().startswith(start)


def test_sweep_progress_bar_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "sweep", COINRUN, "--steps", "4", "--progress")
    assert code == 0
    assert out == f"{sweep(load_model(COINRUN), steps=4)}\n"
    assert "sweep: 100%" in err and "4/4" in err
    assert run_cli(capsys, "sweep", COINRUN, "--steps", "4", "--no-progress")[2] == ""


@pytest.mark.parametrize(("argv", "stderr"), [
    (["--mesa-value", "3"],
     "error: graphs/coinrun_model.yaml: Y_m node 'Y_m' has no state '3' (states: 0, 1)\n"),
    (["--mesa-value", "T=to_end"],
     "error: graphs/coinrun_model.yaml: mesa_value must give a state to each Y_m node (Y_m), "
     "found 'T'\n"),
    (["--mesa-value", "Y_m="], "error: --mesa-value 'Y_m=': expected STATE or NODE=STATE,...\n"),
    (["-o", "sweep.pdf"],
     "error: cannot draw the sweep to 'sweep.pdf': the file must end in .png or .svg, found "
     "'.pdf'\n"),
])
def test_sweep_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                 stderr: str) -> None:
    assert run_cli(capsys, "sweep", COINRUN, *argv) == (2, "", stderr)
    assert not Path("sweep.pdf").exists()


def test_sweep_needs_a_model_section(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "sweep", "graphs/aligned_proxy.yaml")
    assert (code, out) == (2, "")
    assert "the file has no model: section" in err
    assert err.endswith("hint: causal-align simulate graphs/aligned_proxy.yaml works from the "
                        "graph alone: it draws random models of the diagram\n")


def test_sweep_steps_must_be_two_or_more(capsys: pytest.CaptureFixture[str]) -> None:
    err = _usage_error(capsys, "sweep", COINRUN, "--steps", "1")
    assert "argument --steps: expected a whole number from 2 to 100,000, found '1'" in err


# --- simulate

def test_simulate_works_from_the_graph_alone(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "simulate", "graphs/coinrun.yaml", "--draws", "40",
                          "--seed", "3", "--tolerance", "0.1")
    assert (code, err) == (0, "")
    expected = simulate(load_graph("graphs/coinrun.yaml"), draws=40, seed=3, tolerance=0.1)
    assert out == f"{expected}\n"
    assert out.startswith("simulation of coinrun (not aligned): gap at the highest Y_m over 40 ")


def test_simulate_an_aligned_graph_gives_zero_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "simulate", ALIGNED, "--draws", "25", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["aligned"], data["draws"], data["counted"]) == (True, 25, 25)
    assert data["largest"] < 1e-9 and data["fraction_above"] == 0


def test_simulate_states_and_concentration(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "simulate", "graphs/coinrun.yaml", "--draws", "10",
                        "--states", "T=3,L=4", "--concentration", "0.5", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["states"], data["concentration"]) == ({"L": 4, "T": 3}, 0.5)
    expected = simulate(load_graph("graphs/coinrun.yaml"), draws=10, states={"T": 3, "L": 4},
                        concentration=0.5)
    assert data == json.loads(json.dumps(expected.to_dict()))


def test_simulate_like_model_keeps_the_files_states_and_utility(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "simulate", COINRUN, "--like-model", "--draws", "30",
                          "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert dict(data["states"])["T"] == 3  # to_end, to_coin, stuck: the model's, not 2
    expected = simulate(load_model(COINRUN), draws=30)
    assert data == json.loads(json.dumps(expected.to_dict()))
    code, _, err = run_cli(capsys, "simulate", COINRUN, "--like-model", "--states", "3")
    assert code == 2 and "--states and --like-model exclude each other" in err


def test_simulate_unknown_node_in_states_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "simulate", "graphs/coinrun.yaml", "--states", "TT=3") == (
        2, "", "error: 1 problem:\n  <options on coinrun>: unknown node 'TT' in --states "
               "(did you mean 'T'?) [E_UNKNOWN_NODE]\n")


@pytest.mark.parametrize(("argv", "complaint"), [
    (["--draws", "0"], "argument --draws: expected a whole number from 1 to 10,000,000, found '0'"),
    (["--seed", "-1"], "argument --seed: expected a whole number >= 0, found '-1'"),
    (["--tolerance", "-0.1"], "argument --tolerance: expected a finite number >= 0, found '-0.1'"),
    (["--tolerance", "nan"], "argument --tolerance: expected a finite number >= 0, found 'nan'"),
    (["--concentration", "0"], "argument --concentration: expected a finite number > 0, found '0'"),
    (["--states", "1"], "argument --states: expected N or NODE=N,... with whole numbers >= 2, "
                        "found '1'"),
    (["--states", "T=3,T=4"], "argument --states: expected N or NODE=N,... (each node once), "
                              "found 'T=3,T=4'"),
])
def test_simulate_bad_numbers_are_usage_errors(capsys: pytest.CaptureFixture[str],
                                               argv: list[str], complaint: str) -> None:
    assert complaint in _usage_error(capsys, "simulate", "graphs/coinrun.yaml", *argv)


# --- test-data

def test_data_test_rejects_the_coinrun_leak(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "test-data", COINRUN, f"{SAMPLES}/coinrun.csv")
    assert (code, err) == (1, "")
    graph = load_graph(COINRUN)
    expected = check_on_data(graph, read_samples(f"{SAMPLES}/coinrun.csv", graph))
    assert out == f"{expected}\n"
    assert "verdict: rejected at alpha = 0.05\n" in out


def test_data_test_of_the_aligned_model_does_not_reject(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "test-data", ALIGNED, f"{SAMPLES}/aligned_proxy.csv",
                          "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["falsification"] is None
    assert (data["data_test"]["rejected"], data["data_test"]["graph_aligned"]) == (False, True)
    graph = load_graph(ALIGNED)
    expected = check_on_data(graph, read_samples(f"{SAMPLES}/aligned_proxy.csv", graph))
    assert data["data_test"] == json.loads(json.dumps(expected.to_dict()))


def test_falsify_finds_the_missing_edge(capsys: pytest.CaptureFixture[str]) -> None:
    samples = f"{SAMPLES}/coinrun_wrong_diagram.csv"
    code, out, _ = run_cli(capsys, "test-data", COINRUN, samples, "--falsify",
                        "--correction", "bonferroni", "--format", "json")
    assert code == 1
    data = json.loads(out)
    graph = load_graph(COINRUN)
    expected = falsify(graph, read_samples(samples, graph), correction="bonferroni")
    assert data["falsification"] == json.loads(json.dumps(expected.to_dict()))
    rejected = [test["independence"]["text"] for test in data["falsification"]["tests"]
                if test["rejected"]]
    assert "s ⊥ L" in rejected


def test_falsify_text_follows_the_data_test(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "test-data", ALIGNED, f"{SAMPLES}/aligned_proxy.csv",
                        "--falsify", "--alpha", "0.01", "--method", "chi-square")
    graph = load_graph(ALIGNED)
    samples = read_samples(f"{SAMPLES}/aligned_proxy.csv", graph)
    first = check_on_data(graph, samples, alpha=0.01, method="chi-square")
    second = falsify(graph, samples, alpha=0.01, method="chi-square")
    assert out == f"{first}\n\n{second}\n"
    assert code == (1 if first.rejected or second.rejected else 0)


def test_data_test_regime_column_and_values(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    lines = (ROOT / SAMPLES / "aligned_proxy.csv").read_text(encoding="utf-8").splitlines()
    renamed = tmp_path / "renamed.csv"
    coded = [line.replace("train,", "A,", 1).replace("deploy,", "B,", 1) for line in lines[1:]]
    renamed.write_text("\n".join(["where" + lines[0][1:], *coded]) + "\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "test-data", ALIGNED, str(renamed), "--regime-column", "where",
                        "--train", "A", "--deploy", "B", "--format", "json")
    assert code == 0
    data = json.loads(out)["data_test"]
    assert data["regime_values"] == {"train": "A", "deploy": "B"}
    rows = {regime: sum(line.startswith(f"{regime},") for line in lines)
            for regime in ("train", "deploy")}
    assert data["samples"] == {**rows, "total": len(lines) - 1}
    code, _, err = run_cli(capsys, "test-data", ALIGNED, str(renamed), "--regime-column", "where")
    assert code == 2
    assert "cannot tell which value of the regime column 's' is training" in err


@pytest.mark.parametrize(("argv", "stderr"), [
    (["examples/samples/nope.csv"],
     "error: 1 problem:\n  examples/samples/nope.csv: cannot read the file: No such file or "
     "directory [E_FILE]\n"),
    (["examples/samples/coinrun.csv", "--correction", "holm"],
     "error: --correction applies to --falsify only\n"),
    (["examples/samples/coinrun.csv", "--regime", "s,t"],
     "error: --regime: the data test needs one regime node, found s, t\n"),
    (["examples/samples/coinrun.csv", "--train", "nope"],
     "error: 1 problem:\n  examples/samples/coinrun.csv column s: 'nope' is not a value of the "
     "regime column 's' (its values: 'deploy', 'train') [E_REGIME_VALUES]\n"),
])
def test_data_test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                     stderr: str) -> None:
    assert run_cli(capsys, "test-data", COINRUN, *argv) == (2, "", stderr)


def test_data_test_columns_must_be_nodes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "test-data", COINRUN, "examples/naturalness/colours.csv")
    assert (code, out) == (2, "")
    assert err.startswith("error: 6 problems:\n  examples/naturalness/colours.csv:1 column 2: "
                          "'E' is not a node of coinrun_model ")
    assert ("examples/naturalness/colours.csv:1: no column for the base objective 'Y_b'" in err)


@pytest.mark.parametrize(("argv", "complaint"), [
    (["--alpha", "1"], "argument --alpha: expected a finite number > 0 and < 1, found '1'"),
    (["--method", "magic"], "argument --method: invalid choice: 'magic'"),
    (["--falsify", "--correction", "sidak"], "argument --correction: invalid choice: 'sidak'"),
])
def test_data_test_bad_options_are_usage_errors(capsys: pytest.CaptureFixture[str],
                                                argv: list[str], complaint: str) -> None:
    err = _usage_error(capsys, "test-data", COINRUN, f"{SAMPLES}/coinrun.csv", *argv)
    assert complaint in err


# --- naturalness

def test_naturalness_exact_from_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "naturalness", COINRUN, "--x", "T", "--z", "Y_m",
                          "--evidence", "L")
    assert (code, err) == (0, "")
    assert out == f"{xe_naturalness(load_model(COINRUN), x='T', z='Y_m', evidence='L')}\n"
    assert out.startswith("XE-naturalness of Y_m for T given L: 0.5042 (exact, given s=train)\n")


def test_naturalness_given_a_regime_state(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "naturalness", COINRUN, "--x", "C", "--z", "O", "--evidence",
                        "L", "--given", "s=deploy", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["given"], data["method"]) == ({"s": "deploy"}, "exact")
    expected = xe_naturalness(load_model(COINRUN), x="C", z="O", evidence="L",
                              given={"s": "deploy"})
    assert data == json.loads(json.dumps(expected.to_dict()))


def test_naturalness_from_samples(capsys: pytest.CaptureFixture[str], colours: str) -> None:
    data = "examples/naturalness/colours.csv"
    code, out, err = run_cli(capsys, "naturalness", colours, "--x", "Late", "--z", "Grue",
                          "--evidence", "E", "--data", data, "--pseudocount", "1")
    assert (code, err) == (0, "")
    expected = xe_naturalness(data, x="Late", z="Grue", evidence="E", pseudocount=1,
                              regime="s")
    assert out == f"{expected}\n"
    assert "(from 1,500 samples, pseudocount 1, given s=train)" in out  # training, by default
    assert "Breslow–Day test of equal odds ratios" in out


def test_naturalness_samples_filtered_by_given(capsys: pytest.CaptureFixture[str],
                                               colours: str) -> None:
    code, out, _ = run_cli(capsys, "naturalness", colours, "--x", "Late", "--z", "Green",
                        "--evidence", "E", "--given", "s=deploy", "--data",
                        "examples/naturalness/colours.csv", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["given"], data["samples"], data["pseudocount"]) == ({"s": "deploy"}, 1500, 0.5)


def test_naturalness_names_must_be_nodes_of_the_graph(capsys: pytest.CaptureFixture[str],
                                                      colours: str) -> None:
    code, out, err = run_cli(capsys, "naturalness", colours, "--x", "late", "--z", "Grue",
                          "--evidence", "E,Clock", "--data", "examples/naturalness/colours.csv")
    assert (code, out) == (2, "")
    assert err == (
        "error: 2 problems:\n"
        "  <options on colours>: unknown node 'late' in --x (did you mean 'Late'?) "
        "[E_UNKNOWN_NODE]\n"
        "  <options on colours>: unknown node 'Clock' in --evidence (it is not a node of "
        "colours) [E_UNKNOWN_NODE]\n")


@pytest.mark.parametrize(("argv", "stderr"), [
    (["--x", "T", "--z", "T", "--evidence", "L"],
     "error: 1 problem:\n  graphs/coinrun_model.yaml z: 'T' is x and z: X, Z, the evidence and "
     "the given variables must all differ [E_ROLE]\n"),
    (["--x", "T", "--z", "Y_m", "--evidence", "L", "--given", "s"],
     "error: --given 's': expected NODE=STATE\n"),
    (["--x", "T", "--z", "Y_m", "--evidence", "L", "--given", "s=later"],
     "error: 1 problem:\n  graphs/coinrun_model.yaml given: 's' has no value 'later': its "
     "values are 'train', 'deploy' [E_UNKNOWN_STATE]\n"),
    (["--x", "T", "--z", "Y_m", "--evidence", "L", "--data", "docs/data/ragged.csv"],
     "error: 2 problems:\n"
     "  docs/data/ragged.csv:3: 3 fields, expected 4 (one per column of the header on line 1) "
     "[E_CSV_SYNTAX]\n"
     "  docs/data/ragged.csv:4: 5 fields, expected 4 (one per column of the header on line 1) "
     "[E_CSV_SYNTAX]\n"),
    (["--x", "T", "--z", "Y_m", "--evidence", "L", "--pseudocount", "1"],
     "error: --pseudocount applies to --data only (a model gives exact probabilities)\n"),
    (["--x", "T", "--z", "Y_m", "--evidence", "L", "--data", "examples/samples/nope.csv"],
     "error: 1 problem:\n  examples/samples/nope.csv: cannot read the file: No such file or "
     "directory [E_FILE]\n"),
])
def test_naturalness_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                       stderr: str) -> None:
    assert run_cli(capsys, "naturalness", COINRUN, *argv) == (2, "", stderr)


def test_naturalness_errors_in_samples_name_the_file_the_line_and_the_text(
        capsys: pytest.CaptureFixture[str], colours: str, tmp_path: Path) -> None:
    samples = tmp_path / "colours.csv"
    samples.write_text("s,E,Late,Green,Grue\ntrain,green,0,1,1\ntrain,,1,1,0\n"
                       "deploy,clock,1,0,NA\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "naturalness", colours, "--x", "Late", "--z", "Grue",
                             "--evidence", "E", "--data", str(samples))
    assert (code, out) == (2, "")
    assert err == (f"error: 2 problems:\n  {samples}:3 column E: missing value (fill it in or "
                   "drop the line) [E_MISSING_VALUE]\n"
                   f"  {samples}:4 column Grue: missing value (fill it in or drop the line) "
                   "[E_MISSING_VALUE]\n")
    samples.write_text("s,E,Late,Green,Grue\non,green,0,1,1\noff,clock,1,1,0\n",
                       encoding="utf-8")
    code, out, err = run_cli(capsys, "naturalness", colours, "--x", "Late", "--z", "Grue",
                             "--evidence", "E", "--data", str(samples))
    assert (code, out) == (2, "")
    assert err == (f"error: 1 problem:\n  {samples}:1 column s: cannot tell which value of the "
                   "regime column 's' is training (found 'off', 'on'; training is one of 0, "
                   "false, train, training): hold it with given s=VALUE, or make it evidence "
                   "[E_REGIME_STATE]\n")


def test_naturalness_from_the_model_and_from_its_samples_hold_the_regime_alike(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """One setup, both paths: the colours model, and samples holding its probabilities exactly
    (1,000 rows per regime); each holds s at training by default and gives the same number."""
    import importlib.util
    import itertools

    import numpy as np

    from causal_align.quantities.inference import joint_distribution
    from causal_align.quantities.parameters import dump_model

    spec = importlib.util.spec_from_file_location(
        "make_data", ROOT / "examples" / "naturalness" / "make_data.py")
    assert spec is not None and spec.loader is not None
    make_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_data)
    model = make_data.colours()
    graph = tmp_path / "colours_model.yaml"
    graph.write_text(COLOURS_GRAPH + dump_model(model), encoding="utf-8")
    lines = ["s,E,Late,Grue"]
    for regime in ("train", "deploy"):
        joint = joint_distribution(model, ("E", "Late", "Grue"), {"s": regime}) * 1000
        assert np.allclose(joint, np.rint(joint))
        for (e, late, grue), count in zip(itertools.product(model.states["E"], "01", "01"),
                                          np.rint(joint).astype(int).reshape(-1)):
            lines += [f"{regime},{e},{late},{grue}"] * int(count)
    samples = tmp_path / "colours.csv"
    samples.write_text("\n".join(lines) + "\n", encoding="utf-8")
    asked = ("naturalness", str(graph), "--x", "Late", "--z", "Grue", "--evidence", "E",
             "--format", "json")
    code, out, _ = run_cli(capsys, *asked)
    exact = json.loads(out)
    code_samples, out, _ = run_cli(capsys, *asked, "--data", str(samples), "--pseudocount", "0")
    estimate = json.loads(out)
    assert (code, code_samples) == (0, 0)
    assert estimate["value"] == pytest.approx(exact["value"], rel=1e-9)
    assert exact["given"] == estimate["given"] == {"s": "train"}
    assert exact["notes"][0] == estimate["notes"][0] == (
        "regime node s is held at its training state train, the default (hold it elsewhere "
        "with given, or make it evidence to weigh both regimes)")
    assert estimate["samples"] == 1000


def test_naturalness_without_a_model_points_to_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "naturalness", "graphs/coinrun.yaml", "--x", "T", "--z", "Y_m",
                          "--evidence", "L")
    assert (code, out) == (2, "")
    assert "the file has no model: section" in err
    assert err.endswith("hint: naturalness can estimate the measure from samples instead: "
                        "--data samples.csv\n")


def test_naturalness_needs_x_z_and_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    err = _usage_error(capsys, "naturalness", COINRUN, "--x", "T")
    assert "the following arguments are required: --z, --evidence" in err


# --- missing optional libraries

@pytest.mark.parametrize(("library", "argv"), [
    ("pandas", ["test-data", COINRUN, f"{SAMPLES}/coinrun.csv"]),
    ("statsmodels", ["test-data", COINRUN, f"{SAMPLES}/coinrun.csv", "--falsify"]),
    ("scipy", ["test-data", COINRUN, f"{SAMPLES}/coinrun.csv"]),
])
def test_a_missing_extra_is_named(capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch, library: str,
                                  argv: list[str]) -> None:
    for name in [name for name in sys.modules if name.split(".")[0] == library]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, library, None)
    code, out, err = run_cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == f"error: causal-align {argv[0]} needs {library}, {EXTRA_HINT}\n"


@pytest.mark.parametrize(("library", "argv", "what"), [
    ("matplotlib", ["-o", "sweep.svg"], "drawing a sweep needs matplotlib"),
    ("tqdm", ["--progress"], "a progress bar needs tqdm"),
])
def test_sweep_without_its_libraries(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch, library: str,
                                     argv: list[str], what: str) -> None:
    monkeypatch.setitem(sys.modules, library, None)
    code, out, err = run_cli(capsys, "sweep", COINRUN, *argv)
    assert (code, out) == (2, "")
    assert err == f"error: {what}, {EXTRA_HINT}\n"
    assert not Path("sweep.svg").exists()


# --- check --format html: the shift sweep

def test_html_report_embeds_the_sweep(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", COINRUN, "--format", "html")
    assert (code, err) == (1, "")
    assert out.count("<h2>Shift sweep</h2>") == 1
    assert "The thick red line is the highest Y_m, Y_m=1: gap -7.2345 at λ = 1." in out
    section = out[out.index("<h2>Shift sweep</h2>"):]
    assert '<figure class="extra"><svg ' in section and "</svg></figure>" in section
    # matplotlib's catch-all style rule is narrowed to the sweep's figure
    assert re.findall(r"<style[^>]*>\s*([^{]*)\{stroke-linejoin", out) == ["figure.extra *"]


def test_html_report_without_a_model_has_no_sweep(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", "graphs/coinrun.yaml", "--format", "html")
    assert (code, err) == (1, "")
    assert "Shift sweep" not in out
    assert "<!DOCTYPE html>" in out


def test_html_report_keeps_the_sweep_to_the_files_sigma(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", COINRUN, "--format", "html", "--sigma", "D_m=")
    assert code == 1
    assert "Shift sweep" not in out  # the model's policy table reads O: no sweep for another σ


def test_html_report_follows_the_query(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, out, err = run_cli(capsys, "check", COINRUN, "--format", "html", "--mesa", "Y_m,C,L",
                          "-o", str(target))
    assert (code, out, err) == (0, "", "")
    page = target.read_text(encoding="utf-8")
    assert "<h2>Shift sweep</h2>" in page
    assert "The thick red line" not in page  # Y_m has no value once L (no numbers) is in it


def test_html_report_without_matplotlib_has_no_sweep(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = run_cli(capsys, "check", COINRUN, "--format", "html")
    assert (code, err) == (1, "note: the report has no shift sweep: drawing a sweep needs "
                              "matplotlib, part of the quantities extra: pip install "
                              "'causal_align[quantities]'\n")
    assert "Shift sweep" not in out and "</body></html>" in out


def test_html_report_of_an_invalid_model_notes_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", "tests/bad_models/negative.yaml", "--base", "Y_b",
                          "--format", "html")
    assert code == 1
    assert "Shift sweep" not in out
    expected = (ROOT / "tests/bad_models/negative.err").read_text(encoding="utf-8")
    assert err == f"note: the report has no shift sweep: {expected}"


def test_check_of_a_plain_graph_loads_no_heavy_library() -> None:
    code = ("import sys, contextlib, io\nfrom causal_align.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['check', 'graphs/coinrun.yaml', '--format', 'html'])\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'pandas', "
            "'pgmpy', 'scipy', 'statsmodels', 'tqdm'}))")
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                               encoding="utf-8", check=False)
    assert (completed.returncode, completed.stderr) == (0, "")
    assert completed.stdout == "[]\n"


# --- docs/cli.md: every `$ causal-align ...` example prints what the page shows

def _console_examples() -> list[tuple[str, str]]:
    """(command line, expected stdout and stderr) for each ``$ causal-align`` line of the page."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    examples = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL):
        for command in re.split(r"^(?=\$ )", block, flags=re.MULTILINE):
            if command.startswith("$ causal-align "):
                line, _, output = command.partition("\n")
                examples.append((line[2:], output))
    return examples


def test_docs_have_examples_of_every_command() -> None:
    shown = {shlex.split(line)[1] for line, _ in _console_examples()}
    assert shown >= {"check", "validate", *COMMANDS}


@pytest.mark.parametrize(("line", "expected"), _console_examples(),
                         ids=[line for line, _ in _console_examples()])
def test_docs_console_example(line: str, expected: str) -> None:
    both = io.StringIO()
    with contextlib.redirect_stdout(both), contextlib.redirect_stderr(both):
        main(shlex.split(line)[1:])
    assert both.getvalue() == expected


def test_test_data_reads_the_columns_of_the_query_given_on_the_command_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # the file's query is (Y_b ⊥ s | Y_m); the command asks (Y_b ⊥ t | W), and the CSV has
    # no s or Y_m column: it must be read against the query asked, its regime column renamed to t
    graph = tmp_path / "g.yaml"
    graph.write_text("nodes: {s: r, t: r2, W: w, Y_m: m, Y_b: b}\n"
                     "edges: [s -> Y_m, t -> W, W -> Y_b, Y_m -> Y_b]\n"
                     "regime: [s, t]\nquery: {base: Y_b, mesa: Y_m, regime: s}\n",
                     encoding="utf-8")
    samples = tmp_path / "x.csv"
    samples.write_text("R,W,Y_b\n" + "".join(f"{'train' if row % 2 else 'deploy'},{row % 3 % 2},"
                                             f"{row % 5 % 2}\n" for row in range(60)),
                       encoding="utf-8")
    code, out, err = run_cli(capsys, "test-data", str(graph), str(samples), "--regime", "t",
                          "--mesa", "W", "--regime-column", "R")
    assert (code, err) == (0, "")
    assert out.startswith("Data test of (Y_b ⊥ t | W) for g on 60 samples")


def test_gap_exit_code_tolerates_rounding_in_large_utilities(
        capsys: pytest.CaptureFixture[str]) -> None:
    # aligned, with Y_b worth tens of millions: rounding leaves |gap| ~ 1e-9, which is no gap
    model = load_model(ALIGNED)
    states = model.states["Y_b"]
    huge = ",".join(f"{state}:{12_345_678.9 * (index + 1)}" for index, state in enumerate(states))
    code, out, _ = run_cli(capsys, "gap", ALIGNED, "--utility", f"Y_b={huge}", "--format", "json")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert max(abs(row["gap"]) for row in rows) < 1e-6


def test_a_graph_name_cannot_spoof_a_quantities_report(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A name with a line break and escape sequences prints escaped, on one line (issue 10)."""
    text = (ROOT / "graphs" / "aligned_proxy_model.yaml").read_text(encoding="utf-8")
    graph = tmp_path / "spoof.yaml"
    graph.write_text('name: "g\\ngap 0, ALIGNED\\u001b[2J\\u202e"\n' + "\n".join(
        line for line in text.splitlines() if not line.startswith("name:")) + "\n",
        encoding="utf-8")
    for argv in (["gap", str(graph)], ["sweep", str(graph), "--steps", "3"],
                 ["simulate", str(graph), "--draws", "5"], ["gap", str(graph), "--format", "json"]):
        code, out, _ = run_cli(capsys, *argv)
        assert code == 0, argv
        assert "\x1b" not in out and "\u202e" not in out, argv
        assert "\ngap 0, ALIGNED" not in out, argv
    assert json.loads(out)["graph"] == "g\ngap 0, ALIGNED\x1b[2J\u202e"


def test_a_probability_in_exponent_notation_without_a_dot_is_a_number(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``5e-1`` is text to YAML 1.1 (PyYAML); we read it as the number a user means."""
    text = (ROOT / "graphs" / "aligned_proxy_model.yaml").read_text(encoding="utf-8")
    assert "sprawling, bulky_item: [0.5, 0.5]" in text
    model = tmp_path / "exponent.yaml"
    model.write_text(text.replace("sprawling, bulky_item: [0.5, 0.5]",
                                  "sprawling, bulky_item: [5e-1, 5E-1]"), encoding="utf-8")
    code, out, err = run_cli(capsys, "gap", str(model), "--format", "json")
    assert (code, err) == run_cli(capsys, "gap", str(ROOT / "graphs" /
                                                     "aligned_proxy_model.yaml"),
                                  "--format", "json")[::2]
    assert json.loads(out)["rows"]


@pytest.mark.parametrize(("low", "high", "shown"), [
    ("1000000", "1000000.001", "gap -0.0007"), ("0", "0.000000001", "gap -7.235e-10")],
    ids=["large-offset", "tiny-scale"])
def test_the_gap_exit_code_ignores_the_utilitys_offset_and_scale(
        capsys: pytest.CaptureFixture[str], low: str, high: str, shown: str) -> None:
    """CoinRun's gap is most of the utility's range whatever numbers the utility uses: exit 1,
    and the printed gap is not rounded away (both exited 0 before)."""
    code, out, _ = run_cli(capsys, "gap", COINRUN, "--utility", f"Y_b=missed:{low},got:{high}")
    assert code == 1
    assert shown in out
