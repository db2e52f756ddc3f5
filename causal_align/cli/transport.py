"""``causal-align transport``, ``sigma-rule`` and ``sensitivity``: the transport layer's commands.

Exit codes: ``transport`` 0 when an S-admissible set exists (the formula, and the estimate when
``--train``/``--deploy`` are given), 1 when none does; ``sigma-rule`` 0 when the rule licenses the
step, 1 when not; ``sensitivity`` 0; 2 for bad input, always with ``error: <message>`` on stderr.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="causal-align")
>>> _ = add_commands(parser.add_subparsers(dest="command"))
>>> options = parser.parse_args(["transport", "graphs/transport_measure_coin.yaml"])
>>> options.run(options)
transport of E(Y_b | Y_m) in transport_measure_coin: Y_b = Y_b, Y_m = Y_m
measure in deployment: C
E_deploy(Y_b | Y_m = y) = Σ_c E_train(Y_b | Y_m = y, C = c) · P_deploy(C = c | Y_m = y)
measuring C in deployment makes Y_m ∪ Z S-admissible: (Y_b ⊥ S | Y_m, C) in G_σ
0
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from causal_align.cli.options import print_report, say
from causal_align.errors import CausalAlignError, TransportError
from causal_align.limits import Limits
from causal_align.loader import load_graph
from causal_align.model import SoftIntervention

Handler = Callable[[argparse.Namespace], int]


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> list[argparse.ArgumentParser]:
    """Add ``transport``, ``sigma-rule`` and ``sensitivity``; each parser's ``run`` runs it."""
    parsers = [_transport_parser(commands), _rule_parser(commands), _sensitivity_parser(commands)]
    for parser in parsers:
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="text (default) or json (a stable to_dict())",
        )
    return parsers


def _guarded(handler: Handler) -> Handler:
    def run(options: argparse.Namespace) -> int:
        try:
            return handler(options)
        except CausalAlignError as error:
            say(f"error: {error}")
            return 2
        except OSError as error:
            say(f"error: {error}")
            return 2

    return run


def _names(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _pairs(values: list[str] | None, what: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for value in values or []:
        for item in value.split(","):
            name, equals, number = item.partition("=")
            try:
                found[name.strip()] = float(number)
            except ValueError:
                raise TransportError(
                    "E_TRANSPORT_ARGUMENT", f"{what} {item!r}: expected NODE=NUMBER"
                ) from None
            if not equals:
                raise TransportError(
                    "E_TRANSPORT_ARGUMENT", f"{what} {item!r}: expected NODE=NUMBER"
                )
    return found


def _policies(values: list[str] | None, what: str) -> list[SoftIntervention] | None:
    if values is None:
        return None
    found = []
    for value in values:
        target, equals, context = value.partition("=")
        if not equals:
            raise TransportError(
                "E_TRANSPORT_ARGUMENT",
                f"{what} {value!r}: expected TARGET=CONTEXT,... (D_m= for an open-loop policy)",
            )
        found.append(SoftIntervention(target.strip(), _names([context]) or []))
    return found


def _emit(result: Any, format: str) -> None:
    print_report(
        json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
        if format == "json"
        else str(result)
    )


def _query_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base", action="append", metavar="NODES", help="Y_b (default: the file's)"
    )
    parser.add_argument(
        "--mesa", action="append", metavar="NODES", help="Y_m (default: the file's)"
    )


# ---------------------------------------------------------------- transport


def _transport_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "transport",
        help="what to measure in deployment to transport E(Y_b | Y_m), and the estimate",
        description="The cheapest S-admissible set Z (measurable nodes with (Y_b ⊥ s | Y_m ∪ Z) "
        "in G_σ) and the transport formula; with --train and --deploy, "
        "E_deploy(Y_b | Y_m = y) estimated from the files with bootstrap intervals, "
        "beside the naive training value and, when the deployment file has Y_b, the "
        "measured one. Exit code 0: a set exists; 1: none does; 2: bad input.",
    )
    parser.add_argument(
        "file", help="a graph file (YAML); its model: section, if any, scores Y_b's states"
    )
    _query_options(parser)
    parser.add_argument(
        "--measurable",
        action="append",
        metavar="NODES",
        help="the nodes that can be measured in deployment (default: all observed)",
    )
    parser.add_argument(
        "--cost",
        action="append",
        metavar="NODE=COST",
        help="cost of measuring a node (default 1 each)",
    )
    parser.add_argument(
        "--measure",
        action="append",
        metavar="NODES",
        help="use this Z instead of the cheapest (must be S-admissible)",
    )
    parser.add_argument("--train", metavar="CSV", help="training samples: Y_b, Y_m and Z")
    parser.add_argument(
        "--deploy", metavar="CSV", help="deployment samples: Y_m and Z (Y_b too for a check)"
    )
    parser.add_argument("--boots", type=int, default=200, help="bootstrap resamples (200)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    parser.add_argument("--level", type=float, default=0.95, help="interval coverage (0.95)")
    parser.set_defaults(run=_guarded(_transport))
    return parser


def _scores(path: str) -> dict[str, dict[str, float]] | None:
    """The numbers of every state of the file's model, when it has a ``model:`` section."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    if not re.search(r"^model\s*:", text, re.MULTILINE):
        return None
    from causal_align.quantities.parameters import load_model

    model = load_model(path)
    return {node: dict(zip(model.states[node], values)) for node, values in model.values.items()}


def _transport(options: argparse.Namespace) -> int:
    from causal_align.transport.formula import transport_formula

    graph = load_graph(options.file)
    base, mesa = _names(options.base), _names(options.mesa)
    measurable, costs = _names(options.measurable), _pairs(options.cost, "--cost")
    if (options.train is None) != (options.deploy is None):
        raise TransportError("E_TRANSPORT_ARGUMENT", "give both --train and --deploy, or neither")
    if options.train is None:
        formula = transport_formula(graph, base=base, mesa=mesa, measurable=measurable, costs=costs)
        _emit(formula, options.format)
        return 0 if formula.measure is not None else 1
    from causal_align.transport.estimate import estimate_transport, read_samples_file

    estimate = estimate_transport(
        graph,
        read_samples_file(options.train),
        read_samples_file(options.deploy),
        base=base,
        mesa=mesa,
        measure=_names(options.measure),
        measurable=measurable,
        costs=costs,
        scores=_scores(options.file),
        boots=options.boots,
        seed=options.seed,
        level=options.level,
    )
    _emit(estimate, options.format)
    return 0


# ---------------------------------------------------------------- sigma-rule


def _rule_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "sigma-rule",
        help="does a rule of the σ-calculus license a step?",
        description="Rule 1: P(y | w, t; σ_X) = P(y | w; σ_X) if (T ⊥ Y | W) in G_{σ_X}. Rule 2: "
        "swap σ_Z for σ'_Z under observation of Z; rule 3: without it. Lists the "
        "violating open paths of each graph tested. Exit code 0: licensed; 1: not; "
        "2: bad input.",
    )
    parser.add_argument("file", help="a graph file (YAML)")
    parser.add_argument("--rule", type=int, choices=(1, 2, 3), required=True)
    parser.add_argument("--outcome", action="append", metavar="NODES", help="Y (default: Y_b)")
    parser.add_argument(
        "--given", action="append", metavar="NODES", help="W (default: Y_m; '' for none)"
    )
    parser.add_argument(
        "--observe", action="append", metavar="NODES", help="rule 1: T (default: the regime nodes)"
    )
    parser.add_argument(
        "--swap",
        action="append",
        metavar="NODES",
        help="rules 2, 3: Z (default: the targets of --after)",
    )
    parser.add_argument(
        "--before",
        action="append",
        metavar="TARGET=CONTEXT",
        help="rules 2, 3: σ_Z (default: the file's σ on Z)",
    )
    parser.add_argument(
        "--after",
        action="append",
        metavar="TARGET=CONTEXT",
        help="rules 2, 3: σ'_Z, the other policy",
    )
    parser.add_argument("--limit", type=int, default=10, help="open paths per graph (10)")
    parser.set_defaults(run=_guarded(_rule))
    return parser


def _rule(options: argparse.Namespace) -> int:
    from causal_align.transport.rules import sigma_rule

    graph = load_graph(options.file)
    verdict = sigma_rule(
        options.rule,
        graph,
        outcome=_names(options.outcome),
        given=_names(options.given),
        observe=_names(options.observe),
        swap=_names(options.swap),
        before=_policies(options.before, "--before"),
        after=_policies(options.after, "--after"),
        limit=options.limit,
    )
    _emit(verdict, options.format)
    return 0 if verdict.holds else 1


# ---------------------------------------------------------------- sensitivity


def _sensitivity_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "sensitivity",
        help="how far a shift can move E(Y_b | Y_m), and which mechanism moved it",
        description="For a graph file with a discrete model: the ε-robustness bound per value "
        "of Y_m and per shifted mechanism, and the Shapley attribution of the gap. "
        "With --train and --deploy: the bound estimated from the two files. "
        "With --linear --train --deploy: a linear-Gaussian model fitted per regime, "
        "the tests of which mechanisms changed, and closed-form sensitivities.",
    )
    parser.add_argument("file", help="a graph file (YAML), with a model: section unless --linear")
    _query_options(parser)
    parser.add_argument(
        "--epsilon",
        action="append",
        metavar="NODE=EPS",
        help="what-if: bound each shifted mechanism's TV shift by EPS",
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=256,
        help="sampled orders when Shapley values cannot be exact (256)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--linear",
        action="store_true",
        help="fit a linear-Gaussian model from --train and --deploy",
    )
    parser.add_argument("--train", metavar="CSV")
    parser.add_argument("--deploy", metavar="CSV")
    parser.add_argument(
        "--at",
        action="append",
        metavar="NODE=VALUE",
        help="--linear: the value y of Y_m (default: the training mean)",
    )
    parser.set_defaults(run=_guarded(_sensitivity))
    return parser


class _Both:
    def __init__(self, first: Any, second: Any) -> None:
        self.first, self.second = first, second

    def to_dict(self) -> dict[str, Any]:
        return {"bound": self.first.to_dict(), "attribution": self.second.to_dict()}

    def __str__(self) -> str:
        return f"{self.first}\n\n{self.second}"


def _has_linear_model(path: str) -> bool:
    from pathlib import Path

    from causal_align.limits import read_text
    from causal_align.yamldoc import read_yaml

    try:
        data, _ = read_yaml(read_text(Path(path)), path, Limits())
    except CausalAlignError:
        return False  # the loader says what is wrong, later
    return data.get("linear_model") is not None


class _LinearModel:
    """The exact gap of a file's linear-Gaussian model and its closed-form sensitivities."""

    def __init__(self, model: Any, at: dict[str, float] | None) -> None:
        self.model, self.at = model, at

    def to_dict(self) -> dict[str, Any]:
        return {"gap": self.model.gap(self.at), "at": self.at,
                "sensitivities": [row.to_dict() for row in self.model.sensitivities(self.at)]}

    def __str__(self) -> str:
        lines = [f"linear-Gaussian model of {self.model.graph.name} (the file's linear_model:)",
                 f"gap at y = {self.at or 'the training mean'}: {self.model.gap(self.at):+.4f}",
                 "sensitivities of E_train(Y_b | Y_m = y): per unit mean shift, per unit noise "
                 "variance (derivative)"]
        lines += [f"  {row['node']}: {row['mean']:+.4f}, {row['variance']:+.4f}"
                  for row in self.to_dict()["sensitivities"]]
        return "\n".join(lines)


class _Linear:
    def __init__(self, fit: Any, at: dict[str, float] | None) -> None:
        self.fit, self.at = fit, at

    def _rows(self) -> list[dict[str, Any]]:
        return [row.to_dict() for row in self.fit.model.sensitivities(self.at)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tests": [test.to_dict() for test in self.fit.tests],
            "gap": self.fit.model.gap(self.at),
            "at": self.at,
            "sensitivities": self._rows(),
        }

    def __str__(self) -> str:
        lines = [
            str(self.fit),
            f"gap at y = {self.at or 'the training mean'}: {self.fit.model.gap(self.at):+.4f}",
            "sensitivities of E_train(Y_b | Y_m = y): per unit mean shift, per unit noise "
            "variance (derivative)",
        ]
        lines += [
            f"  {row['node']}: {row['mean']:+.4f}, {row['variance']:+.4f}" for row in self._rows()
        ]
        return "\n".join(lines)


def _sensitivity(options: argparse.Namespace) -> int:
    base, mesa = _names(options.base), _names(options.mesa)
    if options.linear:
        if options.train is None or options.deploy is None:
            raise TransportError("E_TRANSPORT_ARGUMENT", "--linear needs --train and --deploy")
        from causal_align.transport.estimate import read_samples_file
        from causal_align.transport.linear_gaussian import fit_linear_gaussian

        fit = fit_linear_gaussian(
            load_graph(options.file),
            read_samples_file(options.train),
            read_samples_file(options.deploy),
            base=base,
            mesa=mesa,
        )
        _emit(_Linear(fit, _pairs(options.at, "--at") or None), options.format)
        return 0
    if options.train is None and options.deploy is None and _has_linear_model(options.file):
        from causal_align.transport.linear_gaussian import load_linear_model

        linear = load_linear_model(options.file, base=base, mesa=mesa)
        _emit(_LinearModel(linear, _pairs(options.at, "--at") or None), options.format)
        return 0
    if (options.train is None) != (options.deploy is None):
        raise TransportError("E_TRANSPORT_ARGUMENT", "give both --train and --deploy, or neither")
    if options.train is not None:
        from causal_align.transport.estimate import read_samples_file
        from causal_align.transport.sensitivity import robustness_bound_from_samples

        _emit(
            robustness_bound_from_samples(
                load_graph(options.file),
                read_samples_file(options.train),
                read_samples_file(options.deploy),
                base=base,
                mesa=mesa,
                scores=_scores(options.file),
            ),
            options.format,
        )
        return 0
    from causal_align.quantities.parameters import load_model
    from causal_align.transport.sensitivity import robustness_bound, shapley_attribution

    model = load_model(options.file)
    epsilons = _pairs(options.epsilon, "--epsilon") or None
    bound = robustness_bound(model, base=base, mesa=mesa, epsilons=epsilons)
    attribution = shapley_attribution(
        model, base=base, mesa=mesa, orders=options.orders, seed=options.seed
    )
    _emit(_Both(bound, attribution), options.format)
    return 0
