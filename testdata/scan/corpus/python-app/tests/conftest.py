import pytest


@pytest.fixture
def user(db):
    password = "hunter2"
    return db.create_user(email="qa@shop.example", password=password)


@pytest.fixture
def admin_token():
    return "admin"
