import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from safety_portal.school import roles
from safety_portal.school.demo import DEMO_PASSWORD, DEMO_USERS
from safety_portal.school.models import Term, User

pytestmark = pytest.mark.django_db


def _snapshot():
    """Every row of every model, so a second load can be compared field by field."""
    rows = {}
    for model in apps.get_models():
        values = model.objects.order_by("pk").values()
        rows[model._meta.label] = [
            {k: v for k, v in row.items() if k not in ("last_login",)} for row in values
        ]
    return rows


def test_demo_loader_is_idempotent(capsys):
    call_command("load_demo")
    first = _snapshot()
    call_command("load_demo")
    assert _snapshot() == first
    assert "0 new records" in capsys.readouterr().out


def test_demo_gives_a_login_for_every_role_and_prints_them(client, capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    covered = set()
    for email, *_rest, role_names in DEMO_USERS:
        assert email in output
        covered.update(role_names)
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert set(role_names) <= user.role_names
    assert covered == set(roles.ALL)
    assert DEMO_PASSWORD in output


def test_demo_covers_the_last_two_academic_years(settings):
    call_command("load_demo")
    years = sorted(set(Term.objects.values_list("academic_year", flat=True)))
    assert len(years) == 2 and years[1] - years[0] == 1
    assert Term.objects.count() == 6
    today = timezone.localdate()
    current_year = today.year if today.month >= 9 else today.year - 1
    assert years[1] == current_year
    # Today falls in a reporting period (holidays count in the term before them), except the
    # first days of September before the autumn term starts.
    if not (today.month == 9 and today.day < 3):
        assert Term.objects.current() is not None


def test_demo_refuses_to_load_on_a_production_server(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="only with DEBUG=true"):
        call_command("load_demo")
    assert not User.objects.exists()


def test_demo_pupils_are_the_right_age_for_their_year_group_and_terms_avoid_weekends():
    from safety_portal.school.models import Pupil

    call_command("load_demo")
    for pupil in Pupil.objects.all():
        # Reception starts in the September after a child turns four.
        academic_year_born = pupil.date_of_birth.year - (0 if pupil.date_of_birth.month >= 9 else 1)
        this_year = Term.objects.order_by("-academic_year").first().academic_year
        assert this_year - academic_year_born - 5 == pupil.year_group, pupil
    for term in Term.objects.all():
        assert term.start_date.weekday() < 5 and term.end_date.weekday() < 5, term
