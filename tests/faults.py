"""Real faults for tests: a TCP forwarder that can cut a connection, a
PostgreSQL backend terminated under a live connection, and a gunicorn server run
with production settings."""

import contextlib
import os
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def unreachable_redis_cache() -> dict:
    """A ``CACHES`` entry for a Redis nobody listens for: the cache as a
    process sees it when Redis is unreachable (resilient, short timeouts)."""
    return {
        "BACKEND": "newsroom.cache.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }


@contextlib.contextmanager
def redis_unreachable():
    """Run the block as a process that cannot reach Redis."""
    with override_settings(CACHES={"default": unreachable_redis_cache()}):
        yield


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TcpForwarder:
    """Forwards 127.0.0.1:<port> to a server; ``cut()`` drops every connection and
    refuses new ones (the server "goes away"), ``restore()`` brings it back."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self.restore()

    def restore(self):
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(50)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def cut(self):
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            listener.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._connections.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._connections += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a, b):
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1)
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (b if source is a else a).sendall(data)
        except OSError:
            return
        finally:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.close()


def terminate_backend(connection, *, wait: float = 5.0) -> None:
    """Terminate the PostgreSQL backend serving a Django ``connection`` from
    another session, as an operator, a failover or a crash would: its next query
    fails. Returns once the backend is gone."""
    import psycopg

    pid = connection.connection.info.backend_pid
    database = connection.settings_dict
    with psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.02)
    raise RuntimeError(f"backend {pid} still running after {wait}s")


class Gunicorn:
    """``gunicorn newsroom.wsgi`` with production settings (DEBUG off) on 127.0.0.1."""

    def __init__(self, env: dict, workers: int = 2):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "NEWSROOM_PAGE_CACHE_SECONDS": "0",
            "LOG_LEVEL": "CRITICAL",
            **env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi:application", "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(workers), "--log-level", "critical"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60  # a loaded CI machine starts it slowly
        while time.monotonic() < deadline:
            if self.get("/robots.txt")[0]:
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str) -> tuple[int, dict, bytes]:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}{path}", timeout=10
            ) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except OSError:
            return 0, {}, b""

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)
