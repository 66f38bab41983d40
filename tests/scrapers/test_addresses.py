"""No connection to a private, loopback, link-local or reserved address unless the user named the host: an
outlet domain that is such an address is refused when the outlets file is read; a redirect or a DNS answer
into those ranges is refused at fetch time. Never tested by connecting: DNS is stubbed, and any attempt to open
a socket anywhere but the local test server fails the test."""
from __future__ import annotations

import http.server
import socket
import threading

import httpcore
import pytest

from scrapers import FetchConfig
from scrapers.errors import OutletConfigError
from scrapers.http import BlockedAddress, Fetcher, non_public_address
from scrapers.registry import load_config

from .conftest import fast_fetch


@pytest.fixture
def no_sockets(monkeypatch):
    """Every socket httpcore opens is recorded; any but 127.0.0.1 (the local test server) fails the test."""
    opened: list[str] = []
    real = httpcore.SyncBackend.connect_tcp

    def connect(self, host, port, *args, **kwargs):
        opened.append(host)
        assert host == "127.0.0.1", f"a connection to {host} was attempted"
        return real(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect)
    return opened


def _resolver(answers: dict[str, list[str]]):
    def resolve(host, port, *args, **kwargs):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in answers[host]]
    return resolve


@pytest.mark.parametrize("domain,kind", [("169.254.169.254", "a link-local address"), ("10.0.0.1", "a private address"),
                                         ("127.1", "a loopback address (127.0.0.1)"),
                                         ("2130706433", "a loopback address (127.0.0.1)"),
                                         ("0x7f.0.0.1", "a loopback address (127.0.0.1)"),
                                         ("192.168.1.20", "a private address"), ("0.0.0.0", "an unspecified address"),
                                         ("240.0.0.1", "a reserved address")])
def test_an_outlet_domain_that_is_a_non_public_address_is_refused_when_read(tmp_path, domain, kind, no_sockets):
    toml = tmp_path / "outlets.toml"
    toml.write_text(f'[outlets.metadata]\ndomain = "{domain}"\n', encoding="utf-8")
    with pytest.raises(OutletConfigError) as caught:
        load_config(toml)
    assert str(caught.value) == (f'{toml}: [outlets.metadata]: domain "{domain}" is {kind}; an outlet must be a public '
                                 "web site, and softleft never fetches from private, loopback, link-local or reserved "
                                 "addresses (to crawl a local mirror, give its URL with --base-url)")
    toml.write_text('[outlets.ok]\ndomain = "example.org"\nextra_domains = ["10.1.2.3"]\n', encoding="utf-8")
    with pytest.raises(OutletConfigError, match='extra_domains "10.1.2.3" is a private address'):
        load_config(toml)
    assert no_sockets == []


def test_a_public_address_or_a_host_name_stays_an_outlet(tmp_path):
    toml = tmp_path / "outlets.toml"
    toml.write_text('[outlets.a]\ndomain = "8.8.8.8"\n[outlets.b]\ndomain = "10.example.org"\n', encoding="utf-8")
    assert set(load_config(toml)) == {"a", "b"}


def test_the_scrape_command_refuses_it_before_any_connection(tmp_path, run_cli, no_sockets):
    toml = tmp_path / "outlets.toml"
    toml.write_text('[outlets.metadata]\ndomain = "169.254.169.254"\n', encoding="utf-8")
    r = run_cli("scrape", "metadata", "--outlets", str(toml))
    assert r.exit_code == 1
    assert r.stderr.startswith(f'Error: {toml}: [outlets.metadata]: domain "169.254.169.254" is a link-local address; ')
    assert r.stderr.count("\n") == 1 and no_sockets == []


@pytest.mark.parametrize("answers", [["10.0.0.1"], ["93.184.216.34", "169.254.169.254"], ["::ffff:127.0.0.1"],
                                     ["fe80::1%eth0"]])
def test_a_dns_answer_into_those_ranges_is_refused_without_connecting(answers, no_sockets):
    resolver = _resolver({"outlet.example": answers})
    with Fetcher(fast_fetch(trusted_hosts=()), resolver=resolver) as f:
        with pytest.raises(BlockedAddress, match=r"outlet\.example resolves to .*, a (private|link-local|loopback) "
                                                 r"address; softleft never fetches"):
            f.fetch("http://outlet.example/2024/01/article/")
    assert no_sockets == []


class _Redirect(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(302)
        self.send_header("Location", "http://metadata.example/latest/meta-data/")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_into_those_ranges_is_refused_at_fetch_time(no_sockets):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        resolver = _resolver({"metadata.example": ["169.254.169.254"]})
        with Fetcher(fast_fetch(), resolver=resolver) as f:  # the local server is trusted, as --base-url makes it
            with pytest.raises(BlockedAddress, match="metadata.example resolves to 169.254.169.254, a link-local"):
                f.fetch(f"http://127.0.0.1:{server.server_port}/moved")
    finally:
        server.shutdown()
        server.server_close()
    assert set(no_sockets) == {"127.0.0.1"}


def test_a_trusted_host_is_reached_whatever_its_address():
    with Fetcher(FetchConfig(trusted_hosts=("mirror.local",))) as f:
        assert f._address_for("mirror.local", 80) == "mirror.local"
        f.trust("http://127.0.0.1:8123/")
        assert f._address_for("127.0.0.1", 8123) == "127.0.0.1"
        with pytest.raises(BlockedAddress, match="10.0.0.2 is a private address"):
            f._address_for("10.0.0.2", 80)


@pytest.mark.parametrize("address,kind", [("8.8.8.8", None), ("2606:4700::1111", None), ("127.0.0.1", "loopback"),
                                          ("::1", "loopback"), ("::ffff:10.0.0.1", "private"), ("100.64.0.1", "reserved"),
                                          ("224.0.0.1", "multicast"), ("fc00::1", "private"), ("example.org", None)])
def test_non_public_address_kinds(address, kind):
    assert non_public_address(address) == kind
