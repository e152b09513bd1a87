"""Her membership QR: a code the scan page can read wherever it is shown."""

import re

import pytest

from customers.membership import membership_qr_svg
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_membership_code_scales_to_its_box_and_keeps_its_quiet_zone():
    svg = membership_qr_svg(CustomerFactory())

    assert re.search(r'viewBox="0 0 (\d+) \1"', svg)  # square, drawn to fit whatever box holds it
    assert not re.search(r'<svg[^>]* width="', svg)  # no fixed size to overflow a phone
    size = int(re.search(r'viewBox="0 0 (\d+)', svg).group(1))
    modules = size // 6  # drawn at 6 units a module
    version_modules = modules - 2 * 4
    assert (version_modules - 17) % 4 == 0  # a real QR size once the four-module border is taken off
    assert 'fill="#fff"' in svg  # a light background, so the quiet zone shows on any page colour
