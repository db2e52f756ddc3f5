"""The transport formula: E_deploy(Y_b | y_m) from training data and a deployment measurement.

The policy σ is the same in both regimes, so both share G_σ and the regime node ``s`` marks
what differs. If (Y_b ⊥ s | Y_m ∪ Z) in G_σ, then E(Y_b | y_m, z) is the same in both regimes
and, summing over z with deployment's own weights,

    E_deploy(Y_b | y_m) = Σ_z E_train(Y_b | y_m, z) · P_deploy(z | y_m).

:func:`transport_formula` picks the cheapest such Z among the measurable nodes
(:mod:`~causal_align.transport.admissible`) and writes the formula as text, LaTeX and JSON.

Examples
--------
>>> from causal_align.loader import load_graph
>>> formula = transport_formula(load_graph("graphs/transport_measure_coin.yaml"))
>>> formula.measure
('C',)
>>> print(formula.text)
E_deploy(Y_b | Y_m = y) = Σ_c E_train(Y_b | Y_m = y, C = c) · P_deploy(C = c | Y_m = y)
>>> print(formula.latex)
\\mathbb{E}_{\\mathrm{deploy}}[\\mathrm{Y\\_b} \\mid \\mathrm{Y\\_m} = y] = \\sum_{c} \
\\mathbb{E}_{\\mathrm{train}}[\\mathrm{Y\\_b} \\mid \\mathrm{Y\\_m} = y, \\mathrm{C} = c] \
\\, P_{\\mathrm{deploy}}(\\mathrm{C} = c \\mid \\mathrm{Y\\_m} = y)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from causal_align.errors import one_line
from causal_align.model import CausalGraph
from causal_align.transport.admissible import AdmissibleSet, admissible_set


@dataclass(frozen=True)
class TransportFormula:
    """How to compute E_deploy(Y_b | Y_m = y), or why it cannot be done by measuring.

    ``measure`` is Z, sorted: ``()`` when Y_m alone suffices (aligned: the training value is the
    deployment value), ``None`` when no measurable set works (``reason`` says why). ``text`` and
    ``latex`` are the formula (empty when ``measure`` is ``None``); ``to_dict()`` is its JSON.
    """

    admissible: AdmissibleSet

    @property
    def measure(self) -> tuple[str, ...] | None:
        """Z: what to measure in deployment, sorted; ``None`` when nothing works."""
        return self.admissible.measure

    @property
    def reason(self) -> str:
        """Why Z works, or why no set exists."""
        return self.admissible.reason

    @property
    def base(self) -> tuple[str, ...]:
        """Y_b."""
        return self.admissible.base

    @property
    def mesa(self) -> tuple[str, ...]:
        """Y_m."""
        return self.admissible.mesa

    @property
    def text(self) -> str:
        """The formula in plain text (Unicode), one line."""
        if self.measure is None:
            return ""
        target, given = _score(self.base), _given_text(self.mesa)
        left = f"E_deploy({target} | {given})" if given else f"E_deploy({target})"
        if not self.measure:
            return left + f" = E_train({target}{' | ' + given if given else ''})"
        values = ", ".join(_value(node) for node in self.measure)
        values = f"{{{values}}}" if len(self.measure) > 1 else values
        z = ", ".join(f"{node} = {_value(node)}" for node in self.measure)
        inner = f"{given}, {z}" if given else z
        weight = f"P_deploy({z} | {given})" if given else f"P_deploy({z})"
        return f"{left} = Σ_{values} E_train({target} | {inner}) · {weight}"

    @property
    def latex(self) -> str:
        """The formula in LaTeX (math mode, without delimiters)."""
        if self.measure is None:
            return ""
        target = " + ".join(_tex(node) for node in self.base)
        given = ", ".join(
            f"{_tex(node)} = y" if len(self.mesa) == 1 else f"{_tex(node)} = y_{{{index + 1}}}"
            for index, node in enumerate(self.mesa)
        )
        bar = f" \\mid {given}" if given else ""
        left = f"\\mathbb{{E}}_{{\\mathrm{{deploy}}}}[{target}{bar}]"
        if not self.measure:
            return f"{left} = \\mathbb{{E}}_{{\\mathrm{{train}}}}[{target}{bar}]"
        values = ", ".join(_value(node) for node in self.measure)
        z = ", ".join(f"{_tex(node)} = {_value(node)}" for node in self.measure)
        inner = f"{given}, {z}" if given else z
        weight = f"P_{{\\mathrm{{deploy}}}}({z}{bar})"
        return (
            f"{left} = \\sum_{{{values}}} \\mathbb{{E}}_{{\\mathrm{{train}}}}"
            f"[{target} \\mid {inner}] \\, {weight}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Stable, JSON-ready form: the formula's terms, its text and LaTeX, and the reason."""
        terms: list[dict[str, Any]] = []
        if self.measure is not None:
            given = list(self.mesa) + list(self.measure)
            terms.append(
                {"regime": "train", "kind": "expectation", "of": list(self.base), "given": given}
            )
            if self.measure:
                terms.append(
                    {
                        "regime": "deploy",
                        "kind": "probability",
                        "of": list(self.measure),
                        "given": list(self.mesa),
                    }
                )
        return {
            "graph": self.admissible.graph,
            "regime": list(self.admissible.regime),
            "base": list(self.base),
            "mesa": list(self.mesa),
            "measure": None if self.measure is None else list(self.measure),
            "cost": self.admissible.cost,
            "aligned": self.admissible.aligned,
            "sum_over": [] if self.measure is None else list(self.measure),
            "terms": terms,
            "text": self.text,
            "latex": self.latex,
            "reason": self.reason,
            "blocking": [path.to_dict() for path in self.admissible.blocking],
        }

    def __str__(self) -> str:
        lines = [
            f"transport of E(Y_b | Y_m) in {self.admissible.graph}: Y_b = "
            f"{', '.join(self.base)}, Y_m = {', '.join(self.mesa) or '(none)'}"
        ]
        if self.measure is None:
            lines.append("not transportable by measuring: " + self.reason)
            lines += [f"  open: {path}" for path in self.admissible.blocking]
        else:
            lines.append(
                "measure in deployment: "
                + (", ".join(self.measure) or "nothing (Y_m alone suffices)")
            )
            lines += [self.text, self.reason]
        return "\n".join(one_line(line) for line in lines)  # user text stays on its line


def transport_formula(
    graph: CausalGraph,
    *,
    base: str | Iterable[str] | None = None,
    mesa: str | Iterable[str] | None = None,
    measurable: Iterable[str] | None = None,
    costs: Mapping[str, float] | None = None,
) -> TransportFormula:
    """The transport formula for E_deploy(Y_b | Y_m) with the cheapest deployment measurement.

    Parameters
    ----------
    graph : CausalGraph
    base, mesa : str or Iterable[str], optional
        Y_b and Y_m; default: the graph's query.
    measurable : Iterable[str], optional
        The nodes that can be measured in deployment (default: every observed node).
    costs : Mapping[str, float], optional
        Positive cost per node; default 1 each, so Z is the smallest set.

    Returns
    -------
    TransportFormula

    Examples
    --------
    >>> from causal_align.model import CausalGraph
    >>> graph = CausalGraph.from_edges(["s -> X", "X -> Y_m", "Y_m -> Y_b"], regime="s",
    ...                                base="Y_b", mesa="Y_m")
    >>> formula = transport_formula(graph)
    >>> formula.measure, formula.text
    ((), 'E_deploy(Y_b | Y_m = y) = E_train(Y_b | Y_m = y)')
    """
    return TransportFormula(
        admissible_set(graph, base=base, mesa=mesa, measurable=measurable, costs=costs)
    )


def _score(base: tuple[str, ...]) -> str:
    return " + ".join(base)


def _given_text(mesa: tuple[str, ...]) -> str:
    if len(mesa) == 1:
        return f"{mesa[0]} = y"
    return ", ".join(f"{node} = y{index + 1}" for index, node in enumerate(mesa))


def _value(node: str) -> str:
    """The bound variable for a node's value: its name in lower case."""
    return node.lower()


def _tex(node: str) -> str:
    escaped = node.replace("\\", "\\textbackslash{}").replace("_", "\\_")
    return f"\\mathrm{{{escaped}}}"
