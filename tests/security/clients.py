"""Signed-in test clients for the security tests."""

from django.test import Client


def signed_in(user, **client_options):
    """A client of its own signed in as `user`; force_login stands for both factors (tests/conftest.py)."""
    client = Client(**client_options)
    client.force_login(user)
    return client
