"""The result header and the one query resolution (causal_align.header)."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import causal_align
from causal_align.alignment import check_inner_alignment
from causal_align.errors import GraphSpecError
from causal_align.header import ResultHeader, header_of, resolve_query
from causal_align.loader import load_graph
from causal_align.model import CausalGraph

PACKAGE = Path(causal_align.__file__).parent
OPTIONAL = ("causal_align.fast", "causal_align.editor")  # need extras a core install lacks


def _modules() -> list[str]:
    names = [info.name for info in pkgutil.walk_packages([str(PACKAGE)], "causal_align.")]
    return [name for name in names if not name.startswith(OPTIONAL)]


def test_every_result_type_extends_the_header() -> None:
    """No result keeps a field of its own for the graph's name: it is ``graph_name``, once."""
    offenders, results = [], []
    for name in _modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if not (isinstance(value, type) and dataclasses.is_dataclass(value)
                    and value.__module__ == name):
                continue
            fields = {field.name: field.type for field in dataclasses.fields(value)}
            if fields.get("graph") in ("str", str):
                offenders.append(f"{name}.{value.__name__}")
            if issubclass(value, ResultHeader) and value is not ResultHeader:
                results.append(value.__name__)
    assert offenders == []
    assert {"AlignmentResult", "UncertainResult", "EdgeUncertaintyResult", "Gap", "Sweep",
            "Simulation", "DataCheck", "Falsification", "AdmissibleSet", "RobustnessBound",
            "Attribution", "Incentives", "IncentiveReport", "Tradeoffs"} <= set(results)


def test_the_defaults_are_resolved_in_one_place() -> None:
    """The "defaults from the file, then check the names" step is written once. The σ-calculus
    rules (transport/rules.py) only borrow the query's sets as defaults for a statement whose
    sets may be any nodes (``observe`` need not be a regime node), so they check their own."""
    pattern = re.compile(r"\.(base|mesa|query_regime) if [\w.]+ is None else")
    found = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                   if pattern.search(path.read_text(encoding="utf-8")))
    assert found == ["header.py", "transport/rules.py"]


def test_resolution_takes_the_defaults_and_sorts() -> None:
    graph = CausalGraph.from_edges(["s -> B", "t -> B", "B -> A", "M -> A"],
                                   regime=["t", "s"], base="A", mesa=["M"], name="g")
    assert resolve_query(graph) == ResultHeader(graph_name="g", regime=("s", "t"),
                                                base=("A",), mesa=("M",))
    asked = resolve_query(graph, base=["B", "A"][1:], mesa=[], regime="t")
    assert (asked.regime, asked.base, asked.mesa) == (("t",), ("A",), ())
    assert asked.graph == asked.graph_name == "g"
    assert asked.query == "(A ⊥ t | ∅)"


@pytest.mark.parametrize("arguments", [{"mesa": "Z"}, {"base": "A", "mesa": "A"},
                                       {"regime": "M"}, {"regime": []}, {"mesa": ""}])
def test_every_layer_refuses_a_query_as_the_verdict_does(arguments: dict[str, object]) -> None:
    from causal_align.transport import admissible_set
    from causal_align.uncertainty import check_under_uncertainty

    graph = CausalGraph.from_edges(["s -> B", "B -> A", "M -> A"], regime="s", base="A",
                                   mesa="M", name="g")
    messages = set()
    for call in (resolve_query, check_inner_alignment, check_under_uncertainty):
        with pytest.raises(GraphSpecError) as caught:
            call(graph, **arguments)  # type: ignore[operator]
        messages.add(str(caught.value))
    if "regime" not in arguments:  # the transport layer asks about every regime node
        with pytest.raises(GraphSpecError) as caught:
            admissible_set(graph, **arguments)  # type: ignore[arg-type]
        messages.add(str(caught.value))
    assert len(messages) == 1


def test_the_file_is_named_when_its_own_query_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("nodes: {s: '', A: '', M: ''}\nregime: s\nedges: ['s -> A']\n",
                    encoding="utf-8")
    graph = load_graph(path)
    with pytest.raises(GraphSpecError, match=re.escape(str(path))):
        resolve_query(graph)
    with pytest.raises(GraphSpecError, match="<query on g>"):
        resolve_query(graph, base="A", mesa="nope")


def test_a_result_that_asks_no_query_names_the_graphs() -> None:
    graph = load_graph("graphs/coinrun.yaml")
    header = header_of(graph)
    assert ResultHeader(**check_inner_alignment(graph).keywords()) == header
    assert (header.base, header.mesa) == (tuple(sorted(graph.base)), tuple(sorted(graph.mesa)))
