"""The ``causal-align`` command: exit codes, streams, options, and ``validate``.

Driven in process through :func:`causal_align.cli.main`, from the repository root; one test runs
the installed console script.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_harness import ROOT, at_repository_root, run_cli  # noqa: F401 (a fixture)

from causal_align import SoftIntervention, check_inner_alignment, load_graph, render
from causal_align.cli.main import main

GRAPHS = sorted(path.stem for path in (ROOT / "graphs").glob("*.yaml"))

# The verdicts documented in each graph's header comment.
EXIT_CODES = {
    "aligned_proxy": 0,
    "aligned_proxy_model": 0,
    "autoplay_watch_time": 1,
    "coinrun": 1,
    "coinrun_model": 1,
    "confounded_proxy": 1,
    "deceptive_cue": 1,
    "keys_and_chests": 1,
    "prompt_injection": 1,
    "reward_tampering": 1,
    "reward_tampering_fixed": 0,
    "rlhf_rater_shift": 1,
    "sigma_cuts_cue": 0,
    "transport_age_shift": 1,
    "transport_hidden_shift": 1,
    "transport_linear_feed": 1,
    "transport_measure_coin": 1,
    "transport_mediator_shift": 0,
    "tutoring_policy": 0,
}

TWO_REGIMES = """\
name: two_regimes
nodes:
  s: first regime
  t: second regime
  A: a mechanism only s moves
  D_m: policy
  Y_m: mesa objective
  Y_b: base objective
edges:
  - s -> A
  - A -> Y_b
  - t -> Y_m
  - D_m -> Y_m
  - Y_m -> Y_b
regime: [s, t]
query:
  base: Y_b
  mesa: Y_m
"""


def _report(name: str, format: str = "text", **query: object) -> str:
    result = check_inner_alignment(load_graph(f"graphs/{name}.yaml"), **query)  # type: ignore[arg-type]
    return render(result, format) + "\n"


def _paths(out: str) -> list[str]:
    """The open paths listed in a text report, in order."""
    return re.findall(r"^ +\d+\. (.+?)  \[", out, flags=re.MULTILINE)


def test_every_example_graph_is_covered() -> None:
    assert sorted(EXIT_CODES) == GRAPHS


# --- check: exit codes and streams

@pytest.mark.parametrize("name", GRAPHS)
def test_check_prints_the_text_report_and_exits_with_the_verdict(
        capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, err = run_cli(capsys, "check", f"graphs/{name}.yaml")
    assert code == EXIT_CODES[name]
    assert out == _report(name)
    assert out.splitlines()[0] == f"{name}: {'ALIGNED' if code == 0 else 'NOT ALIGNED'}"
    assert err == ""


@pytest.mark.parametrize(("argv", "stderr"), [
    (["graphs/coinrun.yaml", "--base", "Nope"],
     "error: 1 problem:\n  <query on coinrun> base[0]: unknown node 'Nope' in base "
     "(it is not a node of coinrun) [E_UNKNOWN_NODE]\n"),
    (["graphs/coinrun.yaml", "--base", "Y_bb,Q"],
     "error: 2 problems:\n"
     "  <query on coinrun> base[0]: unknown node 'Y_bb' in base (did you mean 'Y_b'?)"
     " [E_UNKNOWN_NODE]\n"
     "  <query on coinrun> base[1]: unknown node 'Q' in base (it is not a node of "
     "coinrun) [E_UNKNOWN_NODE]\n"),
    (["graphs/coinrun.yaml", "--mesa", "Y_mm"],
     "error: 1 problem:\n  <query on coinrun> mesa[0]: unknown node 'Y_mm' in mesa "
     "(did you mean 'Y_m'?) [E_UNKNOWN_NODE]\n"),
    (["graphs/coinrun.yaml", "--base", ""],
     "error: 1 problem:\n  <query on coinrun> base: no base objective Y_b (give query.base "
     "in the file, base= in Python or --base on the command line) [E_EMPTY_SET]\n"),
    (["graphs/coinrun.yaml", "--sigma", "D_m"],
     "error: --sigma 'D_m': expected TARGET=CONTEXT,... (e.g. D_m=O,C; D_m= for an open-loop "
     "policy)\n"),
    (["graphs/coinrun.yaml", "--sigma", "D_m=O", "--sigma", "D_m:O"],
     "error: --sigma 'D_m:O': expected TARGET=CONTEXT,... (e.g. D_m=O,C; D_m= for an open-loop "
     "policy)\n"),
    (["graphs/coinrun.yaml", "--sigma", "D_m=Nope"],
     "error: 1 problem:\n  <sigma on coinrun> sigma[0].context[0]: unknown node 'Nope' in the "
     "context of σ(D_m) (it is not a node of coinrun) [E_UNKNOWN_NODE]\n"),
    (["graphs/coinrun.yaml", "--sigma", "D_m=T"],
     "error: 1 problem:\n  <sigma on coinrun> sigma[0].context: the context of σ(D_m) makes G_σ cyclic: "
     "D_m -> T -> D_m (a policy cannot read a consequence of its own decision) "
     "[E_SIGMA_CYCLE]\n"),
    (["graphs/nope.yaml"],
     "error: 1 problem:\n  graphs/nope.yaml: cannot read the file: No such file or directory "
     "[E_FILE]\n"),
])
def test_check_bad_input_exits_2_with_the_problem_on_stderr(
        capsys: pytest.CaptureFixture[str], argv: list[str], stderr: str) -> None:
    code, out, err = run_cli(capsys, "check", *argv)
    assert (code, out, err) == (2, "", stderr)


def test_check_invalid_file_exits_2_listing_every_problem(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes:\n  s: regime\n  D_m: policy\n  Y_m: mesa\n  Y_b: base\n"
                   "edges:\n  - s -> D_m\n  - D_m -> Y_mesa\n  - Y_b -> Y_b\n"
                   "regime: s\nquery:\n  base: Y_b\n  mesa: Y_m\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "check", str(bad))
    assert (code, out) == (2, "")
    assert err == (
        "error: 2 problems:\n"
        f"  {bad}:8 edges[1]: unknown node 'Y_mesa' in \"D_m -> Y_mesa\" (did you mean 'Y_m'?) "
        "[E_UNKNOWN_NODE]\n"
        f"  {bad}:9 edges[2]: self-loop \"Y_b -> Y_b\" (a node cannot be its own cause; remove it)"
        " [E_SELF_LOOP]\n")


def test_check_unknown_regime_override_exits_2(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "two.yaml").write_text(TWO_REGIMES, encoding="utf-8")
    code, out, err = run_cli(capsys, "check", str(tmp_path / "two.yaml"), "--regime", "A")
    assert (code, out) == (2, "")
    assert err == ("error: 1 problem:\n  <query on two_regimes> regime[0]: 'A' is not a "
                   "declared regime node (declared: s, t) [E_REGIME_UNDECLARED]\n")


def test_check_negative_limit_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["check", "graphs/coinrun.yaml", "--limit", "-1"])
    out, err = capsys.readouterr()
    assert (stopped.value.code, out) == (2, "")
    assert "--limit: expected a whole number >= 0, found '-1'" in err


@pytest.mark.parametrize("argv", [
    ["check"],
    ["check", "graphs/coinrun.yaml", "--format", "pdf"],
    ["check", "graphs/coinrun.yaml", "--limit", "x"],
    ["validate"],
    ["frobnicate"],
    [],
])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    out, err = capsys.readouterr()
    assert caught.value.code == 2
    assert out == ""
    assert "usage: causal-align" in err


# --- check: formats

def test_check_format_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", "graphs/coinrun.yaml", "--format", "json")
    assert (code, err) == (1, "")
    assert out == _report("coinrun", "json")
    data = json.loads(out)
    assert data["graph"] == "coinrun"
    assert data["aligned"] is False
    assert data["open_paths"][0]["path"] == "s -> C -> Y_b"


def test_check_format_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", "graphs/aligned_proxy.yaml", "--format", "markdown")
    assert (code, err) == (0, "")
    assert out == _report("aligned_proxy", "markdown")
    assert out.startswith("# aligned_proxy: ALIGNED\n\n**Query:** (Y_b ⊥ s | Y_m) in G_σ\n")


# --- check: query overrides

def test_base_override(capsys: pytest.CaptureFixture[str]) -> None:
    # Visit is a child of Y_m only: Y_m screens it off, and the latent Y_m <-> Y_b is blocked at
    # the collider Y_b, which is not conditioned on.
    code, out, err = run_cli(capsys, "check", "graphs/confounded_proxy.yaml", "--base", "Visit")
    assert (code, err) == (0, "")
    assert "query: (Visit ⊥ s | Y_m) in G_σ\n" in out
    assert out == _report("confounded_proxy", base="Visit")


def test_base_override_comma_separated_equals_repeated(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "graphs/confounded_proxy.yaml", "--base", "Y_b, Visit")
    assert code == 1
    assert "query: (Visit, Y_b ⊥ s | Y_m) in G_σ\n" in out
    assert _paths(out) == ["s -> Layout -> Y_m <-> Y_b"]
    repeated = run_cli(capsys, "check", "graphs/confounded_proxy.yaml", "--base", "Visit",
                    "--base", "Y_b")
    assert repeated == (1, out, "")


def test_mesa_override_comma_separated_monitors_more(capsys: pytest.CaptureFixture[str]) -> None:
    # The report's own repair for coinrun: also condition on C and L.
    code, out, err = run_cli(capsys, "check", "graphs/coinrun.yaml", "--mesa", "Y_m,C,L")
    assert (code, err) == (0, "")
    assert "query: (Y_b ⊥ s | C, L, Y_m) in G_σ\n" in out
    assert _paths(out) == []


def test_empty_mesa_override(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", "graphs/aligned_proxy.yaml", "--mesa", "")
    assert (code, err) == (1, "")
    assert "query: (Y_b ⊥ s | ∅) in G_σ\n" in out
    assert "s -> Layout -> Y_m -> Y_b" in _paths(out)
    assert out == _report("aligned_proxy", mesa=[])


def test_empty_mesa_override_opens_the_causal_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "graphs/confounded_proxy.yaml", "--mesa", "")
    assert code == 1
    assert _paths(out) == ["s -> Layout -> Y_m -> Visit -> Y_b"]
    assert "Y_m is a chain (Layout -> Y_m -> Visit), not conditioned on" in out


@pytest.mark.parametrize(("regime", "code", "query"), [
    (None, 1, "(Y_b ⊥ s, t | Y_m)"),
    ("t", 0, "(Y_b ⊥ t | Y_m)"),
    ("s", 1, "(Y_b ⊥ s | Y_m)"),
    ("t,s", 1, "(Y_b ⊥ s, t | Y_m)"),
])
def test_regime_override(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                         regime: str | None, code: int, query: str) -> None:
    graph = tmp_path / "two.yaml"
    graph.write_text(TWO_REGIMES, encoding="utf-8")
    argv = ["check", str(graph)] + ([] if regime is None else ["--regime", regime])
    found, out, err = run_cli(capsys, *argv)
    assert (found, err) == (code, "")
    assert f"query: {query} in G_σ\n" in out
    assert _paths(out) == ([] if code == 0 else ["s -> A -> Y_b"])


# --- check: σ overrides

def test_sigma_override_without_the_cue_is_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", "graphs/deceptive_cue.yaml", "--sigma", "D_m=Prompt")
    assert (code, err) == (0, "")
    assert "σ: D_m reads Prompt\n   edges removed: none\n   edges added by the context: none\n" in out
    assert out == _report("deceptive_cue", sigma=[SoftIntervention("D_m", ["Prompt"])])


def test_sigma_override_with_the_cue_matches_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "graphs/deceptive_cue.yaml", "--sigma", "D_m=Prompt,Cue")
    assert code == 1
    assert out == _report("deceptive_cue")


def test_sigma_open_loop(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", "graphs/deceptive_cue.yaml", "--sigma", "D_m=")
    assert (code, err) == (0, "")
    assert ("σ: D_m reads nothing (open loop)\n   edges removed: Prompt -> D_m\n"
            "   edges added by the context: none\n") in out


def test_sigma_override_adds_context_edges(capsys: pytest.CaptureFixture[str]) -> None:
    # aligned_proxy's policy reading the layout directly: Layout -> D_m is σ-added.
    code, out, _ = run_cli(capsys, "check", "graphs/aligned_proxy.yaml", "--sigma", "D_m=Obs,Layout")
    assert "   edges added by the context: Layout -> D_m\n" in out
    assert code == 0  # D_m still only reaches Y_b through Y_m


def test_no_sigma_restores_the_cut_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", "graphs/sigma_cuts_cue.yaml", "--no-sigma")
    assert (code, err) == (1, "")
    assert "σ: none (G_σ = G, a plain transportability check)\n" in out
    assert _paths(out) == ["s -> Tag -> D_m -> Y_b", "s -> Tag -> D_m -> Y_m <- Disease -> Y_b",
                           "s -> Tag -> D_m <- Obs <- Disease -> Y_b"]


def test_no_sigma_removes_the_cue_edge(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "graphs/deceptive_cue.yaml", "--no-sigma")
    assert code == 0
    assert out == _report("deceptive_cue", sigma=[])


# --- check: --limit and -o

def test_limit_one_lists_one_path_and_says_more_exist(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "graphs/coinrun.yaml", "--limit", "1")
    assert code == 1
    assert _paths(out) == ["s -> C -> Y_b"]
    assert "1 open path given Y_m, shortest first (more exist: raise the limit to list them):\n" in out


def test_limit_equal_to_the_number_of_paths_is_not_truncated(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "graphs/coinrun.yaml", "--limit", "7")
    assert code == 1
    assert len(_paths(out)) == 7
    assert "7 open paths given Y_m, shortest first:\n" in out
    assert "more exist" not in out


def test_limit_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "check", "graphs/coinrun.yaml", "--limit", "2", "--format", "json")
    data = json.loads(out)
    assert (len(data["open_paths"]), data["truncated"]) == (2, True)


def test_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    code, out, err = run_cli(capsys, "check", "graphs/coinrun.yaml", "--format", "markdown",
                          "-o", str(target))
    assert (code, out, err) == (1, "", "")
    assert target.read_text(encoding="utf-8") == _report("coinrun", "markdown")


def test_output_file_is_not_written_on_bad_input(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    code, out, _ = run_cli(capsys, "check", "graphs/coinrun.yaml", "--base", "Nope",
                        "--output", str(target))
    assert (code, out) == (2, "")
    assert not target.exists()


def test_unwritable_output_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "check", "graphs/coinrun.yaml",
                          "-o", str(tmp_path / "no-such-dir" / "report.txt"))
    assert (code, out) == (2, "")
    assert err.startswith("error: ")


# --- validate

def test_validate_every_example(capsys: pytest.CaptureFixture[str]) -> None:
    files = [f"graphs/{name}.yaml" for name in GRAPHS]
    code, out, err = run_cli(capsys, "validate", *files)
    assert (code, err) == (0, "")
    listed = [line.split(": ok (")[0] for line in out.splitlines()]
    assert listed == [*files, f"{len(files)} of {len(files)} files valid"]
    assert "graphs/coinrun.yaml: ok (8 nodes, 11 edges)\n" in out
    assert "graphs/transport_age_shift.yaml: ok (5 nodes, 7 edges)\n" in out
    assert "graphs/coinrun_model.yaml: ok (8 nodes, 11 edges, with a model)\n" in out


def test_validate_a_mix_lists_every_problem(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cycle = tmp_path / "cycle.yaml"
    cycle.write_text("nodes:\n  s: regime\n  A: a\n  B: b\nedges:\n  - s -> A\n  - A -> B\n"
                     "  - B -> A\nregime: s\n", encoding="utf-8")
    typos = tmp_path / "typos.yaml"
    typos.write_text("nodes:\n  s: regime\n  Y_m: mesa\n  Y_b: base\nedges:\n  - s -> Y_mm\n"
                     "  - Y_m -> Y_bb\nregime: s\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    code, out, err = run_cli(capsys, "validate", "graphs/coinrun.yaml", str(cycle), str(typos),
                          str(missing), "graphs/aligned_proxy.yaml")
    assert code == 2
    assert out == ("graphs/coinrun.yaml: ok (8 nodes, 11 edges)\n"
                   "graphs/aligned_proxy.yaml: ok (8 nodes, 9 edges)\n")
    assert err == (
        "error: 1 problem:\n"
        f"  {cycle}:7 edges[1]: directed cycle A -> B -> A (remove one of its edges) [E_CYCLE]\n"
        "error: 2 problems:\n"
        f"  {typos}:6 edges[0]: unknown node 'Y_mm' in \"s -> Y_mm\" (did you mean 'Y_m'?) "
        "[E_UNKNOWN_NODE]\n"
        f"  {typos}:7 edges[1]: unknown node 'Y_bb' in \"Y_m -> Y_bb\" (did you mean 'Y_b'?) "
        "[E_UNKNOWN_NODE]\n"
        "error: 1 problem:\n"
        f"  {missing}: cannot read the file: No such file or directory [E_FILE]\n"
        "2 of 5 files valid\n")


# --- the installed script

def test_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "causal-align"
    assert script.exists(), f"{script} is not installed: pip install -e ."
    checked = subprocess.run([str(script), "check", "graphs/coinrun.yaml"], cwd=ROOT,
                             capture_output=True, encoding="utf-8", check=False)
    assert (checked.returncode, checked.stderr) == (1, "")
    assert checked.stdout == _report("coinrun")
    bad = subprocess.run([str(script), "check", str(tmp_path / "missing.yaml")], cwd=ROOT,
                         capture_output=True, encoding="utf-8", check=False)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("error: 1 problem:\n")


def test_format_svg_writes_the_picture(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "graphs/coinrun.yaml", "--format", "svg")
    assert code == 1 and out.startswith("<svg") and 'class="edge path1' in out


def _png_size(image: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header chunk (IHDR, right after the signature)."""
    import struct

    assert image[:8] == b"\x89PNG\r\n\x1a\n" and image[12:16] == b"IHDR"
    width, height = struct.unpack(">II", image[16:24])
    return width, height


def test_format_png_writes_the_picture_to_a_file(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    target = tmp_path / "coinrun.png"
    code, out, err = run_cli(capsys, "check", "graphs/coinrun.yaml", "--format", "png", "-o",
                             str(target))
    assert (code, out, err) == (1, "", "")
    width, height = _png_size(target.read_bytes())
    assert 100 < width < 5000 and 100 < height < 5000
    code, _, _ = run_cli(capsys, "check", "graphs/coinrun.yaml", "--mesa", "Y_m,C,L", "--format",
                         "png", "-o", str(target))
    assert code == 0 and _png_size(target.read_bytes())[0] > 100


def test_format_png_goes_to_a_pipe_but_never_to_a_terminal(tmp_path: Path) -> None:
    import os
    import pty

    command = [sys.executable, "-c", "import sys; from causal_align.cli import run; run()",
               "check", "graphs/coinrun.yaml", "--format", "png"]
    piped = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    assert piped.returncode == 1 and piped.stderr == b""
    assert _png_size(piped.stdout)[0] > 100
    leader, follower = pty.openpty()
    try:
        shown = subprocess.run(command, cwd=ROOT, stdout=follower, stderr=subprocess.PIPE,
                               check=False)
    finally:
        os.close(follower)
        os.close(leader)
    assert shown.returncode == 2
    assert b"not for a terminal: give -o FILE.png" in shown.stderr


def test_format_png_refuses_a_query_file_and_a_missing_graphviz(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    queries = tmp_path / "queries.yaml"
    queries.write_text("queries:\n  - {name: a, base: Y_b}\n  - {name: b, base: Y_b, mesa: []}\n",
                       encoding="utf-8")
    code, out, err = run_cli(capsys, "check", "graphs/coinrun.yaml", "--query-file",
                             str(queries), "--format", "png", "-o", str(tmp_path / "q.png"))
    assert (code, out) == (2, "") and "draws one picture" in err
    code, out, err = run_cli(capsys, "check", "graphs/coinrun.yaml", "--query-file",
                             str(queries), "--format", "svg")
    assert (code, out) == (2, "") and "--format html" in err  # never two roots in one SVG
    monkeypatch.setenv("CAUSAL_ALIGN_DOT", str(tmp_path / "no-such-dot"))
    code, out, err = run_cli(capsys, "check", "graphs/coinrun.yaml", "--format", "png", "-o",
                             str(tmp_path / "x.png"))
    assert (code, out) == (2, "") and "pictures are unavailable" in err
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "q.png").exists()


def test_the_version_option_prints_the_installed_version(
        capsys: pytest.CaptureFixture[str]) -> None:
    import argparse
    from importlib.metadata import version

    from causal_align.cli.options import version_option

    parser = argparse.ArgumentParser(prog="causal-align")
    version_option(parser)
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"causal-align {version('causal_align')}\n"


def test_causal_align_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.startswith("causal-align ")


def test_a_query_file_as_one_html_page(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "graphs/deceptive_cue.yaml", "--query-file",
                           "docs/queries_deceptive_cue.yaml", "--format", "html")
    assert code == 1
    assert out.count("<!DOCTYPE html>") == 1 and out.count("<section id=") == 3
    assert "<h2>query: as filed</h2>" in out and 'id="q1-row-1"' in out
    assert 'id="q2-row-1"' not in out  # the second query is aligned: no open path
    assert "<title>deceptive_cue: 2 of 3 queries aligned</title>" in out


def test_printable_spells_symbols_in_ascii() -> None:
    import io

    from causal_align.cli.options import printable

    ascii_stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert printable("∅ ⊥ σ … λ", ascii_stream) == "{} _||_ sigma ... lambda"
    assert printable("\udcff ∀", ascii_stream) == "\\udcff \\u2200"
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert printable("∅ ⊥ σ", utf8) == "∅ ⊥ σ"


def test_every_command_exits_2_on_any_failure_of_ours() -> None:
    """Whatever family added it, each command's run is wrapped by ``failing_safely`` (through
    ``limit_options``, which the parser calls for every command)."""
    import argparse

    from causal_align.cli.main import parser

    top = parser()
    commands = next(action for action in top._actions
                    if isinstance(action, argparse._SubParsersAction))
    assert {"check", "validate", "gap"} <= set(commands.choices)
    for name, command in commands.choices.items():
        assert getattr(command.get_default("run"), "fails_safely", False), name


@pytest.mark.parametrize("format", ["text", "markdown", "json", "html"])
def test_check_shows_the_incentives_of_a_graph_with_a_utility(
        capsys: pytest.CaptureFixture[str], format: str) -> None:
    code, out, _ = run_cli(capsys, "check", "graphs/zoo/coinrun.yaml", "--format", format)
    assert code == 1
    if format == "json":
        assert json.loads(out)["incentives"]["incentives"]["decision"] == "Move"
    elif format == "markdown":
        assert "## Incentives of `Move`" in out
    else:
        assert "Incentives of Move (utility: GotCoin)" in out
    plain_graph = run_cli(capsys, "check", "graphs/coinrun.yaml", "--format", format)[1]
    assert "Incentives of" not in plain_graph and '"incentives"' not in plain_graph


def test_the_report_never_replaces_the_file_it_reads(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    graph = tmp_path / "g.yaml"
    text = (ROOT / "graphs" / "coinrun.yaml").read_text(encoding="utf-8")
    graph.write_text(text, encoding="utf-8")
    for argv in (["check", str(graph), "-o", str(tmp_path / "." / "g.yaml")],
                 ["gap", str(graph), "-o", str(graph)]):
        code, out, err = run_cli(capsys, *argv)
        assert (code, out) == (2, "") and "is the input file" in err
    assert graph.read_text(encoding="utf-8") == text


def test_an_uncertain_edges_file_has_an_html_page(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", "graphs/uncertain/warehouse_edges.yaml",
                             "--format", "html")
    assert (code, err) == (3, "") and out.startswith("<!DOCTYPE html>")
    assert "P(aligned) = 0.684" in out and "Content-Security-Policy" in out


def test_validate_reads_every_bundled_file_with_the_layer_it_needs(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    files = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "graphs").rglob("*.yaml"))
    code, out, err = run_cli(capsys, "validate", *files)
    assert (code, err) == (0, "") and out.endswith(f"{len(files)} of {len(files)} files valid\n")
    assert "graphs/uncertain/tutoring_cpdag.yaml: ok (5 nodes, 2 edges, 2 undirected" in out
    assert "graphs/candidates/warehouse.yaml: ok (3 candidate diagrams)" in out
    broken = tmp_path / "partial.yaml"
    broken.write_text("nodes: {s: '', A: ''}\nregime: s\nedges: [s -> A, A -- Z]\n",
                      encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", str(broken))
    assert code == 2 and "unknown node 'Z' in \"A -- Z\"" in err and "[E_UNKNOWN_NODE]" in err


def test_a_command_that_needs_one_diagram_says_why_it_refuses_an_uncertain_one(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "sigma-rule", "graphs/uncertain/tutoring_cpdag.yaml",
                             "--rule", "1")
    assert (code, out) == (2, "") and "'Motivation -- Plan' is an undirected edge" in err
    assert "malformed" not in err
    code, out, err = run_cli(capsys, "gap", "graphs/uncertain/tutoring_background.yaml")
    assert (code, out) == (2, "") and "belong to an uncertain diagram" in err
