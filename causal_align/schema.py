"""The shape of a graph file, as pydantic models: types and keys only, no graph semantics.

``extra="forbid"`` turns a misspelled key into an error instead of a silently ignored one, and
strict types refuse silent coercions (a number where a node name belongs).

Examples
--------
>>> spec = GraphFile.model_validate({"nodes": {"s": "regime", "Y": None}, "edges": ["s -> Y"],
...                                  "regime": "s", "query": {"base": "Y"}})
>>> spec.regime, spec.nodes["Y"].label, spec.query.mesa
(['s'], '', None)
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainValidator, TypeAdapter
from pydantic_core import PydanticCustomError


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _label_only(value: Any) -> Any:
    return {"label": value or ""} if value is None or isinstance(value, str) else value


def _state_text(value: Any) -> Any:
    """A number written as a state is its text (``0`` is the state "0"); booleans stay refused."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


Names = Annotated[list[str], BeforeValidator(_one_or_many,
                                             json_schema_input_type=str | list[str])]
State = Annotated[str, BeforeValidator(_state_text, json_schema_input_type=str | float)]
_ROW = TypeAdapter(list[float], config=ConfigDict(strict=True))
_ROWS = TypeAdapter(dict[str, list[float]], config=ConfigDict(strict=True))


_EXPONENT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+\Z")


def exponent_number(value: Any) -> Any:
    """``1e-7`` as the number it spells: YAML 1.1 reads an exponent without a dot as text."""
    return float(value) if isinstance(value, str) and _EXPONENT.match(value) else value


def _numbers(row: Any) -> Any:
    return [exponent_number(item) for item in row] if isinstance(row, list) else row


def _table(value: Any) -> list[float] | dict[str, list[float]]:
    """One row (a list) for a variable given nothing, else a mapping from row keys to rows."""
    if isinstance(value, list):
        return _ROW.validate_python(_numbers(value))
    if isinstance(value, dict):
        return _ROWS.validate_python({key: _numbers(row) for key, row in value.items()})
    raise PydanticCustomError("table_type", "expected a list of probabilities or a mapping from "
                              "row keys to lists of probabilities")


TableRows = Annotated[list[float] | dict[str, list[float]], PlainValidator(
    _table, json_schema_input_type=list[float] | dict[str, list[float]])]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class NodeSpec(_Strict):
    """A node's value: a label string, or a mapping with ``label`` and optionally ``observed``
    (``false``: nothing can measure it) and ``position`` (``[x, y]``, kept for editors)."""

    label: str = ""
    observed: bool = True
    position: list[float] | None = None


class SigmaSpec(_Strict):
    """One soft intervention: the policy's decision node and the nodes it reads."""

    target: str
    context: list[str] | None = None


class QuerySpec(_Strict):
    """The default query: Y_b, Y_m and (optionally) which regime nodes to ask about."""

    base: Names | None = None
    mesa: Names | None = None
    regime: Names | None = None


class RegimeSpec(_Strict):
    """A regime node's states, and which of them is training and which deployment."""

    states: list[State] = ["train", "deploy"]
    train: State = "train"
    deploy: State = "deploy"


class LatentSpec(_Strict):
    """A latent common cause standing for the ``<->`` edges among its children."""

    children: list[str]
    states: list[State]
    table: TableRows


class NodeTableSpec(_Strict):
    """A node's states and table P(node | given), and optionally a number for each state."""

    states: list[State]
    given: Names = []
    table: TableRows
    utility: Annotated[dict[str, float] | None, BeforeValidator(
        lambda value: {key: exponent_number(item) for key, item in value.items()}
        if isinstance(value, dict) else value)] = None


class ModelSpec(_Strict):
    """The ``model:`` section: a discrete parametrisation of the σ-model."""

    regime: dict[str, RegimeSpec] = {}
    latents: dict[str, LatentSpec] = {}
    nodes: dict[str, NodeTableSpec]


Parameter = Annotated[float | list[float], BeforeValidator(
    lambda value: [exponent_number(item) for item in value] if isinstance(value, list)
    else exponent_number(value), json_schema_input_type=float | list[float])]
"""A linear-Gaussian parameter: one number, or ``[train, deploy]`` where the regimes differ."""


class LinearModelSpec(_Strict):
    """The ``linear_model:`` section: V = A V + c + ε in G_σ, per regime where they differ
    (read by the transport layer: ``causal_align.transport.load_linear_model``)."""

    coefficients: dict[str, Parameter] = {}
    intercepts: dict[str, Parameter] = {}
    variances: dict[str, Parameter] = {}
    covariances: dict[str, Parameter] = {}


class GraphFile(_Strict):
    """A whole graph file."""

    name: str | None = None
    description: str = ""
    nodes: dict[str, Annotated[NodeSpec, BeforeValidator(
        _label_only, json_schema_input_type=str | None | NodeSpec)]]
    edges: list[str]
    regime: Names
    sigma: list[SigmaSpec] = []
    query: QuerySpec | None = None
    utility: Names | None = None
    decision: str | None = None
    model: ModelSpec | None = None
    linear_model: LinearModelSpec | None = None


class QueryItem(_Strict):
    """One query of a query file; keys left out take the graph file's values."""

    name: str = ""
    base: Names
    mesa: Names | None = None
    regime: Names | None = None
    sigma: list[SigmaSpec] | None = None


class QueryFile(_Strict):
    """A batch of queries against one graph (``causal-align check g.yaml --query-file q.yaml``)."""

    queries: list[QueryItem]


class _KeysByPath(dict[str, type[BaseModel]]):
    """Paths through the ``model:`` section's mappings of names fall back to the mapping's path:
    ``model.nodes.C`` (or ``model.nodes.x.y`` for a node named ``x.y``) is checked by the model
    of ``model.nodes``."""

    def __missing__(self, path: str) -> type[BaseModel]:
        section, _, _ = path.rpartition(".")
        if not section.startswith("model."):
            raise KeyError(path)
        return self[section]


KEYS: dict[str, type[BaseModel]] = _KeysByPath({
    "nodes": NodeSpec, "sigma": SigmaSpec, "query": QuerySpec, "queries": QueryItem,
    "queries.sigma": SigmaSpec, "model": ModelSpec, "model.regime": RegimeSpec,
    "model.latents": LatentSpec, "model.nodes": NodeTableSpec, "linear_model": LinearModelSpec})
"""Which model checks the mapping under each path of keys (for "did you mean")."""
