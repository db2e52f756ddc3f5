"""causal_align: is a learned optimizer inner aligned? d-separation in G_σ, explained.

>>> import causal_align
>>> graph = causal_align.CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"],
...                                             regime="s", base="Y_b", mesa="Y_m")
>>> causal_align.check_inner_alignment(graph).aligned
True
"""

from causal_align.alignment import (AlignmentResult, Conjecture, Repairs, check_inner_alignment,
                                    check_queries)
from causal_align.certificate import Certificate, CertificateError, verify_certificate
from causal_align.data_check import CITest, DataCheck, check_on_data
from causal_align.discrete import DiscreteModel, Table, random_model
from causal_align.gap import Gap, GapRow, alignment_gap
from causal_align.implied import (Falsification, Independence, IndependenceResult, falsify,
                                  implied_independences)
from causal_align.inference import InferenceTooLarge, joint_distribution
from causal_align.naturalness import (HomogeneityTest, Naturalness, NaturalnessError,
                                      PairVariance, Stratum, xe_naturalness)
from causal_align.parameters import (check_model, dump_model, load_model, model_from_pgmpy,
                                     parse_model)
from causal_align.plot import plot_sweep, sweep_svg
from causal_align.samples import read_samples
from causal_align.shift_sweep import Sweep, SweepLine, partial_shift, sweep
from causal_align.simulation import Simulation, simulate
from causal_align.errors import CausalAlignError, GraphSpecError, Problem
from causal_align.explain import Junction, OpenPath
from causal_align.interop import (from_dagitty, from_networkx, from_pgmpy, to_dagitty,
                                 to_networkx, to_pgmpy)
from causal_align.intervention import SigmaGraph, sigma_graph
from causal_align.loader import Limits, dump_graph, load_graph, load_queries, parse_graph
from causal_align.model import CausalGraph, Edge, Origin, Query, SoftIntervention
from causal_align.report import render

__all__ = [
    "AlignmentResult",
    "CITest",
    "CausalAlignError",
    "CausalGraph",
    "Certificate",
    "CertificateError",
    "Conjecture",
    "DataCheck",
    "DiscreteModel",
    "Edge",
    "Falsification",
    "Gap",
    "GapRow",
    "GraphSpecError",
    "HomogeneityTest",
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
    "Problem",
    "Query",
    "Repairs",
    "SigmaGraph",
    "Simulation",
    "SoftIntervention",
    "Stratum",
    "Sweep",
    "SweepLine",
    "Table",
    "alignment_gap",
    "check_inner_alignment",
    "check_model",
    "check_on_data",
    "check_queries",
    "dump_graph",
    "dump_model",
    "falsify",
    "from_dagitty",
    "from_networkx",
    "from_pgmpy",
    "implied_independences",
    "joint_distribution",
    "load_graph",
    "load_model",
    "load_queries",
    "model_from_pgmpy",
    "parse_graph",
    "parse_model",
    "partial_shift",
    "plot_sweep",
    "random_model",
    "read_samples",
    "render",
    "sigma_graph",
    "simulate",
    "sweep",
    "sweep_svg",
    "to_dagitty",
    "to_networkx",
    "to_pgmpy",
    "verify_certificate",
    "xe_naturalness",
]
