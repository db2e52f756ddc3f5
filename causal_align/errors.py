"""Every exception causal_align raises, and the problems they carry.

The hierarchy::

    ValueError
     └── CausalAlignError          base class: catch this to catch everything we raise
          ├── GraphSpecError       a graph (from a file or from Python) or a query is invalid;
          │    │                   ``.problems`` lists every problem found, each positioned
          │    └── NaturalnessError  XE-naturalness cannot be computed from this source
          ├── CertificateError     a certificate does not prove its verdict
          ├── PicturesUnavailable  no Graphviz executable could draw the picture
          ├── InferenceTooLarge    exact inference would need too large a table
          ├── TransportError       the transport layer: no S-admissible set, bad samples, ...
          ├── EditorError          a refused request to the browser editor (E_EDIT_CONFLICT:
          │                        the file changed on disk; E_EDIT_TOKEN, E_EDIT_ACTION, ...)
          └── FastEngineUnavailable  the compiled engine was asked for without numba

A :class:`Problem` has a stable ``code`` (``E_UNKNOWN_NODE``, ``E_CYCLE``, ...), a ``location``
inside the YAML document (``edges[3]``, ``sigma[0].context``), the 1-based ``line`` when it came
from a file, and a message that says what was found and how to fix it.

Examples
--------
>>> problem = Problem("E_SELF_LOOP", "self-loop \\"A -> A\\" (remove it)", "edges[0]",
...                   line=7, source="g.yaml")
>>> print(problem)
g.yaml:7 edges[0]: self-loop "A -> A" (remove it) [E_SELF_LOOP]
>>> error = GraphSpecError([problem])
>>> isinstance(error, ValueError), error.problems[0].code
(True, 'E_SELF_LOOP')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class CausalAlignError(ValueError):
    """Base class of every error raised by causal_align; ``code`` is stable.

    A bare ``CausalAlignError`` is about how the library or a command was called (an argument
    out of range, an unknown format): its code is ``E_ARGUMENT`` unless one is given. Every
    subclass has its own codes (docs/errors.md lists each).

    >>> CausalAlignError("limit must be >= 0, found -1").code
    'E_ARGUMENT'
    >>> CausalAlignError("no number for 'Y_b'", code="E_NO_UTILITY").code
    'E_NO_UTILITY'
    """

    code: str = "E_ARGUMENT"

    def __init__(self, *args: object, code: str | None = None) -> None:
        super().__init__(*args)
        if code is not None:
            self.code = code


def one_line(text: str) -> str:
    r"""``text`` with every character that is not printable (a newline, an escape code, a
    bidirectional override) written as its escape, so that it stays on one line and cannot
    drive a terminal.

    >>> print(one_line("g.yaml\nALIGNED\x1b[2J"))
    g.yaml\nALIGNED\x1b[2J
    """
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else repr(character)[1:-1]
                   for character in text)


def shown(value: object, cap: int = 60) -> str:
    """``value`` as a message shows it: quoted and escaped like ``repr``, never longer than
    about ``cap`` characters (a 1 MB node name stays readable), never failing.

    >>> shown("Y_m"), shown("x" * 100)
    ("'Y_m'", "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (100 characters)")
    """
    if isinstance(value, str) and len(value) > cap:
        return f"{value[:cap - 20]!r}"[:-1] + f"…' ({len(value):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    text = repr(value)
    return text if len(text) <= cap else f"{text[:cap]}… ({len(text):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a graph, a file or a query.

    Parameters
    ----------
    code : str
        Stable identifier, e.g. ``E_UNKNOWN_NODE``; documented in ``docs/errors.md``.
    message : str
        What was expected, what was found, and a fix.
    location : str
        Where in the YAML document: ``edges[3]``, ``nodes.Y_m``, ``query.base``; empty for the
        whole document.
    line : int or None
        1-based line in the source file, when known.
    source : str
        The file name, ``<string>`` or ``<python>``.
    """

    code: str
    message: str
    location: str = ""
    line: int | None = None
    source: str = "<python>"

    def __post_init__(self) -> None:
        # messages quote values with shown(); this is only a safety net for what slips through
        for name, cap in (("message", 1000), ("location", 200)):
            text = getattr(self, name)
            if len(text) > cap or not text.isprintable():
                text = text if text.isprintable() else repr(text)[1:-1]
                cut = f"{text[:cap - 40]}… ({len(text):,} characters)" if len(text) > cap else text
                object.__setattr__(self, name, cut)

    def __str__(self) -> str:
        source = one_line(self.source)  # a file or graph name cannot start a line of its own
        where = source if self.line is None else f"{source}:{self.line}"
        if self.location:
            where += f" {one_line(self.location)}"
        return f"{where}: {self.message} [{self.code}]"


MAX_PROBLEMS = 1000
"""Most problems collected from one input."""
SHOWN_PROBLEMS = 100
"""Most problems listed in an error message."""


class GraphSpecError(CausalAlignError):
    """A graph or query is invalid; ``problems`` holds the problems found, in file order.

    At most :data:`MAX_PROBLEMS` are kept (``more`` counts the rest) and the message lists the
    first :data:`SHOWN_PROBLEMS`, so a file with a million mistakes still fails fast.

    Examples
    --------
    >>> error = GraphSpecError([Problem("E_EMPTY_SET", "no regime node", "regime")])
    >>> print(error)
    1 problem:
      <python> regime: no regime node [E_EMPTY_SET]
    """

    def __init__(self, problems: Iterable[Problem], *, more: int = 0) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.more = more
        count = len(self.problems) + more
        heading = f"{count:,} problem{'s' if count != 1 else ''}:"
        listed = [str(problem) for problem in self.problems[:SHOWN_PROBLEMS]]
        hidden = count - len(listed)
        if hidden:
            listed.append(f"… and {hidden:,} more (fix these first)")
        super().__init__("\n  ".join([heading, *listed]),
                         code=self.problems[0].code if self.problems else "E_INVALID")


class InferenceTooLarge(CausalAlignError):
    """Exact inference would build a table larger than
    :data:`~causal_align.quantities.inference.MAX_CELLS` cells or
    :data:`~causal_align.quantities.inference.MAX_AXES` variables; ``variables`` are that table's
    variables, sorted.

    Examples
    --------
    >>> print(InferenceTooLarge(("A", "B"), 12_000_000))
    summing out the model needs a table of 12,000,000 cells over 2 variables (A, B): too large \
for exact computation; sample from the model instead
    """

    code = "E_TOO_LARGE"

    def __init__(self, variables: tuple[str, ...], cells: int) -> None:
        self.variables = variables
        self.cells = cells
        listing = ", ".join(variables[:8]) + (", …" if len(variables) > 8 else "")
        size = (f"{cells:,} cell{'s' if cells != 1 else ''}" if cells <= 10**15 else
                "more than 10^15 cells")
        super().__init__(f"summing out the model needs a table of {size} over "
                         f"{len(variables)} variables ({listing}): too large for exact "
                         "computation; sample from the model instead")


NATURALNESS_CODES = {
    "E_UNKNOWN_VARIABLE": "x, z, an evidence or a given variable is not in the model or samples",
    "E_UNKNOWN_STATE": "a given state the variable does not have (or never takes), or not text",
    "E_ROLE": "x, z, the evidence and the given variables overlap, no evidence, a regime node "
              "as x or z",
    "E_REGIME_STATE": "a regime node that is neither given nor evidence has no training state",
    "E_CATEGORIES": "x or z takes fewer than two values, or a variable more than 50",
    "E_MISSING_VALUE": "a field of the samples is missing",
    "E_NO_SAMPLES": "no row of the samples has all the given values",
    "E_IMPOSSIBLE_GIVEN": "the given states have probability zero in the model",
    "E_PSEUDOCOUNT": "the pseudocount is not a finite number >= 0",
    "E_SOURCE": "the source is not a model, a DataFrame or a path; two columns share a name",
    "E_TOO_LARGE": "too many log odds ratios, or a model too large to sum out exactly",
}
"""Every code a :class:`NaturalnessError` carries, with what it means (docs/errors.md has each
with an example)."""


class NaturalnessError(GraphSpecError):
    """XE-naturalness cannot be computed from this source.

    A :class:`GraphSpecError` whose problems have the codes of :data:`NATURALNESS_CODES`; the
    source is the samples file (with the line and the column) or ``<samples>`` for a DataFrame,
    the model's file or ``<python>``. ``code`` is the first problem's code.

    Examples
    --------
    >>> error = NaturalnessError([Problem("E_ROLE", "'A' is x and z: pick two variables", "z")])
    >>> error.code, isinstance(error, GraphSpecError)
    ('E_ROLE', True)
    >>> print(error)
    1 problem:
      <python> z: 'A' is x and z: pick two variables [E_ROLE]
    """

    def __init__(self, problems: Iterable[Problem], *, more: int = 0) -> None:
        problems = tuple(problems)
        unknown = sorted({problem.code for problem in problems} - NATURALNESS_CODES.keys())
        if unknown or not problems:
            raise ValueError(f"not naturalness error codes: {unknown or 'none given'}")
        super().__init__(problems, more=more)


class CertificateError(CausalAlignError):
    """A certificate does not prove its verdict (a bug, or a tampered result)."""

    code = "E_CERTIFICATE"


class PicturesUnavailable(CausalAlignError):
    """No Graphviz executable could be found or run; the text formats still work."""

    code = "E_NO_GRAPHVIZ"


TRANSPORT_CODES = {
    "E_TRANSPORT_ARGUMENT": "an argument names an unknown node, overlaps another, or is invalid",
    "E_NOT_TRANSPORTABLE": "no S-admissible set can be measured, or the given Z is not one",
    "E_TRANSPORT_SAMPLES": "a samples file is unreadable, lacks a column, or has unusable values",
    "E_SENSITIVITY": "a model lacks what the bound or the attribution needs",
    "E_LINEAR_MODEL": "a linear-Gaussian model or fit is invalid",
}
"""Every code, with what it means."""


class TransportError(CausalAlignError):
    """A problem found by the transport layer; ``code`` is stable (see :data:`TRANSPORT_CODES`)."""

    def __init__(self, code: str, message: str) -> None:
        if code not in TRANSPORT_CODES:
            raise ValueError(f"unknown transport error code {code!r}")
        self.code = code
        self.message = message
        super().__init__(f"{message} [{code}]")


class EditorError(CausalAlignError):
    """A refused editor request; ``code`` is stable, ``message`` says what to do."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{message} [{code}]")


class FastEngineUnavailable(CausalAlignError):
    """A compiled query was asked for, but numba is not installed."""

    code = "E_NO_NUMBA"

    def __init__(self) -> None:
        super().__init__("the compiled engine needs numba: pip install 'causal_align[fast]' "
                         f"[{self.code}]")
