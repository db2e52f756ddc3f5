"""``causal-align uncertain`` and ``causal-align candidates``: verdicts under graph uncertainty.

``uncertain FILE``: the verdict over every diagram a partially directed graph file allows, or
P(aligned) over a file's uncertain edges (an ``uncertain:`` section).
``candidates FILE...``: the min-over-models consensus over candidate diagrams (graph files, or
one candidate list file with weights).

Exit codes: 0 aligned in every member (candidate), 1 not aligned in every one, 3 undetermined
(they disagree, or not all were checked), 2 bad input (every problem listed on stderr).

:func:`check_uncertain_file` is what ``causal-align check`` calls for a file with ``--`` edges,
a ``background:`` or an ``uncertain:`` section (:func:`~causal_align.uncertainty.files.is_partial`
tells).

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="causal-align")
>>> parsers = add_commands(parser.add_subparsers(dest="command"))
>>> options = parser.parse_args(["uncertain", "graphs/uncertain/tutoring_background.yaml"])
>>> options.run(options)  # doctest: +ELLIPSIS
tutoring_background: UNDETERMINED
...
3
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from typing import Any

from causal_align.cli.options import print_report, say
from causal_align.errors import CausalAlignError, shown
from causal_align.limits import Limits, write_text_atomically
from causal_align.model import SoftIntervention
from causal_align.uncertainty.candidates import (
    check_candidates,
    load_candidates,
    load_graphs,
)
from causal_align.uncertainty.edges import check_uncertain_edges
from causal_align.uncertainty.files import load_uncertain_file
from causal_align.uncertainty.report import (
    FORMATS,
    render_consensus,
    render_edges,
    render_uncertain,
)
from causal_align.uncertainty.verdict import (
    ALIGNED,
    NOT_ALIGNED,
    check_under_uncertainty,
)
from causal_align.wording import plain

EXIT = {ALIGNED: 0, NOT_ALIGNED: 1}
UNDETERMINED_EXIT, BAD_INPUT = 3, 2


def add_commands(commands: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:  # type: ignore[type-arg]
    """Add ``uncertain`` to the ``causal-align`` subcommands."""
    parser = commands.add_parser(
        "uncertain", help="the verdict over every orientation of a partial diagram's -- edges",
        description="Check (Y_b ⊥ s | Y_m) in G_σ in every consistent extension of a "
                    "partially directed graph file (A -- B: direction unknown; background: "
                    "required, forbidden, tiers). Exit 0 aligned in every member, 1 not "
                    "aligned in every member, 3 undetermined, 2 bad input.")
    parser.add_argument("file", help="a graph file; its edges may include A -- B")
    parser.add_argument("--format", choices=(*FORMATS, "html"), default="text",
                        help="text (default), markdown, json, or html (one offline page with "
                             "a picture of each member diagram; not for uncertain edges)")
    parser.add_argument("--base", action="append", metavar="NODES",
                        help="Y_b, overriding the file's query (repeat or separate by commas)")
    parser.add_argument("--mesa", action="append", metavar="NODES",
                        help="Y_m, overriding the file's query ('' for none)")
    parser.add_argument("--regime", action="append", metavar="NODES",
                        help="which declared regime nodes to ask about")
    parser.add_argument("--sigma", action="append", metavar="TARGET=CONTEXT",
                        help="replace the file's σ, e.g. D_m=O,C (D_m= for open loop)")
    parser.add_argument("--no-sigma", action="store_true", help="no σ at all: G_σ = G")
    parser.add_argument("--limit", type=int, default=100, help="open paths kept per member")
    parser.add_argument("--max-members", type=int, default=1_000,
                        help="most parent-set combinations checked (default 1,000)")
    parser.add_argument("--max-exact", type=int, default=12,
                        help="uncertain edges: enumerate up to this many relevant edges")
    parser.add_argument("--samples", type=int, default=4000,
                        help="uncertain edges: draws when sampling (default 4,000)")
    parser.add_argument("--seed", type=int, default=0, help="uncertain edges: sampling seed")
    parser.add_argument("--jobs", type=int, default=1,
                        help="uncertain edges: check configurations in this many processes")
    parser.set_defaults(run=_run_uncertain)
    candidates = commands.add_parser(
        "candidates", help="the min-over-models consensus over candidate diagrams",
        description="Check every candidate diagram of one setup; aligned only if every one "
                    "is. Give graph files (partial ones too), or one candidate list file "
                    "(candidates: [{file, weight}]). Exit 0 all aligned, 1 none aligned, 3 "
                    "undetermined (defer), 2 bad input.")
    candidates.add_argument("files", nargs="+", help="graph files, or one candidate list file")
    candidates.add_argument("--weights", metavar="W,W,...",
                            help="prior weights, one per graph file (normalised)")
    candidates.add_argument("--format", choices=FORMATS, default="text")
    candidates.add_argument("--base", action="append", metavar="NODES")
    candidates.add_argument("--mesa", action="append", metavar="NODES")
    candidates.add_argument("--jobs", type=int, default=1,
                            help="check the candidates in this many processes")
    candidates.set_defaults(run=_run_candidates)
    learn = commands.add_parser(
        "learn", help="learn a partially directed diagram from two-regime samples (PC)",
        description="Pool training and deployment samples (the regime a column) and learn a "
                    "partially directed diagram with the PC algorithm of causal-learn (the "
                    "learn extra), the regime in tier 0. Writes a graph file with -- edges; "
                    "with --base and --mesa it also gives the uncertain verdict, and "
                    "--bootstrap N repeats learning on resamples. Exit 0 when written, 2 on "
                    "bad input.")
    learn.add_argument("samples", help="a CSV file, one column per node")
    learn.add_argument("--regime", default="s", help="the regime column (default s)")
    learn.add_argument("-o", "--output", required=True, help="the graph file to write")
    learn.add_argument("--alpha", type=float, default=0.05, help="test level (default 0.05)")
    learn.add_argument("--test", default="fisherz", choices=("fisherz", "chisq", "gsq"))
    learn.add_argument("--sigma", action="append", metavar="TARGET=CONTEXT")
    learn.add_argument("--base", action="append", metavar="NODES")
    learn.add_argument("--mesa", action="append", metavar="NODES")
    learn.add_argument("--bootstrap", type=int, default=0, metavar="N",
                       help="also learn on N bootstrap resamples")
    learn.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    learn.add_argument("--jobs", type=int, default=1, help="bootstrap in this many processes")
    learn.set_defaults(run=_run_learn)
    return [parser, candidates, learn]


def check_uncertain_file(path: str, *, format: str = "text",
                         base: Iterable[str] | None = None, mesa: Iterable[str] | None = None,
                         regime: Iterable[str] | None = None,
                         sigma: Iterable[SoftIntervention] | None = None, limit: int = 100,
                         max_members: int = 1_000, max_exact: int = 12, samples: int = 4000,
                         seed: int = 0, jobs: int = 1,
                         limits: Limits = Limits()) -> tuple[int, str]:
    """The exit code (0, 1 or 3) and the report for a partially directed graph file, or for a
    graph file with uncertain edges.

    Raises
    ------
    CausalAlignError
        For an invalid file, query or option (exit code 2 in the command).

    Examples
    --------
    >>> code, report = check_uncertain_file("graphs/uncertain/tutoring_cpdag.yaml",
    ...                                     format="json")
    >>> code, report.splitlines()[2]
    (3, '  "verdict": "undetermined",')
    """
    for name, value, least in (("--max-members", max_members, 1), ("--samples", samples, 1),
                               ("--jobs", jobs, 1), ("--max-exact", max_exact, 0)):
        if value < least:
            raise CausalAlignError(f"{name} must be at least {least}, found {value}")
    found = load_uncertain_file(path, limits=limits)
    query: dict[str, Any] = {"base": None if base is None else list(base),
                             "mesa": None if mesa is None else list(mesa),
                             "regime": None if regime is None else list(regime),
                             "sigma": sigma}
    if found.prior is None:
        result = check_under_uncertainty(found.graph, limit=limit, max_members=max_members,
                                         **query)
        code = EXIT.get(result.verdict, UNDETERMINED_EXIT)
        if format == "html":
            from causal_align.editor.verdict import uncertain_html

            return code, uncertain_html(result)
        return code, render_uncertain(result, format)
    settings: dict[str, Any] = {"max_exact": max_exact, "samples": samples, "seed": seed,
                                "progress": _progress("configurations"), **query}
    if jobs == 1:
        edges = check_uncertain_edges(found.graph.core, found.prior, **settings)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs) as pool:
            edges = check_uncertain_edges(found.graph.core, found.prior, executor=pool,
                                          **settings)
    code = EXIT.get(edges.verdict, UNDETERMINED_EXIT)
    if format == "html":  # one offline page with the report (no single diagram to draw)
        from causal_align.pictures.html import to_html_batch

        return code, to_html_batch([], summary=edges.verdict.upper(),
                                   preface=render_edges(edges, "text"))
    return code, render_edges(edges, format)


def _run_uncertain(options: argparse.Namespace) -> int:
    try:
        code, report = check_uncertain_file(
            options.file, format=options.format, base=_names(options.base),
            mesa=_names(options.mesa), regime=_names(options.regime),
            sigma=_sigma(options.sigma, options.no_sigma), limit=options.limit,
            max_members=options.max_members, max_exact=options.max_exact,
            samples=options.samples, seed=options.seed, jobs=options.jobs)
    except CausalAlignError as error:
        say(f"error: {error}")
        return BAD_INPUT
    print_report(report)
    return code


def _run_candidates(options: argparse.Namespace) -> int:
    try:
        if options.jobs < 1:
            raise CausalAlignError(f"--jobs must be at least 1, found {options.jobs}")
        if len(options.files) == 1 and _is_list_file(options.files[0]):
            graphs, weights = load_candidates(options.files[0])
        else:
            graphs, weights = load_graphs(options.files), None
        if options.weights is not None:
            weights = [_number(text) for text in options.weights.split(",")]
        base, mesa = _names(options.base), _names(options.mesa)
        if options.jobs == 1:
            consensus = check_candidates(graphs, weights, base=base, mesa=mesa,
                                         progress=_progress("candidates"))
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(options.jobs) as pool:
                consensus = check_candidates(graphs, weights, base=base, mesa=mesa,
                                             executor=pool, progress=_progress("candidates"))
    except CausalAlignError as error:
        say(f"error: {error}")
        return BAD_INPUT
    print_report(render_consensus(consensus, options.format))
    return EXIT.get(consensus.verdict, UNDETERMINED_EXIT)


def _run_learn(options: argparse.Namespace) -> int:
    try:
        for name, value in (("--bootstrap", options.bootstrap), ("--jobs", options.jobs - 1)):
            if value < 0:
                raise CausalAlignError(f"{name} must be at least {1 if name == '--jobs' else 0}")
        lines = _learn(options)
    except CausalAlignError as error:
        say(f"error: {error}")
        return BAD_INPUT
    print_report("\n".join(lines))
    return 0


def _learn(options: argparse.Namespace) -> list[str]:
    from pathlib import Path

    from causal_align.uncertainty.files import dump_partial
    from causal_align.uncertainty.learn import (
        BLIND_SPOTS,
        bootstrap,
        learn_partial_graph,
    )

    data = _read_csv(options.samples)
    sigma = _sigma(options.sigma, False) or []
    query = {"base": _names(options.base), "mesa": _names(options.mesa)}
    if (query["base"] is None) != (query["mesa"] is None):
        raise CausalAlignError("give both --base and --mesa (or neither)")
    try:
        learned = learn_partial_graph(data, regime=options.regime, alpha=options.alpha,
                                      test=options.test, sigma=sigma, name=Path(
                                          options.output).stem, **query)
    except ImportError:
        raise CausalAlignError("learning needs causal-learn: pip install "
                               "'causal_align[learn]' (or causal-learn)") from None
    summary = (f"learned from {len(data):,} rows of {plain(options.samples)}: PC with the "
               f"{options.test} test at alpha {options.alpha:g}, {options.regime} in tier 0")
    header = "\n".join([f"causal-align learn: {summary}.",
                        f"What the test cannot see: {BLIND_SPOTS[options.test]}.",
                        "A -- B: adjacent, direction not identified by the data."])
    text = dump_partial(learned, header=header)
    try:
        write_text_atomically(options.output, text)  # complete, or the old file kept
    except OSError as error:
        raise CausalAlignError(f"cannot write {shown(options.output)}: {error.strerror}") from None
    directed = [f"{a} -> {b}" for a, b in learned.closed_directed]
    undirected = [f"{a} -- {b}" for a, b in learned.closed_undirected]
    lines = [summary, f"directed: {', '.join(directed) or 'none'}",
             f"undirected: {', '.join(undirected) or 'none'}",
             f"what the test cannot see: {BLIND_SPOTS[options.test]}",
             f"wrote {plain(options.output)}"]
    if query["base"] is not None:
        result = check_under_uncertainty(learned)
        lines.append(f"verdict over the learned diagram: {result.verdict} "
                     f"({len(result.members)} member{'s' if len(result.members) != 1 else ''})")
    if options.bootstrap:
        settings = {"resamples": options.bootstrap, "seed": options.seed,
                    "regime": options.regime, "alpha": options.alpha, "test": options.test,
                    "sigma": sigma, "progress": _progress("resamples"), **query}
        if options.jobs == 1:
            found = bootstrap(data, **settings)
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(options.jobs) as pool:
                found = bootstrap(data, executor=pool, **settings)
        counts = ", ".join(f"{verdict} {count}" for verdict, count in
                           sorted(found.verdicts.items()))
        lines += [f"bootstrap, {found.resamples} resamples: {counts}"]
        lines += [f"  {frequency:4.0%}  {edge}" for edge, frequency in
                  sorted(found.edges.items(), key=lambda item: (-item[1], item[0]))]
    return lines


def _progress(what: str) -> Callable[[int, int], None] | None:
    """A progress line on stderr for long batches, when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{done:,}/{total:,} {what}", end=end, file=sys.stderr, flush=True)

    return show


def _read_csv(path: str) -> Any:
    import pandas

    try:
        return pandas.read_csv(path)
    except (OSError, ValueError) as error:
        raise CausalAlignError(f"cannot read {path} as CSV: {error}") from None


def _is_list_file(path: str) -> bool:
    """A candidate list file starts its mapping with ``candidates:``."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return any(line.startswith("candidates:") for line in handle)
    except (OSError, UnicodeDecodeError):
        return False  # the graph reader reports it


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CausalAlignError(f"--weights: {text.strip()!r} is not a number") from None


def _names(values: list[str] | None) -> list[str] | None:
    """``--base A --base B`` or ``--base A,B``; ``--mesa ''`` is the empty set."""
    if values is None:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _sigma(values: list[str] | None, none: bool) -> list[SoftIntervention] | None:
    if none:
        return []
    if values is None:
        return None
    found = []
    for value in values:
        target, equals, context = value.partition("=")
        if not equals:
            raise CausalAlignError(f"--sigma {value!r}: expected TARGET=CONTEXT,... "
                                   "(e.g. D_m=O,C; D_m= for an open-loop policy)")
        found.append(SoftIntervention(target.strip(), _names([context]) or []))
    return found
