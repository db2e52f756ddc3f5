"""Candidate diagrams: the min-over-models consensus over several plausible diagrams of one setup.

Nobody knows the true diagram; often a few are plausible. Following the min-over-models rule
(act only when every plausible model approves, otherwise defer), the consensus is ``"aligned"``
only when every candidate is aligned, ``"not aligned"`` when every candidate is not, and
``"undetermined"`` otherwise, naming the candidates that are not aligned and an open path in
each. With weights (prior probabilities of the candidates), P(aligned) is the weight of the
aligned candidates; a candidate that is itself partially directed and undetermined makes it an
interval (``p_bounds``).

A candidate list file names the graph files, relative to itself::

    candidates:
      - file: warehouse_as_designed.yaml
        weight: 0.5
      - file: warehouse_carrier_shift.yaml
        weight: 0.2

Examples
--------
>>> consensus = check_candidates(*load_candidates("graphs/candidates/warehouse.yaml"))
>>> consensus.verdict, consensus.p_aligned
('undetermined', 0.5)
>>> for name in consensus.blocking:
...     print(name, consensus.candidate(name).witness)
warehouse_carrier_shift s -> Carrier -> Y_b
warehouse_shared_damage s -> Layout -> Y_m <-> Y_b
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from causal_align.errors import CausalAlignError
from causal_align.limits import Limits, read_text
from causal_align.loader import parse_graph
from causal_align.model import CausalGraph, Origin, SoftIntervention
from causal_align.uncertainty.files import is_partial, partial_from_data
from causal_align.uncertainty.partial import PartialGraph
from causal_align.uncertainty.verdict import (
    ALIGNED,
    UNDETERMINED,
    UncertainResult,
    check_under_uncertainty,
)
from causal_align.validate import Problems
from causal_align.yamldoc import read_yaml

Graph = CausalGraph | PartialGraph


@dataclass(frozen=True)
class Candidate:
    """One candidate diagram's verdict (itself over every member, for a partial diagram)."""

    name: str
    weight: float | None
    result: UncertainResult

    @property
    def verdict(self) -> str:
        return self.result.verdict

    @property
    def witness(self) -> str | None:
        """An open path in the first member that is not aligned, if any."""
        for member in self.result.members:
            if member.result.open_paths:
                return str(member.result.open_paths[0])
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "weight": self.weight, "verdict": self.verdict,
                "witness": self.witness, "members": len(self.result.members)}


@dataclass(frozen=True)
class Consensus:
    """The min-over-models verdict over candidate diagrams.

    ``blocking`` names the candidates that are not aligned in some member (they stop an
    "aligned" consensus), in input order. ``p_aligned`` is the normalised weight of the aligned
    candidates (``None`` without weights or when a candidate is undetermined); ``p_bounds`` the
    interval that undetermined candidates leave (``(0, 1)`` without weights).
    """

    verdict: str
    candidates: tuple[Candidate, ...]
    blocking: tuple[str, ...]
    p_aligned: float | None
    p_bounds: tuple[float, float]

    def candidate(self, name: str) -> Candidate:
        """The candidate called ``name``."""
        for item in self.candidates:
            if item.name == name:
                return item
        raise CausalAlignError(f"no candidate named {name!r} (candidates: "
                               f"{', '.join(item.name for item in self.candidates)})")

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "p_aligned": self.p_aligned,
                "p_bounds": list(self.p_bounds), "blocking": list(self.blocking),
                "candidates": [item.to_dict() for item in self.candidates]}


def check_candidates(graphs: Sequence[Graph], weights: Sequence[float] | None = None, *,
                     names: Sequence[str] | None = None,
                     base: str | Iterable[str] | None = None,
                     mesa: str | Iterable[str] | None = None,
                     regime: str | Iterable[str] | None = None,
                     sigma: Iterable[SoftIntervention] | None = None,
                     executor: Executor | None = None,
                     progress: Callable[[int, int], None] | None = None) -> Consensus:
    """The consensus over candidate diagrams, each checked with
    :func:`~causal_align.uncertainty.verdict.check_under_uncertainty`.

    Parameters
    ----------
    graphs : Sequence[CausalGraph or PartialGraph]
        The candidates; at least one.
    weights : Sequence[float], optional
        Prior weights, one per candidate, finite and >= 0 with a positive sum (normalised here).
    names : Sequence[str], optional
        Default: each graph's name.
    base, mesa, regime, sigma
        Replace every candidate's query.
    executor : concurrent.futures.Executor, optional
        Runs the candidates (a process pool, a Dask client's executor); default: one by one.
    progress : callable, optional
        Called as ``progress(done, total)`` after each candidate.

    Raises
    ------
    CausalAlignError
        For no candidates, bad weights or names, or an invalid query in some candidate.
    """
    graphs = list(graphs)
    if not graphs:
        raise CausalAlignError("no candidate diagrams (give at least one)")
    labels = [graph.name for graph in graphs] if names is None else list(names)
    if len(labels) != len(graphs) or len(set(labels)) != len(labels):
        raise CausalAlignError(f"expected {len(graphs)} distinct candidate names, found "
                               f"{labels!r} (rename the graphs or pass names=)")
    shares = None if weights is None else _normalised(list(weights), len(graphs))
    options = {"base": base, "mesa": mesa, "regime": regime,
               "sigma": None if sigma is None else tuple(sigma)}
    found = (map(_check_one, graphs, [options] * len(graphs)) if executor is None else
             executor.map(_check_one, graphs, [options] * len(graphs)))
    results = []
    for result in found:
        results.append(result)
        if progress is not None:
            progress(len(results), len(graphs))
    candidates = tuple(Candidate(name, None if shares is None else shares[index], result)
                       for index, (name, result) in enumerate(zip(labels, results)))
    verdicts = {item.verdict for item in candidates}
    verdict = verdicts.pop() if len(verdicts) == 1 else UNDETERMINED
    blocking = tuple(item.name for item in candidates if item.verdict != ALIGNED
                     and any(not member.result.aligned for member in item.result.members))
    if shares is None:
        p_aligned, bounds = None, (0.0, 1.0)
    else:
        low = sum(share for share, item in zip(shares, candidates) if item.verdict == ALIGNED)
        high = low + sum(share for share, item in zip(shares, candidates)
                         if item.verdict == UNDETERMINED)
        p_aligned, bounds = (low if high == low else None), (low, high)
    return Consensus(verdict, candidates, blocking, p_aligned, bounds)


def _check_one(graph: Graph, options: dict[str, Any]) -> UncertainResult:
    """One candidate (module level, so that process pools can pickle it)."""
    return check_under_uncertainty(graph, **options)


def _normalised(weights: list[float], count: int) -> list[float]:
    if len(weights) != count:
        raise CausalAlignError(f"expected {count} weights, one per candidate, found "
                               f"{len(weights)}")
    if any(isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w)
           or w < 0 for w in weights) or sum(weights) <= 0:
        raise CausalAlignError(f"weights must be finite numbers >= 0 with a positive sum, "
                               f"found {weights!r}")
    total = math.fsum(weights)
    return [weight / total for weight in weights]


def load_candidates(path: str | Path, *, limits: Limits = Limits()
                    ) -> tuple[list[Graph], list[float] | None]:
    """Read a candidate list file: the graphs (partial ones too) and their weights, if given.

    Raises
    ------
    GraphSpecError
        Every problem in the list file (positioned), or the first candidate file's problems.
    """
    path = Path(path)
    source = str(path)
    data, lines = read_yaml(read_text(path, limits), source, limits)
    problems = Problems(Origin(source, lines))
    items = data.get("candidates")
    for key in data:
        if key != "candidates":
            problems.add("E_UNKNOWN_KEY", key, f"unknown key {key!r} (expected candidates:)")
    if not isinstance(items, list) or not items:
        problems.add("E_TYPE", "candidates", "expected a non-empty list of candidates, each "
                     "with file: and optionally weight:")
        items = []
    files: list[Path] = []
    weights: list[float] = []
    for index, item in enumerate(items):
        where = f"candidates[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            problems.add("E_TYPE", where, "expected a mapping with file: (a graph file, "
                         "relative to this one) and optionally weight:")
            continue
        for key in item:
            if key not in ("file", "weight"):
                problems.add("E_UNKNOWN_KEY", f"{where}.{key}", f"unknown key {key!r} "
                             "(expected file or weight)")
        weight = item.get("weight")
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, (int, float))
                                   or not math.isfinite(weight) or weight < 0):
            problems.add("E_TYPE", f"{where}.weight", f"expected a number >= 0, found {weight!r}")
        elif weight is not None:
            weights.append(float(weight))
        files.append(path.parent / item["file"])
    if weights and len(weights) != len(items):
        problems.add("E_MISSING_KEY", "candidates", "give every candidate a weight, or none")
    problems.raise_if_any()
    return [_load_any(file, limits) for file in files], (weights or None)


def load_graphs(paths: Iterable[str | Path], *, limits: Limits = Limits()) -> list[Graph]:
    """Graph files as candidates; files with ``--`` edges become partial graphs."""
    return [_load_any(Path(path), limits) for path in paths]


def _load_any(path: Path, limits: Limits) -> Graph:
    """A graph file, partially directed or not."""
    text = read_text(path, limits)
    data, lines = read_yaml(text, str(path), limits)
    if is_partial(data):
        return partial_from_data(data, Origin(str(path), lines), default_name=path.stem)
    return parse_graph(text, source=str(path), default_name=path.stem, limits=limits)
