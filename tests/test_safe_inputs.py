"""Inputs shared by every app: a `next` address and a list of chosen ids."""

import pytest
from django import forms
from django.test import RequestFactory

from safety_portal.forms import IdsChoiceField
from safety_portal.next_url import next_url
from safety_portal.school.models import User
from tests.factories import UserFactory


@pytest.mark.parametrize("candidate, expected", [
    ("/policies/", "/policies/"),
    ("/policies/?page=2", "/policies/?page=2"),
    ("foo", ""),  # a bare word would be taken for a URL name by redirect(): a 500
    ("//evil.example/", ""),
    ("https://evil.example/", ""),
    ("/\\evil.example", ""),
    ("", ""),
])
def test_next_is_only_a_path_on_this_site(candidate, expected):
    request = RequestFactory().post("/", {"next": candidate})
    assert next_url(request) == expected


class ChooseUsers(forms.Form):
    users = IdsChoiceField(queryset=User.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "1.5", "abc", "١٢"])
def test_ids_that_no_column_can_hold_are_an_invalid_choice_not_an_error(value):
    form = ChooseUsers({"users": [value]})
    assert not form.is_valid()
    assert "users" in form.errors


@pytest.mark.django_db
def test_real_ids_are_chosen():
    people = UserFactory.create_batch(2)
    form = ChooseUsers({"users": [str(person.pk) for person in people]})
    assert form.is_valid()
    assert set(form.cleaned_data["users"]) == set(people)
