"""A real HTTP server on a loopback address that serves what a test tells it to:
feeds, pages, redirects, slow, huge, conditional answers. For tests and benches.

    with WebServer() as server:
        server.add("/feed.xml", body=RSS, content_type="application/rss+xml", etag='"v1"')
        fetch(server.url("/feed.xml"))

``add(path, …)`` takes ``status``, ``body`` (bytes or str), ``content_type``,
``headers``, ``etag`` / ``last_modified`` (a matching ``If-None-Match`` /
``If-Modified-Since`` gets a 304), ``delay`` (seconds before answering),
``trickle`` (seconds between 1-byte writes of the body), ``length`` (a
Content-Length to announce instead of the real one; ``None`` sends none).
``server.requests`` records (path, headers) of every request;
``server.most_in_flight`` the most requests it was answering at once.
"""

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_UNSET = object()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    delay: float = 0.0
    trickle: float = 0.0
    length: object = _UNSET


class RouteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        server = self.server
        with server.lock:
            server.in_flight += 1
            server.most_in_flight = max(server.most_in_flight, server.in_flight)
        try:
            self._answer()
        finally:
            with server.lock:
                server.in_flight -= 1

    def _answer(self):
        server = self.server
        path = self.path.split("?", 1)[0]
        server.requests.append((self.path, dict(self.headers)))
        route = server.routes.get(path)
        if route is None:
            return self._send(Route(status=404, body=b"not found", content_type="text/plain"))
        if route.delay:
            time.sleep(route.delay)
        if self._not_modified(route):
            return self._send(Route(status=304, etag=route.etag), body=False)
        return self._send(route)

    def _not_modified(self, route: Route) -> bool:
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            return True
        return bool(
            route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
        )

    def _send(self, route: Route, body: bool = True):
        self.send_response(route.status)
        if route.content_type and body:
            self.send_header("Content-Type", route.content_type)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        content = route.body if body else b""
        length = len(content) if route.length is _UNSET else route.length
        if length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            self._write(content, route.trickle)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _write(self, content: bytes, trickle: float):
        if not trickle:
            self.wfile.write(content)
            return
        for index in range(len(content)):
            self.wfile.write(content[index : index + 1])
            self.wfile.flush()
            time.sleep(trickle)

    def log_message(self, *args):
        pass


class WebServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, host: str = "127.0.0.1"):
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, 0), RouteHandler)
        self.host = host
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests answered at once

    def add(self, path: str, *, body: bytes | str = b"", **options) -> str:
        """Serve ``path``; return its URL."""
        content = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=content, **options)
        return self.url(path)

    def url(self, path: str = "/", host: str | None = None) -> str:
        name = host or (f"[{self.host}]" if ":" in self.host else self.host)
        return f"http://{name}:{self.server_address[1]}{path}"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
