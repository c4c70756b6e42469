"""A real HTTP server on 127.0.0.1 standing in for frontend caches, for tests.

It answers Varnish's purge (``PURGE /`` with an ``xkey-purge`` header) and
Cloudflare's purge-by-tag API (``POST /client/v4/zones/<zone>/purge_cache``,
bearer token ``CLOUDFLARE_TOKEN``), and records each in ``server.purges`` as
(method, path, keys). ``server.failures`` is how many of the next requests it
answers 503 (an overloaded or restarting cache); ``server.drops`` how many it
closes without an answer (a cache under load resetting connections).
"""

import contextlib
import json
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLOUDFLARE_TOKEN = "test-cloudflare-token"


class PurgeHandler(BaseHTTPRequestHandler):
    def do_PURGE(self):
        if self._failing():
            return
        keys = self.headers.get("xkey-purge", "").split()
        self.server.purges.append(("PURGE", self.path, keys))
        self._answer(200, b"Purged")

    def do_POST(self):
        if self._failing():
            return
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.headers.get("Authorization") != f"Bearer {CLOUDFLARE_TOKEN}":
            return self._answer(403, json.dumps({"success": False}).encode())
        self.server.purges.append(("POST", self.path, body.get("tags", [])))
        return self._answer(200, json.dumps({"success": True, "errors": []}).encode())

    def _failing(self) -> bool:
        if self.server.drops > 0:
            self.server.drops -= 1
            # Closed at once with a reset, as an overloaded cache does.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return True
        if self.server.failures > 0:
            self.server.failures -= 1
            self._answer(503, b"Service Unavailable")
            return True
        return False

    def _answer(self, status: int, body: bytes):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def purge_server():
    """A running stand-in; ``server.port``, ``server.purges``, ``server.failures``,
    ``server.drops``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), PurgeHandler)
    server.purges = []
    server.failures = 0
    server.drops = 0
    server.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def purged_keys(server) -> set[str]:
    """Every key the stand-in was asked to purge."""
    return {key for _, _, keys in server.purges for key in keys}
