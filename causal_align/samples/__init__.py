"""Samples from training and deployment: reading CSV files, conditional-independence tests, the
data check of (Y_b ⊥ s | Y_m) and the falsification of the diagram's implied independences."""

from typing import Literal, get_args

Method = Literal["auto", "g-test", "chi-square", "partial-correlation", "spline-residual"]
"""A conditional-independence test: G-test or chi-square for discrete columns, partial
correlation (Fisher's z) for continuous ones, which assumes linear relations, or the same on
the residuals of additive cubic splines (``spline-residual``), which does not; ``auto``
chooses by the columns, and takes the splines when a linear fit is doubtful."""
METHODS: tuple[Method, ...] = get_args(Method)
Correction = Literal["holm", "fdr_bh", "bonferroni"]
"""A multiple-testing correction, by its statsmodels name."""
CORRECTIONS: tuple[Correction, ...] = get_args(Correction)
