"""Phones can reach the laptop: the machine's network addresses (`workshop.network`), what
`make run` prints about them, and the notice on the console and the projector when the join
address is one only the laptop can open (the default `make run` serves on 127.0.0.1)."""

from __future__ import annotations

import html
import re
import socket

import pytest
from browser_support import LiveServer
from room import open_room

from workshop import network

# -- the addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.8.9.1",
        "localhost",
        "LOCALHOST",
        "::1",
        "[::1]",
        "[::1]:5000",
        "app.localhost",
        "127.0.0.1:5000",
    ],
)
def test_loopback_hosts_are_recognized(host):
    assert network.is_loopback(host)


@pytest.mark.parametrize(
    "host", ["192.168.1.20", "10.0.0.5:5000", "workshop.example.org", "0.0.0.0", "[fe80::1]", ""]
)
def test_addresses_phones_can_open_are_not_loopback(host):
    assert not network.is_loopback(host)


def test_usable_addresses_keep_network_ipv4_addresses_in_order_once():
    found = network.usable_addresses(
        [
            "10.1.2.3",
            "127.0.0.1",
            "169.254.7.7",
            "0.0.0.0",
            "fe80::1",
            "x",
            "192.168.1.20",
            "10.1.2.3",
        ]
    )
    assert found == ["10.1.2.3", "192.168.1.20"]


def test_the_address_on_the_default_route_comes_first_then_the_hostnames():
    routes = {"1.1.1.1": "192.168.1.20", "10.255.255.254": "10.8.0.2"}
    found = network.lan_addresses(
        route_source=routes.get, named=lambda: ["127.0.1.1", "10.8.0.2", "172.17.0.1"]
    )
    assert found == ["192.168.1.20", "10.8.0.2", "172.17.0.1"]


def test_no_network_means_no_address():
    assert network.lan_addresses(route_source=lambda _: None, named=lambda: ["127.0.0.1"]) == []


def test_the_addresses_found_on_this_machine_are_its_own():
    """Each address found can be listened on here: it belongs to this machine. (The test
    machine has a network interface; a machine without one finds none, which is right too.)"""
    found = network.lan_addresses()
    for address in found:
        assert not network.is_loopback(address)
        with socket.socket() as probe:
            probe.bind((address, 0))  # raises if the address is not this machine's


def test_urls_and_the_command():
    assert network.phone_urls(5000, ["192.168.1.20"]) == ["http://192.168.1.20:5000"]
    assert network.phone_urls(443, ["10.0.0.2"], "https") == ["https://10.0.0.2"]
    assert network.serve_command(5000, "http://192.168.1.20:5000") == (
        "make run HOST=0.0.0.0 WORKSHOP_PUBLIC_URL=http://192.168.1.20:5000"
    )
    assert network.serve_command(8000, None) == (
        "make run HOST=0.0.0.0 PORT=8000 WORKSHOP_PUBLIC_URL=http://<laptop address>:8000"
    )


def test_what_make_run_says_about_phones():
    on_loopback = network.startup_lines("127.0.0.1", 5000, "", ["192.168.1.20"])
    assert on_loopback[0].startswith("Phones cannot open 127.0.0.1")
    assert "make run HOST=0.0.0.0 WORKSHOP_PUBLIC_URL=http://192.168.1.20:5000" in on_loopback[1]
    everywhere = network.startup_lines("0.0.0.0", 5000, "", ["192.168.1.20", "10.0.0.2"])
    assert everywhere[0] == (
        "Phones on the same network open http://192.168.1.20:5000 or http://10.0.0.2:5000."
    )
    assert network.startup_lines("0.0.0.0", 5000, "https://w.example.org", ["10.0.0.2"]) == [
        "Phones join at https://w.example.org (WORKSHOP_PUBLIC_URL)."
    ]
    offline = network.startup_lines("127.0.0.1", 5000, "", [])
    assert "<laptop address>" in offline[1] and "no network address" in offline[2]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The server `make run` starts, on 127.0.0.1 (its default), with a facilitator."""
    from test_e2e_a11y import prepare_database

    server = LiveServer(tmp_path_factory.mktemp("network"))
    prepare_database(server)
    server.start()
    yield server
    server.stop()


def test_make_run_prints_the_address_phones_would_use(served):
    """It says phones cannot open 127.0.0.1, with the command and this machine's network
    address."""
    printed = served.log.read_text()
    assert "Phones cannot open 127.0.0.1" in printed
    assert f"make run HOST=0.0.0.0 PORT={served.port} WORKSHOP_PUBLIC_URL=" in printed
    for url in network.phone_urls(served.port, network.lan_addresses()):
        assert url in printed


# Whether the notice is on screen, whole, and on top: nothing covers its first and last line.
NOTICE_SEEN_JS = """
() => {
  const notice = document.querySelector('[data-reach-notice]');
  if (!notice) { return 'no notice'; }
  const box = notice.getBoundingClientRect();
  if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) {
    return 'outside the screen: ' + JSON.stringify(box);
  }
  for (const y of [box.top + 4, box.bottom - 4]) {
    const seen = document.elementFromPoint(box.left + box.width / 2, y);
    if (!notice.contains(seen)) { return 'covered at y=' + y + ' by ' + seen.outerHTML.slice(0, 80); }
  }
  return 'seen';
}
"""


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720), (1024, 768)])
def test_the_projector_shows_the_notice_whole_in_the_lobby_and_while_running(
    served, chromium, size
):
    from test_e2e_a11y import Facilitator

    facilitator = Facilitator(served.url)
    session = facilitator.start()
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        page.goto(served.url + session.projector)
        assert page.evaluate(NOTICE_SEEN_JS) == "seen", "in the lobby"
        facilitator.control(session, "start", "next")
        page.reload()
        assert page.evaluate(NOTICE_SEEN_JS) == "seen", "on a segment"
        assert "WORKSHOP_PUBLIC_URL=" in page.locator("[data-reach-command]").inner_text()
    finally:
        context.close()


# -- the notice on the console and the projector ----------------------------------------------


def notice(page: str) -> str | None:
    """The loopback notice's words, or None when the page has none."""
    found = re.search(r"<div class=\"reach-notice[^>]*>(.*?)</div>", page, re.S)
    return (
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()) if found else None
    )


def console_and_projector(room, base_url: str, **request) -> list[str]:
    """The console and the projector as opened at `base_url` (the facilitator's cookies go
    along to that host)."""
    facilitator = room.facilitator()
    session = facilitator.start()
    host = base_url.split("//", 1)[1].split(":")[0]
    signed_in = facilitator.http.get_cookie("session")
    facilitator.http.set_cookie("session", signed_in.value, domain=host)
    console = facilitator.http.get(f"/facilitator/w/{session.id}", base_url=base_url, **request)
    projector = room.anonymous().http.get(f"/screen/{session.token}", base_url=base_url, **request)
    assert console.status_code == projector.status_code == 200
    return [console.get_data(as_text=True), projector.get_data(as_text=True)]


def test_a_loopback_join_address_is_named_with_the_laptops_addresses_and_the_command(tmp_path):
    with open_room(tmp_path) as room:
        pages = console_and_projector(room, base_url="http://127.0.0.1:5000")
    for page in pages:
        said = notice(page)
        assert said is not None
        assert "Phones cannot open http://127.0.0.1:5000/w/" in said
        addresses = network.phone_urls(5000, network.lan_addresses())
        command = "make run HOST=0.0.0.0 WORKSHOP_PUBLIC_URL=" + (
            addresses[0] if addresses else "http://<laptop address>:5000"
        )
        assert command in said
        for address in addresses:
            assert address in said


def test_served_on_every_address_the_notice_points_at_the_network_address(tmp_path):
    """`make run HOST=0.0.0.0` opened at localhost: phones can already reach the laptop, the
    facilitator only needs to open the console at its network address (or set the URL)."""
    with open_room(tmp_path, SERVE_HOST="0.0.0.0") as room:
        console, _ = console_and_projector(room, base_url="http://localhost:5000")
    said = notice(console)
    addresses = network.phone_urls(5000, network.lan_addresses())
    if addresses:
        assert f"Phones on the same network reach this laptop at {addresses[0]}" in said
        assert "Open this page at that address" in said
    else:
        assert "stop the server" in said


def test_the_notice_is_in_spanish_for_a_spanish_reader(tmp_path):
    with open_room(tmp_path) as room:
        _, projector = console_and_projector(
            room, base_url="http://localhost", query_string={"lang": "es"}
        )
    assert "Los teléfonos no pueden abrir http://localhost/w/" in notice(projector)


def test_no_notice_with_a_public_url(tmp_path):
    with open_room(tmp_path, PUBLIC_URL="http://192.168.1.20:5000") as room:
        pages = console_and_projector(room, base_url="http://127.0.0.1:5000")
    for page in pages:
        assert "http://192.168.1.20:5000/w/" in page
        assert notice(page) is None


def test_no_notice_when_the_console_is_opened_at_a_network_address(tmp_path):
    with open_room(tmp_path) as room:
        pages = console_and_projector(room, base_url="http://192.168.1.20:5000")
    for page in pages:
        assert notice(page) is None
