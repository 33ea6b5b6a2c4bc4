"""The record of who has signed runs a fixed number of queries, whether the school has 150 pupils or 1,500.

The data is written with bulk_create, past the services, so that 1,500 pupils, 3,000 guardians
and about 20,000 signatures take seconds rather than minutes.
"""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import PUPIL_AUDIENCES, Agreement, Audience, Signature, SigningLink, SigningPack, pupil_audience
from safety_portal.school import roles
from safety_portal.school.models import Guardian, Pupil, PupilGuardian
from tests.agreements.factories import publish, publish_all
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

SMALL, LARGE = 150, 1500


def _versions():
    """Three versions of the parent and pupil agreements. The parent one's third asks everyone to sign
    again, so families have signatures that no longer count as well as ones that do."""
    publish_all()
    for audience in (Audience.PARENT, *PUPIL_AUDIENCES):
        publish(audience, body="Second version.")
        publish(audience, body="Third version.", requires_resign=audience == Audience.PARENT)
    return {agreement.audience: list(agreement.versions.order_by("number"))
            for agreement in Agreement.objects.prefetch_related("versions")}


def _school(start, stop, versions, pack):
    """Pupils numbered start..stop-1 across every year group, two guardians each, a link for each guardian,
    and signatures: every eighth child not signed for at all, the rest on old and current versions."""
    now = timezone.now()
    pupils = Pupil.objects.bulk_create([
        Pupil(mis_id=f"S{n:05d}", first_name=f"Child{n}", last_name=f"Family{n % 97}",
              year_group=n % 15 - 1, reg_class=f"{n % 15 - 1}{'ABC'[n % 3]}") for n in range(start, stop)])
    guardians = Guardian.objects.bulk_create([
        Guardian(mis_id=f"G{n:05d}-{index}", first_name="Parent", last_name=f"Family{n % 97}",
                 email=f"g{n}-{index}@home.example") for n in range(start, stop) for index in (1, 2)])
    PupilGuardian.objects.bulk_create([
        PupilGuardian(pupil=pupil, guardian=guardian, parental_responsibility=True, relationship="Parent")
        for pupil, pair in zip(pupils, zip(guardians[::2], guardians[1::2], strict=True), strict=True)
        for guardian in pair])
    SigningLink.objects.bulk_create([
        SigningLink(pack=pack, pupil=pupil, guardian=guardian, token_hash=f"{pupil.mis_id}-{guardian.mis_id}",
                    expires_at=now, sent_at=now, reminders_sent=1)
        for pupil, pair in zip(pupils, zip(guardians[::2], guardians[1::2], strict=True), strict=True)
        for guardian in pair])
    signatures = []
    for number, (pupil, pair) in enumerate(zip(pupils, zip(guardians[::2], guardians[1::2], strict=True),
                                               strict=True), start=start):
        if _not_signed_for(number):
            continue
        pupil_versions = versions[pupil_audience(pupil)]
        for guardian in pair:
            for version in versions[Audience.PARENT] + pupil_versions:
                signatures.append(_signature(version, now, guardian=guardian, pupil=pupil))
        for version in pupil_versions:
            signatures.append(_signature(version, now, pupil=pupil))
    Signature.objects.bulk_create(signatures, batch_size=2000)
    return len(signatures)


def _not_signed_for(number):
    return number % 8 == 0


def _signature(version, now, **signer):
    return Signature(version=version, content_hash=version.content_hash, typed_name="Signed", method="typed",
                     signed_at=now, **signer)


PAGES = [
    ("agreements:compliance", [], {}),
    ("agreements:compliance_audience", [Audience.PARENT], {}),
    ("agreements:compliance_audience", [Audience.PARENT], {"status": "outstanding", "year": 5, "page": 2}),
    ("agreements:compliance_audience", [Audience.PARENT], {"q": "Family1"}),
    ("agreements:compliance_audience", [Audience.PUPIL_KS2], {}),
    ("agreements:compliance_audience", [Audience.PUPIL_KS3], {"status": "signed", "reg_class": "8C"}),
    ("agreements:compliance_audience", [Audience.STAFF], {}),
    ("agreements:compliance_audience", [Audience.VISITOR], {}),
    ("agreements:compliance_audience", [Audience.PARENT], {"format": "csv"}),
    ("agreements:compliance_audience", [Audience.PUPIL_KS4], {"format": "csv"}),
    ("home", [], {}),
]


def _measure(client, count_queries):
    """{page: queries} and the responses, in the order of PAGES."""
    counts, responses = {}, []
    for name, args, params in PAGES:
        queries, response = count_queries(client, reverse(name, args=args), **params)
        counts[(name, *args, *params.items())] = queries
        if params.get("format") == "csv":
            response.rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        responses.append(response)
    return counts, responses


def test_compliance_pages_and_exports_run_the_same_queries_for_150_and_1500_pupils(
        client, count_queries, django_assert_max_num_queries):
    # Office and online-safety lead at once: the home page shows both agreement panels too.
    reader = user_with_role(roles.ADMINISTRATOR, roles.ONLINE_SAFETY_LEAD)
    user_with_role(roles.STAFF)
    client.force_login(reader)
    versions = _versions()
    pack = SigningPack.objects.create(title="Everyone")
    _school(0, SMALL, versions, pack)
    few, _responses = _measure(client, count_queries)

    signatures = _school(SMALL, LARGE, versions, pack)
    user_with_role(roles.STAFF)
    many, responses = _measure(client, count_queries)
    assert Pupil.objects.count() == LARGE and Guardian.objects.count() == 2 * LARGE
    assert Signature.objects.count() > 19000 and signatures > 17000

    assert many == few
    # What the pages show grows with the school, so they were not measured empty.
    parent_page = responses[1]
    assert parent_page.context["page_obj"].paginator.count == LARGE
    assert parent_page.context["summary"].signed == sum(not _not_signed_for(n) for n in range(LARGE))
    parent_csv = responses[8]
    assert len(parent_csv.rows) == LARGE + 1
    # And a small number: session, user, roles, the "to sign" prompt, the menu and the page's own queries.
    for name, args, params in PAGES[:-1]:
        with django_assert_max_num_queries(16):
            client.get(reverse(name, args=args), params)
