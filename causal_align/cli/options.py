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
import re
import sys
import traceback
from collections.abc import Callable
from typing import TextIO

from causal_align.errors import CausalAlignError, shown
from causal_align.limits import STDIN, Limits, write_bytes_atomically
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



def whole_number(text: str, *, least: int = 0, most: int | None = None) -> int:
    """An option's whole number ``>= least`` (and ``<= most``), or argparse's usage error;
    ``1e4`` reads as 10000, ``2.5`` is refused.

    >>> whole_number("12"), whole_number("1e4"), whole_number("3", least=2, most=5)
    (12, 10000, 3)
    >>> whole_number("2.5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a whole number >= 0, found '2.5'
    """
    try:
        value = int(text)
    except ValueError:
        try:
            number = float(text)
            value = int(number) if number.is_integer() else least - 1
        except (ValueError, OverflowError):
            value = least - 1
    if value < least or (most is not None and value > most):
        wanted = f">= {least}" if most is None else f"from {least} to {most:,}"
        raise argparse.ArgumentTypeError(f"expected a whole number {wanted}, found "
                                         f"{shown(text)}")
    return value


def count_option(least: int, *, most: int | None = None) -> Callable[[str], int]:
    """An argparse ``type=`` for :func:`whole_number` with these bounds."""
    return lambda text: whole_number(text, least=least, most=most)



def limits_of(options: argparse.Namespace) -> Limits:
    return Limits(max_bytes=options.max_bytes, max_nodes=options.max_nodes,
                  max_alias_values=options.max_alias_values)



def emit_image(image: bytes, output: str | None) -> bool:
    """Write an image to ``output`` atomically, or to standard output when it is not a
    terminal; False (after an error on stderr) when it cannot be written."""
    if output:
        return _written(output, image)
    if sys.stdout.isatty():
        say("error: a PNG image is not for a terminal: give -o FILE.png (or redirect standard "
            "output to a file)")
        return False

    def send() -> None:
        sys.stdout.flush()
        sys.stdout.buffer.write(image)
        sys.stdout.buffer.flush()

    return _sent(send, "the image")


def emit(report: str, output: str | None) -> bool:
    """Print ``report``, or write it to ``output`` atomically (complete or not at all); False
    (after an error on stderr) when it cannot be written."""
    if not output:
        return print_report(report)
    return _written(output, (report + "\n").encode("utf-8"))


def _written(output: str, data: bytes) -> bool:
    """Write ``data`` to the file ``output`` atomically; False after an error on stderr."""
    try:
        write_bytes_atomically(output, data)
    except OSError as error:
        say(f"error: cannot write {shown(output)}: {error.strerror or error}")
        return False
    return True


def _sent(send: Callable[[], None], what: str) -> bool:
    """Run ``send`` (a write to standard output): quiet when the reader went away (``| head``),
    False after an error on stderr when the output cannot be written (``> /dev/full``)."""
    try:
        send()
    except BrokenPipeError:
        _silence(sys.stdout)
    except OSError as error:
        _silence(sys.stdout)
        say(f"error: cannot write {what} to standard output: {error.strerror or error}")
        return False
    return True


ASCII = str.maketrans({"⊥": "_||_", "σ": "sigma", "∅": "{}", "…": "...", "→": "->",
                       "←": "<-", "λ": "lambda", "−": "-", "≥": ">=", "≤": "<=", "·": "*",
                       "■": "#", "×": "x", "—": "--", "–": "-", "Σ": "Sum", "ε": "eps",
                       "Δ": "Delta", "∪": " u ", "θ": "theta"})
"""ASCII spellings of the symbols our reports use, for a terminal that cannot show them."""


_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Characters that drive a terminal or reorder its text (escape sequences, bidirectional
overrides): never printed raw, whatever report holds them."""


def terminal_safe(text: str) -> str:
    r"""``text`` with every character that could drive a terminal written as an escape
    (``\x1b``, ``\u202e``); line breaks and tabs stay. In a JSON report the escape means the
    same character, so the data are unchanged.

    >>> terminal_safe("gap of g\x1b[2J\u202e: 0")
    'gap of g\\x1b[2J\\u202e: 0'
    """
    return _TERMINAL_UNSAFE.sub(lambda found: f"\\x{ord(found.group()):02x}"
                                if ord(found.group()) < 0x20 else  # never raw in JSON
                                f"\\u{ord(found.group()):04x}", text)


def printable(text: str, stream: TextIO) -> str:
    """``text`` as ``stream`` can encode it: unchanged when it can, otherwise with our symbols
    spelled in ASCII and anything else escaped (``\\u2200``, or ``\\udcff`` for the bytes of a
    file name that is not UTF-8).

    >>> import io
    >>> printable("(Y_b ⊥ s | Y_m) in G_σ", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    '(Y_b _||_ s | Y_m) in G_sigma'
    """
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        pass
    spelled = text.translate(ASCII)
    try:
        return spelled.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        return spelled.encode("ascii", "backslashreplace").decode("ascii")


def print_report(text: str) -> bool:
    """Print to standard output; keep quiet when the reader went away (``causal-align check
    g.yaml | head``), and return False (after an error on stderr) when the output cannot be
    written (``> /dev/full``)."""
    return _sent(lambda: print(printable(terminal_safe(text), sys.stdout), flush=True),
                 "the report")


def say(text: str) -> None:
    """Print a line to standard error, never failing (a closed pipe silences it)."""
    try:
        print(printable(terminal_safe(text), sys.stderr), file=sys.stderr, flush=True)
    except OSError:
        _silence(sys.stderr)


def _silence(stream: TextIO) -> None:
    """Point ``stream`` at the null device, so that nothing written later (Python's own flush at
    exit included) fails."""
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    finally:
        os.close(null)


Command = Callable[[argparse.Namespace], int]


INPUTS = ("file", "files", "graph", "samples", "data", "train", "deploy", "query_file")
"""The options and arguments that name a file a command reads."""


def overwritten_input(options: argparse.Namespace) -> str | None:
    """The input file that ``-o`` names too (the command would replace what it reads), or None.

    >>> overwritten_input(argparse.Namespace(file="g.yaml", output="./g.yaml"))
    'g.yaml'
    >>> overwritten_input(argparse.Namespace(file="g.yaml", output="report.txt")) is None
    True
    """
    output = getattr(options, "output", None)
    if not output or output == STDIN:
        return None
    target = os.path.realpath(output)
    for name in INPUTS:
        value = getattr(options, name, None)
        for path in value if isinstance(value, list) else [value]:
            if isinstance(path, str) and path != STDIN and os.path.realpath(path) == target:
                return path
    return None


def failing_safely(command: Command) -> Command:
    """``command`` with every failure of ours turned into exit code 2: an error of ours
    (``error:`` on stderr), and a failed write to standard output or error (``> /dev/full``, a
    closed pipe), which must never look like a verdict (0 or 1).

    Examples
    --------
    >>> def broken(options: argparse.Namespace) -> int:
    ...     raise BrokenPipeError(32, "Broken pipe")
    >>> failing_safely(broken)(argparse.Namespace())
    2
    """
    def run(options: argparse.Namespace) -> int:
        try:
            return command(options)
        except CausalAlignError as error:
            say(f"error: {error}")
        except OSError as error:  # a write to stdout or stderr failed
            _silence(sys.stdout)
            say(f"error: cannot write the output: {error.strerror or error}")
        except MemoryError:
            say("error: out of memory (lower the limits, e.g. --max-bytes, or give it more)")
        except Exception as error:  # noqa: BLE001 (a bug of ours: never a verdict's exit code)
            say("".join(traceback.format_exception(error)).rstrip())
            say(f"error: internal error, a bug in causal_align (please report it with the "
                f"traceback above): {type(error).__name__}: {error}")
        return BAD_INPUT

    run.fails_safely = True  # type: ignore[attr-defined]
    return run


def version_option(parser: argparse.ArgumentParser) -> None:
    """``--version``: the program's version (for the top-level parser)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("causal_align")
    except PackageNotFoundError:
        number = "unknown (not installed)"
    parser.add_argument("--version", action="version", version=f"%(prog)s {number}")


def limit_options(parser: argparse.ArgumentParser) -> None:
    """``--max-bytes``, ``--max-nodes`` and ``--max-alias-values``: :class:`Limits` raised.

    The command line calls this for every command, so it also makes sure each command's
    ``run`` exits 2 on any failure of ours (:func:`failing_safely`), whichever family added it.
    """
    run = parser.get_default("run")
    if callable(run) and not getattr(run, "fails_safely", False):
        parser.set_defaults(run=failing_safely(run))
    parser.add_argument("--max-bytes", type=whole_number, default=Limits.max_bytes,
                        metavar="N", help=f"largest file read (default {Limits.max_bytes:,})")
    parser.add_argument("--max-nodes", type=whole_number, default=Limits.max_nodes, metavar="N",
                        help=f"most nodes a graph may have (default {Limits.max_nodes:,})")
    parser.add_argument("--max-alias-values", type=whole_number,
                        default=Limits.max_alias_values, metavar="N",
                        help=f"most values YAML aliases may add (default "
                        f"{Limits.max_alias_values:,})")
