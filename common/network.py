"""The address a development server is reached at, for the links the app writes (PUBLIC_BASE_URL).

``make demo`` serves on HOST:PORT. On every interface (``HOST=0.0.0.0``) a phone on the same network
is meant to open the links and scan the QR codes, so they name this machine's address on the local
network, not 127.0.0.1 (which, on the phone, is the phone). ``python -m common.network HOST PORT``
prints that base URL."""

import socket
import sys

EVERY_INTERFACE = {"0.0.0.0", "::", "[::]"}  # noqa: S104 - names the wildcard, binds nothing
_ROUTED_NOWHERE = ("192.0.2.1", 9)  # TEST-NET-1 (RFC 5737): routed like any address, never answered


def lan_address() -> str:
    """This machine's address on its local network: the source address of its default route. Nothing
    is sent (connecting a UDP socket only chooses the route). 127.0.0.1 without a network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(_ROUTED_NOWHERE)
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def public_base_url(host: str, port: int | str) -> str:
    """The base URL of a server on ``host``:``port``, as a browser elsewhere reaches it."""
    if host in EVERY_INTERFACE:
        host = lan_address()
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


if __name__ == "__main__":
    print(public_base_url(*sys.argv[1:3]))  # the Makefile reads it
