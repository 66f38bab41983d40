"""Synthetic pages and small in-memory HTTP servers on 127.0.0.1 for the extraction, drift, archive and
WARC tests. Every page here is written for softleft's tests: invented articles, invented outlets."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

SUBJECTS = ["The branch", "A councillor", "The regional board", "Our invented union", "The tenants' group",
            "A local mayor", "The policy forum", "The youth wing"]
VERBS = ["argued that", "warned that", "agreed that", "asked whether", "noted that", "insisted that"]
CLAIMS = ["community wealth building needs patient public money", "bus franchising should come before any new road",
          "a green new deal only works if towns see the jobs first", "devolution without revenue is a slogan",
          "cooperative ownership of the local energy grid is overdue", "selection rules should be settled early",
          "the housing waiting list is the real test of the council", "pluralism means sharing platforms"]


def paragraphs(seed: int, n: int = 6) -> list[str]:
    """``n`` distinct invented paragraphs (about 40 words each), the same for the same seed."""
    out = []
    for i in range(n):
        k = seed * 7 + i
        sentences = [f"{SUBJECTS[(k + j) % 8]} {VERBS[(k * 3 + j) % 6]} {CLAIMS[(k * 5 + j * 3) % 8]}"
                     for j in range(3)]
        out.append(f"In synthetic report {seed}.{i}, " + ". ".join(sentences) + f", said speaker number {k}.")
    return out


FURNITURE = ("<ul class='related-links'>" + "".join(
    f"<li><a href='/2020/01/other-{i}/'>Another invented headline about the party number {i} and its rules</a></li>"
    for i in range(12)) + "</ul><p><a href='/subscribe/'>Sign up to our invented newsletter for weekly news "
    "about the branch</a></p>")


def article_html(title: str, date: str, author: str, seed: int, *, body_class: str = "entry-content",
                 title_class: str = "entry-title", site: str = "Branch News", n: int = 6,
                 extra_body: str = "", around: str = "", canonical: str | None = None) -> str:
    """A WordPress-style article page; ``around`` is markup beside the article (furniture)."""
    paras = "".join(f"<p>{p}</p>" for p in paragraphs(seed, n))
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f"<!doctype html><html><head><title>{title} | {site}</title>{link}"
            f'<meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="{date}">'
            f'<meta name="author" content="{author}"></head><body>'
            f"<header><a href='/'>{site}</a><nav><a href='/tag/policy/'>Policy</a> <a href='/about/'>About</a></nav></header>"
            f"<main><article><h1 class='{title_class}'>{title}</h1><p class='byline'>By {author}</p>"
            f"<div class='{body_class}'>{paras}{extra_body}</div></article>{around}</main>"
            f"<footer><p>Synthetic page written for softleft's tests.</p></footer></body></html>")


def redesigned_html(title: str, date: str, author: str, seed: int, site: str = "Branch News") -> str:
    """The same outlet after a redesign: the article moved to a new container, and the old body class now
    names a box of teasers for other articles."""
    paras = "".join(f"<p>{p}</p>" for p in paragraphs(seed, 6))
    teasers = "".join(f"<p><a href='/2020/02/teaser-{i}/'>Teaser {i}: an invented story about the conference "
                      f"agenda and its many motions on rules and ballots</a></p>" for i in range(10))
    return (f"<!doctype html><html><head><title>{title} | {site}</title>"
            f'<meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="{date}">'
            f'<meta name="author" content="{author}"></head><body>'
            f"<div class='site-shell'><h1 class='entry-title'>{site}</h1>"
            f"<section class='story'><h2 class='story__headline'>{title}</h2>"
            f"<div class='story__text'>{paras}</div></section>"
            f"<div class='entry-content'>{teasers}</div></div>"
            f"<footer><p>Synthetic page written for softleft's tests.</p></footer></body></html>")


def rss(items: list[tuple[str, str]]) -> str:
    body = "".join(f"<item><title>t</title><link>{url}</link><pubDate>{date}</pubDate></item>" for url, date in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{body}</channel></rss>'


Handler = Callable[[str, dict[str, str], int], tuple[int, str, bytes, dict[str, str]]]


class MemoryServer:
    """A threaded HTTP server on 127.0.0.1 answering from ``routes``: path -> (status, type, body) or a
    function ``(path, query, hit_number) -> (status, type, body, headers)``. Every request is logged."""

    def __init__(self, routes: dict[str, tuple[int, str, str | bytes] | Handler] | None = None,
                 fallback: Handler | None = None):
        self.routes = routes or {}
        self.fallback = fallback
        self.log: list[str] = []
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                with server._lock:
                    server.log.append(self.path)
                    n = server.hits[parts.path] = server.hits.get(parts.path, 0) + 1
                route = server.routes.get(parts.path)
                query = dict(parse_qsl(parts.query, keep_blank_values=True))
                if callable(route):
                    status, ctype, body, headers = route(parts.path, query, n)
                elif route is not None:
                    status, ctype, body = route
                    headers = {}
                elif server.fallback is not None:
                    status, ctype, body, headers = server.fallback(self.path, query, n)
                else:
                    status, ctype, body, headers = 404, "text/html", b"<html><body>Not found</body></html>", {}
                body = body.encode("utf-8") if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> "MemoryServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests_for(self, prefix: str) -> list[str]:
        return [p for p in self.log if p.startswith(prefix)]


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False
