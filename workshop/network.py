"""Where phones can reach this machine: its addresses on the local network, and whether an
address is one only this machine can open (a loopback address such as 127.0.0.1).

`make run` serves on 127.0.0.1 by default, which a phone cannot open: the facilitator needs to
hear that, with the laptop's network address and the command that serves on it. No Flask here:
`serve` prints these, the web layer shows them on the console and the projector.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
ALL_INTERFACES = {"0.0.0.0", "::", ""}  # a server bound here answers on every address
# Addresses a UDP socket is "connected" to only to ask the system which of its own addresses
# it would use on the way (nothing is sent): the default route, then each private range, so a
# laptop on a venue network without internet still finds its address there.
ROUTE_PROBES = ("1.1.1.1", "10.255.255.254", "172.31.255.254", "192.168.255.254")


def is_loopback(host: str) -> bool:
    """True for a host name or address only this machine can open: `localhost`, 127.0.0.0/8,
    ::1 (with or without brackets or a port)."""
    host = _bare_host(host)
    if host.lower() in LOOPBACK_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bare_host(host: str) -> str:
    """`[::1]:5000` → `::1`, `127.0.0.1:5000` → `127.0.0.1`, `example.org` unchanged."""
    host = host.strip()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def usable_addresses(candidates: Iterable[str]) -> list[str]:
    """The IPv4 addresses among `candidates` a phone on the same network could open, in their
    first order, each once: no loopback, link-local (169.254.x.x, a network with no router
    handing out addresses), unspecified or multicast address, nothing that is not an address."""
    kept: list[str] = []
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        unusable = (
            address.version != 4
            or address.is_loopback
            or address.is_link_local
            or address.is_unspecified
            or address.is_multicast
        )
        if not unusable and str(address) not in kept:
            kept.append(str(address))
    return kept


def lan_addresses(
    route_source: Callable[[str], str | None] | None = None,
    named: Callable[[], list[str]] | None = None,
) -> list[str]:
    """This machine's IPv4 addresses on its networks, the one on the default route first.
    `route_source` and `named` are the two ways of asking the system (replaceable in tests)."""
    route_source = route_source or _route_source
    named = named or _addresses_of_hostname
    by_route = [route_source(probe) for probe in ROUTE_PROBES]
    return usable_addresses([a for a in by_route if a] + named())


def _route_source(destination: str) -> str | None:
    """The address this machine would send from to reach `destination` (no packet is sent:
    connecting a UDP socket only picks the route)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((destination, 9))
            return probe.getsockname()[0]
    except OSError:  # no route there (no network, or none of that range)
        return None


def _addresses_of_hostname() -> list[str]:
    """What the machine's own name resolves to (on macOS and many laptops, every interface)."""
    try:
        found = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [info[4][0] for info in found]


def phone_urls(port: int, addresses: Iterable[str], scheme: str = "http") -> list[str]:
    """The addresses as phones would type them: `http://192.168.1.20:5000`."""
    default = {"http": 80, "https": 443}.get(scheme)
    suffix = "" if port == default else f":{port}"
    return [f"{scheme}://{address}{suffix}" for address in addresses]


def serve_command(port: int, public_url: str | None) -> str:
    """The command that serves the app on every network address, with the join address phones
    use: what the console, the projector and `make run` tell a facilitator to type."""
    port_part = "" if port == 5000 else f" PORT={port}"
    url = public_url or f"http://<laptop address>:{port}"
    return f"make run HOST=0.0.0.0{port_part} WORKSHOP_PUBLIC_URL={url}"


def startup_lines(host: str, port: int, public_url: str, addresses: list[str]) -> list[str]:
    """What `make run` prints about phones, after the address it serves on: where phones on
    the same network open the app, or, on a loopback address, the command that lets them."""
    if public_url:
        return [f"Phones join at {public_url} (WORKSHOP_PUBLIC_URL)."]
    urls = phone_urls(port, addresses)
    if host in ALL_INTERFACES:
        if not urls:
            return ["This machine has no network address yet: join the venue's network first."]
        return [
            f"Phones on the same network open {' or '.join(urls)}.",
            f"Open the console there too, or set WORKSHOP_PUBLIC_URL={urls[0]}, so the join "
            "link and QR code point phones at it.",
        ]
    if not is_loopback(host):
        return [f"Phones on the same network open {phone_urls(port, [host])[0]}."]
    lines = [f"Phones cannot open {host}: only this machine can. To let phones join, serve with:"]
    lines.append("  " + serve_command(port, urls[0] if urls else None))
    if urls:
        lines.append(f"(this machine's network address: {', '.join(urls)})")
    else:
        lines.append("(this machine has no network address yet: join the venue's network first)")
    return lines
