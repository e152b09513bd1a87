"""API tokens: hashed at rest, scoped to resources and stores, revocable, throttled."""

import hashlib

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from integrations.models import ApiToken
from integrations.services import authenticate_token, issue_token, revoke_token

pytestmark = pytest.mark.django_db

STOCK = [{"store": "london", "variant": "none", "quantity": 1}]


def test_only_a_hash_of_the_token_is_kept_and_the_token_authenticates(store):
    token, secret = issue_token(name="Tills", resources=["stock"], stores=[store])

    row = ApiToken.objects.get()
    assert secret.startswith(f"clk_{row.prefix}_")
    assert len(secret) > 40
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    assert authenticate_token(secret) == token
    assert ApiToken.objects.get().last_used_at is not None
    assert AuditEvent.objects.filter(action="api_token.issued").count() == 1


def test_a_forged_token_with_a_real_prefix_is_refused(store, post, token_for):
    secret = token_for(["stock"], stores=[store])
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")

    assert authenticate_token(forged) is None
    response = post("stock", STOCK, token=forged)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked API token."}


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer a b",
        "Token clk_x",
        "Basic dXNlcjpwYXNz",
        "Bearer clk_",
        "Bearer nonsense",
        "Bearer clk_é",
    ],
)
def test_missing_or_malformed_credentials_are_a_401_that_says_how_to_authenticate(client, store, header):
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/v1/stock/", data="[]", content_type="application/json", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "detail" in response.json()


def test_a_revoked_token_is_refused_from_the_next_request(store, post, token_for, admin_user):
    secret = token_for(["stock"], stores=[store])
    assert post("stock", [], token=secret).status_code == 200

    revoke_token(ApiToken.objects.get(), by=admin_user)

    assert post("stock", [], token=secret).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=admin_user).count() == 1


def test_a_token_may_only_call_the_resources_it_was_given(store, post, token_for):
    secret = token_for(["stock"], stores=[store])

    response = post("products", [], token=secret)

    assert response.status_code == 403
    assert response.json() == {"detail": "This API token may not write this resource."}
    assert post("stock", [], token=secret).status_code == 200


def test_session_login_is_no_way_into_the_api(client, admin_user):
    client.force_login(admin_user)

    assert client.post("/api/v1/stock/", data="[]", content_type="application/json").status_code == 401


def test_requests_beyond_the_rate_are_refused_with_429_per_token(store, post, token_for, settings):
    settings.API_THROTTLE_RATE = "2/minute"
    first, second = token_for(["stock"], stores=[store]), token_for(["stock"], stores=[store])

    codes = [post("stock", [], token=first).status_code for _ in range(3)]

    assert codes == [200, 200, 429]
    assert post("stock", [], token=second).status_code == 200  # its own count
    throttled = post("stock", [], token=first)
    assert "Retry-After" in throttled
    assert "throttled" in throttled.json()["detail"].lower()


def test_the_command_issues_a_token_printed_once(store, capsys, post):
    call_command("create_api_token", "Tills, London", "--resource", "stock", "--store", "london")

    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get()
    assert token.name == "Tills, London"
    assert token.resources == ["stock"]
    assert list(token.stores.all()) == [store]
    assert not token.all_stores
    assert post("stock", [], token=secret).status_code == 200


def test_the_command_refuses_an_unknown_store(db):
    with pytest.raises(Exception, match="No store with code 'nowhere'"):
        call_command("create_api_token", "Tills", "--resource", "stock", "--store", "nowhere")
    assert not ApiToken.objects.exists()


def test_an_admin_issues_a_token_and_sees_it_once_then_revokes_it(client, admin_user, store, post):
    client.force_login(admin_user)

    response = client.post(
        "/admin/integrations/apitoken/add/",
        {"name": "E-shop", "resources": ["products", "stock"], "all_stores": "on"},
        follow=True,
    )

    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.rsplit(" ", 1)[-1] for m in shown if "will not be shown again" in m)
    assert token.created_by == admin_user
    assert token.all_stores
    assert post("stock", [], token=secret).status_code == 200
    assert secret not in client.get(f"/admin/integrations/apitoken/{token.pk}/change/").content.decode()

    client.post(
        "/admin/integrations/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )

    assert post("stock", [], token=secret).status_code == 401


def test_an_issued_token_cannot_be_edited_in_the_admin_and_shows_when_it_was_revoked(
    client, admin_user, store
):
    token, _ = issue_token(name="Tills", resources=["stock"], stores=[store])
    revoke_token(token, by=admin_user)
    client.force_login(admin_user)

    page = client.get(f"/admin/integrations/apitoken/{token.pk}/change/").content.decode()

    assert 'name="name"' not in page
    assert 'name="resources"' not in page
    assert "Revoked at" in page


def test_a_token_with_bytes_postgresql_refuses_is_a_401_not_a_500(client, store):
    response = client.post(
        "/api/v1/stock/",
        data="[]",
        content_type="application/json",
        headers={"Authorization": "Bearer clk_ab\x00cd_x"},
    )

    assert response.status_code == 401
