"""The tablet's tests: a client signed in as the store's associate (``associate``, Ava)."""

import pytest
from django.test import Client

from accounts.models import User


@pytest.fixture
def signed_in(client: Client, associate: User) -> Client:
    client.force_login(associate)
    return client
