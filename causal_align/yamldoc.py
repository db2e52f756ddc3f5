"""The positioned, bounded YAML reader: plain data plus the line of every location.

PyYAML's ``safe_load`` forgets line numbers and silently keeps the last of two duplicate keys, so
we read the event stream ourselves (libyaml's C parser when present), build plain data, record
the line of every location (``edges[3]``, ``sigma[0].context``) and refuse duplicate keys,
aliases that expand past the limit, unknown tags and nesting past the depth limit, all before
the work they would cost.

Examples
--------
>>> data, lines = read_yaml("nodes: {s: r}\\nedges:\\n  - s -> A\\n", "g.yaml", Limits())
>>> data["edges"], lines["edges[0]"]
(['s -> A'], 3)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

import yaml

from causal_align.errors import MAX_PROBLEMS, GraphSpecError, Problem, shown
from causal_align.limits import Limits

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)



MAX_ROOT_KEYS = 1000
"""Most keys the document's top-level mapping may have (a graph file uses about a dozen): a file
of a million unknown keys is refused at the first key past this, in constant memory."""

_EXPONENT = re.compile(r"[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+")
"""Numbers in exponent notation without a dot (``6e-1``, ``1e-7``): YAML 1.2 reads them as
numbers, YAML 1.1 (PyYAML) as text; we read them as numbers, as a user means them."""

LIBYAML_MAX_DEPTH = 999
"""The deepest nesting libyaml 0.2.5 and later (PyYAML 6.0.4's wheels) parse; it refuses more."""



def read_yaml(text: str, source: str, limits: Limits, *,
              needs: str = "a graph needs nodes:, edges: and regime:"
              ) -> tuple[dict[str, Any], Lines]:
    """Plain data and the 1-based line of every location, refusing duplicate keys; ``needs``
    says what an empty document lacks (``"a query file needs queries:"``)."""
    reader = _Reader(source, limits, needs)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            reader.feed(event)
    except yaml.MarkedYAMLError as error:
        raise GraphSpecError([_syntax_problem(error, text, source, limits)]) from None
    except yaml.reader.ReaderError as error:
        character = error.character if isinstance(error.character, int) else 0
        at = max(text.find(chr(character)), 0)  # the C reader counts bytes, not characters
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise GraphSpecError([Problem(
            "E_YAML_SYNTAX", f"not valid YAML, column {column}: the control character "
            f"U+{character:04X} is not allowed (remove it)", line=text.count("\n", 0, at) + 1,
            source=source)]) from None
    except UnicodeEncodeError as error:
        raise GraphSpecError([Problem(
            "E_ENCODING", f"the text holds a lone surrogate at character {error.start} "
            "(not valid Unicode)", line=text.count("\n", 0, error.start) + 1,
            source=source)]) from None
    except yaml.YAMLError as error:
        raise GraphSpecError([Problem("E_YAML_SYNTAX", f"not valid YAML: {error}",
                                      source=source)]) from None
    return reader.finish()



def _line_of(event: yaml.Event) -> int:
    """The 1-based line an event starts on (the C parser always sets marks)."""
    assert event.start_mark is not None
    return int(event.start_mark.line) + 1



def _syntax_problem(error: yaml.MarkedYAMLError, text: str, source: str,
                    limits: Limits) -> Problem:
    mark = error.problem_mark or error.context_mark
    where = "" if mark is None else f", column {mark.column + 1}"
    problem = str(error.problem)
    if "maximum nesting depth" in problem:  # libyaml >= 0.2.5 (PyYAML 6.0.4) stops by itself
        depth = min(limits.max_depth, LIBYAML_MAX_DEPTH)
        return Problem("E_TOO_DEEP", f"nested deeper than {depth} levels",
                       line=None if mark is None else mark.line + 1, source=source)
    if mark is not None and "cannot start any token" in problem:
        line = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
        if line[mark.column:mark.column + 1] == "\t":
            return Problem("E_YAML_SYNTAX", f"not valid YAML{where}: found a tab character "
                           "(YAML indents with spaces, not tabs)", line=mark.line + 1,
                           source=source)
    if error.context and error.context_mark is not None and error.context_mark is not mark:
        problem += (f" ({error.context} on line {error.context_mark.line + 1}, column "
                    f"{error.context_mark.column + 1})")
    return Problem("E_YAML_SYNTAX", f"not valid YAML{where}: {problem}",
                   line=None if mark is None else mark.line + 1, source=source)



class _Frame:
    """An open mapping or sequence: where it sits and, for a mapping, the key awaiting a value."""

    __slots__ = ("value", "location", "anchor", "size", "key", "item_lines")

    def __init__(self, value: Any, location: str, anchor: str | None,
                 item_lines: list[int]) -> None:
        self.value, self.location, self.anchor = value, location, anchor
        self.size: int = 1
        self.key: str | None = None
        self.item_lines = item_lines



class Lines(Mapping[str, int]):
    """The 1-based line of every location: mapping keys one by one, and the items of each list
    as one list of lines (a million edges cost a list of ints, not a million strings).

    Examples
    --------
    >>> lines = Lines()
    >>> lines.at["edges"] = 3
    >>> lines.in_lists["edges"] = [4, 5]
    >>> lines["edges[1]"], "edges[2]" in lines, len(lines)
    (5, False, 3)
    """

    def __init__(self) -> None:
        self.at: dict[str, int] = {}
        self.in_lists: dict[str, list[int]] = {}

    def __getitem__(self, location: str) -> int:
        found = self.at.get(location)
        if found is not None:
            return found
        parent, _, index = location[:-1].rpartition("[")
        lines = self.in_lists.get(parent) if location.endswith("]") else None
        if lines is not None and index.isdigit() and int(index) < len(lines):
            return lines[int(index)]
        raise KeyError(location)

    def __iter__(self) -> Iterator[str]:
        yield from self.at
        for parent, lines in self.in_lists.items():
            yield from (f"{parent}[{index}]" for index in range(len(lines)))

    def __len__(self) -> int:
        return len(self.at) + sum(len(lines) for lines in self.in_lists.values())



class _Reader:
    """Builds plain data from PyYAML events without recursion.

    Mapping keys stay the text they were written as (``no:`` is the name "no", not False).
    Aliases share their anchor's value, but count its full size against the alias limit.
    """

    _SCALARS = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                "tag:yaml.org,2002:float", "tag:yaml.org,2002:str"}

    _MAY_RESOLVE = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)
    """First characters of plain scalars that may be numbers, booleans or null."""

    def __init__(self, source: str, limits: Limits, needs: str) -> None:
        self.needs = needs
        self.source, self.limits = source, limits
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.lines = Lines()
        self.root: Any = None
        self.documents = self.aliased = self.nodes = 0
        self.problems: list[Problem] = []
        self.more = 0  # problems found past MAX_PROBLEMS: counted, not kept
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, code: str, message: str, mark: Any) -> NoReturn:
        raise GraphSpecError([Problem(code, message, line=mark.line + 1, source=self.source)])

    def feed(self, event: yaml.Event) -> None:
        if type(event) is yaml.ScalarEvent:  # most events: test it first
            self._scalar(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fail("E_YAML_SYNTAX", "more than one YAML document (a graph file holds one; "
                          "remove the second ---)", event.start_mark)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._check_tag(event, "map" if isinstance(event, yaml.MappingStartEvent) else "seq")
            deepest = min(self.limits.max_depth, LIBYAML_MAX_DEPTH)
            if len(self.stack) >= deepest:
                self.fail("E_TOO_DEEP", f"nested deeper than {deepest} levels", event.start_mark)
            value: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            location = self._place(value, event.start_mark, container=True)
            self.stack.append(_Frame(value, location, event.anchor,
                                     self.lines.in_lists.setdefault(location, [])))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            self._grow(frame.size, event.start_mark)
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (frame.value, frame.size)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                self.fail("E_YAML_SYNTAX", f"not valid YAML: unknown alias *{event.anchor}",
                          event.start_mark)
            value, size = self.anchors[event.anchor]
            self._grow(size, event.start_mark, aliased=True)
            self._place(value, event.start_mark)

    def _check_tag(self, event: Any, kind: str) -> None:
        if event.tag not in (None, "!", f"tag:yaml.org,2002:{kind}"):
            self.fail("E_YAML_FEATURE", f"unknown tag {shown(event.tag)} (remove it)",
                      event.start_mark)

    def _grow(self, size: int, mark: Any, *, aliased: bool = False) -> None:
        if self.stack:
            self.stack[-1].size += size
        if aliased:
            self.aliased += size
            if self.aliased > self.limits.max_alias_values:
                self.fail("E_TOO_LARGE", f"aliases expand to more than "
                          f"{self.limits.max_alias_values:,} values (an alias bomb? raise the "
                          "limit with --max-alias-values or Limits(max_alias_values=...))", mark)

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.value, dict) and frame.key is None:
            self._key(frame, event)
            return
        tag = event.tag
        if tag is None and not (event.implicit[0] and event.value[:1] in self._MAY_RESOLVE):
            tag = "tag:yaml.org,2002:str"  # quoted, or no implicit type starts this way
        elif tag in (None, "!"):
            tag = self.resolver.resolve(yaml.ScalarNode, event.value,  # type: ignore[no-untyped-call]
                                        event.implicit)
            if (tag == "tag:yaml.org,2002:str" and event.implicit[0]
                    and _EXPONENT.fullmatch(event.value)):
                tag = "tag:yaml.org,2002:float"
        elif tag not in self._SCALARS:
            self.fail("E_YAML_FEATURE", f"unknown tag {shown(tag)} (remove it, or quote the value: "
                      f"\"{tag} {event.value}\")", event.start_mark)
        value: Any = event.value  # text, and dates and the like stay text
        sexagesimal = ":" in event.value  # YAML 1.1's base 60 (1:30) stays text, as in YAML 1.2
        if tag in self._SCALARS and tag != "tag:yaml.org,2002:str" and not sexagesimal:
            try:
                value = self.constructor.construct_object(yaml.ScalarNode(tag, event.value))
            except (ValueError, LookupError, yaml.YAMLError):
                kind = tag.rpartition(":")[2]
                self.fail("E_YAML_FEATURE", f"{shown(event.value)} is not an !!{kind} (remove "
                          "the tag or fix the value)" if event.tag not in (None, "!") else
                          f"{shown(event.value)} cannot be read as a number (quote it to keep "
                          "it as text)", event.start_mark)
        self._grow(1, event.start_mark)
        self._place(value, event.start_mark)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)

    def _key(self, frame: _Frame, event: yaml.ScalarEvent) -> None:
        key = str(event.value)
        location = f"{frame.location}.{spot(key)}" if frame.location else spot(key)
        line = _line_of(event)
        if frame.location == "nodes":
            self.nodes += 1
            if self.nodes > self.limits.max_nodes:
                self.fail("E_TOO_LARGE", f"the graph declares more than {self.limits.max_nodes:,} "
                          "nodes (raise the limit with --max-nodes or Limits(max_nodes=...))",
                          event.start_mark)
        if key == "<<" and not event.style:
            self.fail("E_YAML_FEATURE", "merge keys (<<) are not supported (write the keys out)",
                      event.start_mark)
        if len(self.stack) == 1 and len(frame.value) >= MAX_ROOT_KEYS and key not in frame.value:
            self.fail("E_TOO_LARGE", f"the document has more than {MAX_ROOT_KEYS:,} top-level "
                      "keys (a graph file has about a dozen: nodes, edges, regime, ...)",
                      event.start_mark)
        if key in frame.value:
            code, what = (("E_DUPLICATE_NODE", "node") if frame.location == "nodes" else
                          ("E_DUPLICATE_KEY", "key"))
            if len(self.problems) < MAX_PROBLEMS:
                self.problems.append(Problem(code, f"{what} {shown(key)} appears twice (first on "
                                             f"line {self.lines.at[location]}; remove one)",
                                             location, line, self.source))
            else:
                self.more += 1
            key = "\0duplicate"  # read the value, then drop it
        else:
            self.lines.at[location] = line
        frame.key = key

    def _place(self, value: Any, mark: Any, container: bool = False) -> str:
        """Attach ``value`` to the open container; return its location (a list item's only
        for a ``container``, which needs it for its own items)."""
        if not self.stack:
            self.root = value
            self.lines.at[""] = mark.line + 1
            return ""
        frame = self.stack[-1]
        if isinstance(frame.value, dict):
            if frame.key is None:
                self.fail("E_YAML_FEATURE", "a mapping key must be a plain name, not a "
                          "list or mapping", mark)
            key, frame.key = frame.key, None
            if not key.startswith("\0"):
                frame.value[key] = value
            if not container:
                return ""
            return f"{frame.location}.{spot(key)}" if frame.location else spot(key)
        location = f"{frame.location}[{len(frame.value)}]" if container else ""
        frame.value.append(value)
        frame.item_lines.append(mark.line + 1)
        return location

    def finish(self) -> tuple[dict[str, Any], Lines]:
        if self.problems:
            raise GraphSpecError(self.problems, more=self.more)
        if self.root is None:
            raise GraphSpecError([Problem("E_EMPTY_FILE", f"the file is empty ({self.needs})",
                                          line=1, source=self.source)])
        if not isinstance(self.root, dict):
            kind = "list" if isinstance(self.root, list) else "scalar"
            raise GraphSpecError([Problem("E_NOT_MAPPING", "the document must be a mapping with "
                                          f"nodes:, edges: and regime:, found a {kind}",
                                          line=self.lines.at[""], source=self.source)])
        return self.root, self.lines


def spot(key: str) -> str:
    """A mapping key as it appears in a location: escaped, and cut when absurdly long."""
    key = key if key.isprintable() else repr(key)[1:-1]
    return key if len(key) <= 200 else f"{key[:180]}…"
