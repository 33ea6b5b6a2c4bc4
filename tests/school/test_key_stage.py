import pytest

from safety_portal.school.models import KeyStage, YearGroup, key_stage_for
from tests.factories import PupilFactory

EXPECTED = {
    YearGroup.NURSERY: KeyStage.EYFS,
    YearGroup.RECEPTION: KeyStage.EYFS,
    YearGroup.Y1: KeyStage.KS1,
    YearGroup.Y2: KeyStage.KS1,
    YearGroup.Y3: KeyStage.KS2,
    YearGroup.Y4: KeyStage.KS2,
    YearGroup.Y5: KeyStage.KS2,
    YearGroup.Y6: KeyStage.KS2,
    YearGroup.Y7: KeyStage.KS3,
    YearGroup.Y8: KeyStage.KS3,
    YearGroup.Y9: KeyStage.KS3,
    YearGroup.Y10: KeyStage.KS4,
    YearGroup.Y11: KeyStage.KS4,
    YearGroup.Y12: KeyStage.KS5,
    YearGroup.Y13: KeyStage.KS5,
}


def test_every_year_group_has_an_expected_key_stage():
    assert set(EXPECTED) == set(YearGroup)


@pytest.mark.parametrize(("year_group", "key_stage"), list(EXPECTED.items()), ids=lambda value: str(value))
def test_key_stage_is_derived_from_year_group(year_group, key_stage):
    assert key_stage_for(year_group) == key_stage


@pytest.mark.django_db
@pytest.mark.parametrize(("year_group", "key_stage"), list(EXPECTED.items()), ids=lambda value: str(value))
def test_pupil_reports_its_key_stage(year_group, key_stage):
    pupil = PupilFactory(year_group=year_group)
    pupil.refresh_from_db()
    assert pupil.key_stage == key_stage
    assert pupil.get_key_stage_display() == key_stage.label
