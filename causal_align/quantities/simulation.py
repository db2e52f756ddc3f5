"""How big is the gap in a typical model of the diagram? Random parametrisations, many times.

The founding text (seed 001, §5) asks how common it is that high Y_m still goes with high Y_b
once the regime shifts. :func:`simulate` draws many random models of the graph — every table row
from a symmetric Dirichlet, seeded — and computes each one's gap at the highest Y_m, the value the
mesa-optimizer drives Y_m to (see :mod:`causal_align.quantities.gap`). It reports the distribution of that
gap and two fractions, for a tolerance t:

- **above tolerance**: |gap| > t — deployment changes what the highest Y_m promises by more than
  t, in either direction;
- **still high**: gap ≥ −t, that is
  E(Y_b | highest Y_m, deploy; σ) ≥ E(Y_b | highest Y_m, train; σ) − t:
  reaching the highest Y_m is still worth (nearly) as much Y_b as it was in training.

An aligned graph gives gap 0 in every draw (up to rounding, ~1e-16); a misaligned one gives a
spread whose width is the typical size of the leak.

Examples
--------
>>> from causal_align.model import CausalGraph
>>> graph = CausalGraph.from_edges(["s -> C", "C -> Y_m", "C -> Y_b"], regime="s",
...                                base="Y_b", mesa="Y_m", name="proxy")
>>> result = simulate(graph, draws=200, seed=1)
>>> result.aligned, len(result.gaps), 0 < result.fraction_above < 1
(False, 200, True)
>>> aligned = CausalGraph.from_edges(["s -> C", "C -> Y_m", "Y_m -> Y_b"], regime="s",
...                                  base="Y_b", mesa="Y_m")
>>> simulate(aligned, draws=50).largest < 1e-12
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from causal_align.alignment import check_inner_alignment
from causal_align.quantities.discrete import DiscreteModel, random_model
from causal_align.errors import CausalAlignError, shown
from causal_align.quantities.gap import alignment_gap, number, signed, table
from causal_align.model import CausalGraph
from causal_align.quantities.progress import with_progress

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Simulation:
    """The gap at the highest Y_m over many random models of one graph.

    ``gaps`` holds one gap per draw that has a highest Y_m (``undefined`` counts the others:
    draws where no value of Y_m happens in both regimes, possible only with near-deterministic
    tables). ``aligned`` is the graph's verdict. Statistics are ``None`` when no draw counts.
    """

    graph: str
    base: tuple[str, ...]
    mesa: tuple[str, ...]
    regime: tuple[str, ...]
    aligned: bool
    draws: int
    seed: int
    tolerance: float
    states: int | tuple[tuple[str, int], ...]
    concentration: float
    gaps: tuple[float, ...] = field(repr=False)
    undefined: int

    @property
    def largest(self) -> float | None:
        """The largest |gap| of any draw."""
        return max(map(abs, self.gaps)) if self.gaps else None

    @property
    def fraction_above(self) -> float | None:
        """The fraction of the counted draws (those in ``gaps``) with |gap| > tolerance."""
        return self._fraction(np.abs(np.asarray(self.gaps)) > self.tolerance)

    @property
    def fraction_still_high(self) -> float | None:
        """The fraction of the counted draws with gap ≥ −tolerance (lost at most that much)."""
        return self._fraction(np.asarray(self.gaps) >= -self.tolerance)

    def summary(self) -> dict[str, float | None]:
        """Mean, standard deviation, minimum, quantiles and maximum of the gaps."""
        if not self.gaps:
            return {"mean": None, "std": None, "min": None,
                    **{f"q{round(100 * q):02d}": None for q in QUANTILES}, "max": None}
        values = np.asarray(self.gaps)
        return {"mean": float(values.mean()), "std": float(values.std()),
                "min": float(values.min()),
                **{f"q{round(100 * q):02d}": float(np.quantile(values, q)) for q in QUANTILES},
                "max": float(values.max())}

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form; the per-draw gaps are left out (they are in ``gaps``)."""
        return {"graph": self.graph, "base": list(self.base), "mesa": list(self.mesa),
                "regime": list(self.regime), "aligned": self.aligned, "draws": self.draws,
                "seed": self.seed, "tolerance": self.tolerance,
                "states": self.states if isinstance(self.states, int) else dict(self.states),
                "concentration": self.concentration, "counted": len(self.gaps),
                "undefined": self.undefined, "gap": self.summary(), "largest": self.largest,
                "fraction_above": self.fraction_above,
                "fraction_still_high": self.fraction_still_high}

    def __str__(self) -> str:
        verdict = "aligned" if self.aligned else "not aligned"
        lines = [f"simulation of {self.graph} ({verdict}): gap at the highest Y_m over "
                 f"{self.draws} random models (Dirichlet tables, concentration "
                 f"{self.concentration:g}, seed {self.seed})"]
        if not self.gaps:
            return "\n".join([*lines, "no draw has a value of Y_m that happens in both regimes"])
        summary = self.summary()
        lines += table(["mean", "std", "min", "5%", "25%", "median", "75%", "95%", "max"],
                       [[signed(summary["mean"]), number(summary["std"]),
                         *(signed(summary[key]) for key in
                           ("min", "q05", "q25", "q50", "q75", "q95", "max"))]])
        lines.append(f"|gap| > {self.tolerance:g}: {self.fraction_above:.1%} of draws")
        lines.append(f"still high (deployment ≥ training − {self.tolerance:g} at the highest "
                     f"Y_m): {self.fraction_still_high:.1%} of draws")
        if self.undefined:
            lines.append(f"{self.undefined} draws left out: no value of Y_m happens in both "
                         "regimes")
        return "\n".join(lines)

    def _fraction(self, hits: np.ndarray[Any, np.dtype[np.bool_]]) -> float | None:
        return float(hits.mean()) if self.gaps else None


def simulate(source: CausalGraph | DiscreteModel, *, draws: int = 1000, seed: int = 0, tolerance: float = 0.05,
             states: int | Mapping[str, int] = 2, concentration: float = 1.0,
             progress: bool = False, base: str | Iterable[str] | None = None,
             mesa: str | Iterable[str] | None = None,
             regime: str | Iterable[str] | None = None) -> Simulation:
    """The distribution of the gap at the highest Y_m over ``draws`` random models of a graph.

    Parameters
    ----------
    source : CausalGraph or DiscreteModel
        A graph; or a model, whose states, utilities and latents every draw keeps (only the
        probabilities are drawn, and ``states`` is not used): "how large is the leak in models
        shaped like mine?"
    draws : int
        How many random models.
    seed : int
        The same seed gives the same models, draw by draw; more draws extend the sequence.
    tolerance : float
        The size of gap that counts (see the module docstring).
    states : int or Mapping[str, int]
        States per variable (values 0, 1, ...), as for
        :func:`~causal_align.discrete.random_model`.
    concentration : float
        The Dirichlet parameter: 1 is uniform over tables, small values near-deterministic ones.
    progress : bool
        Show a progress bar on stderr (tqdm).
    base, mesa, regime : str or Iterable[str], optional
        The query; ``None`` takes the graph's default.

    Returns
    -------
    Simulation

    Raises
    ------
    CausalAlignError
        For a bad number (draws < 1, tolerance < 0, concentration ≤ 0, fewer than 2 states) or
        an invalid query.
    """
    problems = []
    if not _is_count(draws, 1):
        problems.append(f"draws must be a whole number >= 1, found {shown(draws)}")
    if not _is_count(seed, 0):
        problems.append(f"seed must be a whole number >= 0, found {shown(seed)}")
    if not 0 <= tolerance < math.inf:
        problems.append(f"tolerance must be a finite number >= 0, found {shown(tolerance)}")
    if not 0 < concentration < math.inf:
        problems.append(f"concentration must be a finite number > 0, found {shown(concentration)}")
    few = [count for count in ([states] if isinstance(states, int) else states.values())
           if not _is_count(count, 2)]
    if few:
        problems.append(f"every variable needs at least 2 states, found {shown(few[0])}")
    if problems:
        raise CausalAlignError("; ".join(problems))
    graph = source.graph if isinstance(source, DiscreteModel) else source
    verdict = check_inner_alignment(graph, base=base, mesa=mesa, regime=regime, limit=0)
    template = (source if isinstance(source, DiscreteModel) else  # only its shape is used
                random_model(graph, seed=seed, states=states))
    wordless = [node for node in verdict.mesa if node not in template.values]
    if wordless:
        raise CausalAlignError(f"the mesa objective {shown(wordless[0])} has no numbers, so no "
                               "value of Y_m is the highest (give its states numbers, or a "
                               "utility)")
    seeds: Iterable[int] = (int(value) for value in
                            np.random.SeedSequence(seed).generate_state(draws, dtype=np.uint64))
    seeds = with_progress(seeds, show=progress, what="model", total=draws, label="simulate")
    gaps, undefined = [], 0
    for draw_seed in seeds:
        model = random_model(graph, seed=draw_seed, concentration=concentration, like=template)
        highest = alignment_gap(model, base=verdict.base, mesa=verdict.mesa,
                                regime=verdict.regime).highest
        if highest is None or highest.gap is None:
            undefined += 1
        else:
            gaps.append(highest.gap)
    shape = (tuple((name, len(names)) for name, names in sorted(template.states.items())
                   if name not in graph.regime) if isinstance(source, DiscreteModel) else
             states if isinstance(states, int) else tuple(sorted(states.items())))
    return Simulation(graph.name, verdict.base, verdict.mesa, verdict.regime, verdict.aligned,
                      draws, seed, float(tolerance), shape,
                      float(concentration), tuple(gaps), undefined)


def _is_count(value: object, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least
