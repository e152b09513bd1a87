import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_lists_only_customers_who_consent(client, admin_user, consenting_customer, store):
    from tests.factories import CustomerFactory

    silent = CustomerFactory(home_store=store, family_name="Neverasked")
    client.force_login(admin_user)

    response = client.get("/admin/customers/customer/")

    assert response.status_code == 200
    assert str(consenting_customer.public_id) in response.content.decode()
    assert str(silent.public_id) not in response.content.decode()
    assert client.get(f"/admin/customers/customer/{silent.pk}/change/").status_code == 302  # "doesn't exist"
