"""A real HTTP server on 127.0.0.1 that speaks Akismet's protocol, for tests.

``server.mode`` picks the answer to the next requests:
``"ham"`` (false), ``"spam"`` (true), ``"discard"`` (true + pro-tip discard),
``"error"`` (X-akismet-error header), ``"500"``, ``"slow"`` (waits
``slow_seconds`` before answering, as a hanging Akismet does), ``"garbage"``.
``server.requests`` records (endpoint, form); ``server.cut`` records
(endpoint, seconds waited) for each request whose client hung up before the
answer — how a test sees that a timeout really cut the request short.
"""

import select
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VALID_KEY = "test-akismet-key"


class AkismetHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
        endpoint = self.path.rstrip("/").rsplit("/", 1)[-1]
        server = self.server
        server.requests.append((endpoint, form))
        mode = server.mode

        if mode == "slow":
            started = time.monotonic()
            if self._client_hung_up_within(server.slow_seconds):
                server.cut.append((endpoint, time.monotonic() - started))
                return None
        if mode == "500":
            return self._answer("Internal Server Error", status=500)
        if endpoint == "verify-key":
            return self._answer("valid" if form.get("key") == VALID_KEY else "invalid")
        if form.get("api_key") != VALID_KEY:
            return self._answer("invalid", headers={"X-akismet-debug-help": "bad key"})
        if endpoint in ("submit-spam", "submit-ham"):
            return self._answer("Thanks for making the web a better place.")
        if mode == "error":
            return self._answer(
                "false", headers={"X-akismet-error": "Missing required field: blog."}
            )
        if mode == "garbage":
            return self._answer("maybe?")
        if mode == "discard":
            return self._answer("true", headers={"X-akismet-pro-tip": "discard"})
        return self._answer("true" if mode == "spam" else "false")

    def _client_hung_up_within(self, seconds: float) -> bool:
        """Wait ``seconds``; True as soon as the client closes the connection."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return True
                except OSError:
                    return True
                time.sleep(min(left, 0.05))
        return False

    def _answer(self, text, status=200, headers=None):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class AkismetServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), AkismetHandler)
        self.mode = "ham"
        self.slow_seconds = 3.0
        self.requests: list[tuple[str, dict]] = []
        self.cut: list[tuple[str, float]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/1.1/"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
