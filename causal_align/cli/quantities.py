"""The ``causal-align`` commands that compute numbers: gap, sweep, simulate, test-data and
naturalness.

``check`` answers for every model of the diagram at once; these commands answer for one model
(the graph file's ``model:`` section), for random models of the diagram, or for samples:

- ``gap``: the exact alignment gap
  E(U(Y_b) | Y_m = y, deploy; σ) − E(U(Y_b) | Y_m = y, train; σ) at every value y of Y_m
  (:func:`~causal_align.gap.alignment_gap`);
- ``sweep``: the gap as the shifted mechanisms move from training to deployment, as a table and
  a PNG or SVG picture (:mod:`causal_align.quantities.sweep`, :mod:`causal_align.quantities.plot`);
- ``simulate``: the gap at the highest Y_m over many random models, from the graph alone
  (:func:`~causal_align.simulation.simulate`);
- ``test-data``: (Y_b ⊥ s | Y_m) tested on samples, and with ``--falsify`` every independence
  the diagram implies (:mod:`causal_align.samples.check`, :mod:`causal_align.implied`);
- ``naturalness``: the XE-naturalness measure, exact from the model or estimated from samples
  (:func:`~causal_align.naturalness.xe_naturalness`).

Exit codes: ``gap`` returns 0 when every gap is 0 (within :data:`ZERO`, relative) and 1 when one
is not (or when no value of Y_m happens in both regimes, so that no gap exists);
``test-data`` returns 0 when nothing is rejected and 1 when the data reject the independence (or,
with ``--falsify``, an implied one); ``sweep``, ``simulate`` and ``naturalness`` return 0. Every
command returns 2 on bad input, after ``error:`` and every problem on stderr, never a traceback;
a missing optional library is named with the extra that brings it.

Examples
--------
>>> from causal_align.cli.main import main
>>> main(["gap", "graphs/aligned_proxy_model.yaml", "--format", "json"])  # doctest: +ELLIPSIS
{
  "graph": "aligned_proxy_model",
  "base": [
    "Y_b"
  ],
...
0
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from causal_align.cli.options import (
    BAD_INPUT,
    count_option,
    emit,
    failing_safely,
    limits_of,
    node_names,
    print_report,
    query_options,
    say,
    whole_number,
)
from causal_align.errors import CausalAlignError, GraphSpecError, Problem, shown
from causal_align.header import ResultHeader
from causal_align.loader import load_graph
from causal_align.model import CausalGraph
from causal_align.samples import CORRECTIONS, METHODS
from causal_align.validate import suggest
from causal_align.wording import plain

if TYPE_CHECKING:  # the layers themselves are imported by the command that runs
    from causal_align.quantities.discrete import DiscreteModel
    from causal_align.quantities.gap import Utility
    from causal_align.samples.falsify import Falsification

MAX_STEPS = 100_000
"""Most strengths a sweep computes (each is an exact inference)."""
MAX_DRAWS = 10_000_000
"""Most random models ``simulate`` draws."""
ZERO = 1e-9
"""``gap`` exits 0 when every gap is within this of 0, relative to the utility's range (the
largest minus the smallest value U can take): neither the utility's offset nor its scale
changes the exit code."""
EXTRA = ("matplotlib", "pandas", "pgmpy", "scipy", "statsmodels", "tqdm")
"""The libraries of the ``quantities`` extra."""
_EXTRA_NAME = "causal_align[quantities]"
_NEEDS_NO_MODEL = ("causal-align simulate {file} works from the graph alone: it draws random "
                   "models of the diagram")

Command = Callable[[argparse.Namespace], int]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                 ) -> list[argparse.ArgumentParser]:
    """Add the quantities commands to ``causal-align``; each parser's ``run`` default runs it."""
    parsers = [_gap_parser(commands), _sweep_parser(commands), _simulate_parser(commands),
               _test_data_parser(commands), _naturalness_parser(commands)]
    for parser in parsers:
        parser.add_argument("--format", choices=("text", "json"), default="text",
                            help="text (default) or json (a stable, diffable to_dict())")
    return parsers


# ---------------------------------------------------------------- gap


def _gap_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                ) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "gap", help="the exact alignment gap of the file's model",
        description="E(U(Y_b) | Y_m = y, deploy; σ) − E(U(Y_b) | Y_m = y, train; σ) for every "
                    "value y of Y_m, by exact inference in the file's model: section. Exit "
                    "code 0: every gap is 0 (within 1e-9); 1: some gap is not, or no value of "
                    "Y_m happens in both regimes; 2: bad input.")
    parser.add_argument("file", help="a graph file (YAML) with a model: section")
    query_options(parser)
    _utility_option(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.set_defaults(run=_guarded(_gap, hint=_NEEDS_NO_MODEL))
    return parser


def _gap(options: argparse.Namespace) -> int:
    from causal_align.quantities.gap import alignment_gap, utility_range
    from causal_align.quantities.parameters import load_model

    utility = _utility(options.utility)
    model = load_model(options.file, limits=limits_of(options))
    with _about(options.file):
        gap = alignment_gap(model, **_query(options), utility=utility)
    if not emit(_rendered(gap, options.format), options.output):
        return BAD_INPUT
    gaps = [row.gap for row in gap.rows if row.gap is not None]
    scale = utility_range(gap) or 1.0  # zero is judged against how far U can move at all
    return 0 if gaps and all(abs(value) <= ZERO * scale for value in gaps) else 1


# ---------------------------------------------------------------- sweep


def _sweep_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                  ) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "sweep", help="the gap as the shifted mechanisms move from training to deployment",
        description="Interpolate every mechanism the regime node points at between its training "
                    "and deployment tables (strength λ from 0 to 1) and compute the gap at each "
                    "step; print the table, and draw it with -o. Exit code 0, or 2 on bad input.")
    parser.add_argument("file", help="a graph file (YAML) with a model: section")
    parser.add_argument("-o", "--output", metavar="PICTURE",
                        help="also draw the sweep to PICTURE, a .png or .svg file (matplotlib)")
    parser.add_argument("--steps", type=count_option(2, most=MAX_STEPS), default=21,
                        metavar="N",
                        help=f"how many strengths, evenly spaced from 0 to 1 (default 21, at "
                             f"most {MAX_STEPS:,})")
    parser.add_argument("--mesa-value", metavar="STATE|NODE=STATE,...",
                        help="follow one value of Y_m only: its state, or a state per Y_m node")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction,
                        help="show a progress bar on stderr (default: when stderr is a terminal)")
    query_options(parser)
    _utility_option(parser)
    parser.set_defaults(run=_guarded(_sweep, hint=_NEEDS_NO_MODEL))
    return parser


def _sweep(options: argparse.Namespace) -> int:
    from causal_align.quantities.parameters import load_model
    from causal_align.quantities.plot import plot_sweep
    from causal_align.quantities.sweep import sweep

    utility, mesa_value = _utility(options.utility), _mesa_value(options.mesa_value)
    model = load_model(options.file, limits=limits_of(options))
    with _about(options.file):
        result = sweep(model, steps=options.steps, mesa_value=mesa_value,
                       progress=_progress(options), **_query(options), utility=utility)
    if options.output:
        plot_sweep(result, options.output)
    return 0 if print_report(_rendered(result, options.format)) else BAD_INPUT


# ---------------------------------------------------------------- simulate


def _simulate_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                     ) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "simulate", help="the gap over many random models of the diagram",
        description="Draw random models of the graph (every table row from a symmetric "
                    "Dirichlet, seeded) and report the distribution of the gap at the highest "
                    "Y_m and how often it exceeds the tolerance. Needs no model: section (one is "
                    "ignored unless --like-model). Exit code 0, or 2 on bad input.")
    parser.add_argument("file", help="a graph file (YAML)")
    parser.add_argument("--draws", type=count_option(1, most=MAX_DRAWS), default=1000,
                        metavar="N",
                        help=f"how many random models (default 1000, at most {MAX_DRAWS:,})")
    parser.add_argument("--seed", type=count_option(0), default=0, metavar="N",
                        help="the same seed draws the same models (default 0)")
    parser.add_argument("--tolerance", type=_number(lowest=0.0), default=0.05, metavar="T",
                        help="the size of gap that counts: the report gives the share of draws "
                             "with |gap| > T and with gap >= -T (default 0.05)")
    parser.add_argument("--states", type=_states, default=2, metavar="N|NODE=N,...",
                        help="states per variable: N for every one, or NODE=N,... for some "
                             "(the others get 2); default 2")
    parser.add_argument("--like-model", action="store_true",
                        help="draw models shaped like the file's model: section (its states, "
                             "utilities and latents; only the probabilities are drawn)")
    parser.add_argument("--concentration", type=_number(above=0.0), default=1.0, metavar="C",
                        help="the Dirichlet parameter: 1 (default) is uniform over tables, small "
                             "values give near-deterministic ones")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction,
                        help="show a progress bar on stderr (default: when stderr is a terminal)")
    query_options(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.set_defaults(run=_guarded(_simulate))
    return parser


def _simulate(options: argparse.Namespace) -> int:
    from causal_align.quantities.parameters import load_model
    from causal_align.quantities.simulation import simulate

    if options.like_model and options.states != 2:
        raise CausalAlignError("--states and --like-model exclude each other (the model's "
                               "states are used)")
    source: CausalGraph | DiscreteModel = (
        load_model(options.file, limits=limits_of(options)) if options.like_model
        else load_graph(options.file, limits=limits_of(options)))
    if isinstance(options.states, dict) and isinstance(source, CausalGraph):
        _check_nodes(source, [("--states", name) for name in options.states])
    with _about(options.file):
        result = simulate(source, draws=options.draws, seed=options.seed,
                          tolerance=options.tolerance, states=options.states,
                          concentration=options.concentration, progress=_progress(options),
                          **_query(options))
    return 0 if emit(_rendered(result, options.format), options.output) else BAD_INPUT


# ---------------------------------------------------------------- test-data


def _test_data_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                      ) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "test-data", help="test (Y_b ⊥ s | Y_m) on samples, and the diagram's other claims",
        description="Samples from training and deployment in one CSV table, one column per "
                    "observed node and a regime column: test (Y_b ⊥ s | Y_m) with a "
                    "conditional-independence test suited to the columns. Exit code 0: not "
                    "rejected; 1: rejected (or, with --falsify, an implied independence "
                    "rejected); 2: bad input.")
    parser.add_argument("file", help="a graph file (YAML)")
    parser.add_argument("samples", help="a CSV file: a header naming nodes, one sample per line")
    parser.add_argument("--alpha", type=_number(above=0.0, below=1.0), default=0.05,
                        metavar="A", help="the significance level (default 0.05)")
    parser.add_argument("--method", choices=METHODS, default="auto",
                        help="the test: auto (default) takes the G-test when every column is "
                             "discrete and the partial correlation otherwise")
    parser.add_argument("--regime-column", metavar="NAME",
                        help="the column telling the regime (default: the one named after the "
                             "regime node)")
    parser.add_argument("--train", metavar="VALUE",
                        help="the regime column's training value (default: 0, false, train or "
                             "training)")
    parser.add_argument("--deploy", metavar="VALUE",
                        help="the regime column's deployment value (default: 1, true, deploy "
                             "or deployment)")
    parser.add_argument("--falsify", action="store_true",
                        help="also test every independence the diagram implies among the "
                             "columns, and list those the data reject")
    parser.add_argument("--correction", choices=CORRECTIONS, metavar="{" + ",".join(CORRECTIONS)
                        + "}", help="the multiple-testing correction of --falsify (default holm)")
    query_options(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.set_defaults(run=_guarded(_test_data))
    return parser


def _test_data(options: argparse.Namespace) -> int:
    from causal_align.samples.check import check_on_data
    from causal_align.samples.falsify import falsify
    from causal_align.samples.reader import read_samples

    if options.correction is not None and not options.falsify:
        raise CausalAlignError("--correction applies to --falsify only")
    limits = limits_of(options)
    graph = load_graph(options.file, limits=limits)
    regime = node_names(options.regime)
    if regime is not None and len(regime) != 1:
        raise CausalAlignError(f"--regime: the data test needs one regime node, found "
                               f"{', '.join(regime) or 'none'}")
    samples = read_samples(options.samples, graph, regime_column=options.regime_column,
                           base=node_names(options.base), mesa=node_names(options.mesa),
                           regime=regime, limits=limits)
    with _about(options.samples):
        result = check_on_data(graph, samples, base=node_names(options.base),
                               mesa=node_names(options.mesa),
                               regime=None if regime is None else regime[0], alpha=options.alpha,
                               method=options.method, train=options.train,
                               deploy=options.deploy)
        falsification: Falsification | None = None
        if options.falsify:
            falsification = falsify(graph, samples, alpha=options.alpha, method=options.method,
                                    correction=options.correction or "holm")
    if options.format == "json":
        report = json.dumps({"data_test": result.to_dict(), "falsification":
                             None if falsification is None else falsification.to_dict()},
                            indent=2, ensure_ascii=False)
    else:
        report = "\n\n".join(str(part) for part in (result, falsification) if part is not None)
    if not emit(report, options.output):
        return BAD_INPUT
    return 1 if result.rejected or (falsification is not None and falsification.rejected) else 0


# ---------------------------------------------------------------- naturalness


def _naturalness_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                        ) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "naturalness", help="is Z an XE-natural category for X given the evidence?",
        description="The XE-naturalness measure (the post 'Natural category, probability "
                    "flows'): the largest variance over the evidence E of a log odds ratio of "
                    "X and Z; 0 means Z is an XE-natural category for X given E. Exact from the "
                    "file's model: section, or estimated from samples with --data. Exit code 0, "
                    "or 2 on bad input.")
    parser.add_argument("file", help="a graph file (YAML); with a model: section unless --data")
    parser.add_argument("--x", required=True, metavar="X", help="the variable X")
    parser.add_argument("--z", required=True, metavar="Z", help="the candidate category Z")
    parser.add_argument("--evidence", required=True, action="append", metavar="NODES",
                        help="the evidence variables E (repeat or separate by commas)")
    parser.add_argument("--given", action="append", metavar="NODE=STATE",
                        help="hold NODE at STATE (repeatable; comma-separated pairs too): a "
                             "model conditions on it, samples keep only the matching rows. By "
                             "default each regime node is held at its training state (in "
                             "samples, its column's 0, false, train or training) unless it is "
                             "given or evidence")
    parser.add_argument("--data", metavar="CSV",
                        help="estimate from these samples (columns named after nodes) instead "
                             "of the model")
    parser.add_argument("--pseudocount", type=_number(lowest=0.0), metavar="P",
                        help="with --data: added to every X × Z cell of every stratum (default "
                             "0.5)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.set_defaults(run=_guarded(_naturalness, hint="naturalness can estimate the measure "
                                      "from samples instead: --data samples.csv"))
    return parser


def _naturalness(options: argparse.Namespace) -> int:
    from causal_align.quantities.naturalness import xe_naturalness
    from causal_align.quantities.parameters import load_model

    x, z, evidence = options.x, options.z, node_names(options.evidence) or []
    given = _pairs(options.given, "--given", "NODE=STATE")
    if options.data is None:
        if options.pseudocount is not None:
            raise CausalAlignError("--pseudocount applies to --data only (a model gives exact "
                                   "probabilities)")
        model = load_model(options.file, limits=limits_of(options))
        with _about(options.file):
            result = xe_naturalness(model, x=x, z=z, evidence=evidence, given=given)
    else:
        graph = load_graph(options.file, limits=limits_of(options))
        _check_nodes(graph, [("--x", x), ("--z", z),
                             *(("--evidence", name) for name in evidence),
                             *(("--given", name) for name in given)])
        result = xe_naturalness(options.data, x=x, z=z, evidence=evidence, given=given,
                                regime=sorted(graph.regime),
                                pseudocount=0.5 if options.pseudocount is None
                                else options.pseudocount, limits=limits_of(options))
    return 0 if emit(_rendered(result, options.format), options.output) else BAD_INPUT


# ---------------------------------------------------------------- shared


def _utility_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--utility", action="append", metavar="NODE=STATE:NUMBER,...",
                        help="score a Y_b node's states, e.g. Y_b=lose:0,win:1 (repeatable; "
                             "default: the model's utility or numeric states)")


class _Result(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def _rendered(result: _Result, format: str) -> str:
    """The result as text, or as its ``to_dict()`` in JSON."""
    if format == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
    if isinstance(result, ResultHeader) and plain(result.graph_name) != result.graph_name:
        result = dataclasses.replace(result, graph_name=plain(result.graph_name))
    return str(result)


def _query(options: argparse.Namespace) -> dict[str, list[str] | None]:
    """``--base``, ``--mesa`` and ``--regime`` as keyword arguments; ``None`` keeps the file's."""
    return {"base": node_names(options.base), "mesa": node_names(options.mesa),
            "regime": node_names(options.regime)}


def _guarded(command: Command, *, hint: str = "") -> Command:
    """``command`` with its errors on stderr and exit code 2; ``hint`` (``{file}`` is the graph
    file) follows an error saying the file has no model."""
    def run(options: argparse.Namespace) -> int:
        try:
            return command(options)
        except CausalAlignError as error:
            say(f"error: {error}")
            codes = {problem.code for problem in getattr(error, "problems", ())}
            if hint and "E_MODEL_MISSING" in codes:
                say(f"hint: {hint.format(file=options.file)}")
        except ModuleNotFoundError as error:
            library = (error.name or "").partition(".")[0]
            if library not in EXTRA:
                raise
            say(f"error: causal-align {options.command} needs {library}, part of the "
                f"quantities extra: pip install '{_EXTRA_NAME}'")
        return BAD_INPUT

    return failing_safely(run)


@contextmanager
def _about(source: str) -> Iterator[None]:
    """Name ``source`` in an error that does not say where it comes from (a missing library is
    no fault of the file)."""
    try:
        yield
    except GraphSpecError:
        raise
    except CausalAlignError as error:
        if _EXTRA_NAME in str(error):
            raise
        raise CausalAlignError(f"{source}: {error}") from error


def _number(*, lowest: float | None = None, above: float | None = None,
            below: float | None = None) -> Callable[[str], float]:
    """A finite number in the given range (``lowest`` included, ``above`` and ``below`` not)."""
    bounds = [f">= {lowest:g}" if lowest is not None else "", f"> {above:g}" if above is not None
              else "", f"< {below:g}" if below is not None else ""]
    wanted = " and ".join(bound for bound in bounds if bound)

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and (lowest is None or value >= lowest)
                and (above is None or value > above) and (below is None or value < below)):
            raise argparse.ArgumentTypeError(f"expected a finite number {wanted}, found {text!r}")
        return value

    return parse


def _pairs(values: list[str] | None, flag: str, shape: str) -> dict[str, str]:
    """``A=x,B=y`` (repeatable) as ``{"A": "x", "B": "y"}``."""
    pairs: dict[str, str] = {}
    for item in node_names(values) or []:
        name, equals, state = (part.strip() for part in item.partition("="))
        if not (equals and name and state):
            raise CausalAlignError(f"{flag} {shown(item)}: expected {shape}")
        if name in pairs:
            raise CausalAlignError(f"{flag} names {shown(name)} twice")
        pairs[name] = state
    return pairs


def _utility(values: list[str] | None) -> Utility | None:
    """``--utility Y_b=lose:0,win:1`` as ``{"Y_b": {"lose": 0.0, "win": 1.0}}``."""

    if values is None:
        return None
    utility: dict[str, dict[str, float]] = {}
    for value in values:
        node, equals, scores = (part.strip() for part in value.partition("="))
        example = "expected NODE=STATE:NUMBER,... (e.g. Y_b=lose:0,win:1)"
        if not (equals and node):
            raise CausalAlignError(f"--utility {shown(value)}: {example}")
        if node in utility:
            raise CausalAlignError(f"--utility scores {shown(node)} twice")
        utility[node] = {}
        for score in scores.split(","):
            state, colon, number = (part.strip() for part in score.partition(":"))
            try:
                utility[node][state] = float(number)
            except ValueError:
                raise CausalAlignError(f"--utility {shown(value)}: {shown(score)} is not "
                                       f"STATE:NUMBER; {example}") from None
            if not colon or not state:
                raise CausalAlignError(f"--utility {shown(value)}: {shown(score)} is not "
                                       f"STATE:NUMBER; {example}")
    return utility


def _mesa_value(value: str | None) -> str | dict[str, str] | None:
    """``--mesa-value 1`` or ``--mesa-value A=1,B=0``."""
    if value is None or "=" not in value:
        return value
    return _pairs([value], "--mesa-value", "STATE or NODE=STATE,...")


def _states(text: str) -> int | dict[str, int]:
    """``--states 3`` or ``--states A=3,B=4`` (node names are checked against the graph later)."""
    def whole(number: str) -> int:
        try:
            return whole_number(number.strip(), least=2)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"expected N or NODE=N,... with whole numbers "
                                             f">= 2, found {text!r}") from None

    if "=" not in text:
        return whole(text)
    counts = {}
    for item in text.split(","):
        name, equals, number = (part.strip() for part in item.partition("="))
        if not (equals and name) or name in counts:
            raise argparse.ArgumentTypeError(f"expected N or NODE=N,... (each node once), "
                                             f"found {text!r}")
        counts[name] = whole(number)
    return counts


def _check_nodes(graph: CausalGraph, named: Sequence[tuple[str, str]]) -> None:
    """Every name given to an option is a node of ``graph``; else every problem at once."""
    otherwise = f"it is not a node of {graph.name}"
    problems = [Problem("E_UNKNOWN_NODE", f"unknown node {shown(name)} in {flag} "
                        f"({suggest(name, graph.node_set, otherwise)})",
                        source=f"<options on {graph.name}>")
                for flag, name in named if name not in graph.node_set]
    if problems:
        raise GraphSpecError(problems)


def _progress(options: argparse.Namespace) -> bool:
    """``--progress``/``--no-progress``, else a bar only when stderr is a terminal."""
    return bool(sys.stderr.isatty() if options.progress is None else options.progress)

