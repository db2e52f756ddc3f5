"""Testing the independences a diagram implies on samples (:mod:`causal_align.implied`).

:func:`falsify` tests each claim with :func:`~causal_align.samples.check.ci_test`, corrects the
p-values for testing many claims at once, and lists the claims the data reject first. A
rejected X ⊥ Y | Z says the diagram misses some connection that joins X and Y given Z: an edge, a
latent confounder, or a path through them (or the data break the test's assumptions, e.g. a
nonlinear relation under the partial correlation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from causal_align.errors import CausalAlignError, one_line, shown
from causal_align.header import ResultHeader, header_of
from causal_align.implied import Independence, separated_pairs
from causal_align.intervention import sigma_graph
from causal_align.model import CausalGraph
from causal_align.samples import CORRECTIONS
from causal_align.samples.check import CITest, ci_test
from causal_align.samples.reader import check_columns

if TYPE_CHECKING:
    from pandas import DataFrame


@dataclass(frozen=True)
class IndependenceResult:
    """One implied independence, its test on the data, and the corrected p-value."""

    independence: Independence
    test: CITest
    adjusted_p_value: float
    rejected: bool

    def to_dict(self) -> dict[str, Any]:
        return {"independence": self.independence.to_dict(), "rejected": self.rejected,
                "adjusted_p_value": self.adjusted_p_value, "test": self.test.to_dict()}



@dataclass(frozen=True)
class Falsification(ResultHeader):
    """Every implied independence among the observed columns, tested; rejected ones first.

    ``observed`` are the nodes with a column; ``unseparated`` the non-adjacent observed pairs
    that no set of observed nodes d-separates (nothing to test there). The header's query is
    the graph's default one: every implied independence is tested, not only that query's.
    """

    alpha: float
    correction: str
    samples: int
    observed: tuple[str, ...]
    tests: tuple[IndependenceResult, ...]
    unseparated: tuple[tuple[str, str], ...]

    @property
    def rejected(self) -> tuple[IndependenceResult, ...]:
        return tuple(tested for tested in self.tests if tested.rejected)

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form."""
        return {"graph": self.graph_name, "alpha": self.alpha, "correction": self.correction,
                "samples": self.samples, "observed": list(self.observed),
                "tested": len(self.tests), "rejected": len(self.rejected),
                "tests": [tested.to_dict() for tested in self.tests],
                "unseparated": [list(pair) for pair in self.unseparated]}

    def __str__(self) -> str:
        count = len(self.rejected)
        lines = [f"Falsification of {self.graph_name} on {self.samples:,} samples: "
                 f"{len(self.tests)} "
                 f"implied independence{'s' if len(self.tests) != 1 else ''} tested, {count} "
                 f"rejected at alpha = {self.alpha:g} ({self.correction} correction)"]
        if count:
            lines.append("the data contradict the diagram: it misses a connection between each "
                         "rejected pair (an edge, a latent confounder, or a path through them)")
        for heading, rejected in (("rejected:", True), ("not rejected:", False)):
            listed = [tested for tested in self.tests if tested.rejected == rejected]
            if listed:
                lines.append(heading)
            for tested in listed:
                lines.append(f"  {tested.independence}: {tested.test.summary()}, adjusted p = "
                             f"{tested.adjusted_p_value:.3g}")
                lines += [f"    warning: {warning}" for warning in tested.test.warnings]
        if self.unseparated:
            pairs = "; ".join(f"{x}, {y}" for x, y in self.unseparated)
            lines.append(f"not testable (no observed set separates them): {pairs}")
        return "\n".join(one_line(line) for line in lines)  # user text stays on its line



def falsify(graph: CausalGraph, samples: DataFrame, *, alpha: float = 0.05,
            correction: str = "holm", method: str = "auto") -> Falsification:
    """Test every independence the diagram implies among the columns of ``samples``.

    Parameters
    ----------
    graph : CausalGraph
    samples : pandas.DataFrame
        Columns named after nodes, as :func:`~causal_align.samples.read_samples` returns;
        other columns are ignored.
    alpha : float
        The level at which corrected p-values reject (family-wise error for ``"holm"`` and
        ``"bonferroni"``, false discovery rate for ``"fdr_bh"``).
    correction : str
        ``"holm"``, ``"fdr_bh"`` or ``"bonferroni"`` (statsmodels' ``multipletests``).
    method : str
        As for :func:`~causal_align.data_check.ci_test`; ``"auto"`` chooses for each test.

    Returns
    -------
    Falsification
        Rejected independences first, then by corrected p-value.

    Raises
    ------
    GraphSpecError
        When an observed column has a missing value.
    CausalAlignError
        For an invalid ``alpha``, ``correction`` or ``method``, or columns a test cannot use.

    Examples
    --------
    Data from s -> A -> B -> C with an extra edge A -> C the diagram lacks:

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 3000)
    >>> a = rng.random(3000) < 0.3 + 0.4 * s
    >>> b = rng.random(3000) < 0.2 + 0.6 * a
    >>> c = rng.random(3000) < 0.1 + 0.4 * b + 0.4 * a
    >>> graph = CausalGraph.from_edges(["s -> A", "A -> B", "B -> C"], regime="s")
    >>> result = falsify(graph, pd.DataFrame({"s": s, "A": a, "B": b, "C": c}))
    >>> [str(tested.independence) for tested in result.rejected]
    ['A ⊥ C | B']
    """
    from statsmodels.stats.multitest import multipletests

    if not 0 < alpha < 1:
        raise CausalAlignError(f"alpha must lie strictly between 0 and 1, found {alpha!r}")
    if correction not in CORRECTIONS:
        raise CausalAlignError(f"unknown correction {shown(correction)} (choose one of: "
                               f"{', '.join(CORRECTIONS)})")
    columns = set(samples.columns)
    nodes = [node for node in graph.nodes if node in columns]
    check_columns(samples, {node: "the node" for node in nodes})
    pairs = list(separated_pairs(sigma_graph(graph), nodes))
    claims = [Independence(x, y, separator) for x, y, separator in pairs if separator is not None]
    tests = [ci_test(samples, (claim.x,), (claim.y,), claim.given, method=method)
             for claim in claims]
    rejected, adjusted = ([], []) if not tests else multipletests(
        [test.p_value for test in tests], alpha=alpha, method=correction)[:2]
    results = sorted((IndependenceResult(claim, test, float(p_value), bool(reject))
                      for claim, test, p_value, reject in zip(claims, tests, adjusted, rejected)),
                     key=lambda tested: (not tested.rejected, tested.adjusted_p_value))
    return Falsification(alpha, correction, len(samples), tuple(nodes), tuple(results),
                         tuple((x, y) for x, y, separator in pairs if separator is None),
                         **header_of(graph).keywords())


