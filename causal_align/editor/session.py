"""One editing session: the text being edited, its history, its verdict, and saving it.

The text is the single source of truth. A picture action edits the YAML document
(:mod:`~causal_align.editor.document`), the loader judges the new text
(:mod:`~causal_align.editor.validation`), and the action is *refused* — the text left as it
was — when that adds a problem beyond "unfinished"; the refusal carries the loader's problems.
Text typed into the text pane is always kept, problems and all, so it can be fixed line by line.

All methods are thread-safe (one lock per session): the server answers requests on threads.

Examples
--------
>>> import tempfile, pathlib
>>> session = EditSession(pathlib.Path(tempfile.mkdtemp()) / "new.yaml")
>>> session.act({"op": "add_node", "name": "s"})["problems"][0]["code"]
'E_EMPTY_SET'
>>> session.act({"op": "set_role", "node": "s", "role": "regime", "on": True})["problems"]
[]
>>> session.act({"op": "add_node", "name": "X"})["version"]
3
>>> try:
...     session.act({"op": "connect", "tail": "X", "head": "s"})
... except GraphSpecError as refused:
...     print(refused.problems[0].code)
E_REGIME_NOT_EXOGENOUS
>>> session.save()["saved"]
True
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from causal_align.alignment import check_inner_alignment
from causal_align.editor.document import (
    DuplicateNode,
    Sections,
    apply_action,
    dump_document,
    load_document,
    node_extras,
    skeleton,
    touched,
)
from causal_align.editor.storage import atomic_write, exclusive, fingerprint, read_file
from causal_align.editor.validation import Checked, check_text
from causal_align.editor.verdict import (
    edges_picture,
    edges_report,
    partial_picture,
    picture,
    preview,
    preview_partial,
    sketch,
    uncertain_report,
)
from causal_align.errors import EditorError, GraphSpecError, Problem, shown

REPORT_FORMATS = ("html", "json", "markdown", "text")
"""The report formats the page can download."""
HISTORY = 200
"""Most undo steps kept."""


class EditSession:
    """The state behind one ``causal-align edit`` page.

    Parameters
    ----------
    path : Path
        The file edited; when it does not exist, the session starts from an empty diagram and
        the first save creates it.

    Attributes
    ----------
    token : str
        The per-session secret every write must carry.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.token = secrets.token_urlsafe(32)
        self._lock = threading.RLock()
        text, self._disk = read_file(path)
        self._saved: str | None = text if self._disk.exists else None
        self._text = text if self._disk.exists else skeleton(_safe_name(path.stem))
        self._undo: list[str] = []
        self._redo: list[str] = []
        self._version = 0
        self._document: CommentedMap | None = None
        self._sections: Sections | None = None
        self._checked, self._last_good = self._drawn(self._check(self._text), None)

    # -- reading ---------------------------------------------------------------------------

    def _check(self, text: str) -> Checked:
        return check_text(text, source=self.path.name, default_name=_safe_name(self.path.stem))

    def _drawn(self, checked: Checked,
               document: CommentedMap | None) -> tuple[Checked, dict[str, Any] | None]:
        """The picture of a checked text: the engine's for a valid diagram (over every
        orientation of its ``--`` edges, if any), a sketch for an unfinished one, ``None`` (keep
        the last good one) while the text is wrong. A query the engine refuses (Y_b = Y_m, a σ
        context some orientation puts below its target) turns ``checked`` into its problems.
        ``document`` is the text's document when the caller has it."""
        if checked.blocking and not checked.valid:
            return checked, None
        try:
            document = document if document is not None else self._doc()
        except EditorError:
            if not checked.valid:
                return checked, None
            document = None
        extras = node_extras(document) if document is not None else {}
        if not checked.valid:
            assert document is not None
            return checked, sketch(document, extras, "; ".join(
                problem.message for problem in checked.problems))
        try:
            if checked.partial is not None and checked.prior is not None:
                return checked, edges_picture(checked.partial, checked.prior, extras)
            if checked.partial is not None:
                return checked, partial_picture(checked.partial, extras)
            assert checked.graph is not None
            return checked, picture(checked.graph, extras)
        except GraphSpecError as error:
            return Checked(None, error.problems), None

    def _doc(self) -> CommentedMap:
        if self._document is None:
            self._document = load_document(self._text)
            self._sections = Sections()
            if self._sections.dump(self._document, None) != self._text:
                self._sections = None  # this text does not dump back as itself, section-wise
        return self._document

    def state(self) -> dict[str, Any]:
        """Everything the page shows: text, problems, the picture, history and file status."""
        with self._lock:
            return {
                "version": self._version,
                "path": str(self.path),
                "text": self._text,
                "problems": [_problem(problem) for problem in self._checked.problems],
                "valid": self._checked.valid,
                "picture": self._last_good,
                "can_undo": bool(self._undo), "can_redo": bool(self._redo),
                "dirty": self._text != self._saved,
                "exists": self._disk.exists,
            }

    def disk_changed(self) -> bool:
        """True when the file on disk is no longer what this session read or last wrote."""
        with self._lock:
            return fingerprint(self.path) != self._disk

    # -- changing --------------------------------------------------------------------------

    def _commit(self, text: str, checked: Checked, document: CommentedMap | None,
                drawn: tuple[Checked, dict[str, Any] | None] | None = None) -> None:
        self._undo.append(self._text)
        del self._undo[:-HISTORY]
        self._redo.clear()
        self._set(text, checked, document, drawn)

    def _set(self, text: str, checked: Checked, document: CommentedMap | None,
             drawn: tuple[Checked, dict[str, Any] | None] | None = None) -> None:
        """Make ``text`` current; ``drawn`` is :meth:`_drawn`'s answer when already known."""
        self._text, self._document = text, document
        self._version += 1
        self._checked, picture_now = drawn or self._drawn(checked, document)
        if picture_now is not None:
            self._last_good = picture_now

    def act(self, action: Mapping[str, Any]) -> dict[str, Any]:
        """Apply a picture action (see :func:`~causal_align.editor.document.apply_action`).

        Raises
        ------
        GraphSpecError
            When the loader refuses the result: its new problems, the text unchanged.
        EditorError
            For a malformed action or a text the picture cannot edit (invalid YAML).
        """
        with self._lock:
            document = self._doc()
            try:
                apply_action(document, action)
            except DuplicateNode as duplicate:
                self._document = None  # the document may be half-changed: read it again
                raise self._duplicate(duplicate.name) from None
            except Exception:
                self._document = None
                raise
            sections = self._sections
            text = (dump_document(document) if sections is None
                    else sections.dump(document, touched(action)))
            checked = self._check(text)
            drawn: tuple[Checked, dict[str, Any] | None] = (checked, None)
            if not checked.blocking:  # the engine may still refuse the query: ask it now
                drawn = self._drawn(checked, document)
            before = {(problem.code, problem.message) for problem in self._checked.problems}
            new = [problem for problem in drawn[0].problems
                   if (problem.code, problem.message) not in before]
            if Checked(None, tuple(new)).blocking:
                self._document = None
                raise GraphSpecError(new)
            self._commit(text, checked, document, drawn)
            return self.state()

    def _duplicate(self, name: str) -> GraphSpecError:
        """The loader's words for a second declaration of ``name``."""
        mark = self._doc()["nodes"].lc.key(name)
        return GraphSpecError([Problem(
            "E_DUPLICATE_NODE", f"node {shown(name)} appears twice (first on line {mark[0] + 1}; "
            "remove one)", f"nodes.{name}", None, self.path.name)])

    def set_text(self, text: str) -> dict[str, Any]:
        """Replace the text as typed; kept even when invalid, its problems reported by line."""
        if not isinstance(text, str):
            raise EditorError("E_EDIT_ACTION", "text must be a string")
        with self._lock:
            if text != self._text:
                self._commit(text, self._check(text), None)
            return self.state()

    def undo(self) -> dict[str, Any]:
        """Go back one change (a no-op at the start of the history)."""
        with self._lock:
            if self._undo:
                self._redo.append(self._text)
                text = self._undo.pop()
                self._set(text, self._check(text), None)
            return self.state()

    def redo(self) -> dict[str, Any]:
        """Redo the change last undone (a no-op when there is none)."""
        with self._lock:
            if self._redo:
                self._undo.append(self._text)
                text = self._redo.pop()
                self._set(text, self._check(text), None)
            return self.state()

    def preview(self, repair: Mapping[str, Any]) -> dict[str, Any]:
        """The verdict a repair would give (:func:`~causal_align.editor.verdict.preview`), or
        for a diagram with ``--`` edges the verdict once one of them is known to point one way
        (:func:`~causal_align.editor.verdict.preview_partial`). A diagram with uncertain edges
        has none: its panel gives P(aligned) with each edge present and absent."""
        with self._lock:
            checked = self._checked
            if checked.prior is not None:
                raise EditorError("E_EDIT_ACTION", "a diagram with uncertain edges has no "
                                  "previews: its panel gives P(aligned) if each edge is "
                                  "present and if it is absent")
            if checked.partial is not None:
                return preview_partial(checked.partial, repair)
            if checked.graph is None:
                raise EditorError("E_EDIT_TEXT", "the text has problems: fix them to preview")
            return preview(checked.graph, repair)

    def report(self, format: str) -> str:
        """The report of the current verdict, as ``causal-align check`` writes it: ``html``,
        ``json``, ``markdown`` or ``text`` (for a diagram with ``--`` edges, the verdict over
        every orientation, as ``causal-align check`` gives it for such a file; for one with
        uncertain edges, P(aligned) as ``causal-align uncertain`` gives it, not as HTML).

        Raises
        ------
        EditorError
            ``E_EDIT_TEXT`` while the text has problems or no query; ``E_EDIT_ACTION`` for
            another format.
        """
        if format not in REPORT_FORMATS:
            raise EditorError("E_EDIT_ACTION", f"unknown report format {shown(format)} (expected "
                              f"one of: {', '.join(REPORT_FORMATS)})")
        with self._lock:
            checked = self._checked
            core = checked.partial.core if checked.partial is not None else checked.graph
            if core is None or not core.base:
                raise EditorError("E_EDIT_TEXT", "there is no verdict yet (fix the problems and "
                                  "mark Y_b)")
            if checked.prior is not None:
                if format == "html":
                    raise EditorError("E_EDIT_ACTION", "the report of a diagram with uncertain "
                                      "edges is text, markdown or json (as causal-align "
                                      "uncertain writes it)")
                return edges_report(core, checked.prior, format)
            if checked.partial is not None:
                return uncertain_report(checked.partial, format)
            from causal_align.pictures.formats import render

            return str(render(check_inner_alignment(core), format))

    # -- the file --------------------------------------------------------------------------

    def save(self, *, overwrite: bool = False, draft: bool = False) -> dict[str, Any]:
        """Write the text to the file atomically.

        Parameters
        ----------
        overwrite : bool
            Save even though the file changed on disk since it was read (else refused).
        draft : bool
            Save even though the loader reports problems (else refused with them).

        Raises
        ------
        EditorError
            ``E_EDIT_CONFLICT`` when the file changed on disk; ``E_EDIT_IO`` when it cannot be
            written (the old file is then untouched).
        GraphSpecError
            When the text has problems and ``draft`` is false.
        """
        with self._lock:
            if self._checked.problems and not draft:
                raise GraphSpecError(self._checked.problems)
            with exclusive(self.path):  # another process cannot save between check and write
                now = fingerprint(self.path)
                if now != self._disk and not overwrite:
                    what = "was deleted" if not now.exists else "was changed by another program"
                    raise EditorError("E_EDIT_CONFLICT", f"{self.path} {what} since it was "
                                      "opened (reload it to take that version, or save with "
                                      "overwrite)")
                self._disk = atomic_write(self.path, self._text)
            self._saved = self._text
            return {**self.state(), "saved": True}

    def reload(self) -> dict[str, Any]:
        """Take the file as it is now on disk (an undoable change)."""
        with self._lock:
            text, disk = read_file(self.path)
            if not disk.exists:
                raise EditorError("E_EDIT_IO", f"{self.path} does not exist")
            self._disk, self._saved = disk, text
            if text != self._text:
                self._commit(text, self._check(text), None)
            return self.state()


def _safe_name(stem: str) -> str:
    return stem if stem.isprintable() and stem else "graph"


def _problem(problem: Problem) -> dict[str, Any]:
    return {"code": problem.code, "message": problem.message, "location": problem.location,
            "line": problem.line, "text": str(problem)}


__all__ = ["EditSession"]
