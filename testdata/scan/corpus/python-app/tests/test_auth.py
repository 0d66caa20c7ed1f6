import getpass
import os

import pytest

from shop.auth import hash_password, login


@pytest.fixture
def password():
    return os.environ.get("TEST_USER_PASSWORD") or getpass.getpass("Password: ")


def test_login_returns_token(client, user, password):
    resp = login(client, user.email, password)
    token = resp.json()["token"]
    assert resp.json()["token"] == token
    assert user.password_hash == hash_password(password, user.salt)


def test_rejects_empty_password(client, user):
    resp = login(client, user.email, password="")
    assert resp.status_code == 401


def test_api_key_header(client):
    api_key = os.environ["SHOP_API_KEY"]
    resp = client.get("/api/orders", headers={"X-Api-Key": api_key})
    assert resp.status_code == 200
