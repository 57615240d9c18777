"""What every fake API server of the tests shares: a ThreadingHTTPServer on 127.0.0.1, on a free port, in a
daemon thread, started and stopped by the test (or used as a context manager)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class LocalServer:
    """Lifecycle of a local fake server; subclasses give the request handler class and, if they have long
    polls to wake, ``_wake_waiters``."""

    thread_name = "fake-api"
    _server: ThreadingHTTPServer | None = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def _wake_waiters(self) -> None:
        """Called first by ``stop()``: release requests waiting in a long poll."""

    def start(self) -> Self:
        """Listen on 127.0.0.1 on a free port, in a background thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        """Wake pending long polls and shut the server down."""
        self._wake_waiters()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def address(self) -> str:
        """``http://127.0.0.1:<port>``."""
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"


class JSONHandler(BaseHTTPRequestHandler):
    """Request handler of the fakes: keep-alive HTTP/1.1, JSON answers, no access log."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

    def read_body(self) -> bytes:
        """The request body (by Content-Length)."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_json(self, status: int, answer: Any) -> None:
        """Answer with ``answer`` as JSON; a client that already gave up (a cancelled long poll) is ignored."""
        data = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests assert on recorded calls, not on logs."""
