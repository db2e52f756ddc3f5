"""Numbers for one parametrised model of the diagram (Reber 2022, §3.3–§5; XE-naturalness).

Discrete models and their file section, exact inference, the alignment gap, shift sweeps and
their plots, simulation over random models, and XE-naturalness. Needs the ``quantities`` extra
(numpy is in the core; pgmpy, pandas, scipy, statsmodels, matplotlib and tqdm are imported by the
module that uses them, when it is used).
"""
