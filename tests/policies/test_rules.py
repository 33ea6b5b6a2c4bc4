"""The register's own rules: the review state worked out in the database agrees with the model,
and the database keeps recorded versions and read receipts as they were written."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from policies import services
from policies.models import Policy, PolicyVersion, ReadReceipt, ReviewState, Status
from tests.factories import user_with_role
from tests.policies.factories import make_policy, record_version

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def test_state_in_the_database_matches_the_model_on_every_boundary():
    policies = {
        "overdue": make_policy("A", next_review_on=TODAY - datetime.timedelta(days=1)),
        "today": make_policy("B", next_review_on=TODAY),
        "day 30": make_policy("C", next_review_on=TODAY + datetime.timedelta(days=30)),
        "day 31": make_policy("D", next_review_on=TODAY + datetime.timedelta(days=31)),
        "none": make_policy("E"),
        "retired": make_policy("F", status=Status.RETIRED, next_review_on=TODAY - datetime.timedelta(days=9)),
    }
    annotated = {policy.pk: policy.review_state for policy in Policy.objects.with_review_state(TODAY)}
    for policy in policies.values():
        assert annotated[policy.pk] == policy.review_state(TODAY)
    assert annotated[policies["overdue"].pk] == ReviewState.OVERDUE
    assert annotated[policies["today"].pk] == ReviewState.DUE_SOON
    assert annotated[policies["day 30"].pk] == ReviewState.DUE_SOON
    assert annotated[policies["day 31"].pk] == ReviewState.CURRENT
    assert annotated[policies["none"].pk] == ReviewState.NOT_RECORDED
    assert annotated[policies["retired"].pk] == ReviewState.NOT_IN_USE


def test_register_order_puts_the_longest_overdue_first():
    late = make_policy("Late", next_review_on=TODAY - datetime.timedelta(days=40))
    later = make_policy("Later", next_review_on=TODAY - datetime.timedelta(days=2))
    soon = make_policy("Soon", next_review_on=TODAY + datetime.timedelta(days=3))
    blank = make_policy("Blank")
    fine = make_policy("Fine", next_review_on=TODAY + datetime.timedelta(days=200))
    ours = [p.pk for p in Policy.objects.by_urgency(TODAY) if p.pk in {late.pk, later.pk, soon.pk, blank.pk, fine.pk}]
    assert ours == [late.pk, later.pk, soon.pk, blank.pk, fine.pk]


def test_next_review_follows_the_newest_approval_and_cycle():
    policy = make_policy(review_cycle_months=1)
    record_version(policy, approved_on=datetime.date(2028, 1, 31), number="1.0")
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2028, 2, 29)
    # A version approved earlier than the current one joins the history only.
    old = record_version(policy, approved_on=datetime.date(2027, 6, 1), number="0.9")
    policy.refresh_from_db()
    assert policy.current_version.number == "1.0" and old.pk != policy.current_version_id
    assert policy.next_review_on == datetime.date(2028, 2, 29)


def test_a_new_current_version_must_have_a_higher_number():
    policy = make_policy()
    record_version(policy, approved_on=datetime.date(2026, 1, 10), number="2.9")
    with pytest.raises(services.VersionNumberNotNewer):
        record_version(policy, approved_on=datetime.date(2026, 9, 1), number="2.9")
    record_version(policy, approved_on=datetime.date(2026, 9, 1), number="2.10")  # 2.10 follows 2.9
    policy.refresh_from_db()
    assert policy.current_version.number == "2.10"
    assert policy.next_version_number() == "2.11"


def test_bringing_a_review_forward_and_a_new_approval_clearing_it():
    head = user_with_role("Headteacher")
    policy = make_policy()
    record_version(policy, approved_on=datetime.date(2026, 9, 1), number="1")
    policy.refresh_from_db()
    with pytest.raises(services.NothingToBringForward):
        services.review_bring_forward(policy=policy, to=datetime.date(2027, 9, 1), reason="x", actor=head)
    services.review_bring_forward(policy=policy, to=datetime.date(2027, 1, 5), reason="New guidance", actor=head)
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2027, 1, 5)
    record_version(policy, approved_on=datetime.date(2027, 1, 4), number="2")
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2028, 1, 4)
    assert policy.review_brought_forward_to is None and policy.review_brought_forward_reason == ""


def test_a_longer_cycle_moves_the_next_review_date():
    lead = user_with_role("Online-safety lead")
    policy = make_policy()
    record_version(policy, approved_on=datetime.date(2026, 3, 31), number="1")
    services.policy_update(policy=policy, actor=lead, review_cycle_months=24)
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2028, 3, 31)


def test_the_database_refuses_to_change_a_recorded_version():
    version = record_version(make_policy(), approved_on=datetime.date(2026, 3, 1), number="1")
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyVersion.objects.filter(pk=version.pk).update(change_summary="Rewritten afterwards")
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyVersion.objects.filter(pk=version.pk).update(document_sha256="0" * 64)
    # Recording that a reminder went out is not a change to what was approved.
    reminded = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
    PolicyVersion.objects.filter(pk=version.pk).update(read_reminded_at=reminded)
    assert PolicyVersion.objects.get(pk=version.pk).change_summary == version.change_summary


def test_the_database_refuses_to_change_a_read_receipt():
    version = record_version(make_policy(), approved_on=datetime.date(2026, 3, 1), number="1", read_roles=["Staff"])
    reader = user_with_role("Staff")
    receipt, created = services.receipt_confirm(version=version, user=reader)
    again, created_again = services.receipt_confirm(version=version, user=reader)
    assert created and not created_again and again.pk == receipt.pk
    backdated = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    with pytest.raises(DatabaseError), transaction.atomic():
        ReadReceipt.objects.filter(pk=receipt.pk).update(confirmed_at=backdated)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            ReadReceipt.objects.filter(pk=receipt.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadReceipt.objects.create(version=version, user=reader)


def test_versions_to_read_follow_the_roles_asked_and_the_current_version():
    version = record_version(make_policy(), approved_on=datetime.date(2026, 3, 1), number="1", read_roles=["Staff"])
    teacher, governor = user_with_role("Staff"), user_with_role("Governor")
    assert list(services.versions_to_read(teacher)) == [version]
    assert list(services.versions_to_read(governor)) == []
    newer = record_version(version.policy, approved_on=datetime.date(2026, 4, 1), number="2",
                           read_roles=["Staff", "Governor"])
    assert list(services.versions_to_read(teacher)) == [newer]
    assert list(services.versions_to_read(governor)) == [newer]
    services.receipt_confirm(version=newer, user=teacher)
    assert list(services.versions_to_read(teacher)) == []
    teacher.is_active = False
    teacher.save()
    assert teacher.pk not in set(services.readers_asked(newer).values_list("pk", flat=True))


def test_a_review_only_ever_moves_earlier_by_bringing_it_forward():
    head = user_with_role("Headteacher")
    policy = make_policy()
    record_version(policy, approved_on=datetime.date(2026, 9, 1), number="1")
    policy.refresh_from_db()
    services.review_bring_forward(policy=policy, to=datetime.date(2027, 1, 15), reason="New guidance", actor=head)
    policy.refresh_from_db()
    with pytest.raises(services.NothingToBringForward):
        services.review_bring_forward(policy=policy, to=datetime.date(2027, 6, 1), reason="Later", actor=head)
    services.review_bring_forward(policy=policy, to=datetime.date(2027, 1, 10), reason="Sooner", actor=head)
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2027, 1, 10)


def test_a_date_set_by_hand_before_any_version_stops_at_five_years():
    head = user_with_role("Headteacher")
    policy = make_policy()
    with pytest.raises(services.NothingToBringForward):
        services.review_bring_forward(policy=policy, to=datetime.date(9999, 12, 31), reason="x", actor=head)
    services.review_bring_forward(policy=policy, to=services.bring_forward_latest(policy), reason="x", actor=head)


def test_an_earlier_version_for_the_history_needs_a_lower_number():
    policy = make_policy()
    record_version(policy, approved_on=datetime.date(2026, 9, 1), number="3")
    with pytest.raises(services.VersionNumberOutOfOrder):
        record_version(policy, approved_on=datetime.date(2025, 9, 1), number="4")
    record_version(policy, approved_on=datetime.date(2025, 9, 1), number="2")
    assert list(policy.versions.values_list("number", flat=True)) == ["3", "2"]
