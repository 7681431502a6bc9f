"""The panel's only network peers are the deployments on this machine: enforced for the whole process.

An audit hook (PEP 578) refuses every `socket.connect`/`sendto` to an address that is not loopback, and every
name lookup of anything but an IP literal or `localhost`, before a packet leaves; the panel sends no telemetry
of its own, and this makes sure no library it uses does either. Audit hooks cannot be removed, so `install()`
is for the program's entry point, never for library code; it is idempotent.
"""

from __future__ import annotations

import sys
from typing import Any

_installed = False


class NetworkRefused(PermissionError):
    """A connection or name lookup the panel never needs: refused before it happened."""


def _is_loopback_host(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() == "localhost":
        return True
    # here, not at start-up: the guard is installed first thing, and most runs never check a host
    import ipaddress

    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def allowed(sock: Any, address: Any) -> bool:
    """True for a local socket (AF_UNIX) or a loopback IP address; False for anything that leaves the
    machine."""
    import socket  # loaded already whenever a socket exists to ask about

    family = getattr(sock, "family", None)
    if family == getattr(socket, "AF_UNIX", object()):
        return True
    if isinstance(address, tuple) and address:
        return _is_loopback_host(address[0])
    return False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[-1]
        if address is not None and not allowed(sock, address):
            raise NetworkRefused(f"the panel talks only to this machine; refused a connection to {address!r}")
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        host = args[0]
        if host is not None and not _is_loopback_host(host):
            raise NetworkRefused(f"the panel talks only to this machine; refused to look up {host!r}")


def install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
