"""Hostile and accidental input: every case gets a CausalAlignError, fast and in bounded memory.

Each test names the exact error code and the part of the message a user needs, and counts the
function calls made against a bound linear in the input's size (:func:`linear`), so that a
regression to quadratic or exponential behaviour fails instead of passing slowly; no test
measures time (the machines are shared and noisy). Cases that could crash the interpreter
(deep nesting: libyaml recurses in C) run in a child process.

The limits (:class:`~causal_align.loader.Limits`) are tested both ways: over the limit the file
is refused with a message naming the flag that raises it, and with the limit raised the same file
loads.

The million-node chain runs only when ``CI=true`` (it takes about two minutes); a 100,000-node
chain, far beyond any recursion limit, runs always (about 10 s).
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from work import bounded_calls

from causal_align import (
    CausalAlignError,
    CausalGraph,
    GraphSpecError,
    Limits,
    Problem,
    SoftIntervention,
    check_inner_alignment,
    load_graph,
    parse_graph,
)
from causal_align.cli.main import main

REPO = Path(__file__).parent.parent
PER_UNIT, FIXED = 10, 50_000
"""Function calls a hostile input may make: :data:`PER_UNIT` per character (or item) and
:data:`FIXED` for the rest. Loading a file makes one call per few hundred characters and at most
four per character of a huge name; a quadratic regression makes thousands."""
MiB = 2**20
DEFAULTS = Limits()

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


def linear(size: int) -> int:
    """The calls allowed for an input of ``size`` characters or items: a few per unit."""
    return PER_UNIT * size + FIXED


@contextmanager
def within(calls: int) -> Iterator[None]:
    with bounded_calls(calls):
        yield


def codes(error: GraphSpecError) -> list[str]:
    return [problem.code for problem in error.problems]


def refused(text: str, *, limits: Limits = DEFAULTS, calls: int | None = None) -> GraphSpecError:
    """The GraphSpecError that parse_graph raises for ``text``, within ``calls`` (default:
    linear in its length)."""
    with within(linear(len(text)) if calls is None else calls), pytest.raises(GraphSpecError) as info:
        parse_graph(text, limits=limits)
    return info.value


def load_refused(path: Path, *, limits: Limits = DEFAULTS,
                 calls: int | None = None) -> GraphSpecError:
    """The GraphSpecError that load_graph raises for ``path``, within ``calls`` (default: linear
    in the file's size)."""
    with within(linear(path.stat().st_size) if calls is None else calls), pytest.raises(GraphSpecError) as info:
        load_graph(path, limits=limits)
    return info.value


def only(error: GraphSpecError) -> str:
    """The message of the single problem in ``error``."""
    assert len(error.problems) == 1, str(error)
    return error.problems[0].message


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- aliases: "billion laughs" --------------------------------------------------------------------


def laughs(levels: int, *, mapping: bool = False, where: str = "description") -> str:
    """A graph whose ``where`` holds ``levels`` levels of tenfold aliases (10**levels values)."""
    if mapping:
        first = "{" + ", ".join(f"k{i}: lol" for i in range(10)) + "}"
    else:
        first = "[" + ", ".join(["lol"] * 10) + "]"
    lines = [f"- &a0 {first}"]
    for level in range(1, levels):
        refs = [f"*a{level - 1}"] * 10
        body = ("{" + ", ".join(f"k{i}: {ref}" for i, ref in enumerate(refs)) + "}" if mapping
                else "[" + ", ".join(refs) + "]")
        lines.append(f"- &a{level} {body}")
    if where == "nodes":  # as the label of node X
        return "nodes:\n  s: regime\n  X:\n" + "".join(f"    {line}\n" for line in lines) + \
            "edges: []\nregime: s\n"
    head = {"nodes": "nodes: {s: regime}\n", "edges": "edges: []\n", "regime": "regime: s\n"}
    head.pop(where, None)
    return "".join(head.values()) + f"{where}:\n" + "".join(f"  {line}\n" for line in lines)


@pytest.mark.parametrize(("levels", "mapping", "where"), [
    (9, False, "description"), (9, True, "description"), (30, False, "description"),
    (9, False, "edges"), (9, False, "nodes"),
], ids=["lists-1e9", "mappings-1e9", "lists-1e30", "in-edges", "in-nodes"])
def test_billion_laughs_is_refused(levels: int, mapping: bool, where: str) -> None:
    error = refused(laughs(levels, mapping=mapping, where=where), calls=FIXED)
    assert codes(error) == ["E_TOO_LARGE"]
    assert "aliases expand to more than 100,000 values (an alias bomb?" in only(error)
    assert error.problems[0].line is not None


def test_many_aliases_to_one_big_anchor_are_refused() -> None:
    # Not exponential, just wide: 20 aliases of a 10,000-item list (quadratic in the file size).
    big = "[" + ", ".join(["x"] * 10_000) + "]"
    text = (f"nodes: {{s: regime}}\nedges: []\nregime: s\ndescription:\n  - &big {big}\n"
            + "".join("  - *big\n" for _ in range(20)))
    error = refused(text)
    assert codes(error) == ["E_TOO_LARGE"]
    assert error.problems[0].line == 5 + 10  # the alias that crossed 100,000


ALIASED = """\
nodes: {s: regime, A: '', B: '', C: '', D: '', P: policy, Q: policy, Y_b: base}
edges: [s -> A, A -> B, B -> C, C -> D, A -> P, B -> P, C -> P, D -> P, P -> Q, Q -> Y_b,
        A -> Q, B -> Q, C -> Q, D -> Q]
regime: &regime s
sigma:
  - {target: P, context: &reads [A, B, C, D]}
  - {target: Q, context: *reads}
query: {base: Y_b, regime: *regime}
"""
"""Aliases used honestly: ``*reads`` adds 5 values (the list and its 4 items), ``*regime`` 1."""


def test_the_alias_limit_refuses_and_raising_it_loads_the_same_file() -> None:
    error = refused(ALIASED, limits=Limits(max_alias_values=5))
    assert codes(error) == ["E_TOO_LARGE"]
    assert "aliases expand to more than 5 values" in only(error)
    graph = parse_graph(ALIASED, limits=Limits(max_alias_values=6))
    assert graph.sigma == (SoftIntervention("P", ["A", "B", "C", "D"]),
                           SoftIntervention("Q", ["A", "B", "C", "D"]))
    assert graph == parse_graph(ALIASED.replace("*reads", "[A, B, C, D]").replace("*regime", "s"))


def test_the_alias_message_says_how_to_raise_the_limit() -> None:
    # The other limits say "(raise it with --max-nodes or Limits(max_nodes=...))".
    message = only(refused(laughs(9)))
    assert "max_alias_values" in message


def test_the_cli_can_raise_the_alias_limit(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # The issue asks for flags to raise every limit, alias expansion included.
    path = write(tmp_path / "aliased.yaml", ALIASED)
    assert main(["validate", str(path), "--max-alias-values", "5"]) == 2
    assert "E_TOO_LARGE" in capsys.readouterr().err
    assert main(["validate", str(path), "--max-alias-values", "6"]) == 0


# --- deep nesting ---------------------------------------------------------------------------------

DEEP = 100_000


@pytest.mark.parametrize(("body", "line"), [
    ("[" * DEEP + "]" * DEEP, 4),
    ("{a: " * DEEP + "1" + "}" * DEEP, 4),
    ("\n" + "- " * DEEP + "x", 5),
    ("[{a: " * (DEEP // 2) + "1" + "}]" * (DEEP // 2), 4),
    ("[" * DEEP, 4),  # never closed
], ids=["flow-lists", "flow-mappings", "block-lists", "alternating", "unclosed"])
def test_deep_nesting_is_refused_in_a_child_process(tmp_path: Path, body: str, line: int) -> None:
    # libyaml's composer and some parsers recurse in C: a crash would take pytest down with it.
    write(tmp_path / "deep.yaml", f"nodes: {{s: r}}\nedges: []\nregime: s\ndescription: {body}\n")
    script = ("import causal_align\n"
              "try:\n"
              "    causal_align.load_graph('deep.yaml')\n"
              "except causal_align.CausalAlignError as error:\n"
              "    print(error)\n")
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=environment,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, f"the interpreter died (exit {run.returncode}): {run.stderr[-500:]}"
    assert "nested deeper than 64 levels [E_TOO_DEEP]" in run.stdout, run.stdout[-500:]
    assert run.stdout.startswith(f"1 problem:\n  deep.yaml:{line}: ")


def test_the_depth_limit_refuses_and_raising_it_loads_the_same_file() -> None:
    # root mapping > sigma list > one intervention > its context list: 4 levels
    text = VALID + "sigma: [{target: X, context: [s]}]\n"
    error = refused(text, limits=Limits(max_depth=3))
    assert codes(error) == ["E_TOO_DEEP"]
    assert only(error).startswith("nested deeper than 3 levels")
    assert parse_graph(text, limits=Limits(max_depth=4)).sigma == (SoftIntervention("X", ["s"]),)


# --- size -----------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse where the file system allows: nothing is written
        handle.truncate(Limits().max_bytes + 1)
    tracemalloc.start()
    try:
        error = load_refused(path, calls=FIXED)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MiB, f"{peak:,} bytes allocated: the file was read before its size was checked"
    assert codes(error) == ["E_TOO_LARGE"]
    assert only(error) == ("the file is 67,108,865 bytes, more than the limit of 67,108,864 "
                           "(raise it with --max-bytes or Limits(max_bytes=...))")


def test_a_small_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path / "g.yaml", VALID + "# padding\n" * 100_000)
    tracemalloc.start()
    try:
        error = load_refused(path, limits=Limits(max_bytes=1000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000, f"{peak:,} bytes allocated: the file was read before its size check"
    assert codes(error) == ["E_TOO_LARGE"]
    assert "more than the limit of 1,000 (raise it with --max-bytes" in only(error)


def test_a_real_70_mb_file_is_refused_and_loads_with_the_limit_raised(tmp_path: Path) -> None:
    # A valid graph padded with comments to 70 MB, over the default 64 MiB.
    path = tmp_path / "padded.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(VALID)
        line = "# " + "padding " * 12 + "\n"
        handle.write(line * (70_000_000 // len(line)))
    assert path.stat().st_size > Limits().max_bytes
    error = load_refused(path, calls=FIXED)
    assert codes(error) == ["E_TOO_LARGE"]
    assert "raise it with --max-bytes" in only(error)
    with within(linear(path.stat().st_size)):
        graph = load_graph(path, limits=Limits(max_bytes=100_000_000))
    assert graph.nodes == ("s", "X", "Y_m", "Y_b")


def test_text_over_the_size_limit_is_refused() -> None:
    error = refused(VALID, limits=Limits(max_bytes=100))
    assert codes(error) == ["E_TOO_LARGE"]
    assert only(error) == ("the text is 140 characters, more than the limit of 100 (raise it "
                           "with --max-bytes or Limits(max_bytes=...))")
    assert parse_graph(VALID, limits=Limits(max_bytes=140)).nodes == ("s", "X", "Y_m", "Y_b")


def test_a_50_mb_binary_file_is_refused_quickly(tmp_path: Path) -> None:
    noise = random.Random(0).randbytes(MiB)
    path = write(tmp_path / "noise.yaml", noise * 50)
    error = load_refused(path)
    assert codes(error) == ["E_ENCODING"]
    assert only(error).startswith("not UTF-8 text: byte ")


def test_a_50_mb_description_loads(tmp_path: Path) -> None:
    path = write(tmp_path / "long.yaml", VALID + "description: " + "blah " * 10_000_000 + "\n")
    with within(linear(path.stat().st_size)):
        graph = load_graph(path)
    assert len(graph.description) == 50_000_000 - 1


# --- bytes and characters -------------------------------------------------------------------------


def test_random_binary_bytes_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "random.yaml", random.Random(1).randbytes(4096))
    error = load_refused(path)
    assert codes(error) == ["E_ENCODING"]
    assert error.problems[0].line is not None


@pytest.mark.parametrize(("data", "message", "line"), [
    ("nodes:\n  s: caf\xe9\n".encode("latin-1"),
     "not UTF-8 text: byte 15 is 0xe9 (save the file as UTF-8)", 2),
    (VALID.encode("utf-16"), "not UTF-8 text: byte 0 is 0xff (save the file as UTF-8)", 1),
    (VALID.encode("utf-8") + b"# \xc3\x28\n",
     "not UTF-8 text: byte 142 is 0xc3 (save the file as UTF-8)", 12),
    (b"nodes: {s: \xed\xa0\x80}\n", "not UTF-8 text: byte 11 is 0xed (save the file as UTF-8)", 1),
], ids=["latin-1", "utf-16", "truncated-sequence", "encoded-surrogate"])
def test_bytes_that_are_not_utf8_are_refused(tmp_path: Path, data: bytes, message: str,
                                             line: int) -> None:
    error = load_refused(write(tmp_path / "g.yaml", data))
    assert codes(error) == ["E_ENCODING"]
    assert only(error) == message
    assert error.problems[0].line == line


@pytest.mark.parametrize("character", ["\0", "\x07", "\x1b", "\x7f"],
                         ids=["NUL", "BEL", "ESC", "DEL"])
def test_control_characters_are_refused_with_a_line(tmp_path: Path, character: str) -> None:
    path = write(tmp_path / "g.yaml", VALID.replace("Y_m: mesa", f"Y_m: me{character}sa"))
    error = load_refused(path)
    assert codes(error) == ["E_YAML_SYNTAX"]
    problem = error.problems[0]
    assert "control character" in problem.message
    # one problem per line of output, positioned like every other problem
    assert "\n" not in problem.message, repr(problem.message)
    assert problem.line == 4, str(problem)


def test_a_lone_surrogate_in_text_is_refused() -> None:
    # Only parse_graph can see one: load_graph's UTF-8 decoding refuses encoded surrogates.
    error = refused(VALID.replace("Y_m: mesa", "Y_m: me\ud800sa"))
    assert codes(error) == ["E_YAML_SYNTAX"] or codes(error) == ["E_ENCODING"]


# --- one megabyte names ---------------------------------------------------------------------------

HUGE = "N" * MiB


@pytest.mark.parametrize(("text", "code", "fix"), [
    (VALID.replace("  X: cause", f"  X: cause\n  {HUGE}: big"), "E_YAML_SYNTAX", ""),  # key > 1024
    (VALID.replace("  X: cause", f"  X: cause\n  ? {HUGE}\n  : big"), "E_INVALID_NAME",
     "at most 200 characters)"),
    (VALID.replace("s -> X", f"s -> {HUGE}"), "E_UNKNOWN_NODE", "(declare it under nodes:)"),
    (VALID.replace("s -> X", f"{HUGE} -> X"), "E_UNKNOWN_NODE", "(declare it under nodes:)"),
    (VALID.replace("s -> X", f"s => {HUGE}"), "E_EDGE_SYNTAX", "(latent common cause)"),
    (VALID.replace("regime: s", f"regime: {HUGE}"), "E_UNKNOWN_NODE", "(declare it under nodes:)"),
    (VALID.replace("base: Y_b", f"base: {HUGE}"), "E_UNKNOWN_NODE", "(declare it under nodes:)"),
    (VALID + f"sigma: [{{target: {HUGE}}}]\n", "E_UNKNOWN_NODE", "(declare it under nodes:)"),
    (VALID + f"sigma: [{{target: X, context: [{HUGE}]}}]\n", "E_UNKNOWN_NODE",
     "(declare it under nodes:)"),
    (VALID + f"? {HUGE}\n: 1\n", "E_UNKNOWN_KEY", "(expected one of: "),
    (VALID.replace("  X: cause", f"  X: {{{HUGE}: 1}}"), "E_YAML_SYNTAX", ""),
], ids=["node-key", "node-explicit-key", "edge-head", "edge-tail", "edge-syntax", "regime",
        "query-base", "sigma-target", "sigma-context", "top-level-key", "label-key"])
def test_a_megabyte_name_gets_a_short_message(text: str, code: str, fix: str) -> None:
    error = refused(text)
    assert codes(error) == [code]
    assert len(str(error)) < 2000, f"{len(str(error)):,} characters"
    # the name is cut, not the explanation: what to do survives
    assert fix in only(error), only(error)[-200:]


def test_a_megabyte_name_declared_and_used_gets_one_short_message() -> None:
    text = f"nodes:\n  s: regime\n  ? {HUGE}\n  : big\nedges: [s -> {HUGE}]\nregime: s\n"
    error = refused(text)
    assert codes(error) == ["E_INVALID_NAME"]
    assert "at most 200 characters" in str(error)
    assert len(str(error)) < 2000


def test_a_megabyte_label_is_fine() -> None:
    text = VALID.replace("X: cause", f"X: {HUGE}")
    with within(linear(len(text))):
        graph = parse_graph(text)
    assert graph.labels["X"] == HUGE


# --- whitespace, BOMs, empty and odd documents ----------------------------------------------------


@pytest.mark.parametrize(("text", "line"), [
    (VALID.replace("  s: regime", "\ts: regime"), 2),
    (VALID.replace("  X: cause", "\tX: cause"), 3),
    (VALID.replace("  - s -> X", "\t- s -> X"), 7),
    ("nodes:\n\ts: regime\n", 2),
], ids=["first-key", "second-key", "list-item", "short"])
def test_tabs_for_indentation_are_refused(text: str, line: int) -> None:
    error = refused(text)
    assert codes(error) == ["E_YAML_SYNTAX"]
    assert "tab character" in only(error)
    assert error.problems[0].line == line


def test_a_tab_gets_a_hint() -> None:
    error = refused(VALID.replace("  s: regime", "\ts: regime"))
    assert str(error.problems[0]) == ("<string>:2: not valid YAML, column 1: found a tab character "
                                      "(YAML indents with spaces, not tabs) [E_YAML_SYNTAX]")


def test_tabs_between_tokens_are_fine() -> None:
    graph = parse_graph(VALID.replace("s: regime", "s:\tregime").replace("{base: Y_b",
                                                                          "{base:\tY_b"))
    assert graph == parse_graph(VALID)


def test_a_bom_then_a_valid_graph_loads(tmp_path: Path) -> None:
    graph = load_graph(write(tmp_path / "g.yaml", b"\xef\xbb\xbf" + VALID.encode()))
    assert graph.nodes == ("s", "X", "Y_m", "Y_b")
    assert parse_graph("\ufeff" + VALID) == parse_graph(VALID)


def test_a_bom_then_an_invalid_graph_keeps_its_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "g.yaml", b"\xef\xbb\xbf" + VALID.replace("- X -> Y_m",
                                                                       "- X -> Y_mesa").encode())
    error = load_refused(path)
    assert codes(error) == ["E_UNKNOWN_NODE"]
    assert error.problems[0].line == 8
    assert only(error) == "unknown node 'Y_mesa' in \"X -> Y_mesa\" (did you mean 'Y_m'?)"


def test_two_boms_are_refused() -> None:
    assert codes(refused("\ufeff\ufeff" + VALID)) == ["E_YAML_SYNTAX"]


@pytest.mark.parametrize("data", [b"", b"   \n\n      \n", b"# just\n# comments\n",
                                  b"\xef\xbb\xbf", b"\xef\xbb\xbf# comment\n", b"---\n", b"~\n",
                                  b"\r\n\r\n"],
                         ids=["empty", "whitespace", "comments", "bom", "bom-comment",
                              "document-start", "null", "crlf"])
def test_an_empty_document_is_refused(tmp_path: Path, data: bytes) -> None:
    error = load_refused(write(tmp_path / "g.yaml", data))
    assert codes(error) == ["E_EMPTY_FILE"]
    assert only(error) == "the file is empty (a graph needs nodes:, edges: and regime:)"
    assert error.problems[0].line == 1


@pytest.mark.parametrize(("text", "found"), [
    ("- nodes: {s: r}\n- edges: []\n", "a list"),
    ("[nodes, edges, regime]\n", "a list"),
    ("nodes\n", "a scalar"),
    ("42\n", "a scalar"),
    ("'nodes: {s: r}'\n", "a scalar"),
], ids=["block-list", "flow-list", "word", "number", "quoted"])
def test_a_document_that_is_not_a_mapping_is_refused(text: str, found: str) -> None:
    error = refused(text)
    assert codes(error) == ["E_NOT_MAPPING"]
    assert only(error) == ("the document must be a mapping with nodes:, edges: and regime:, "
                           f"found {found}")


@pytest.mark.parametrize(("text", "line"), [
    ("---\n" + VALID + "---\n" + VALID, 13),
    (VALID + "---\n" + VALID, 12),
    (VALID + "--- x\n", 12),
    (VALID + "...\n---\n{}\n", 13),
], ids=["two-documents", "second-without-first", "second-scalar", "after-end-marker"])
def test_more_than_one_document_is_refused(text: str, line: int) -> None:
    error = refused(text)
    assert codes(error) == ["E_YAML_SYNTAX"]
    assert only(error) == ("more than one YAML document (a graph file holds one; remove the "
                           "second ---)")
    assert error.problems[0].line == line


# --- YAML features a graph file does not use ------------------------------------------------------


@pytest.mark.parametrize(("text", "tag"), [
    (VALID + "name: !!python/object/apply:os.system ['echo owned']\n",
     "tag:yaml.org,2002:python/object/apply:os.system"),
    (VALID + "name: !!python/name:os.system\n", "tag:yaml.org,2002:python/name:os.system"),
    (VALID.replace("X: cause", "X: !custom cause"), "!custom"),
    (VALID.replace("query: {", "query: !q {"), "!q"),
    (VALID.replace("X: cause", "X: !!binary Y2F1c2U="), "tag:yaml.org,2002:binary"),
    (VALID.replace("regime: s", "regime: !!set {s}"), "tag:yaml.org,2002:set"),
    ("%TAG !e! tag:example.com,2000:\n---\n" + VALID.replace("edges:", "edges: !e!list"),
     "tag:example.com,2000:list"),
], ids=["python-apply", "python-name", "local", "local-on-mapping", "binary", "set",
        "tag-directive"])
def test_unknown_tags_are_refused(text: str, tag: str) -> None:
    error = refused(text)
    assert codes(error) == ["E_YAML_FEATURE"]
    assert only(error).startswith(f"unknown tag {tag!r} (remove it")


@pytest.mark.parametrize("text", [
    "base: &base {s: regime, X: cause}\nnodes:\n  <<: *base\nedges: [s -> X]\nregime: s\n",
    "nodes: {s: regime, X: cause}\nedges: [s -> X]\nregime: s\nquery:\n  <<: {base: X}\n",
], ids=["alias", "inline"])
def test_merge_keys_are_refused(text: str) -> None:
    error = refused(text)
    assert codes(error) == ["E_YAML_FEATURE"]
    assert only(error) == "merge keys (<<) are not supported (write the keys out)"


@pytest.mark.parametrize("value", [
    "!!int ''", "!!int +", "!!int _", "!!float ''", "!!float _", "!!bool maybe", "!!bool ''",
    "!!int abc", "!!float abc",
])
def test_a_tagged_scalar_that_is_not_of_its_type_is_refused(value: str) -> None:
    error = refused(VALID + f"name: {value}\n")
    assert codes(error) == ["E_YAML_FEATURE"]
    assert "(remove the tag or fix the value)" in only(error)
    assert error.problems[0].line == 12


def loads_or_refuses(text: str) -> GraphSpecError | None:
    """parse_graph either loads ``text`` or raises GraphSpecError, in calls linear in its length."""
    with within(linear(len(text))):
        try:
            parse_graph(text)
        except GraphSpecError as error:
            return error
    return None


@pytest.mark.parametrize("value", [
    "0b" + "1" * 20_000, "0x" + "f" * 10_000, "0" + "7" * 10_000, "1" + ":59" * 5_000,
    "!!int 0b" + "1" * 20_000,
], ids=["binary", "hex", "octal", "sexagesimal", "tagged-binary"])
def test_a_huge_integer_where_text_belongs(value: str) -> None:
    # Such integers cannot be printed with repr (Python's 4,300-digit limit): the loader may
    # keep them as text (a valid name) or refuse them, but only with a GraphSpecError.
    error = loads_or_refuses(VALID + f"name: {value}\n")
    if error is not None:
        assert codes(error) in (["E_TYPE"], ["E_YAML_FEATURE"])
        assert len(str(error)) < 2000
        assert error.problems[0].line == 12


def test_a_huge_plain_number_does_not_blame_a_tag() -> None:
    error = loads_or_refuses(VALID + "name: " + "9" * 5_000 + "\n")
    if error is not None:
        assert len(str(error)) < 2000
        assert "tag" not in only(error), only(error)  # there is no tag to remove


def test_a_long_sexagesimal_number_is_read_in_linear_time() -> None:
    # YAML 1.1 reads 1:2:3 as an integer in base 60; PyYAML's constructor is quadratic in the
    # number of parts (200,000 parts, 600 kB, take about 10 s).
    error = loads_or_refuses(VALID + "name: 1" + ":59" * 200_000 + "\n")
    if error is not None:
        assert error.problems[0].line == 12
        assert len(str(error)) < 2000


@pytest.mark.parametrize(("text", "location", "message"), [
    ("'[key]': 1\n" + VALID, "[key]", "unknown key '[key]' (expected one of: "),
    (VALID.replace("X: cause", "X: {'[key]': 1}"), "nodes.X.[key]",
     "unknown key '[key]' (expected one of: label, observed, position)"),
], ids=["top-level", "under-a-node"])
def test_a_key_spelled_like_pydantics_marker_is_reported_as_itself(text: str, location: str,
                                                                   message: str) -> None:
    # pydantic marks errors about a mapping's keys with the location part "[key]"
    error = refused(text)
    assert codes(error) == ["E_UNKNOWN_KEY"]
    assert error.problems[0].location == location
    assert only(error).startswith(message)


@pytest.mark.parametrize("text", [
    '"a\\nb": 1\n' + VALID,
    VALID.replace("query: {base: Y_b, mesa: Y_m}", 'query: {base: Y_b, "me\\nsa": Y_m}'),
    VALID + "name: !!set a\n\n  b\n",  # an empty line folds into a line break
    VALID + 'name: !custom "a\\nb"\n',
], ids=["top-level-key", "query-key", "tagged-plain", "tagged-quoted"])
def test_every_problem_stays_on_one_line(text: str) -> None:
    # A key or value holding a line break is shown escaped, as in the message's own repr.
    error = refused(text)
    for problem in error.problems:
        assert "\n" not in str(problem), repr(str(problem))


# --- node limit and the command line --------------------------------------------------------------

ELEVEN = ("nodes: {" + ", ".join(f"N{i}: ''" for i in range(11)) + "}\n"
          "edges: [" + ", ".join(f"N0 -> N{i}" for i in range(1, 11)) + "]\nregime: N0\n"
          "query: {base: N10}\n")


def test_too_many_nodes_are_refused_and_raising_the_limit_loads() -> None:
    error = refused(ELEVEN, limits=Limits(max_nodes=10))
    assert codes(error) == ["E_TOO_LARGE"]
    assert only(error) == ("the graph declares more than 10 nodes (raise the limit with "
                           "--max-nodes or Limits(max_nodes=...))")
    assert len(parse_graph(ELEVEN, limits=Limits(max_nodes=11)).nodes) == 11


def test_a_million_nodes_over_a_small_limit_are_refused_quickly() -> None:
    text = "nodes:\n" + "".join(f"  n{i}: ''\n" for i in range(1_000_000)) + "edges: []\n" \
        "regime: n0\n"
    error = refused(text, limits=Limits(max_nodes=10))
    assert codes(error) == ["E_TOO_LARGE"]
    assert "more than 10 nodes (raise the limit with --max-nodes" in only(error)


@pytest.mark.parametrize("command", ["check", "validate"])
def test_the_cli_max_bytes_flag(command: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "g.yaml", VALID)
    assert main([command, str(path), "--max-bytes", "139"]) == 2
    err = capsys.readouterr().err
    assert "the file is 140 bytes, more than the limit of 139 (raise it with --max-bytes" in err
    assert "[E_TOO_LARGE]" in err
    assert main([command, str(path), "--max-bytes", "140"]) == 0


@pytest.mark.parametrize("command", ["check", "validate"])
def test_the_cli_max_nodes_flag(command: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "eleven.yaml", ELEVEN)
    assert main([command, str(path), "--max-nodes", "10"]) == 2
    err = capsys.readouterr().err
    assert "the graph declares more than 10 nodes (raise the limit with --max-nodes" in err
    assert main([command, str(path), "--max-nodes", "11"]) in (0, 1)
    assert "E_TOO_LARGE" not in capsys.readouterr().err


def test_the_cli_refuses_a_negative_limit(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", "g.yaml", "--max-nodes", "-1"])
    assert info.value.code == 2
    assert "expected a whole number >= 0, found '-1'" in capsys.readouterr().err


# --- bounded time and memory for large but legal-looking files ------------------------------------


def test_many_unknown_nodes_are_suggested_for_in_bounded_time() -> None:
    # "did you mean" compares each unknown name with the known ones: it must not be quadratic.
    def text(count: int) -> str:
        return ("nodes: {s: r, " + ", ".join(f"node{i}: ''" for i in range(count)) + "}\n"
                "edges: [" + ", ".join(f"nod{i} -> node{i}" for i in range(count)) +
                "]\nregime: s\n")

    work = []
    for count in (1300, 2600):
        with bounded_calls(10**8) as counted, pytest.raises(GraphSpecError) as info:
            parse_graph(text(count))
        work.append(counted.calls)
        assert set(codes(info.value)) == {"E_UNKNOWN_NODE"}
        assert info.value.problems[0].message.startswith(
            "unknown node 'nod0' in \"nod0 -> node0\"")
    assert work[1] < 2.5 * work[0], f"twice the names, {work[1] / work[0]:.1f} times the calls"


def test_a_long_context_is_checked_in_linear_time() -> None:
    count = 40_000
    reads = [f"n{i}" for i in range(count)]
    text = ("nodes: {s: r, D: '', " + ", ".join(f"{name}: ''" for name in reads) + "}\n"
            "edges: [s -> D]\nregime: s\n"
            "sigma: [{target: D, context: [" + ", ".join(reads) + "]}]\n")
    with within(linear(len(text))):
        graph = parse_graph(text)
    assert graph.sigma[0].context == tuple(reads)


def test_a_long_context_in_python_is_checked_in_linear_time() -> None:
    reads = [f"n{i}" for i in range(40_000)]
    with within(5 * linear(len(reads))):  # about 13 calls per context node
        graph = CausalGraph(["s", "D", *reads], ["s -> D"], regime="s",
                            sigma=[SoftIntervention("D", reads)])
    assert len(graph.sigma[0].context or ()) == 40_000


@pytest.mark.parametrize("filler", [" ", "\t", " \t"], ids=["spaces", "tabs", "mixed"])
def test_a_malformed_edge_full_of_whitespace_is_refused_in_linear_time(filler: str) -> None:
    item = "a" + filler * (40_000 // len(filler)) + "b"
    error = refused(f"nodes: {{s: r, a: x, b: y}}\nedges: ['{item}']\nregime: s\n")
    assert codes(error) == ["E_EDGE_SYNTAX"]
    assert len(str(error)) < 2000


def test_many_problems_give_a_bounded_message() -> None:
    # 200,000 self-loops in 1.8 MB: listing every one would make a message of over 20 MB.
    text = "nodes: {s: r, a: x}\nedges:\n" + "- a -> a\n" * 200_000 + "regime: s\n"
    error = refused(text)
    assert codes(error)[0] == "E_SELF_LOOP"
    assert "edges[0]: self-loop \"a -> a\"" in str(error)
    assert len(str(error)) < 200_000, f"{len(str(error)):,} characters"


def test_many_duplicate_keys_give_a_bounded_message() -> None:
    text = VALID + "name: x\n" * 100_000
    error = refused(text)
    assert codes(error)[0] == "E_DUPLICATE_KEY"
    assert len(str(error)) < 200_000, f"{len(str(error)):,} characters"


MEMORY_SCRIPT = """\
import sys, tracemalloc
import causal_align
MiB = 2**20
shape, levels, size = sys.argv[1], 30, 1_000_000
if shape == "nested":
    body = "".join("{? " + "K" * size + f"{i} : " for i in range(levels)) + "x" + "}" * levels
else:
    body = "{" + ", ".join("? " + "K" * size + f"{i} : x" for i in range(levels)) + "}"
text = "nodes: {s: r}\\nedges: []\\nregime: s\\nextra: " + body + "\\n"
tracemalloc.start()
try:
    causal_align.parse_graph(text)
except causal_align.GraphSpecError as error:
    print(*[problem.code for problem in error.problems])
print(tracemalloc.get_traced_memory()[1] // MiB)
"""


def test_long_keys_nested_deep_cost_memory_linear_in_the_file(tmp_path: Path) -> None:
    # Thirty 1 MB keys, nested (a: {b: {c: ...}}) or side by side: the same 30 MB of text must
    # cost about the same memory; locations like "extra.a.b.c" must not copy every key above.
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    grown: dict[str, int] = {}
    for shape in ("flat", "nested"):
        run = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, shape], cwd=tmp_path,
                             env=environment, capture_output=True, text=True, timeout=120,
                             check=False)
        assert run.returncode == 0, run.stderr[-500:]
        found, megabytes = run.stdout.splitlines()
        assert found == "E_UNKNOWN_KEY"
        grown[shape] = int(megabytes)
    assert grown["nested"] < 2 * grown["flat"] + 16, f"peak MB while parsing: {grown}"


# --- no recursion: long chains --------------------------------------------------------------------


def chain_text(count: int) -> str:
    """s -> V0 -> V1 -> ... -> V{count-2}, σ on the middle node reading its parent."""
    middle = count // 2
    return ("nodes:\n  s: regime\n" + "".join(f"  V{i}: ''\n" for i in range(count - 1))
            + "edges:\n  - s -> V0\n" + "".join(f"  - V{i} -> V{i + 1}\n" for i in range(count - 2))
            + f"regime: s\nsigma:\n  - target: V{middle}\n    context: [V{middle - 1}]\n")


def check_chain(graph: CausalGraph, count: int) -> None:
    last = f"V{count - 2}"
    result = check_inner_alignment(graph, base=last, limit=1)
    assert not result.aligned
    assert len(result.open_paths) == 1
    path = str(result.open_paths[0])
    assert path.startswith("s -> V0 -> V1 -> ") and path.endswith(f" -> {last}")
    assert check_inner_alignment(graph, base=last, mesa=f"V{count // 3}", limit=1).aligned


def test_a_100_000_node_chain_loads_and_is_checked() -> None:
    count = 100_000
    graph = parse_graph(chain_text(count))
    assert len(graph.nodes) == count
    check_chain(graph, count)


@pytest.mark.skipif(os.environ.get("CI") != "true",
                    reason="about 2 minutes: runs in CI (CI=true); the 100,000-node chain runs "
                           "always")
def test_a_million_node_chain_loads_and_is_checked(tmp_path: Path) -> None:
    count = 1_000_000
    path = write(tmp_path / "chain.yaml", chain_text(count))
    graph = load_graph(path)
    assert len(graph.nodes) == count
    check_chain(graph, count)


def test_every_hostile_error_is_a_causal_align_error() -> None:
    # The base class callers catch: GraphSpecError is a CausalAlignError is a ValueError.
    error = refused("")
    assert isinstance(error, CausalAlignError) and isinstance(error, ValueError)


# ===================================================================== issue 10: the second round
#
# Each class of hostile input, with the cost measured (calls or memory, never time). Children
# run what needs a process limit (file size, memory) or a kill.

CLI = [sys.executable, "-c", "import sys; from causal_align.cli.main import run; "
       "sys.argv[0] = 'causal-align'; run()"]
"""``causal-align`` in a child process (the repository root as its working folder)."""


def child(*argv: str, env: dict[str, str] | None = None, **options: object
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *argv], cwd=REPO, text=True, capture_output=True,
                          env={**os.environ, **(env or {})}, check=False, **options)  # type: ignore[call-overload,no-any-return]


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """The peak of Python's allocations inside the block, in bytes (filled in at the end)."""
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


# --------------------------------------------------------------- non-regular files, every reader

SMALL = Limits(max_bytes=100_000)


def read_with(reader: str, path: Path, limits: Limits) -> object:
    """Each reader of a file: the graph, the query file, the model, the CSV table."""
    if reader == "graph":
        return load_graph(path, limits=limits)
    if reader == "queries":
        from causal_align.loader import load_queries

        return load_queries(path, parse_graph(VALID), limits=limits)
    if reader == "model":
        from causal_align.quantities.parameters import load_model

        return load_model(path, limits=limits)
    from causal_align.samples.reader import read_table

    return read_table(path, limits=limits)


READERS = ("graph", "queries", "model", "csv")


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_device_is_refused_after_the_limit(reader: str, device: str) -> None:
    with peak_memory() as peak, pytest.raises(GraphSpecError) as raised:
        read_with(reader, Path(device), SMALL)
    assert str(raised.value.problems[0]) == (
        f"{device}: the input goes on past the limit of 100,000 bytes (not a regular file; "
        "raise the limit with --max-bytes or Limits(max_bytes=...)) [E_TOO_LARGE]")
    assert peak[0] < 4 * SMALL.max_bytes + 16 * MiB  # the first call imports the reader too


def test_dev_zero_at_the_default_limit_costs_the_limit_and_no_more() -> None:
    with peak_memory() as peak, pytest.raises(GraphSpecError, match="E_TOO_LARGE"):
        load_graph(Path("/dev/zero"))
    assert peak[0] < DEFAULTS.max_bytes + 4 * MiB, f"{peak[0]:,} bytes"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("reader", READERS)
def test_a_fifo_without_a_writer_reads_as_empty_instead_of_hanging(reader: str,
                                                                   fifo: Path) -> None:
    with pytest.raises(GraphSpecError) as raised:
        read_with(reader, fifo, SMALL)
    assert codes(raised.value)[0] in {"E_EMPTY_FILE", "E_EMPTY_DATA"}, \
        str(raised.value)


@pytest.mark.parametrize("reader", READERS)
def test_a_fifo_that_sends_too_much_is_refused(reader: str, fifo: Path) -> None:
    writer = os.open(fifo, os.O_RDWR)  # a writer that never ends its stream
    try:
        os.write(writer, b"a" * 4096)
        with pytest.raises(GraphSpecError, match="goes on past the limit of 1,000 bytes"):
            read_with(reader, fifo, Limits(max_bytes=1000))
    finally:
        os.close(writer)


def test_the_cli_refuses_devices_for_the_graph_and_the_query_file(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/dev/urandom", "--max-bytes", "1000"]) == 2
    assert "/dev/urandom: the input goes on past the limit of 1,000 bytes" in capsys.readouterr().err
    assert main(["check", str(REPO / "graphs" / "coinrun.yaml"), "--query-file", "/dev/zero",
                 "--max-bytes", "10000"]) == 2
    assert "/dev/zero: the input goes on past the limit" in capsys.readouterr().err


def test_a_directory_is_refused() -> None:
    with pytest.raises(GraphSpecError, match=r"cannot read the file: Is a directory \[E_FILE\]"):
        load_graph(REPO / "graphs")


def test_standard_input_is_read_as_dash() -> None:
    graph = (REPO / "graphs" / "aligned_proxy.yaml").read_text(encoding="utf-8")
    done = child("check", "-", input=graph)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("aligned_proxy: ALIGNED") or done.stdout.startswith(
        "stdin: ALIGNED")
    done = child("validate", "-", input=graph)
    assert done.returncode == 0 and done.stdout.startswith("-: ok (")
    done = child("check", "-", "--max-bytes", "100", input=graph)
    assert done.returncode == 2
    assert "<stdin>: the input goes on past the limit of 100 bytes" in done.stderr


# ------------------------------------------------------------------- atomic writes, full disks

FSIZE_SCRIPT = """\
import resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
from causal_align.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize(("argv", "suffix"), [
    (["check", "graphs/coinrun.yaml", "--format", "dot"], ".dot"),
    (["check", "graphs/coinrun.yaml", "--format", "html"], ".html"),
    (["gap", "graphs/aligned_proxy_model.yaml", "--format", "json"], ".json"),
    (["sweep", "graphs/aligned_proxy_model.yaml", "--steps", "3"], ".svg"),
])
def test_a_write_over_the_file_size_limit_keeps_the_old_file(tmp_path: Path, argv: list[str],
                                                              suffix: str) -> None:
    target = tmp_path / f"report{suffix}"
    target.write_text("the old report\n", encoding="utf-8")
    target.chmod(0o640)
    done = subprocess.run([sys.executable, "-c", FSIZE_SCRIPT, "1000", *argv, "-o",
                           str(target)], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert "cannot write" in done.stderr and "Traceback" not in done.stderr
    assert target.read_text(encoding="utf-8") == "the old report\n"
    assert sorted(os.listdir(tmp_path)) == [target.name]  # no temporary file left behind
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_complete_write_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o604)
    assert main(["check", str(REPO / "graphs" / "aligned_proxy.yaml"), "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("aligned_proxy: ALIGNED")
    assert target.stat().st_mode & 0o777 == 0o604
    assert os.listdir(tmp_path) == ["report.txt"]


KILL_SCRIPT = """\
import os, signal, sys
from pathlib import Path
from causal_align.limits import write_atomically

def half_then_killed(temporary):
    Path(temporary).write_text("half a rep")
    os.kill(os.getpid(), signal.SIGKILL)

write_atomically(sys.argv[1], half_then_killed)
"""


def test_a_kill_half_way_through_a_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("the old report", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(target)], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert done.returncode == -9
    assert target.read_text(encoding="utf-8") == "the old report"
    stray = [name for name in os.listdir(tmp_path) if name != target.name]
    assert len(stray) == 1 and stray[0].startswith(".report.html.") and stray[0].endswith(".tmp")


SLOW_DOT = """#!/bin/sh
touch "$MARKER"
exec sleep 600
"""


def test_a_report_killed_while_it_renders_leaves_the_old_file(tmp_path: Path) -> None:
    dot, marker = tmp_path / "slow-dot", tmp_path / "started"
    dot.write_text(SLOW_DOT, encoding="utf-8")
    dot.chmod(0o755)
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    target.write_text("the old report", encoding="utf-8")
    process = subprocess.Popen([*CLI, "check", "graphs/coinrun.yaml", "--format", "html", "-o",
                                str(target)], cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True,
                               env={**os.environ, "CAUSAL_ALIGN_DOT": str(dot),
                                    "MARKER": str(marker)})
    try:
        while not marker.exists() and process.poll() is None:
            subprocess.run(["sleep", "0.05"], check=False)
    finally:
        os.killpg(process.pid, 9)
        process.wait()
    assert marker.exists()
    assert target.read_text(encoding="utf-8") == "the old report"
    assert os.listdir(target.parent) == ["report.html"]


# ------------------------------------------------------------------------ exit codes that lie

@pytest.mark.parametrize("argv", [["check", "graphs/aligned_proxy.yaml"],
                                  ["check", "graphs/coinrun.yaml"],
                                  ["validate", "graphs/aligned_proxy.yaml"],
                                  ["gap", "graphs/aligned_proxy_model.yaml"]])
def test_a_failed_write_to_standard_output_exits_2(argv: list[str]) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run([*CLI, *argv], cwd=REPO, stdout=full, stderr=subprocess.PIPE,
                              text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr


def closed_pipe_run(*argv: str) -> int:
    """Run with standard output and error on a pipe whose reader is gone (``2>&1 | head -1``
    after ``head`` has exited)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run([*CLI, *argv], cwd=REPO, stdout=writer, stderr=writer,
                              check=False).returncode
    finally:
        os.close(writer)


@pytest.mark.parametrize("argv", [["check", "graphs/no-such-file.yaml"],
                                  ["validate", "graphs/no-such-file.yaml"],
                                  ["gap", "graphs/no-such-file.yaml"],
                                  ["check", "graphs/coinrun.yaml", "--base", "Nope"]])
def test_bad_input_exits_2_when_the_pipe_closes_early(argv: list[str]) -> None:
    assert closed_pipe_run(*argv) == 2


def test_a_reader_that_leaves_early_does_not_change_the_verdict() -> None:
    """``causal-align check g.yaml | head -1``: the report was delivered as far as it was read;
    the verdict stands (0 aligned, 1 not)."""
    assert closed_pipe_run("check", "graphs/aligned_proxy.yaml") == 0
    assert closed_pipe_run("check", "graphs/coinrun.yaml") == 1


def test_an_ascii_terminal_gets_ascii_spellings() -> None:
    done = child("check", "graphs/coinrun.yaml", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 1, done.stderr
    assert "query: (Y_b _||_ s | Y_m) in G_sigma" in done.stdout
    done.stdout.encode("ascii")


def test_a_file_name_that_is_not_utf8_is_printed_escaped(tmp_path: Path) -> None:
    name = os.fsencode(str(tmp_path)) + b"/graph-\xff.yaml"
    with open(name, "wb") as handle:
        handle.write((REPO / "graphs" / "aligned_proxy.yaml").read_bytes())
    done = subprocess.run([*CLI, "validate", name], cwd=REPO, capture_output=True, check=False,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, done.stderr
    assert b"graph-\\udcff.yaml: ok (" in done.stdout


def test_a_bug_of_ours_exits_2_not_a_verdict(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from causal_align.cli import check as command

    def broken(*args: object, **kwargs: object) -> object:
        raise TypeError("simulated bug")

    monkeypatch.setattr(command, "check_queries", broken)
    assert main(["check", str(REPO / "graphs" / "aligned_proxy.yaml")]) == 2
    assert "internal error, a bug in causal_align" in capsys.readouterr().err


# ------------------------------------------------------------------ problem lists and key bombs

def test_duplicate_keys_are_counted_in_constant_memory() -> None:
    sizes, peaks = (5_000, 50_000), []
    for size in sizes:
        text = VALID + "name: x\n" * size
        with peak_memory() as peak, pytest.raises(GraphSpecError) as raised:
            parse_graph(text)
        peaks.append(peak[0] - 2 * len(text))
        duplicates = size - 1  # the first name: is fine
        assert len(raised.value.problems) == 1000  # kept; the rest counted
        assert raised.value.more == duplicates - 1000
        assert str(raised.value).splitlines()[0] == f"{duplicates:,} problems:"
        assert str(raised.value).splitlines()[-1] == (
            f"  … and {duplicates - 100:,} more (fix these first)")
    assert peaks[1] < peaks[0] + MiB // 2, peaks  # ten times the problems, no more memory


def test_a_million_unknown_top_level_keys_are_refused_at_the_cap() -> None:
    text = VALID + "".join(f"key{index}: x\n" for index in range(1_000_000))
    with peak_memory() as peak, within(linear(20_000)), pytest.raises(GraphSpecError) as raised:
        parse_graph(text)  # stops at the first key past the cap: work independent of the rest
    assert str(raised.value.problems[0]) == ("<string>:1008: the document has more than 1,000 top-level keys (a "
                           "graph file has about a dozen: nodes, edges, regime, ...) [E_TOO_LARGE]")
    assert peak[0] < 2 * len(text) + 8 * MiB


BOMB_SCRIPT = """\
import resource, sys
limit = 700 * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from causal_align.cli.main import main
code = main(["validate", sys.argv[1]])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
sys.exit(code)
"""


def test_a_problem_list_bomb_is_refused_under_a_memory_limit(tmp_path: Path) -> None:
    count = 5_000_000 if os.environ.get("CI") == "true" else 300_000
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(VALID + "name: x\n" * count, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", BOMB_SCRIPT, str(bomb)], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"error: {count - 1:,} problems:" in done.stderr  # the first name: is fine
    assert f"… and {count - 101:,} more (fix these first)" in done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr


def test_problems_absorbed_from_an_error_keep_their_count() -> None:
    from causal_align.intervention import sigma_graph
    from causal_align.model import Origin
    from causal_align.validate import Problems

    graph = CausalGraph.from_edges(["s -> D", "D -> Y"], regime="s", base="Y")
    with pytest.raises(GraphSpecError) as raised:
        sigma_graph(graph, [SoftIntervention("D", [f"U{index}" for index in range(15_000)])])
    assert len(raised.value.problems) + raised.value.more == 15_000
    problems = Problems(Origin("<test>"))
    problems.absorb(raised.value)
    problems.absorb(GraphSpecError([Problem("E_X", "x")], more=7))
    with pytest.raises(GraphSpecError) as again:
        problems.raise_if_any()
    assert len(again.value.problems) + again.value.more == (
        len(raised.value.problems) + raised.value.more + 1 + 7)


def test_check_inner_alignment_counts_every_sigma_problem() -> None:
    graph = CausalGraph.from_edges(["s -> D", "D -> Y"], regime="s", base="Y")
    with pytest.raises(GraphSpecError) as raised:
        check_inner_alignment(graph, sigma=[SoftIntervention(
            "D", [f"U{index}" for index in range(15_000)])])
    assert str(raised.value).startswith("15,000 problems:")


# ----------------------------------------------------------------------------- limits and numbers

@pytest.mark.parametrize("field", ["max_bytes", "max_nodes", "max_alias_values", "max_depth",
                                   "max_expanded_edges"])
@pytest.mark.parametrize("value", [-1, 1.5, "10", True])
def test_a_limit_must_be_a_whole_number_at_least_0(field: str, value: object) -> None:
    with pytest.raises(CausalAlignError, match=rf"Limits\({field}=\.\.\.\) must be a whole "
                                               r"number >= 0, found"):
        Limits(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "value"), [("6e-1", 0.6), ("1e-7", 1e-7), ("-2E+3", -2000.0),
                                             ("1.5e3", 1500.0)])
def test_a_number_in_exponent_notation_is_a_number(text: str, value: float) -> None:
    from causal_align.yamldoc import read_yaml

    data, _ = read_yaml(f"a: {text}\nb: '{text}'\nc: e5\n", "<string>", DEFAULTS)
    assert data == {"a": value, "b": text, "c": "e5"}


@pytest.mark.parametrize("argv", [["sweep", "graphs/aligned_proxy_model.yaml", "--steps",
                                   "1000000000"],
                                  ["sweep", "graphs/aligned_proxy_model.yaml", "--steps", "1e11"],
                                  ["simulate", "graphs/aligned_proxy.yaml", "--draws", "1e11"]])
def test_huge_counts_are_refused_before_any_work(argv: list[str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "expected a whole number from" in capsys.readouterr().err


def test_an_empty_query_file_is_refused(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    queries = tmp_path / "queries.yaml"
    queries.write_text("queries: []\n", encoding="utf-8")
    assert main(["check", str(REPO / "graphs" / "coinrun.yaml"), "--query-file",
                 str(queries)]) == 2
    assert "the query file lists no queries" in capsys.readouterr().err


# ---------------------------------------------------------------- injection into what we write

SPOOF = "demo\nmodel: ALIGNED\x1b[2J\x1b]0;owned\x07\u202e"


def spoofed(name: str = SPOOF, label: str = "<img src=x onerror=alert(1)>"):  # type: ignore[no-untyped-def]
    return check_inner_alignment(CausalGraph.from_edges(
        ["s -> _x_", "_x_ -> Y_b", "_x_ -> Y_m"], regime="s", base="Y_b", mesa="Y_m",
        name=name, nodes={"_x_": label}))


@pytest.mark.parametrize("format", ["text", "markdown", "dot"])
def test_no_control_character_reaches_a_terminal_or_a_report(format: str) -> None:
    from causal_align import render

    report = render(spoofed(), format)
    assert not any(character in report for character in "\x1b\x07\u202e"), format
    first = report.splitlines()[1 if format == "dot" else 0]
    assert "model: ALIGNED" in first and "x1b" in first and "u202e" in first
    assert len(report.splitlines()) == len(render(spoofed(name="demo"), format).splitlines())


def test_markdown_escapes_names_and_html() -> None:
    from causal_align import render

    report = render(spoofed(name="<script>alert(1)</script> *g*"), "markdown")
    assert not re.search(r"(?<!\\)<", report.replace("<-", "")), "an unescaped <"
    assert "\\<script>" in report and "\\*g\\*" in report
    assert "\\_x\\_" in report and not re.search(r"(?<![\\`> ])_x_", report)  # no italics
    assert "<img" not in report


def test_json_keeps_user_text_exact_and_escaped() -> None:
    import json

    from causal_align import render

    report = render(spoofed(), "json")
    assert "\x1b" not in report and json.loads(report)["graph"] == SPOOF


def test_query_names_are_escaped_in_every_batch_format(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    queries = tmp_path / "queries.yaml"
    queries.write_text('queries:\n  - {name: "q\\nALIGNED\\u001b[2J <script>x</script> _i_", '
                       "base: Y_b}\n", encoding="utf-8")
    for format, needle in (("text", "=== query: q\\nALIGNED\\x1b[2J <script>"),
                           ("markdown", "## query: q\\\\nALIGNED\\\\x1b\\[2J \\<script>"),
                           ("dot", "// query: q\\nALIGNED\\x1b[2J"),
                           ("html", "<h2>query: q\\nALIGNED\\x1b[2J &lt;script&gt;")):
        main(["check", str(REPO / "graphs" / "coinrun.yaml"), "--query-file", str(queries),
              "--format", format])
        out = capsys.readouterr().out
        assert needle in out, format
        assert "\x1b" not in out, format
        assert format in ("text", "dot") or not re.search(r"(?<![\\])<script>x", out), format


MATHTEXT = "price $\\frac{1}{$ x"


def model_graph_named(tmp_path: Path, name: str) -> Path:
    text = (REPO / "graphs" / "aligned_proxy_model.yaml").read_text(encoding="utf-8")
    path = tmp_path / "named.yaml"
    path.write_text(f"name: {json_text(name)}\n" + "\n".join(
        line for line in text.splitlines() if not line.startswith("name:")) + "\n",
        encoding="utf-8")
    return path


def json_text(text: str) -> str:
    import json

    return json.dumps(text)


def test_a_name_with_mathtext_is_drawn_as_plain_text(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    graph = model_graph_named(tmp_path, MATHTEXT)
    assert main(["check", str(graph), "--format", "html", "-o", str(tmp_path / "r.html")]) == 0
    assert main(["sweep", str(graph), "--steps", "3", "-o", str(tmp_path / "s.svg")]) == 0
    assert (tmp_path / "s.svg").stat().st_size > 1000
    assert "Shift sweep" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Traceback" not in capsys.readouterr().err


def test_a_huge_graph_name_costs_no_more_than_a_short_one(tmp_path: Path) -> None:
    from work import bounded_calls as counted

    from causal_align.cli.check import _check  # noqa: F401  (the command's own code path)

    calls = []
    for name in ("short", "n" * 200_000):
        graph = model_graph_named(tmp_path, name)
        with counted(10**9) as work:
            assert main(["check", str(graph), "--format", "html", "-o",
                         str(tmp_path / "r.html")]) == 0
        calls.append(work.calls)
        page = (tmp_path / "r.html").read_text(encoding="utf-8")
        assert len(page) < 400_000
    assert calls[1] < 1.3 * calls[0] + 200_000, calls


def test_an_atomic_write_follows_a_symbolic_link(tmp_path: Path) -> None:
    real, link = tmp_path / "real.txt", tmp_path / "link.txt"
    real.write_text("old", encoding="utf-8")
    link.symlink_to(real)
    assert main(["check", str(REPO / "graphs" / "aligned_proxy.yaml"), "-o", str(link)]) == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("aligned_proxy:")


def test_output_to_a_fifo_or_a_device_is_written_directly(tmp_path: Path) -> None:
    assert main(["check", str(REPO / "graphs" / "aligned_proxy.yaml"), "-o", "/dev/null"]) == 0
    assert Path("/dev/null").is_char_device()


# -- user text in the command line's output stays on its line (review of the third round) --

FAKE = "\nALIGNED: gap 0 everywhere\x1b[31m"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _no_injection(*texts: str) -> None:
    for text in texts:
        assert "\x1b" not in text
        assert not any(line.startswith("ALIGNED: gap 0") for line in text.splitlines())


def test_a_state_name_with_a_line_break_is_refused(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    text = Path("graphs/coinrun_model.yaml").read_text(encoding="utf-8")
    evil = tmp_path / "evil.yaml"
    evil.write_text(text.replace("states: [easy, hard]", 'states: [easy, "hard' +
                                 FAKE.replace("\n", "\\n").replace("\x1b", "\\e") + '"]', 1),
                    encoding="utf-8")
    assert evil.read_text(encoding="utf-8") != text
    code, out, err = _run(capsys, "gap", str(evil), "--mesa", "L")
    assert code == 2 and "E_MODEL_STATES" in err and "control character" in err
    _no_injection(out, err)


def test_a_samples_value_with_a_line_break_stays_on_its_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = ["s,X,Y_m,Y_b"] + [f"{i % 2},{i % 3},{(i // 2) % 2},{(i // 3) % 2}"
                              for i in range(60)]
    rows[1] = f'0,"1{FAKE}",1,0'
    data = tmp_path / "evil.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    graph = tmp_path / "g.yaml"
    graph.write_text("nodes: {s: '', X: '', Y_m: '', Y_b: ''}\nregime: s\n"
                     "edges: [s -> X, X -> Y_m, Y_m -> Y_b]\nquery: {base: Y_b, mesa: Y_m}\n",
                     encoding="utf-8")
    _, out, err = _run(capsys, "naturalness", str(graph), "--x", "Y_b", "--z", "Y_m",
                       "--evidence", "X", "--data", str(data))
    assert out or err
    _no_injection(out, err)


def test_names_of_files_columns_and_graphs_stay_on_their_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    named = tmp_path / f"evil{FAKE}.yaml"
    named.write_text(Path("graphs/coinrun.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = _run(capsys, "validate", str(named))
    assert code == 0 and len(out.strip().splitlines()) == 2  # the file's line, the summary
    _no_injection(out, err)
    graph = tmp_path / "g.yaml"
    graph.write_text(f"name: {FAKE!r}\n".replace("'", '"') + "nodes: {s: '', A: ''}\n"
                     "regime: s\nedges: [s -> A]\n", encoding="utf-8")
    code, out, err = _run(capsys, "check", str(graph), "--base", "nope")
    assert code == 2 and len(err.strip().splitlines()) == 2  # the heading, one problem
    _no_injection(out, err)
    samples = tmp_path / "columns.csv"
    samples.write_text("s,X,Y\x1b[31mbad\n" + "".join(f"{i % 2},{i % 3},{i % 5}\n"
                                                       for i in range(30)), encoding="utf-8")
    code, out, err = _run(capsys, "learn", str(samples), "--regime", "nope", "-o",
                          str(tmp_path / "learned.yaml"))
    assert code == 2 and "no column 'nope'" in err
    _no_injection(out, err)
