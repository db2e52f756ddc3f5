"""What the command-line tests share: run from the repository root, call ``main`` in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from causal_align.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def at_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples' paths (graphs/..., examples/...) are relative to the repository root."""
    monkeypatch.chdir(ROOT)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``causal-align ARGV``: the exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
