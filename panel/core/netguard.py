"""The panel's only network peers are the deployments on this machine: enforced for the whole process.

An audit hook (PEP 578) refuses every `socket.connect`/`sendto` to an address that is not loopback, and every
name lookup (forward or reverse) of anything but a loopback address or `localhost`, before a packet leaves;
the panel sends no telemetry of its own, and this makes sure no library it uses does either. Audit hooks
cannot be removed, so `install()` is for the program's entry point, never for library code; it is idempotent.

`socket.connect(("example.com", 80))` resolves the name inside the C call, before its audit event is raised:
the hook alone would refuse the connection only after the DNS query had left. So the first socket created
also wraps `connect`, `connect_ex`, `sendto` and `sendmsg` of `socket.socket`, which check the address before
any lookup can happen.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

_installed = False
_wrapped = False
_LOOKUPS = ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr")
_SENDS = ("socket.connect", "socket.sendto", "socket.sendmsg")


class NetworkRefused(PermissionError):
    """A connection or name lookup the panel never needs: refused before it happened."""


def _is_loopback_host(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower().rstrip(".") == "localhost":
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


def _refuse_connection(sock: Any, address: Any) -> None:
    if address is not None and not allowed(sock, address):
        raise NetworkRefused(f"the panel talks only to this machine; refused a connection to {address!r}")


def _refuse_lookup(host: Any) -> None:
    if host is not None and not _is_loopback_host(host):
        raise NetworkRefused(f"the panel talks only to this machine; refused to look up {host!r}")


def _checked(method: Callable[..., Any], address_at: int) -> Callable[..., Any]:
    """`method` of a socket, refusing before the call (and so before any name lookup) an address that is not
    loopback; `address_at` is where the address stands among the call's arguments (from the end when
    negative)."""

    @functools.wraps(method)
    def call(self: Any, *args: Any) -> Any:
        if len(args) > address_at if address_at >= 0 else len(args) >= -address_at:
            _refuse_connection(self, args[address_at])
        return method(self, *args)

    return call


def _wrap_socket_methods() -> None:
    global _wrapped
    if _wrapped:
        return
    _wrapped = True
    import socket

    for name, address_at in (("connect", 0), ("connect_ex", 0), ("sendto", -1), ("sendmsg", 3)):
        setattr(socket.socket, name, _checked(getattr(socket.socket, name), address_at))


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event in _SENDS:
        _refuse_connection(args[0], args[-1])
    elif event in _LOOKUPS:
        _refuse_lookup(args[0])
    elif event == "socket.getnameinfo":
        sockaddr = args[0]
        _refuse_lookup(sockaddr[0] if isinstance(sockaddr, tuple) and sockaddr else sockaddr)
    elif event == "socket.__new__" and not _wrapped:
        _wrap_socket_methods()


def install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
        if "socket" in sys.modules:
            _wrap_socket_methods()
