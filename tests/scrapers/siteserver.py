"""A real threaded HTTP server on 127.0.0.1 serving one fixture site, with fault endpoints.

Used by the scraper tests (tests/scrapers/conftest.py) and by bench/bench_scrape.py. A site is a folder
of tests/fixtures/sites/ with a ``site.json`` manifest (see build.py there). Every response can be
slowed (``latency``) and every request is logged, with the highest number of requests in flight at once.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
_BOMB = gzip.compress(b"\0" * (20 * 1024 * 1024), 9)  # ~20 KB on the wire, 20 MB unpacked

CP1252_PAGE = ("<html><head><title>Rents ‘must come first’ – says branch</title>{meta}"
               "<meta property=\"article:published_time\" content=\"2024-01-08T10:00:00+00:00\"></head><body>"
               "<h1 class=\"entry-title\">Rents ‘must come first’ – says branch</h1><div class=\"entry-content\">"
               "<p>The invented branch meeting heard that rents had risen by £40 a week – a rise that “nobody "
               "voted for”, said the café owner who chairs the tenants’ association.</p>"
               "<p>Members agreed a motion on community wealth building and the public ownership of buses, "
               "and asked the council to publish what it pays its private landlords each year.</p>"
               "</div></body></html>")


class SiteServer:
    """Serve ``SITES/<name>`` on an ephemeral port; use as a context manager or call start()/stop()."""

    def __init__(self, name: str, latency: float = 0.0, slow_seconds: float = 3.0, drip: float = 0.2):
        self.name = name
        self.dir = SITES / name
        manifest = json.loads((self.dir / "site.json").read_text(encoding="utf-8"))
        self.routes: dict[str, dict] = manifest["routes"]
        self.public: str = manifest["public"]
        self.latency, self.slow_seconds = latency, slow_seconds
        self.drip = drip  # seconds between two bytes of the /fault/slow-headers/ and /fault/drip/ endpoints
        self.finished: dict[str, float] = {}  # path -> when the server stopped serving it (client gone)
        self.log: list[dict] = []
        self.hits: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> "SiteServer":
        server = self

        class Handler(_Handler):
            site = server

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()

    def __enter__(self) -> "SiteServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests_for(self, prefix: str) -> list[dict]:
        return [r for r in self.log if r["path"].startswith(prefix)]

    def _enter(self, path: str, headers) -> int:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            n = self.hits[path] = self.hits.get(path, 0) + 1
            self.log.append({"path": path, "t": time.monotonic(), "ua": headers.get("User-Agent", ""),
                             "inm": headers.get("If-None-Match")})
            return n

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


class _Handler(BaseHTTPRequestHandler):
    site: SiteServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        key = parts.path + (f"?{parts.query}" if parts.query else "")
        n = self.site._enter(key, self.headers)
        try:
            if self.site.latency:
                time.sleep(self.site.latency)
            if parts.path.startswith("/fault/"):
                return self._fault(parts.path, n)
            route = self.site.routes.get(key) or self.site.routes.get(parts.path)
            if route is None and not parts.path.endswith("/") and parts.path + "/" in self.site.routes:
                return self._send(301, b"", headers={"Location": parts.path + "/"})
            if route is None:
                return self._send(404, b"<html><body><h1>Not found</h1></body></html>", "text/html; charset=utf-8")
            if "redirect" in route:
                return self._send(route["status"], b"", headers={"Location": route["redirect"]})
            body = (self.site.dir / route["file"]).read_bytes()
            etag = '"' + hashlib.md5(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", headers={"ETag": etag})
            self._send(route["status"], body, route["type"], headers={"ETag": etag})
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self.site._leave()

    def _send(self, status: int, body: bytes, ctype: str | None = None, headers: dict | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _article(self, title: str) -> bytes:
        return (f"<html><head><title>{title}</title><meta property=\"article:published_time\" "
                f"content=\"2024-01-02T10:00:00+00:00\"></head><body><h1 class=\"entry-title\">{title}</h1>"
                "<div class=\"entry-content\"><p>An invented article served by a fault endpoint once the fault "
                "has passed. It has enough words to count as an article: the branch met, argued about the "
                "agenda, passed the motion on public ownership and went to the pub.</p></div></body></html>"
                ).encode()

    def _fault(self, path: str, n: int) -> None:
        name = path.strip("/").split("/", 1)[1] if path.count("/") > 1 else ""
        html = "text/html; charset=utf-8"
        if name == "429":
            if n == 1:
                return self._send(429, b"slow down", "text/plain", headers={"Retry-After": "1"})
            return self._send(200, self._article("Served after a 429"), html)
        if name == "503-then-ok":
            if n == 1:
                return self._send(503, b"busy", "text/plain")
            return self._send(200, self._article("Served after a 503"), html)
        if name == "always-503":
            return self._send(503, b"down", "text/plain")
        if name == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if name == "slow":
            time.sleep(self.site.slow_seconds)
            return self._send(200, self._article("Too slow"), html)
        if name in ("slow-headers", "drip"):  # a byte at a time: no single read ever times out
            body = self._article("Dripped")
            head = (f"HTTP/1.1 200 OK\r\nContent-Type: {html}\r\nContent-Length: {len(body)}\r\n"
                    "X-Padding: " + "p" * 200 + "\r\n\r\n").encode()
            slow, fast = (head, b"") if name == "slow-headers" else (body, head)
            try:
                self.wfile.write(fast)
                for i in range(len(slow)):
                    self.wfile.write(slow[i:i + 1])
                    time.sleep(self.site.drip)
                if name == "slow-headers":
                    self.wfile.write(body)
            except OSError:
                pass
            self.site.finished[path] = time.monotonic()
            self.close_connection = True
            return
        if name == "truncated":
            body = self._article("Truncated")
            self.send_response(200)
            self.send_header("Content-Type", html)
            self.send_header("Content-Length", str(len(body) + 5000))
            self.end_headers()
            self.wfile.write(body[:200])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if name == "oversized":  # no Content-Length: only the streamed cap can stop it
            self.send_response(200)
            self.send_header("Content-Type", html)
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65_000 + b"</p>"
            try:
                for _ in range(200):  # ~13 MB
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return
        if name == "gzip-bomb":
            return self._send(200, _BOMB, html, headers={"Content-Encoding": "gzip"})
        if name == "cp1252-wrong":
            body = CP1252_PAGE.format(meta='<meta charset="utf-8">').encode("cp1252")
            return self._send(200, body, "text/html; charset=utf-8")
        if name == "cp1252-missing":
            return self._send(200, CP1252_PAGE.format(meta="").encode("cp1252"), "text/html")
        if name == "loop":
            return self._send(302, b"", headers={"Location": "/fault/loop-b/"})
        if name == "loop-b":
            return self._send(302, b"", headers={"Location": "/fault/loop/"})
        if name == "offsite":
            return self._send(302, b"", headers={"Location": "http://offsite.invalid/stolen/"})
        if name == "redirect-home":  # an allowed redirect: to the public domain, rebased by the scraper
            return self._send(301, b"", headers={"Location": self.site.public + "/2024/01/utm-article/"})
        return self._send(404, b"no such fault", "text/plain")


if __name__ == "__main__":  # python tests/scrapers/siteserver.py tribune
    import sys

    with SiteServer(sys.argv[1] if len(sys.argv) > 1 else "tribune") as s:
        print(s.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
