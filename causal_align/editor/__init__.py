"""A local, offline editor in the browser: draw the diagram, see the verdict and its reasons live.

``causal-align edit g.yaml`` serves a page on 127.0.0.1 (:mod:`~causal_align.editor.server`)
over one :class:`~causal_align.editor.session.EditSession`. The engine is the Python core: the
page never decides d-separation itself. Modules:

- :mod:`~causal_align.editor.document` — structural edits of the YAML that keep its comments;
- :mod:`~causal_align.editor.validation` — the loader's judgement of the text;
- :mod:`~causal_align.editor.verdict` — the diagram, G_σ and the verdict as the page draws them;
- :mod:`~causal_align.editor.storage` — atomic saves and noticing changes on disk;
- :mod:`~causal_align.editor.session` — the text, its history, refusals and saving;
- :mod:`~causal_align.editor.server` — the HTTP server and its JSON API;
- :mod:`~causal_align.cli.edit` — the ``edit`` subcommand (in the command-line layer).

>>> from causal_align.editor import EditorError
>>> EditorError("E_EDIT_CONFLICT", "changed on disk").code
'E_EDIT_CONFLICT'
"""

from causal_align.errors import EditorError

__all__ = ["EditorError"]
