"""``causal-align edit g.yaml``: draw the diagram in the browser and watch the verdict.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="causal-align")
>>> [command.prog for command in add_commands(parser.add_subparsers(dest="command"))]
['causal-align edit']
>>> options = parser.parse_args(["edit", "g.yaml", "--port", "8123", "--no-browser"])
>>> options.port, options.browser
(8123, False)
"""

from __future__ import annotations

import argparse
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from causal_align.cli.options import print_report, say
from causal_align.errors import CausalAlignError
from causal_align.wording import plain


def add_commands(commands: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:  # type: ignore[type-arg]
    """Add ``edit`` to the CLI's subcommands."""
    parser = commands.add_parser(
        "edit", help="edit a graph in the browser, with a live verdict (local and offline)",
        description="Serve a local editor for GRAPH on 127.0.0.1 and open it in the browser. "
                    "The verdict, its open paths and repairs update on every change. A file that "
                    "does not exist starts an empty diagram. Ctrl-C stops the server.")
    parser.add_argument("graph", type=Path, help="the YAML graph file (created on first save)")
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1 (default: a free one, printed)")
    parser.add_argument("--no-browser", dest="browser", action="store_false",
                        help="do not open a browser (print the address only)")
    parser.set_defaults(run=run_edit)
    return [parser]


def run_edit(options: argparse.Namespace, *,
             started: Callable[[object], None] | None = None) -> int:
    """Serve until Ctrl-C (exit 0); exit 2 when the file cannot be opened or the port is taken.

    ``started`` is called with the server once it listens (tests use it to stop it).
    """
    try:
        from causal_align.editor.server import EditorServer
        from causal_align.editor.session import EditSession
    except ModuleNotFoundError as missing:  # the round-trip YAML library is an extra
        say(f"error: causal-align edit needs {missing.name}: pip install 'causal_align[editor]' "
            "(or pip install 'ruamel.yaml>=0.18,<0.19')")
        return 2

    if not 0 <= options.port <= 65535:
        say(f"error: --port must be 0 to 65535, found {options.port}")
        return 2
    try:
        server = EditorServer(EditSession(options.graph), options.port)
    except CausalAlignError as error:
        say(f"error: {error}")
        return 2
    except OSError as error:
        say(f"error: cannot listen on 127.0.0.1:{options.port}: {error.strerror}")
        return 2
    try:
        state = "" if server.session.state()["exists"] else " (new file: created on first save)"
        print_report(f"causal-align edit: {plain(str(options.graph))}{state}\n  {server.page}\n"
                     "  (Ctrl-C to stop)")
        if options.browser:
            threading.Thread(target=webbrowser.open, args=(server.page,), daemon=True).start()
        if started is not None:
            started(server)
        server.serve_forever()
    except KeyboardInterrupt:
        print("\ncausal-align edit: stopped", flush=True)
    finally:
        server.server_close()
    return 0
