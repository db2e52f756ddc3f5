"""The ``causal-align`` command: :func:`main` parses and runs, :func:`run` is the entry point."""

from causal_align.cli.main import main, run

__all__ = ["main", "run"]
