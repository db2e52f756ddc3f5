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
    "CausalAlignError",
    "CausalGraph",
    "Certificate",
    "CertificateError",
    "Conjecture",
    "Edge",
    "GraphSpecError",
    "Junction",
    "Limits",
    "OpenPath",
    "Origin",
    "Problem",
    "Query",
    "Repairs",
    "SigmaGraph",
    "SoftIntervention",
    "check_inner_alignment",
    "check_queries",
    "dump_graph",
    "from_dagitty",
    "from_networkx",
    "from_pgmpy",
    "load_graph",
    "load_queries",
    "parse_graph",
    "render",
    "sigma_graph",
    "to_dagitty",
    "to_networkx",
    "to_pgmpy",
    "verify_certificate",
]
