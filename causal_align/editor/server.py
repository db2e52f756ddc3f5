"""The editor's local web server: the page, its vendored assets, and a small JSON API.

It listens on 127.0.0.1 only. What it serves:

- ``GET /?token=T`` — the page (refused without the session's token);
- ``GET /static/NAME`` — a file of the package's ``static`` folder, looked up by exact name in
  a list made at start-up (no path is ever built from the request);
- ``GET /api/state``, ``GET /api/disk`` and ``POST /api/{action,text,undo,redo,save,reload,
  preview}`` — the session (:class:`~causal_align.editor.session.EditSession`); every API call
  carries the token in the ``X-Causal-Align-Token`` header, and a POST must be JSON.

The ``Host`` header must name 127.0.0.1 or localhost at this port (no DNS rebinding), and a
browser's ``Origin``, when sent, must be this server's; so a page in another tab can neither read
the diagram nor drive the editor.

Examples
--------
>>> import json, tempfile, threading, pathlib, urllib.request
>>> server = EditorServer(EditSession(pathlib.Path(tempfile.mkdtemp()) / "g.yaml"))
>>> thread = threading.Thread(target=server.serve_forever, daemon=True)
>>> thread.start()
>>> request = urllib.request.Request(server.url + "api/state",
...                                  headers={TOKEN_HEADER: server.session.token})
>>> json.load(urllib.request.urlopen(request))["problems"][0]["code"]
'E_EMPTY_SET'
>>> server.shutdown(); server.server_close()
"""

from __future__ import annotations

import hmac
import json
import socket
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from causal_align.editor.session import EditSession
from causal_align.errors import CausalAlignError, EditorError, GraphSpecError

HOST = "127.0.0.1"
TOKEN_HEADER = "X-Causal-Align-Token"
MAX_BODY = 64 * 2**20
"""Largest request body, in bytes (the loader's own limit on a file)."""
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
         ".txt": "text/plain; charset=utf-8", ".json": "application/json"}
REPORT_TYPES = {"html": "text/html; charset=utf-8", "json": "application/json; charset=utf-8",
                "markdown": "text/markdown; charset=utf-8", "text": "text/plain; charset=utf-8"}
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
          "base-uri 'none'; form-action 'none'")
_STATUS = {"E_EDIT_TOKEN": HTTPStatus.FORBIDDEN, "E_EDIT_CONFLICT": HTTPStatus.CONFLICT,
           "E_EDIT_TEXT": HTTPStatus.CONFLICT, "E_EDIT_IO": HTTPStatus.INTERNAL_SERVER_ERROR,
           "E_EDIT_ACTION": HTTPStatus.BAD_REQUEST, "E_EDIT_REQUEST": HTTPStatus.BAD_REQUEST}


def static_files() -> dict[str, bytes]:
    """Every file of the package's static folder, by name, read once."""
    folder = resources.files("causal_align.editor") / "static"
    return {item.name: item.read_bytes() for item in folder.iterdir()
            if item.is_file() and not item.name.startswith(".")}


class EditorServer(ThreadingHTTPServer):
    """A threaded HTTP server for one session, bound to 127.0.0.1 (``port=0``: a free port).

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:PORT/``; the page is at ``url + "?token=" + session.token``.
    """

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, session: EditSession, port: int = 0) -> None:
        self.session = session
        self.files = static_files()
        super().__init__((HOST, port), _Handler)
        self.port = int(self.server_address[1])
        self.url = f"http://{HOST}:{self.port}/"
        self.hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    @property
    def page(self) -> str:
        """The page's address, with the token."""
        return f"{self.url}?token={self.session.token}"


class _Handler(BaseHTTPRequestHandler):
    server: EditorServer
    server_version = "causal-align-edit"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # one small JSON answer per request: send it at once, not after a delayed ACK
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        """Quiet: the terminal shows only the address and errors."""

    # -- answering ---------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", POLICY)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False).encode("utf-8"),
                   "application/json; charset=utf-8")

    def _error(self, error: CausalAlignError) -> None:
        if isinstance(error, GraphSpecError):
            self._json(HTTPStatus.UNPROCESSABLE_ENTITY, {
                "error": "E_EDIT_REFUSED", "message": str(error),
                "problems": [{"code": problem.code, "message": problem.message,
                              "location": problem.location, "line": problem.line,
                              "text": str(problem)} for problem in error.problems]})
        elif isinstance(error, EditorError):
            self._json(_STATUS.get(error.code, HTTPStatus.BAD_REQUEST),
                       {"error": error.code, "message": error.message})
        else:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "E_EDIT_REFUSED", "message": str(error)})

    # -- checking ----------------------------------------------------------------------------

    def _checked_host(self) -> bool:
        if self.headers.get("Host", "") not in self.server.hosts:
            self._json(HTTPStatus.MISDIRECTED_REQUEST,
                       {"error": "E_EDIT_HOST", "message": "this server answers only to "
                        f"{self.server.url}"})
            return False
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.origins:
            self._json(HTTPStatus.FORBIDDEN, {"error": "E_EDIT_ORIGIN",
                                              "message": "requests from other sites are refused"})
            return False
        return True

    def _has_token(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"),
                                                         self.server.session.token.encode())

    def _require_token(self) -> None:
        if not self._has_token(self.headers.get(TOKEN_HEADER)):
            raise EditorError("E_EDIT_TOKEN", "missing or wrong session token (open the address "
                              "that causal-align edit printed)")

    def _body(self) -> dict[str, Any]:
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise EditorError("E_EDIT_REQUEST", "a request body must be application/json")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            raise EditorError("E_EDIT_REQUEST", f"a request body is 0 to {MAX_BODY:,} bytes")
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise EditorError("E_EDIT_REQUEST", f"the request body is not JSON: {error}") from error
        if not isinstance(body, dict):
            raise EditorError("E_EDIT_REQUEST", "the request body must be a JSON object")
        return body

    # -- routes ------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 (the base's name)
        if not self._checked_host():
            return
        parts = urlsplit(self.path)
        route = parts.path
        try:
            if route in ("/", "/index.html"):
                if not self._has_token(parse_qs(parts.query).get("token", [None])[0]):
                    raise EditorError("E_EDIT_TOKEN", "open the address that causal-align edit "
                                      "printed (it carries the session's token)")
                self._send(HTTPStatus.OK, self.server.files["index.html"], TYPES[".html"])
            elif route.startswith("/static/"):
                name = route[len("/static/"):]
                data = self.server.files.get(name)
                if data is None or name == "index.html":
                    self._json(HTTPStatus.NOT_FOUND, {"error": "E_EDIT_NOT_FOUND",
                                                      "message": "no such file"})
                    return
                suffix = name[name.rfind("."):] if "." in name else ""
                self._send(HTTPStatus.OK, data, TYPES.get(suffix, "application/octet-stream"))
            elif route == "/api/state":
                self._require_token()
                self._json(HTTPStatus.OK, self.server.session.state())
            elif route == "/api/report":
                self._require_token()
                format = parse_qs(parts.query).get("format", ["html"])[0]
                text = self.server.session.report(format)
                self._send(HTTPStatus.OK, text.encode("utf-8"), REPORT_TYPES[format])
            elif route == "/api/disk":
                self._require_token()
                self._json(HTTPStatus.OK, {"changed": self.server.session.disk_changed()})
            else:
                self._json(HTTPStatus.NOT_FOUND, {"error": "E_EDIT_NOT_FOUND",
                                                  "message": "no such page"})
        except CausalAlignError as error:
            self._error(error)

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802 (the base's name)
        if not self._checked_host():
            return
        session = self.server.session
        routes: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "/api/action": lambda body: session.act(_field(body, "action", dict)),
            "/api/text": lambda body: session.set_text(_field(body, "text", str)),
            "/api/undo": lambda body: session.undo(),
            "/api/redo": lambda body: session.redo(),
            "/api/save": lambda body: session.save(overwrite=body.get("overwrite") is True,
                                                   draft=body.get("draft") is True),
            "/api/reload": lambda body: session.reload(),
            "/api/preview": lambda body: session.preview(_field(body, "repair", dict)),
        }
        handler = routes.get(urlsplit(self.path).path)
        try:
            self._require_token()
            body = self._body()
            if handler is None:
                self._json(HTTPStatus.NOT_FOUND, {"error": "E_EDIT_NOT_FOUND",
                                                  "message": "no such action"})
                return
            self._json(HTTPStatus.OK, handler(body))
        except CausalAlignError as error:
            self._error(error)
        except Exception as error:  # a bug of ours: say so to the page, keep serving
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {
                "error": "E_EDIT_INTERNAL", "message": f"internal error: {error!r}"})
            raise

    def do_PUT(self) -> None:  # noqa: N802 (the base's name)
        self._json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "E_EDIT_REQUEST",
                                                   "message": "use GET or POST"})

    do_DELETE = do_PATCH = do_PUT


def _field(body: dict[str, Any], key: str, kind: type) -> Any:
    value = body.get(key)
    if not isinstance(value, kind):
        raise EditorError("E_EDIT_REQUEST", f"the request needs {key!r} "
                          f"({'an object' if kind is dict else 'a string'})")
    return value
