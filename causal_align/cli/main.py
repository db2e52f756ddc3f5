"""The ``causal-align`` command: one parser, one module per command family.

Exit codes: ``check`` returns 0 when aligned, 1 when not aligned; every command returns 2 on bad
input (an invalid file, an unknown node, a bad option), after listing every problem on stderr.
``check`` and ``validate`` are in :mod:`causal_align.cli.check`; the commands that compute
numbers (``gap``, ``sweep``, ``simulate``, ``test-data``, ``naturalness``) in
:mod:`causal_align.cli.quantities`; ``transport``, ``sigma-rule`` and ``sensitivity`` in
:mod:`causal_align.cli.transport`; ``incentives`` and ``tradeoffs`` in
:mod:`causal_align.cli.incentives`; ``uncertain``, ``candidates`` and ``learn`` in
:mod:`causal_align.cli.uncertainty`; ``edit`` (the browser editor) in :mod:`causal_align.cli.edit`.

Examples
--------
>>> main(["check", "graphs/aligned_proxy.yaml", "--format", "json"])  # doctest: +ELLIPSIS
{
  "graph": "aligned_proxy",
  "aligned": true,
...
0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from causal_align.cli import check, edit, incentives, quantities, transport, uncertainty
from causal_align.cli.options import (
    BAD_INPUT,
    limit_options,
    overwritten_input,
    say,
    version_option,
)
from causal_align.wording import plain


def parser() -> argparse.ArgumentParser:
    """The whole command line, every family's commands included."""
    top = argparse.ArgumentParser(
        prog="causal-align",
        description="Check inner alignment: is (Y_b ⊥ s | Y_m) by d-separation in G_σ?")
    version_option(top)
    commands = top.add_subparsers(dest="command", required=True)
    for family in (check, quantities, transport, incentives, uncertainty, edit):
        for command in family.add_commands(commands):
            limit_options(command)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    options = parser().parse_args(argv)
    clash = overwritten_input(options)
    if clash is not None:
        say(f"error: -o {plain(options.output)} is the input file {plain(clash)}: the report "
            "would replace what it reads (write it somewhere else)")
        return BAD_INPUT
    return int(options.run(options))


def run() -> None:
    """Entry point of the ``causal-align`` script."""
    sys.exit(main())
