"""Transport and sensitivity: from a "not aligned" verdict to what to measure and how bad it gets.

- :mod:`~causal_align.transport.admissible`: the smallest (or cheapest) S-admissible set Z of
  measurable nodes, a minimum vertex cut in the moral graph;
- :mod:`~causal_align.transport.formula`: the transport formula
  E_deploy(Y_b | y_m) = Σ_z E_train(Y_b | y_m, z) · P_deploy(z | y_m) as text, LaTeX and JSON;
- :mod:`~causal_align.transport.estimate`: that formula estimated from a training and a
  deployment CSV file, with bootstrap intervals;
- :mod:`~causal_align.transport.rules`: the three rules of the σ-calculus as checkable predicates;
- :mod:`~causal_align.transport.sensitivity`: the ε-robustness bound and the Shapley attribution
  of the gap to the shifted mechanisms;
- :mod:`~causal_align.transport.linear_gaussian`: linear-Gaussian models, their exact gap and
  closed-form sensitivities, fitted per regime from data.
"""

from causal_align.transport.admissible import AdmissibleSet, admissible_set
from causal_align.transport.formula import TransportFormula, transport_formula
from causal_align.transport.rules import RuleGraph, SigmaRule, sigma_rule

__all__ = [
    "AdmissibleSet",
    "RuleGraph",
    "SigmaRule",
    "TransportFormula",
    "admissible_set",
    "sigma_rule",
    "transport_formula",
]
