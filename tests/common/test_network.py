"""The address a development server's links name: where a browser elsewhere reaches it."""

import ipaddress

from common.network import EVERY_INTERFACE, lan_address, public_base_url


def test_a_server_on_every_interface_is_linked_at_this_machines_address_on_its_network():
    address = ipaddress.ip_address(lan_address())

    assert address.version == 4
    assert not address.is_unspecified
    for host in EVERY_INTERFACE:  # 0.0.0.0, ::, [::]
        assert public_base_url(host, 8300) == f"http://{address}:8300"


def test_a_server_on_one_address_is_linked_at_that_address():
    assert public_base_url("127.0.0.1", 8300) == "http://127.0.0.1:8300"
    assert public_base_url("localhost", "8000") == "http://localhost:8000"
    assert public_base_url("::1", 8300) == "http://[::1]:8300"
    assert public_base_url("[::1]", 8300) == "http://[::1]:8300"
