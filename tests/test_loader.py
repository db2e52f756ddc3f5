"""Tests of causal_align.loader: broken files and their exact messages, round trips, Python parity.

``tests/bad_yaml/`` holds one small broken graph file per problem, ``NAME.yaml``, beside
``NAME.err``: the exact text of ``str(error)`` for the :class:`GraphSpecError` that
``load_graph("tests/bad_yaml/NAME.yaml")`` raises when run from the repository root. To add a
case, write the ``.yaml``, run the loader, *read* the message (file, line, location, the offending
text, a fix), and save what the message should be in the ``.err``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from causal_align import (
    CausalGraph,
    Edge,
    GraphSpecError,
    Limits,
    SoftIntervention,
    dump_graph,
    load_graph,
    parse_graph,
)

TESTS = Path(__file__).parent
REPO = TESTS.parent
BAD = TESTS / "bad_yaml"
CASES = sorted(path.stem for path in BAD.glob("*.yaml"))
EXAMPLES = sorted((REPO / "graphs").glob("*.yaml"))

WHOLE_FILE_CODES = {"E_FILE", "E_TOO_LARGE"}
"""Codes about the file as a whole, which carry no line number."""

SEMANTIC_CODES = {
    "E_CONTEXT_HAS_TARGET", "E_CYCLE", "E_DUPLICATE_EDGE", "E_DUPLICATE_ITEM", "E_EDGE_SYNTAX",
    "E_EMPTY_SET", "E_INVALID_NAME", "E_QUERY_OVERLAP", "E_REGIME_NOT_EXOGENOUS",
    "E_REGIME_UNDECLARED", "E_SELF_LOOP", "E_SIGMA_CYCLE", "E_SIGMA_DUPLICATE",
    "E_SIGMA_ON_REGIME", "E_UNKNOWN_NODE",
}
"""Codes raised by the checks of the graph's meaning, shared by files and Python."""


def expected_message(name: str) -> str:
    return (BAD / f"{name}.err").read_text(encoding="utf-8").rstrip("\n")


def expected_codes(name: str) -> list[str]:
    return re.findall(r"\[(E_[A-Z_]+)\]$", expected_message(name), flags=re.MULTILINE)


def load_error(name: str, monkeypatch: pytest.MonkeyPatch) -> GraphSpecError:
    monkeypatch.chdir(REPO)
    with pytest.raises(GraphSpecError) as info:
        load_graph(f"tests/bad_yaml/{name}.yaml")
    return info.value


# --- tests/bad_yaml/: every broken file beside its exact message ------------------------------


def test_the_bad_yaml_folder_is_complete() -> None:
    errs = sorted(path.stem for path in BAD.glob("*.err"))
    assert len(CASES) >= 40
    assert [name for name in CASES if name not in errs] == [], "a .yaml without its .err"
    assert [name for name in errs if name not in CASES] == [], "an .err without its .yaml"


@pytest.mark.parametrize("name", CASES)
def test_bad_yaml_message(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    error = load_error(name, monkeypatch)
    assert str(error) == expected_message(name)


@pytest.mark.parametrize("name", CASES)
def test_bad_yaml_problems_are_positioned(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    error = load_error(name, monkeypatch)
    line_count = len((BAD / f"{name}.yaml").read_bytes().splitlines())
    assert error.problems, "a GraphSpecError must carry at least one problem"
    assert isinstance(error, ValueError)
    for problem in error.problems:
        assert re.fullmatch(r"E_[A-Z_]+", problem.code), problem
        assert problem.source == f"tests/bad_yaml/{name}.yaml"
        if problem.code in WHOLE_FILE_CODES:
            continue
        assert problem.line is not None, f"no line number: {problem}"
        assert 1 <= problem.line <= max(line_count, 1), f"line out of the file: {problem}"
    lines = [problem.line or 0 for problem in error.problems]
    assert lines == sorted(lines), "problems must be listed in line order"


def test_every_error_code_has_a_bad_yaml_case() -> None:
    used: set[str] = set()
    for source in (REPO / "causal_align").glob("*.py"):
        # the core only: each layer's inputs have their own cases (test_interop, test_parameters
        # with tests/bad_models, test_data_check, test_samples_reader, test_naturalness);
        # errors.py names codes only in its examples
        if source.name != "errors.py":
            used |= set(re.findall(r'"(E_[A-Z_]+)"', source.read_text(encoding="utf-8")))
    assert {"E_CYCLE", "E_UNKNOWN_NODE", "E_YAML_SYNTAX"} <= used, "the code search found nothing"
    used = {code for code in used if not code.startswith("E_MODEL_")}  # see test_parameters
    covered = {code for name in CASES for code in expected_codes(name)}
    # E_FILE needs a file that does not exist: see test_missing_file.
    assert sorted(used - covered - {"E_FILE"}) == []


def test_missing_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    with pytest.raises(GraphSpecError) as info:
        load_graph("tests/bad_yaml/no_such_file.yaml")
    assert [problem.code for problem in info.value.problems] == ["E_FILE"]
    assert str(info.value) == (
        "1 problem:\n"
        "  tests/bad_yaml/no_such_file.yaml: cannot read the file: No such file or directory "
        "[E_FILE]")


def test_a_directory_is_not_a_graph_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    with pytest.raises(GraphSpecError) as info:
        load_graph("graphs")
    assert [problem.code for problem in info.value.problems] == ["E_FILE"]
    assert info.value.problems[0].source == "graphs"


# --- encodings and hostile input -----------------------------------------------------------------

VALID = """\
nodes:
  s: regime
  X: cause
  Y_m: mesa
  Y_b: base
edges:
  - s -> X
  - X -> Y_m
  - Y_m -> Y_b
regime: s
query: {base: Y_b, mesa: Y_m}
"""


def test_a_utf8_bom_is_skipped(tmp_path: Path) -> None:
    plain, with_bom = tmp_path / "plain" / "g.yaml", tmp_path / "bom" / "g.yaml"
    plain.parent.mkdir()
    with_bom.parent.mkdir()
    plain.write_bytes(VALID.encode("utf-8"))
    with_bom.write_bytes(b"\xef\xbb\xbf" + VALID.encode("utf-8"))
    graph = load_graph(with_bom)
    assert graph == load_graph(plain)
    assert graph.nodes == ("s", "X", "Y_m", "Y_b")
    assert graph.name == "g"


def test_a_utf8_bom_keeps_line_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("g.yaml").write_bytes(b"\xef\xbb\xbf" + VALID.replace("X -> Y_m", "X -> Y_mesa").encode())
    with pytest.raises(GraphSpecError) as info:
        load_graph("g.yaml")
    assert str(info.value) == (
        "1 problem:\n"
        "  g.yaml:8 edges[1]: unknown node 'Y_mesa' in \"X -> Y_mesa\" (did you mean 'Y_m'?) "
        "[E_UNKNOWN_NODE]")


@pytest.mark.parametrize(("opening", "middle", "closing"), [("[", "", "]"), ("{a: ", "1", "}")],
                         ids=["sequences", "mappings"])
def test_deep_nesting_is_refused_without_crashing(tmp_path: Path, opening: str, middle: str,
                                                  closing: str) -> None:
    # Run in a child process: libyaml's composer recurses in C and can kill the interpreter.
    depth = 100_000
    text = f"nodes: {opening * depth}{middle}{closing * depth}\nedges: []\nregime: s\n"
    (tmp_path / "deep.yaml").write_text(text, encoding="utf-8")
    script = ("import causal_align\n"
              "try:\n"
              "    causal_align.load_graph('deep.yaml')\n"
              "except causal_align.GraphSpecError as error:\n"
              "    print(error)\n")
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=environment,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"the interpreter died (exit {run.returncode}): {run.stderr[-500:]}"
    assert run.stdout == (
        "1 problem:\n  deep.yaml:1: nested deeper than 64 levels [E_TOO_DEEP]\n")


@pytest.mark.parametrize("depth", [999, 1_500])
def test_a_depth_limit_above_the_parsers_own_is_reported_as_the_parsers(depth: int) -> None:
    # libyaml 0.2.5 (PyYAML 6.0.4) refuses 1,000 levels itself, older ones do not: either way the
    # same E_TOO_DEEP, naming the depth that applies.
    text = f"nodes: {{s: r}}\nedges: []\nregime: s\ndescription: {'[' * depth}{']' * depth}\n"
    with pytest.raises(GraphSpecError) as info:
        parse_graph(text, limits=Limits(max_depth=5_000))
    assert [(p.code, p.message, p.line) for p in info.value.problems] == [
        ("E_TOO_DEEP", "nested deeper than 999 levels", 4)]


def test_parse_graph_names_the_string_source() -> None:
    with pytest.raises(GraphSpecError) as info:
        parse_graph(VALID.replace("regime: s", "regime: X"))
    assert str(info.value) == (
        "1 problem:\n"
        "  <string>:10 regime: regime node 'X' has parents s (a regime node is exogenous: remove "
        "the edges into it) [E_REGIME_NOT_EXOGENOUS]")


# --- round trips ----------------------------------------------------------------------------------


def test_there_are_example_graphs() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_round_trip(path: Path) -> None:
    graph = load_graph(path)
    text = dump_graph(graph)
    again = parse_graph(text)
    assert again == graph
    assert dump_graph(again) == text
    assert again.edges == graph.edges and again.sigma == graph.sigma


def test_round_trip_of_every_feature() -> None:
    graph = CausalGraph(
        {"s": "regime: training (0) or deployment (1)", "t": "", "C": "'quoted' \"cue\" #1",
         "O": "!important, café", "D_m": "decision", "D2": "", "Y_m": "null", "Y_b": "yes"},
        ["s -> C", "t -> O", "C -> O", "O -> D_m", "D_m -> Y_m", "C <-> Y_b", "Y_m -> Y_b",
         "O -> D2"],
        regime=["s", "t"], query_regime=["t"], base="Y_b", mesa="Y_m",
        sigma=[SoftIntervention("D_m", context=["O", "C"]), SoftIntervention("D2", context=[])],
        name="every feature", description="multi\nline: description")
    again = parse_graph(dump_graph(graph))
    assert again == graph
    assert again.labels == graph.labels
    assert again.sigma[1].context == ()
    assert again.query_regime == frozenset({"t"})
    assert again.spouses("C") == ("Y_b",)


def test_equality_sees_the_difference_between_no_context_and_an_empty_one() -> None:
    def build(context: list[str] | None) -> CausalGraph:
        return CausalGraph.from_edges(["s -> O", "O -> D"], regime="s",
                                      sigma=[SoftIntervention("D", context=context)])

    assert build(None) != build([])
    assert parse_graph(dump_graph(build(None))) == build(None)
    assert parse_graph(dump_graph(build([]))) == build([])


# --- graphs built in Python run the same checks ---------------------------------------------------


def python_error(**arguments: Any) -> GraphSpecError:
    with pytest.raises(GraphSpecError) as info:
        CausalGraph(**arguments)
    for problem in info.value.problems:
        assert problem.source == "<python>" and problem.line is None
    return info.value


def test_python_cycle() -> None:
    with pytest.raises(GraphSpecError) as info:
        CausalGraph.from_edges(["s -> A", "A -> B", "B -> C", "C -> A"], regime="s")
    assert str(info.value) == (
        "1 problem:\n"
        "  <python> edges[1]: directed cycle A -> B -> C -> A (remove one of its edges) [E_CYCLE]")


def test_python_regime_with_parent() -> None:
    with pytest.raises(GraphSpecError) as info:
        CausalGraph.from_edges(["X -> s", "s -> Y"], regime="s")
    assert str(info.value) == (
        "1 problem:\n"
        "  <python> regime: regime node 's' has parents X (a regime node is exogenous: remove the "
        "edges into it) [E_REGIME_NOT_EXOGENOUS]")


def test_python_unknown_regime_node() -> None:
    error = python_error(nodes=["s", "A"], edges=["s -> A"], regime=["s", "s1"])
    assert str(error) == (
        "1 problem:\n"
        "  <python> regime[1]: unknown node 's1' (did you mean 's'?) [E_UNKNOWN_NODE]")


def test_python_malformed_edges_are_all_listed() -> None:
    with pytest.raises(GraphSpecError) as info:
        CausalGraph.from_edges(["s -> A", "A => B", "B <- A"], regime="s")
    assert str(info.value) == (
        "2 problems:\n"
        "  <python> edges[1]: malformed edge 'A => B': expected \"A -> B\" (cause -> effect) or "
        "\"A <-> B\" (latent common cause) [E_EDGE_SYNTAX]\n"
        "  <python> edges[2]: malformed edge 'B <- A': write it cause first, as \"A -> B\" "
        "[E_EDGE_SYNTAX]")


def test_python_edge_objects_are_checked() -> None:
    error = python_error(nodes=["s", "A"], edges=[Edge("s", "A"), Edge("A", "Z")], regime="s")
    assert str(error) == (
        "1 problem:\n"
        "  <python> edges[1]: unknown node 'Z' in \"A -> Z\" (add it to the graph's nodes) "
        "[E_UNKNOWN_NODE]")


def test_python_edge_that_is_not_a_string() -> None:
    error = python_error(nodes=["s", "A"], edges=["s -> A", 5], regime="s")
    assert str(error) == (
        "1 problem:\n"
        "  <python> edges[1]: an edge must be a string like \"A -> B\", found int 5 "
        "[E_EDGE_SYNTAX]")


def test_python_context_given_as_one_string_is_one_node() -> None:
    # Like regime=, base= and mesa=, a single string names one node, not its letters.
    assert SoftIntervention("D_m", context="Obs").context == ("Obs",)


def python_arguments(data: dict[str, Any]) -> dict[str, Any]:
    """What the loader would pass to CausalGraph for a (schema-valid) graph file."""
    query = data.get("query") or {}
    return {
        "nodes": {name: label or "" for name, label in data["nodes"].items()},
        "edges": data["edges"], "regime": data["regime"],
        "sigma": [SoftIntervention(item["target"], item.get("context"))
                  for item in data.get("sigma") or []],
        "base": query.get("base"), "mesa": query.get("mesa"),
        "query_regime": query.get("regime"),
    }


# type_node_name_number: the loader keeps the key as the text "42"; yaml.safe_load makes it an int.
PARITY_CASES = [name for name in CASES if name != "type_node_name_number"
                and set(expected_codes(name)) <= SEMANTIC_CODES]


def test_there_are_parity_cases() -> None:
    assert {"cycle", "regime_with_parent", "unknown_node_regime", "sigma_cycle",
            "many_problems"} <= set(PARITY_CASES)


@pytest.mark.parametrize("name", PARITY_CASES)
def test_python_graphs_get_the_same_problems_as_files(name: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load((BAD / f"{name}.yaml").read_text(encoding="utf-8"))
    from_python = python_error(**python_arguments(data))
    from_file = load_error(name, monkeypatch)

    def described(error: GraphSpecError) -> list[tuple[str, str, str]]:
        # the one difference: the fix for an unknown name speaks of the file's nodes: key
        return sorted((problem.code, problem.location, problem.message.replace(
            "(add it to the graph's nodes)", "(declare it under nodes:)"))
            for problem in error.problems)

    assert described(from_python) == described(from_file)


def test_mapping_keys_are_read_as_written() -> None:
    """YAML 1.1 reads `no:` as False; a node name is text, so the loader keeps the key as written."""
    graph = parse_graph("nodes: {s: regime, no: a node called no}\nedges: [s -> no]\nregime: s")
    assert graph.nodes == ("s", "no")
    assert graph.children("s") == ("no",)


@pytest.mark.parametrize("graph", [
    CausalGraph.from_edges(["s -> A", "A -> M"], regime="s", mesa="M"),
    CausalGraph.from_edges(["s -> A", "t -> A"], regime=["s", "t"], query_regime="s"),
    CausalGraph.from_edges(["s -> A", "A -> B"], regime="s", base="B"),
], ids=["mesa-without-base", "regime-without-base-or-mesa", "base-only"])
def test_every_graph_python_accepts_dumps_to_a_file_that_loads_back_equal(
        graph: CausalGraph) -> None:
    assert parse_graph(dump_graph(graph)) == graph


@pytest.mark.parametrize("key", ["base", "mesa", "regime"])
def test_an_empty_string_is_never_a_set_of_nodes(key: str) -> None:
    """One rule for every key: null (or no key) is the default, [] is the empty set, and ''
    is refused, in a file and in Python alike."""
    with pytest.raises(GraphSpecError) as in_file:
        parse_graph(f"nodes: {{s: r, A: a, B: b}}\nedges: [s -> A]\nregime: s\n"
                    f"query: {{base: B, {key}: ''}}\n" if key != "base" else
                    "nodes: {s: r, A: a, B: b}\nedges: [s -> A]\nregime: s\nquery: {base: ''}\n")
    assert [(p.code, p.location) for p in in_file.value.problems] == [("E_TYPE", f"query.{key}")]
    arguments = {"base": "B", "regime": "s"} | {"mesa" if key == "mesa" else
                                                "query_regime" if key == "regime" else "base": ""}
    with pytest.raises(GraphSpecError, match="'' is not a node name"):
        CausalGraph.from_edges(["s -> A"], nodes=["B"], **arguments)  # type: ignore[arg-type]
    nulls = parse_graph("nodes: {s: r, A: a, B: b}\nedges: [s -> A]\nregime: s\n"
                        "query: {base: B, mesa: null, regime: null}\n")
    assert (nulls.mesa, nulls.query_regime) == (frozenset(), frozenset({"s"}))
