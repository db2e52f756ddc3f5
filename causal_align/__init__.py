"""causal_align: is a learned optimizer inner aligned? d-separation in G_σ, explained.

The core (graph, loader, engine, explanations, certificates, reports) is imported here; the
optional layers (pictures, interop, quantities, samples) are imported the first time one of
their names is used, so ``import causal_align`` loads no numpy.

>>> import causal_align
>>> graph = causal_align.CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"],
...                                             regime="s", base="Y_b", mesa="Y_m")
>>> causal_align.check_inner_alignment(graph).aligned
True
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from causal_align.alignment import (
    AlignmentResult,
    Conjecture,
    Repairs,
    check_inner_alignment,
    check_queries,
)
from causal_align.certificate import Certificate, verify_certificate
from causal_align.errors import (
    CausalAlignError,
    CertificateError,
    EditorError,
    GraphSpecError,
    InferenceTooLarge,
    NaturalnessError,
    PicturesUnavailable,
    Problem,
    TransportError,
)
from causal_align.explain import Junction, OpenPath
from causal_align.header import ResultHeader, resolve_query
from causal_align.implied import Independence, implied_independences
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.limits import Limits
from causal_align.loader import dump_graph, load_graph, load_queries, parse_graph
from causal_align.model import CausalGraph, Edge, Origin, Query, SoftIntervention
from causal_align.separation import is_separated, minimal_separator, open_paths

if TYPE_CHECKING:
    from causal_align.incentives.criteria import Incentives
    from causal_align.incentives.report import incentive_report
    from causal_align.incentives.signatures import Signatures, signatures
    from causal_align.incentives.tradeoffs import Tradeoffs, tradeoffs
    from causal_align.interop import (
        from_dagitty,
        from_networkx,
        from_pgmpy,
        to_dagitty,
        to_networkx,
        to_pgmpy,
    )
    from causal_align.pictures.formats import render
    from causal_align.quantities.discrete import DiscreteModel, Table, random_model
    from causal_align.quantities.gap import Gap, GapRow, alignment_gap
    from causal_align.quantities.inference import joint_distribution
    from causal_align.quantities.naturalness import (
        HomogeneityTest,
        Naturalness,
        PairVariance,
        Stratum,
        xe_naturalness,
    )
    from causal_align.quantities.parameters import (
        dump_model,
        load_model,
        model_from_pgmpy,
        parse_model,
    )
    from causal_align.quantities.plot import plot_sweep, sweep_svg
    from causal_align.quantities.rules import check_model
    from causal_align.quantities.simulation import Simulation, simulate
    from causal_align.quantities.sweep import Sweep, SweepLine, partial_shift, sweep
    from causal_align.samples.check import CITest, DataCheck, check_on_data
    from causal_align.samples.falsify import Falsification, IndependenceResult, falsify
    from causal_align.samples.reader import read_samples
    from causal_align.transport import (
        AdmissibleSet,
        RuleGraph,
        SigmaRule,
        TransportFormula,
        admissible_set,
        sigma_rule,
        transport_formula,
    )
    from causal_align.transport.estimate import estimate_transport
    from causal_align.transport.linear_gaussian import fit_linear_gaussian, linear_gaussian_model
    from causal_align.transport.sensitivity import robustness_bound, shapley_attribution
    from causal_align.uncertainty.candidates import check_candidates, load_candidates
    from causal_align.uncertainty.edges import EdgePrior, ShiftPrior, check_uncertain_edges
    from causal_align.uncertainty.files import load_partial_graph
    from causal_align.uncertainty.partial import Background, PartialGraph
    from causal_align.uncertainty.verdict import UncertainResult, check_under_uncertainty

_LAZY = {
    "Incentives": "causal_align.incentives.criteria",
    "incentive_report": "causal_align.incentives.report",
    "Signatures": "causal_align.incentives.signatures",
    "signatures": "causal_align.incentives.signatures",
    "Tradeoffs": "causal_align.incentives.tradeoffs",
    "tradeoffs": "causal_align.incentives.tradeoffs",
    "from_dagitty": "causal_align.interop",
    "from_networkx": "causal_align.interop",
    "from_pgmpy": "causal_align.interop",
    "to_dagitty": "causal_align.interop",
    "to_networkx": "causal_align.interop",
    "to_pgmpy": "causal_align.interop",
    "render": "causal_align.pictures.formats",
    "DiscreteModel": "causal_align.quantities.discrete",
    "Table": "causal_align.quantities.discrete",
    "random_model": "causal_align.quantities.discrete",
    "Gap": "causal_align.quantities.gap",
    "GapRow": "causal_align.quantities.gap",
    "alignment_gap": "causal_align.quantities.gap",
    "joint_distribution": "causal_align.quantities.inference",
    "HomogeneityTest": "causal_align.quantities.naturalness",
    "Naturalness": "causal_align.quantities.naturalness",
    "PairVariance": "causal_align.quantities.naturalness",
    "Stratum": "causal_align.quantities.naturalness",
    "xe_naturalness": "causal_align.quantities.naturalness",
    "check_model": "causal_align.quantities.rules",
    "dump_model": "causal_align.quantities.parameters",
    "load_model": "causal_align.quantities.parameters",
    "model_from_pgmpy": "causal_align.quantities.parameters",
    "parse_model": "causal_align.quantities.parameters",
    "plot_sweep": "causal_align.quantities.plot",
    "sweep_svg": "causal_align.quantities.plot",
    "Simulation": "causal_align.quantities.simulation",
    "simulate": "causal_align.quantities.simulation",
    "Sweep": "causal_align.quantities.sweep",
    "SweepLine": "causal_align.quantities.sweep",
    "partial_shift": "causal_align.quantities.sweep",
    "sweep": "causal_align.quantities.sweep",
    "CITest": "causal_align.samples.check",
    "DataCheck": "causal_align.samples.check",
    "check_on_data": "causal_align.samples.check",
    "Falsification": "causal_align.samples.falsify",
    "IndependenceResult": "causal_align.samples.falsify",
    "falsify": "causal_align.samples.falsify",
    "read_samples": "causal_align.samples.reader",
    "AdmissibleSet": "causal_align.transport",
    "RuleGraph": "causal_align.transport",
    "SigmaRule": "causal_align.transport",
    "TransportFormula": "causal_align.transport",
    "admissible_set": "causal_align.transport",
    "sigma_rule": "causal_align.transport",
    "transport_formula": "causal_align.transport",
    "estimate_transport": "causal_align.transport.estimate",
    "fit_linear_gaussian": "causal_align.transport.linear_gaussian",
    "linear_gaussian_model": "causal_align.transport.linear_gaussian",
    "robustness_bound": "causal_align.transport.sensitivity",
    "shapley_attribution": "causal_align.transport.sensitivity",
    "check_candidates": "causal_align.uncertainty.candidates",
    "load_candidates": "causal_align.uncertainty.candidates",
    "EdgePrior": "causal_align.uncertainty.edges",
    "ShiftPrior": "causal_align.uncertainty.edges",
    "check_uncertain_edges": "causal_align.uncertainty.edges",
    "load_partial_graph": "causal_align.uncertainty.files",
    "Background": "causal_align.uncertainty.partial",
    "PartialGraph": "causal_align.uncertainty.partial",
    "UncertainResult": "causal_align.uncertainty.verdict",
    "check_under_uncertainty": "causal_align.uncertainty.verdict",
}
"""Public names of the optional layers and the module that defines each."""


def __getattr__(name: str) -> Any:
    """Import an optional layer's public name on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'causal_align' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AdmissibleSet",
    "AlignmentResult",
    "Background",
    "CITest",
    "CausalAlignError",
    "CausalGraph",
    "Certificate",
    "CertificateError",
    "Conjecture",
    "DataCheck",
    "DiscreteModel",
    "Edge",
    "EdgePrior",
    "EditorError",
    "Falsification",
    "Gap",
    "GapRow",
    "GraphSpecError",
    "HomogeneityTest",
    "Incentives",
    "Independence",
    "IndependenceResult",
    "InferenceTooLarge",
    "Junction",
    "Limits",
    "Naturalness",
    "NaturalnessError",
    "OpenPath",
    "Origin",
    "PairVariance",
    "PartialGraph",
    "PicturesUnavailable",
    "Problem",
    "Query",
    "Repairs",
    "ResultHeader",
    "RuleGraph",
    "ShiftPrior",
    "SigmaGraph",
    "SigmaRule",
    "Signatures",
    "Simulation",
    "SoftIntervention",
    "Stratum",
    "Sweep",
    "SweepLine",
    "Table",
    "Tradeoffs",
    "TransportError",
    "TransportFormula",
    "UncertainResult",
    "admissible_set",
    "alignment_gap",
    "check_candidates",
    "check_inner_alignment",
    "check_model",
    "check_on_data",
    "check_queries",
    "check_uncertain_edges",
    "check_under_uncertainty",
    "dump_graph",
    "dump_model",
    "estimate_transport",
    "falsify",
    "fit_linear_gaussian",
    "from_dagitty",
    "from_networkx",
    "from_pgmpy",
    "implied_independences",
    "incentive_report",
    "is_separated",
    "joint_distribution",
    "linear_gaussian_model",
    "load_candidates",
    "load_graph",
    "load_model",
    "load_partial_graph",
    "load_queries",
    "minimal_separator",
    "model_from_pgmpy",
    "open_paths",
    "parse_graph",
    "parse_model",
    "partial_shift",
    "plot_sweep",
    "random_model",
    "read_samples",
    "render",
    "resolve_query",
    "robustness_bound",
    "shapley_attribution",
    "sigma_graph",
    "sigma_rule",
    "signatures",
    "simulate",
    "sweep",
    "sweep_svg",
    "to_dagitty",
    "to_networkx",
    "to_pgmpy",
    "tradeoffs",
    "transport_formula",
    "verify_certificate",
    "xe_naturalness",
]
