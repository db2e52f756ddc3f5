"""Verdicts under graph uncertainty: partial diagrams, candidate diagrams, uncertain edges.

- :func:`check_under_uncertainty`: the verdict over every consistent extension of a partially
  directed diagram (``A -- B`` edges, background knowledge), by the possible parent sets of the
  σ targets (and of the ``<->`` endpoints), with the single orientations that would settle an
  undetermined verdict;
- :func:`check_candidates`: the min-over-models consensus over candidate diagrams, and
  P(aligned) with weights;
- :func:`check_uncertain_edges`: P(aligned) over edges with prior probabilities and a shared
  Beta shift rate for regime edges, and the value of learning each edge;
- :func:`learn_partial_graph`: a partially directed diagram from two-regime samples (PC from
  causal-learn, the ``learn`` extra).

Examples
--------
>>> from causal_align.uncertainty import check_under_uncertainty, load_partial_graph
>>> check_under_uncertainty(load_partial_graph("graphs/uncertain/tutoring_cpdag.yaml")).verdict
'undetermined'
"""

from causal_align.uncertainty.candidates import (
                                                 Candidate,
                                                 Consensus,
                                                 check_candidates,
                                                 load_candidates,
                                                 load_graphs,
)
from causal_align.uncertainty.edges import (
                                                 EdgePrior,
                                                 EdgeUncertaintyResult,
                                                 EdgeValue,
                                                 ShiftPrior,
                                                 check_uncertain_edges,
)
from causal_align.uncertainty.files import (
                                                 UncertainFile,
                                                 dump_partial,
                                                 is_partial,
                                                 load_partial_graph,
                                                 load_uncertain_file,
                                                 parse_partial_graph,
)
from causal_align.uncertainty.learn import Bootstrap, bootstrap, learn_partial_graph
from causal_align.uncertainty.partial import Background, PartialGraph
from causal_align.uncertainty.report import (
                                                 render_consensus,
                                                 render_edges,
                                                 render_uncertain,
)
from causal_align.uncertainty.verdict import (
                                                 Member,
                                                 Settling,
                                                 UncertainResult,
                                                 check_under_uncertainty,
)

__all__ = [
    "Background",
    "Bootstrap",
    "Candidate",
    "Consensus",
    "EdgePrior",
    "EdgeUncertaintyResult",
    "EdgeValue",
    "Member",
    "PartialGraph",
    "Settling",
    "ShiftPrior",
    "UncertainFile",
    "UncertainResult",
    "bootstrap",
    "check_candidates",
    "check_uncertain_edges",
    "check_under_uncertainty",
    "dump_partial",
    "is_partial",
    "learn_partial_graph",
    "load_candidates",
    "load_graphs",
    "load_partial_graph",
    "load_uncertain_file",
    "parse_partial_graph",
    "render_consensus",
    "render_edges",
    "render_uncertain",
]
