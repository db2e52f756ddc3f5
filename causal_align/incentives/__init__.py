"""Incentives beside the verdict: what an optimal policy may want to observe, respond to and
control, read against the regime, and the wireheading / inner-misalignment trade-off.

- :mod:`~causal_align.incentives.criteria`: requisite observations, VoI, RI, VoC and ICI of
  the single decision of G_σ (Everitt, Carey, Langlois, Ortega & Legg, AAAI 2021), explained;
- :mod:`~causal_align.incentives.signatures`: the deceptive-alignment, wireheading and
  reward-tampering signatures;
- :mod:`~causal_align.incentives.tradeoffs`: every single-change design variant, tabulated;
- :mod:`~causal_align.incentives.report`: text, Markdown and JSON;
- :mod:`~causal_align.cli.incentives`: ``causal-align incentives`` and ``tradeoffs``.

>>> from causal_align.loader import load_graph
>>> from causal_align.incentives import incentives
>>> incentives(load_graph("graphs/zoo/reward_tampering.yaml")).ici
('D', 'R2', 'S2', 'Theta_R2')
"""

from causal_align.incentives.criteria import Explanation, Incentives, incentives
from causal_align.incentives.report import (
                                            IncentiveReport,
                                            incentive_report,
                                            render_incentives,
                                            render_tradeoffs,
)
from causal_align.incentives.signatures import Signature, Signatures, signatures
from causal_align.incentives.tradeoffs import Tradeoffs, Variant, tradeoffs

__all__ = [
    "Explanation",
    "IncentiveReport",
    "Incentives",
    "Signature",
    "Signatures",
    "Tradeoffs",
    "Variant",
    "incentive_report",
    "incentives",
    "render_incentives",
    "render_tradeoffs",
    "signatures",
    "tradeoffs",
]
