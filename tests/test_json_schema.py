"""The JSON Schemas in ``schema/``: generated from :mod:`causal_align.schema`, true to the files.

Editors validate graph files against ``schema/graph.schema.json`` (a YAML file opts in with a
first line ``# yaml-language-server: $schema=../schema/graph.schema.json``). The schemas are
generated, never edited by hand; after changing ``causal_align/schema.py`` regenerate them with

    CAUSAL_ALIGN_UPDATE_SCHEMA=1 python -m pytest tests/test_json_schema.py

and review the diff. They check the *shape* of a file, exactly as the pydantic models do (a law
tested below on every broken file of ``tests/bad_yaml/`` and on Hypothesis documents); the
meaning (known nodes, acyclicity, ...) is the loader's job.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from causal_align.errors import GraphSpecError
from causal_align.limits import Limits, read_text
from causal_align.schema import GraphFile, QueryFile
from causal_align.yamldoc import read_yaml

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "schema"
EXAMPLES = sorted((REPO / "graphs").glob("*.yaml"))
BAD = sorted((REPO / "tests" / "bad_yaml").glob("*.yaml"))
UPDATE = os.environ.get("CAUSAL_ALIGN_UPDATE_SCHEMA") == "1"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

HEADERS: dict[str, tuple[type[BaseModel], str, str]] = {
    "graph.schema.json": (
        GraphFile, "causal_align graph file",
        "A causal diagram to check for inner alignment: its nodes, its edges (\"A -> B\" from "
        "cause to effect, \"A <-> B\" for a latent common cause), the regime nodes that mark "
        "training vs deployment, the learned policy's soft interventions (sigma) and a default "
        "query. This schema checks the shape of the file; `causal-align validate FILE` also "
        "checks its meaning (declared node names, an acyclic graph, exogenous regime nodes) and "
        "names every problem with its line."),
    "queries.schema.json": (
        QueryFile, "causal_align query file",
        "A batch of alignment queries against one graph file (`causal-align check GRAPH "
        "--query-file FILE`); keys left out take the graph file's values. This schema checks "
        "the shape of the file; node names are checked against the graph when it is loaded."),
}


def generate(name: str) -> str:
    """The schema file's text: the model's JSON Schema with a dialect, title and description."""
    model, title, description = HEADERS[name]
    schema = model.model_json_schema()
    schema.update({"$schema": DIALECT, "title": title, "description": description})
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMA / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def schema_accepts(name: str, document: Any) -> bool:
    return bool(validator(name).is_valid(document))


def model_accepts(model: type[BaseModel], document: Any) -> bool:
    try:
        model.model_validate(document)
    except ValidationError:
        return False
    return True


# The files are generated ------------------------------------------------------------------------

@pytest.mark.parametrize("name", HEADERS)
def test_committed_schema_is_what_the_models_generate(name: str) -> None:
    path = SCHEMA / name
    text = generate(name)
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists() and path.read_text(encoding="utf-8") == text, (
        f"schema/{name} differs from what causal_align/schema.py generates: regenerate it with "
        "`CAUSAL_ALIGN_UPDATE_SCHEMA=1 python -m pytest tests/test_json_schema.py` and review "
        "the diff")


@pytest.mark.parametrize("name", HEADERS)
def test_schema_files_are_canonical_standalone_json_schemas(name: str) -> None:
    text = (SCHEMA / name).read_text(encoding="utf-8")
    schema = json.loads(text)
    assert text == json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert schema["$schema"] == DIALECT and schema["title"] == HEADERS[name][1]
    assert schema["description"] == HEADERS[name][2]
    assert '"$id"' not in text
    assert {ref for ref in re.findall(r'"\$ref": "([^"]*)"', text)
            if not ref.startswith("#/$defs/")} == set()
    jsonschema.Draft202012Validator.check_schema(schema)


# The schemas accept what the loader accepts -----------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_every_example_graph_validates(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [error.message for error in validator("graph.schema.json").iter_errors(document)]
    assert errors == []


def test_a_query_file_validates() -> None:
    document = yaml.safe_load("""
queries:
  - name: as filed
    base: Y_b
  - name: the policy ignores the cue
    base: Y_b
    mesa: [Y_m]
    regime: s
    sigma: [{target: D_m, context: [Prompt]}, {target: T}]
""")
    assert list(validator("queries.schema.json").iter_errors(document)) == []


def test_a_broken_graph_file_fails_where_it_is_broken() -> None:
    document = yaml.safe_load("""
nodes: {s: regime, X: 3, Y: {label: outcome, colour: red}}
egdes: [s -> X]
regime: [s, 1]
sigma: [{context: [X]}]
query: {base: Y, mesa: [1]}
""")
    found = sorted((".".join(map(str, error.absolute_path)), error.validator)
                   for error in validator("graph.schema.json").iter_errors(document))
    assert found == [
        ("", "additionalProperties"),  # egdes
        ("", "required"),  # edges
        ("nodes.X", "anyOf"),  # a number, not a label
        ("nodes.Y", "anyOf"),  # colour is not a key of a node
        ("query", "anyOf"),  # mesa: not names
        ("regime", "anyOf"),
        ("sigma.0", "required"),  # target
    ]


def test_a_broken_query_file_fails() -> None:
    document = {"queries": [{"name": "no base"}, {"base": "Y", "sigma": "D_m"}], "extra": 1}
    found = sorted((".".join(map(str, error.absolute_path)), error.validator)
                   for error in validator("queries.schema.json").iter_errors(document))
    assert found == [("", "additionalProperties"), ("queries.0", "required"),
                     ("queries.1.sigma", "anyOf")]


def _as_read(path: Path) -> Any:
    """The file as the loader reads it (keys stay text: ``42:`` is "42"), or None when it is
    broken below the level of data (encoding, YAML syntax, a duplicate key, a size limit)."""
    try:
        return read_yaml(read_text(path, Limits()), str(path), Limits())[0]
    except GraphSpecError:
        return None


@pytest.mark.parametrize("path", BAD, ids=lambda path: path.stem)
def test_schema_and_model_agree_on_every_broken_file(path: Path) -> None:
    """A file the models reject for its shape, the schema rejects; a file that is only wrong in
    its meaning (a cycle, an unknown node) passes both."""
    document = _as_read(path)
    if document is None:
        pytest.skip("broken below the level of data: encoding, YAML syntax, a duplicate key or "
                    "a limit")
    assert schema_accepts("graph.schema.json", document) == model_accepts(GraphFile, document)


# Hypothesis: documents mixing right and wrong values ---------------------------------------------

JUNK = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3),
                 st.lists(st.sampled_from(["s", 1, None]), max_size=2),
                 st.dictionaries(st.sampled_from(["label", "target", "context", "base", "x"]),
                                 st.sampled_from(["s", ["s"], 1, None]), max_size=2))
NAMES = st.one_of(st.sampled_from(["s", "Y"]), st.lists(st.sampled_from(["s", "Y"]), max_size=2))
SIGMA = st.lists(st.one_of(st.fixed_dictionaries({"target": st.just("D")},
                                                 optional={"context": st.one_of(st.none(), NAMES)}),
                           JUNK), max_size=2)
QUERY = st.fixed_dictionaries({"base": st.one_of(NAMES, JUNK)},
                              optional={"mesa": st.one_of(NAMES, JUNK),
                                        "regime": st.one_of(NAMES, st.none(), JUNK)})
GRAPHS = st.fixed_dictionaries(
    {"nodes": st.one_of(st.dictionaries(st.sampled_from(["s", "Y", "D"]),
                                        st.one_of(st.text(max_size=2), st.none(),
                                                  st.fixed_dictionaries({"label": st.just("l")}),
                                                  JUNK), max_size=3), JUNK),
     "edges": st.one_of(st.lists(st.just("s -> Y"), max_size=2), JUNK),
     "regime": st.one_of(NAMES, JUNK)},
    optional={"name": st.one_of(st.text(max_size=2), st.none(), JUNK),
              "description": st.one_of(st.text(max_size=2), JUNK),
              "sigma": st.one_of(SIGMA, JUNK), "query": st.one_of(QUERY, st.none(), JUNK),
              "egdes": JUNK})
QUERIES = st.fixed_dictionaries(
    {"queries": st.one_of(st.lists(st.one_of(QUERY.map(lambda query: {**query, "name": "q"}),
                                             QUERY.map(lambda query: {**query, "sigma": None}),
                                             st.builds(dict, sigma=SIGMA, base=NAMES), JUNK),
                                   max_size=2), JUNK)},
    optional={"egdes": JUNK})


@settings(max_examples=300, deadline=None)
@given(document=GRAPHS)
def test_schema_and_model_agree_on_graph_documents(document: dict[str, Any]) -> None:
    assert schema_accepts("graph.schema.json", document) == model_accepts(GraphFile, document)


@settings(max_examples=300, deadline=None)
@given(document=QUERIES)
def test_schema_and_model_agree_on_query_documents(document: dict[str, Any]) -> None:
    assert schema_accepts("queries.schema.json", document) == model_accepts(QueryFile, document)
