"""The shape of a graph file, as pydantic models: types and keys only, no graph semantics.

``extra="forbid"`` turns a misspelled key into an error instead of a silently ignored one, and
strict types refuse silent coercions (a number where a node name belongs).

Examples
--------
>>> spec = GraphFile.model_validate({"nodes": {"s": "regime", "Y": None}, "edges": ["s -> Y"],
...                                  "regime": "s", "query": {"base": "Y"}})
>>> spec.regime, spec.nodes["Y"].label, spec.query.mesa
(['s'], '', [])
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _label_only(value: Any) -> Any:
    return {"label": value or ""} if value is None or isinstance(value, str) else value


Names = Annotated[list[str], BeforeValidator(_one_or_many,
                                             json_schema_input_type=str | list[str])]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class NodeSpec(_Strict):
    """A node's value: a label string, or a mapping with ``label``."""

    label: str = ""


class SigmaSpec(_Strict):
    """One soft intervention: the policy's decision node and the nodes it reads."""

    target: str
    context: list[str] | None = None


class QuerySpec(_Strict):
    """The default query: Y_b, Y_m and (optionally) which regime nodes to ask about."""

    base: Names
    mesa: Names = []
    regime: Names | None = None


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


KEYS: dict[str, type[BaseModel]] = {"nodes": NodeSpec, "sigma": SigmaSpec, "query": QuerySpec,
                                    "queries": QueryItem, "queries.sigma": SigmaSpec}
"""Which model checks the mapping under each path of keys (for "did you mean")."""
