import pytest

from consent.models import PurposeCode
from customers.membership import InvalidMembershipCode, membership_code, read_membership_code

pytestmark = pytest.mark.django_db


def test_a_membership_code_round_trips_bare_or_inside_a_link(consenting_customer):
    code = membership_code(consenting_customer)

    assert read_membership_code(code) == consenting_customer.public_id
    assert read_membership_code(f"https://shop.example/m/{code}/") == consenting_customer.public_id


@pytest.mark.parametrize("scanned", ["", "hello", "https://evil.example/m/abc/", "eyJhbGciOi.forged.sig"])
def test_forged_or_foreign_codes_are_refused(scanned):
    with pytest.raises(InvalidMembershipCode):
        read_membership_code(scanned)


def test_a_tampered_code_is_refused(consenting_customer):
    code = membership_code(consenting_customer)
    tampered = code[:-2] + ("AA" if not code.endswith("AA") else "BB")

    with pytest.raises(InvalidMembershipCode):
        read_membership_code(tampered)


def test_scanning_her_code_opens_her_card(client, associate, consenting_customer):
    client.force_login(associate)

    response = client.post("/customers/scan/", {"code": membership_code(consenting_customer)})

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{consenting_customer.public_id}/"


def test_a_forged_code_gets_a_clear_400(client, associate):
    client.force_login(associate)

    response = client.post("/customers/scan/", {"code": "not-a-code"})

    assert response.status_code == 400
    assert "not issued by this store" in response.content.decode()


def test_the_old_code_of_a_customer_who_withdrew_opens_nothing(
    client, associate, consenting_customer, withdraw
):
    code = membership_code(consenting_customer)
    withdraw(consenting_customer, [PurposeCode.PROFILE])
    client.force_login(associate)

    response = client.post("/customers/scan/", {"code": code})

    assert response.status_code == 400
    assert "withdrawn" in response.content.decode()


def test_the_scan_page_works_without_a_code(client, associate):
    client.force_login(associate)

    response = client.get("/customers/scan/")

    assert response.status_code == 200
    assert b"jsQR.js" in response.content
