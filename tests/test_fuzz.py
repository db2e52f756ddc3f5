"""Fuzzing the loader: random, mutated and structurally random YAML never escapes our errors.

The property, for every input: :func:`~causal_align.loader.parse_graph` (or
:func:`~causal_align.loader.load_graph`, :func:`~causal_align.loader.load_queries`) either
returns or raises a :class:`~causal_align.errors.CausalAlignError` -- never any other exception.
A :class:`~causal_align.errors.GraphSpecError` must also be readable: every problem has a code,
one line of text, a bounded length and a line number inside the input. A graph that loads must
survive ``parse_graph(dump_graph(g)) == g`` and a check of its default query.

The inputs come from five sources:

- random text, including control characters and surrogates, and token soup made of YAML syntax
  and the words of our schema;
- random bytes, and byte-level mutations of the example graphs, read through a file;
- line- and character-level mutations of the example graphs in ``graphs/`` (delete, duplicate,
  swap, re-indent and truncate lines; insert YAML syntax; rename nodes);
- random documents of mappings, lists and scalars whose keys are our schema's keys, dumped with
  ``yaml.safe_dump``;
- valid graphs from :func:`strategies.cases` with one part of their document replaced by noise.

By default each test runs a few hundred examples (the whole file in about half a minute); with
``CI=true`` it runs 20 times as many: the longer run of CI (a few minutes).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import cases

from causal_align import (
    CausalAlignError,
    CausalGraph,
    GraphSpecError,
    check_inner_alignment,
    check_queries,
    dump_graph,
    load_graph,
    load_queries,
    parse_graph,
    render,
)

REPO = Path(__file__).parent.parent
EXAMPLES = {path.stem: path.read_text(encoding="utf-8")
            for path in sorted((REPO / "graphs").glob("*.yaml"))}
assert len(EXAMPLES) >= 5, f"no example graphs in {REPO / 'graphs'}"
SCALE = 20 if os.environ.get("CI") == "true" else 1


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples * SCALE, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


# --- the property ---------------------------------------------------------------------------------


def check_error(error: CausalAlignError, text: str) -> None:
    """A CausalAlignError is readable: positioned one-line problems of bounded length."""
    if not isinstance(error, GraphSpecError):
        return
    assert error.problems, "a GraphSpecError without problems"
    last_line = max(1, len(text.splitlines()) + 1)
    for problem in error.problems:
        shown = str(problem)
        assert re.fullmatch(r"E_[A-Z_]+", problem.code), shown
        assert problem.message, shown
        assert "\n" not in shown, f"a problem spans lines: {shown!r}"
        assert len(shown) < 1000, f"a problem of {len(shown):,} characters"
        assert problem.line is None or 1 <= problem.line <= last_line, \
            f"line {problem.line} outside the input ({last_line - 1} lines): {shown}"


def check_graph(graph: CausalGraph) -> None:
    """A loaded graph round-trips, and checking its default query works or says why not."""
    text = dump_graph(graph)
    try:
        again = parse_graph(text)
    except CausalAlignError as error:
        raise AssertionError(f"dump_graph wrote text that does not load:\n{text}\n{error}") \
            from error
    assert again == graph, f"round trip changed the graph:\n{text}"
    try:
        result = check_inner_alignment(graph, limit=5)
    except CausalAlignError:
        return
    for form in ("text", "markdown", "json"):
        render(result, form)


def parses_or_refuses(text: str) -> None:
    """parse_graph returns a graph or raises CausalAlignError; nothing else, ever."""
    try:
        graph = parse_graph(text)
    except CausalAlignError as error:
        check_error(error, text)
        return
    except Exception as error:  # the bug this file hunts for
        raise AssertionError(f"parse_graph raised {type(error).__name__}: {error}\n"
                             f"input: {text[:3000]!r}") from error
    check_graph(graph)


def loads_or_refuses(path: Path, data: bytes) -> None:
    """load_graph of a file holding ``data``: a graph or a CausalAlignError."""
    path.write_bytes(data)
    try:
        graph = load_graph(path)
    except CausalAlignError as error:
        check_error(error, data.decode("utf-8", errors="replace"))
        return
    except Exception as error:
        raise AssertionError(f"load_graph raised {type(error).__name__}: {error}\n"
                             f"bytes: {data[:3000]!r}") from error
    check_graph(graph)


# --- (a) random text ------------------------------------------------------------------------------


@fuzz(300)
@given(st.text(max_size=300))
@example("\x1f")  # a control character: libyaml's error spans two lines and has no line number
@example('"a\\nb": 1')  # a key holding a line break, echoed raw in the location
def test_random_text(text: str) -> None:
    parses_or_refuses(text)


@fuzz(200)
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=100))
@example("\ud800")  # a lone surrogate: UnicodeEncodeError inside PyYAML's C parser
def test_random_text_with_every_code_point(text: str) -> None:
    # control characters, surrogates, private use, unassigned code points, BOMs
    parses_or_refuses(text)


SCHEMA_KEYS = ["nodes", "edges", "regime", "sigma", "target", "context", "query", "base", "mesa",
               "name", "description", "label"]
NAMES = ["s", "s2", "X", "C", "O", "D_m", "Y_m", "Y_b", "A", "B", "no", "null", "1", "_", "a.b",
         "a-b", "Y_mesa"]
SYNTAX = ["\n", "\n", "\n  ", "\n    ", "\n- ", "  ", " ", "\t", ": ", ":", "- ", "-", "-> ",
          " -> ", " <-> ", " <- ", " => ", "[", "]", "{", "}", ", ", ",", "&a ", "*a", "&b ", "*b",
          "!!int ", "!!bool ", "!!float ", "!!str ", "!!null ", "!!binary ", "!!set ", "!!map ",
          "!!seq ", "!!timestamp ", "!x ", "!", "<<: ", "? ", "---\n", "...\n", "%YAML 1.1\n",
          "%TAG !e! tag:e,2000:\n", "|\n  ", ">-\n  ", "'", '"', "# ", "\ufeff", "\0", "\x85",
          "\u2028", "\r", "\r\n", "~", "true", "0x1F", "0b101", "0o17", "017", "1:30", "1_000",
          "1e9", "-.inf", ".nan", "2001-12-14", "=", "\\", "\\u0041", "\\x41", "%", "@", "`"]
TOKENS = SYNTAX + SCHEMA_KEYS + [f"{key}: " for key in SCHEMA_KEYS] + NAMES


@fuzz(400)
@given(st.lists(st.sampled_from(TOKENS), max_size=60).map("".join))
@example("!!int ")  # IndexError in PyYAML's int constructor
@example("!!float ")  # IndexError in PyYAML's float constructor
@example("!!bool ")  # KeyError in PyYAML's bool constructor
@example("!!set a\n  b")  # the unknown-tag message echoes the value's line break
def test_token_soup(text: str) -> None:
    parses_or_refuses(text)


# --- (b) random bytes through a file --------------------------------------------------------------


@fuzz(200)
@given(st.binary(max_size=500))
def test_random_bytes_from_a_file(tmp_path: Path, data: bytes) -> None:
    loads_or_refuses(tmp_path / "fuzz.yaml", data)


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """An example graph's bytes with a few bytes flipped, inserted or cut out."""
    data = bytearray(EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))].encode("utf-8"))
    if draw(st.booleans()):
        data[0:0] = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00"]))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "insert", "cut"]))
        if kind == "flip" and where < len(data):
            data[where] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=4))
        else:
            del data[where:where + draw(st.integers(1, 50))]
    return bytes(data)


@fuzz(200)
@given(mutated_bytes())
def test_mutated_bytes_from_a_file(tmp_path: Path, data: bytes) -> None:
    loads_or_refuses(tmp_path / "fuzz.yaml", data)


# --- (c) mutations of the example graphs ----------------------------------------------------------

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@st.composite
def mutated_examples(draw: st.DrawFn) -> str:
    """An example graph after one to five random edits of its lines and characters."""
    text = EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))]
    for _ in range(draw(st.integers(1, 5))):
        lines = text.splitlines(keepends=True) or [""]
        index = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "insert", "insert",
                                     "rename", "rename", "replace", "truncate"]))
        if edit == "delete":
            del lines[index]
        elif edit == "duplicate":
            lines.insert(index, lines[index])
        elif edit == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif edit == "indent":
            indent = draw(st.sampled_from(["", " ", "   ", "    ", "      ", "\t", " \t", "  - "]))
            lines[index] = indent + lines[index].lstrip(" ")
        if edit in ("delete", "duplicate", "swap", "indent"):
            text = "".join(lines)
            continue
        where = draw(st.integers(0, len(text)))
        if edit == "insert":
            piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=5)))
            text = text[:where] + piece + text[where:]
        elif edit == "rename":
            words = sorted(set(_WORD.findall(text)))
            if words:
                old = draw(st.sampled_from(words))
                new = draw(st.one_of(st.sampled_from(NAMES + SCHEMA_KEYS), st.text(max_size=8)))
                every = draw(st.booleans())
                text = re.sub(rf"\b{re.escape(old)}\b", new.replace("\\", "\\\\"), text,
                              count=0 if every else 1)
        elif edit == "replace" and where < len(text):
            text = text[:where] + draw(st.characters()) + text[where + 1:]
        elif edit == "truncate":
            text = text[:where]
    return text


@fuzz(500)
@given(mutated_examples())
def test_mutated_examples(text: str) -> None:
    parses_or_refuses(text)


# --- (d) structurally random documents ------------------------------------------------------------

EDGES = [f"{a} {arrow} {b}" for a in ("s", "X", "Y_m", "Y_b", "1")
         for b in ("X", "Y_m", "Y_b", "s") for arrow in ("->", "<->")]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
    st.sampled_from(NAMES), st.sampled_from(EDGES), st.sampled_from(SCHEMA_KEYS),
    st.lists(st.sampled_from(NAMES), max_size=4), st.lists(st.sampled_from(EDGES), max_size=5),
)
KEYS = st.one_of(st.sampled_from(SCHEMA_KEYS), st.sampled_from(SCHEMA_KEYS), st.sampled_from(NAMES),
                 st.text(max_size=8), st.integers(), st.booleans(), st.none())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(KEYS, inner, max_size=5)),
                      max_leaves=20)
TOP = st.dictionaries(st.one_of(st.sampled_from(["nodes", "edges", "regime", "sigma", "query",
                                                 "name", "description"]), KEYS),
                      VALUES, max_size=8)


def dumped(document: Any, draw: st.DrawFn) -> str:
    style = draw(st.sampled_from([None, True, False]))
    return str(yaml.safe_dump(document, default_flow_style=style, sort_keys=draw(st.booleans()),
                              allow_unicode=draw(st.booleans())))


@st.composite
def random_documents(draw: st.DrawFn) -> str:
    return dumped(draw(st.one_of(TOP, VALUES)), draw)


@fuzz(250)
@given(random_documents())
@example("{'[key]': null}\n")  # a key spelled like pydantic's "[key]" marker: IndexError
def test_random_documents(text: str) -> None:
    parses_or_refuses(text)


# --- (e) valid graphs with one part replaced ------------------------------------------------------


def locations(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a document of mappings and lists (the document's own is ``()``)."""
    found, stack = [], [(path, value)]
    while stack:
        where, item = stack.pop()
        found.append(where)
        if isinstance(item, dict):
            stack.extend(((*where, key), child) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend(((*where, index), child) for index, child in enumerate(item))
    return sorted(found, key=repr)


@st.composite
def damaged_graphs(draw: st.DrawFn) -> str:
    """A valid graph's document with one value replaced, deleted or renamed."""
    document = yaml.safe_load(dump_graph(draw(cases(max_nodes=5)).graph))
    for _ in range(draw(st.integers(1, 2))):
        paths = [path for path in locations(document) if path]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        edit = draw(st.sampled_from(["replace", "replace", "delete", "rename"]))
        if edit == "replace":
            parent[path[-1]] = draw(VALUES)
        elif edit == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(KEYS)] = parent.pop(path[-1])
        else:
            parent[path[-1]] = draw(st.sampled_from(NAMES + EDGES))
    return dumped(document, draw)


@fuzz(200)
@given(damaged_graphs())
def test_damaged_graphs(text: str) -> None:
    parses_or_refuses(text)


@fuzz(50)
@given(cases(max_nodes=6))
def test_valid_graphs_round_trip_through_text(case: Any) -> None:
    text = dump_graph(case.graph)
    assert parse_graph(text) == case.graph
    parses_or_refuses(text)


# --- query files ----------------------------------------------------------------------------------

CUE = load_graph(REPO / "graphs" / "deceptive_cue.yaml")
QUERY_KEYS = ["queries", "name", "base", "mesa", "regime", "sigma", "target", "context"]
CUE_NODES = ["s", "Cue", "Prompt", "D_m", "Y_m", "Y_b", "X", "Y_mesa"]
QUERY_VALUES = st.recursive(
    st.one_of(st.none(), st.integers(), st.text(max_size=6), st.sampled_from(CUE_NODES),
              st.lists(st.sampled_from(CUE_NODES), max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(QUERY_KEYS), inner, max_size=4)),
    max_leaves=12)


@st.composite
def query_files(draw: st.DrawFn) -> str:
    document: Any = {"queries": draw(st.lists(
        st.dictionaries(st.sampled_from(QUERY_KEYS), QUERY_VALUES, max_size=5), max_size=3))}
    if draw(st.integers(0, 4)) == 0:
        document = draw(QUERY_VALUES)
    text = dumped(document, draw)
    if draw(st.booleans()):
        where = draw(st.integers(0, len(text)))
        text = text[:where] + draw(st.sampled_from(TOKENS)) + text[where:]
    return text


@fuzz(150)
@given(query_files())
def test_random_query_files(tmp_path: Path, text: str) -> None:
    graph = CUE
    path = tmp_path / "queries.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    try:
        queries = load_queries(path, graph)
        check_queries(graph, queries, limit=5)
    except CausalAlignError as error:
        check_error(error, text)
    except Exception as error:
        raise AssertionError(f"load_queries raised {type(error).__name__}: {error}\n"
                             f"input: {text!r}") from error


# Fuzzing what we write (issue 10): any user text, in every text format, stays inert -------------

USER_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
"""Any text a user may give as a graph's name, a label or a query name (no lone surrogates:
those cannot be written to a file)."""


@fuzz(150)
@given(name=USER_TEXT, label=USER_TEXT)
@example(name="_x_ *y* <img src=x onerror=alert(1)>", label="\x1b[2J\nALIGNED")
@example(name="price $\\frac{1}{$ x", label="</title><script>document.title=1</script>")
def test_user_text_stays_inert_in_every_text_format(name: str, label: str) -> None:
    import html as html_module
    import json

    from causal_align.pictures.html import text as html_text
    from causal_align.wording import markdown, plain

    graph = CausalGraph.from_edges(["s -> _x_", "_x_ -> Y_b"], regime="s", base="Y_b",
                                   name=name, nodes={"_x_": label})
    result = check_inner_alignment(graph)
    short = render(result, "text")
    reference = render(check_inner_alignment(CausalGraph.from_edges(
        ["s -> _x_", "_x_ -> Y_b"], regime="s", base="Y_b", name="g")), "text")
    assert len(short.splitlines()) == len(reference.splitlines())  # no line added by a name
    assert all(line.isprintable() for line in short.splitlines())
    shown = plain(name)
    assert shown.isprintable() and len(shown) <= 200 + 40
    md = markdown(name)
    assert not re.search(r"(?<!\\)(?:<[A-Za-z/!?]|\*|`|\[|(?<![^\W_])_)", md), md
    assert json.loads(render(result, "json"))["graph"] == name
    escaped = html_text(name, 200)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped
    assert html_module.unescape(escaped) == plain(name, 200)
    dot = render(result, "dot")
    assert all(line.isprintable() for line in dot.splitlines())
    assert dot.splitlines()[0].endswith(" {") and dot.rstrip().endswith("}")
    for line in dot.splitlines():  # every string closed on its own line
        assert len(re.findall(r'(?<!\\)(?:\\\\)*"', line)) % 2 == 0, line
