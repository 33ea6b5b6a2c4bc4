"""Every incident type brings its own response procedure."""

import pytest

from incidents import procedures
from incidents.models import IncidentType


@pytest.mark.parametrize("incident_type", IncidentType.values)
def test_every_type_has_its_own_ordered_steps(incident_type):
    steps = procedures.PROCEDURES[incident_type]
    assert len(steps) >= 3
    keys = [key for key, _text in steps]
    assert len(keys) == len(set(keys)), "a key may appear once in a procedure"
    assert all(len(key) <= 50 and str(text).strip() for key, text in steps)


def test_nudes_procedure_follows_the_policies():
    keys = [key for key, _text in procedures.steps_for(IncidentType.NUDES)]
    for key in ["notify_dsl", "do_not_view", "secure_device", "risk_assessment", "referral_decision",
                "inform_parents", "support", "sanctions", "review"]:
        assert key in keys
    assert keys.index("notify_dsl") < keys.index("secure_device") < keys.index("review")


@pytest.mark.parametrize(("incident_type", "words"), [
    (IncidentType.GROOMING, ["CEOP", "101", "999"]),
    (IncidentType.INDECENT_IMAGES, ["Internet Watch Foundation", "LADO"]),
    (IncidentType.RADICALISATION, ["Prevent"]),
    (IncidentType.FILTERING_BREACH, ["filtering provider", "logs", "parents"]),
    (IncidentType.STAFF_MISUSE, ["headteacher", "LADO", "allegations"]),
    (IncidentType.DATA_BREACH, ["data protection officer", "ICO", "72 hours"]),
    (IncidentType.CYBERBULLYING, ["evidence", "platform"]),
])
def test_procedures_name_the_right_agencies(incident_type, words):
    text = " ".join(str(text) for _key, text in procedures.steps_for(incident_type))
    for word in words:
        assert word in text
