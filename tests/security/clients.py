"""Signed-in test clients for the security tests, past the second-factor step like a real sign-in."""

from django.test import Client

from safety_portal.signin.services import SECOND_FACTOR_KEY


def signed_in(user, **client_options):
    client = Client(**client_options)
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_KEY] = True  # what passing the code page records
    session.save()
    return client
