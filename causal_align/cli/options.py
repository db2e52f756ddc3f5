"""What every command shares: the query options, the limits, σ on the command line, exit codes
and writing the report (to standard output, or atomically to a file).

Examples
--------
>>> node_names(["A,B", " C "])
['A', 'B', 'C']
>>> sigma_option(["D_m=O,C"], False)
[SoftIntervention(target='D_m', context=('O', 'C'))]
"""

from __future__ import annotations

import argparse
import os
import sys

from causal_align.errors import CausalAlignError
from causal_align.limits import Limits
from causal_align.model import SoftIntervention

ALIGNED, NOT_ALIGNED, BAD_INPUT = 0, 1, 2
"""Exit codes: aligned (or valid), not aligned (or a non-zero gap), bad input or any failure of
ours."""


def query_options(parser: argparse.ArgumentParser) -> None:
    """``--base``, ``--mesa`` and ``--regime``: the query, replacing the file's."""
    parser.add_argument("--base", action="append", metavar="NODES",
                        help="Y_b, overriding the file's query (repeat or separate by commas)")
    parser.add_argument("--mesa", action="append", metavar="NODES",
                        help="Y_m, overriding the file's query ('' for none)")
    parser.add_argument("--regime", action="append", metavar="NODES",
                        help="which declared regime nodes to ask about (default: the file's "
                             "query, else all)")



def node_names(values: list[str] | None) -> list[str] | None:
    """``--base A --base B`` or ``--base A,B``; ``--mesa ''`` is the empty set."""
    if values is None:
        return None
    return [name.strip() for value in values for name in value.split(",") if name.strip()]



def sigma_option(values: list[str] | None, none: bool) -> list[SoftIntervention] | None:
    if none:
        return []
    if values is None:
        return None
    interventions = []
    for value in values:
        target, equals, context = value.partition("=")
        if not equals:
            raise CausalAlignError(f"--sigma {value!r}: expected TARGET=CONTEXT,... "
                                   "(e.g. D_m=O,C; D_m= for an open-loop policy)")
        interventions.append(SoftIntervention(target.strip(), node_names([context])))
    return interventions



def whole_number(text: str) -> int:
    """An option's whole number >= 0, or argparse's usage error."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, found {text!r}")
    return value



def limits_of(options: argparse.Namespace) -> Limits:
    return Limits(max_bytes=options.max_bytes, max_nodes=options.max_nodes,
                  max_alias_values=options.max_alias_values)



def emit(report: str, output: str | None) -> bool:
    """Print ``report``, or write it to ``output``; False (after an error on stderr) when the
    file cannot be written."""
    if not output:
        print_report(report)
        return True
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(report + "\n")
    except OSError as error:
        print(f"error: cannot write {output}: {error.strerror}", file=sys.stderr)
        return False
    return True



def print_report(text: str) -> None:
    """Print, and keep quiet when the reader went away (``causal-align check g.yaml | head``)."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())



def limit_options(parser: argparse.ArgumentParser) -> None:
    """``--max-bytes``, ``--max-nodes`` and ``--max-alias-values``: :class:`Limits` raised."""
    parser.add_argument("--max-bytes", type=whole_number, default=Limits.max_bytes,
                        metavar="N", help=f"largest file read (default {Limits.max_bytes:,})")
    parser.add_argument("--max-nodes", type=whole_number, default=Limits.max_nodes, metavar="N",
                        help=f"most nodes a graph may have (default {Limits.max_nodes:,})")
    parser.add_argument("--max-alias-values", type=whole_number,
                        default=Limits.max_alias_values, metavar="N",
                        help=f"most values YAML aliases may add (default "
                        f"{Limits.max_alias_values:,})")
