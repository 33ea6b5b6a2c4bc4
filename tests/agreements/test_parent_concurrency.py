"""Two submissions at the same moment record exactly one signature per signer per version.

These run two threads, each with its own database connection, released together by a barrier.
They need PostgreSQL: SQLite takes one writer at a time, so it cannot show the race at all.
"""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from agreements import services
from agreements.forms_parent import ParentSignForm
from agreements.models import Audience, Signature
from agreements.parent_pack import pack_state
from safety_portal.school.models import PupilGuardian, SchoolProfile
from tests.agreements.factories import make_link, publish
from tests.factories import GuardianFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite serialises all writers, so two "
                    "submissions can never race there")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def versions():
    SchoolProfile.objects.create(pk=1, name="Oakfield Primary")
    return {audience: publish(audience) for audience in (Audience.PARENT, Audience.PUPIL_KS2)}


def _together(jobs):
    """Run each job in its own thread, all released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            results[index] = job(barrier)
        except Exception as error:  # noqa: BLE001 - handed back to the test to assert on
            results[index] = error
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a signing thread hung"
    return results


def _post_signing(link, token, name):
    shown = ParentSignForm.shown_value(pack_state(link).to_sign)
    url = reverse("parent_pack", args=[token])

    def job(barrier):
        client = Client()
        barrier.wait(timeout=30)
        return client.post(url, {"discussed": "on", "agree": "on", "typed_name": name, "shown": shown})

    return job


def test_the_same_link_posted_twice_at_once_signs_once(versions):
    link, token = make_link(year_group=4)
    responses = _together([_post_signing(link, token, "Sarah Lowe"), _post_signing(link, token, "Sarah Lowe")])
    assert not any(isinstance(response, Exception) for response in responses), responses
    assert sorted(response.status_code for response in responses) == [200, 302]
    second = next(response for response in responses if response.status_code == 200)
    assert "already signed" in second.content.decode()
    signatures = Signature.objects.filter(guardian=link.guardian, pupil=link.pupil)
    assert sorted(s.version_id for s in signatures) == sorted(v.pk for v in versions.values())


def test_the_service_called_twice_at_once_records_one_and_reports_already_signed(versions):
    link, _token = make_link(year_group=4)

    def sign(barrier):
        barrier.wait(timeout=30)
        return services.signature_record_for_guardian(link=link, typed_name="Sarah Lowe", discussed_with_child=True)

    results = _together([sign, sign])
    created = [result for result in results if isinstance(result, list)]
    refused = [result for result in results if isinstance(result, services.AlreadySigned)]
    assert len(created) == 1 and len(refused) == 1, results
    assert len(created[0]) == 2
    assert Signature.objects.count() == 2


def test_two_guardians_of_the_same_child_signing_at_once_each_get_their_own(versions):
    first, first_token = make_link(year_group=4)
    other_guardian = GuardianFactory()
    PupilGuardian.objects.create(pupil=first.pupil, guardian=other_guardian, parental_responsibility=True)
    second, second_token = make_link(pupil=first.pupil, guardian=other_guardian, pack=first.pack)
    responses = _together([_post_signing(first, first_token, "Sarah Lowe"),
                           _post_signing(second, second_token, "David Metcalfe")])
    assert [getattr(response, "status_code", response) for response in responses] == [302, 302]
    for link in (first, second):
        signatures = Signature.objects.filter(guardian=link.guardian, pupil=link.pupil)
        assert sorted(s.version_id for s in signatures) == sorted(v.pk for v in versions.values())
    assert Signature.objects.count() == 4
