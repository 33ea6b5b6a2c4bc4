"""Every figure of the governor report against values worked out by hand from a small known school.

The school (Autumn 2026/27 reported on; its period runs 3 September 2026 to 5 January 2027, the day
before the spring term starts; the report is made on 12 January 2027):

 #    reported (local)   area      type                  where     device    urgent closed         pupils
 I1   03/09/26 00:00     content   filtering breach      school    school           04/09 00:00     D(Y3)
 I2   10/09/26 09:00     content   filtering breach      school    school           12/09 09:00     D(Y3) E(Y4)
 I3   20/09/26 12:00     content   filtering breach      school    school    yes    24/09 00:00     F(Y5) G(Y5)
 I4   01/10/26 10:00     content   filtering breach      school    school           05/10 22:00     F(Y5)
 I5   05/10/26 10:00     content   inappropriate content school    school           15/10 10:00     H(Y6)
 I6   06/10/26 10:00     content   inappropriate content school    school                           H(Y6) F(Y5)
 I7   10/10/26 10:00     contact   grooming              off site  personal  yes                    E(Y4)
 I8   12/10/26           conduct   cyberbullying         school    personal                         E(Y4)
 I9   20/10/26           conduct   cyberbullying         school    personal                         B(Y1)
 I10  01/11/26           conduct   cyberbullying         school    personal                         B(Y1) C(Y2)
 I11  10/11/26           conduct   cyberbullying         online    personal                         G(Y5)
 I12  20/11/26           conduct   cyberbullying         online    not known                        G(Y5)
 I13  01/12/26           conduct   nudes                 online    (blank)          10/01/27 (after)
 I14  10/12/26           commerce  scams or gambling     online    (blank)                          B(Y1)
 I15  05/01/27 23:59     commerce  scams or gambling     online    (blank)                          D(Y3)

Around it: the summer term before (P1 contact 01/07/26 closed 10/09/26 in the period, 71 days; P2
content 02/09/26 23:30, the last minute but 30 of the summer's period; P3 conduct), the spring
before that (three content, one conduct), the autumn a year earlier (L1 content still open, L2-L4),
and X1 at 00:00 on 6 January 2027, the first moment after the period.
"""

import datetime
import json

import pytest
from django.utils import timezone

from agreements import services as agreement_services
from agreements.models import Agreement, Audience
from consent.models import ConsentPurpose
from incidents.models import Agency, Area, DeviceOwner, IncidentType, Location, Referral
from policies.models import TrainingKind
from safety_portal.reports.figures import share, term_figures
from safety_portal.school import roles
from safety_portal.school.models import SchoolProfile, Term
from tests.agreements.factories import publish
from tests.consent.factories import decide
from tests.factories import (
    GuardianFactory,
    PupilFactory,
    PupilGuardianFactory,
    TermFactory,
    school_year,
    user_with_role,
)
from tests.reports.factories import local, make_incident, policy_with_version, refer, tell_parents, training
from tests.reports.sample import EMPTY_FIGURES, SAMPLE_FIGURES

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 1, 12)
REFERRED, NOT_REFERRED, ADVICE = (Referral.Decision.REFERRED, Referral.Decision.NOT_REFERRED,
                                  Referral.Decision.ADVICE)
FEWER = "fewer than 3"


def count(value, display=None):
    return {"value": value, "display": display or str(value)}


SMALL = {"value": None, "display": FEWER}


def rows(*cells):
    """Breakdown rows as stored: (label, value, display)."""
    return [{"label": label, "value": value, "display": display} for label, value, display in cells]


# --- The school --------------------------------------------------------------------------------

class School:
    """The records made, kept so tests can look for their names and references in the figures."""

    def __init__(self):
        SchoolProfile.objects.create(pk=1, name="Oakfield Test School")
        years = school_year(2025) + school_year(2026)
        self.terms = {f"{term.name}{term.academic_year}": term for term in years}
        self.term = self.terms["autumn2026"]
        self._people()
        self._pupils()
        self._incidents()
        self._agreements()
        self._consent()
        self._policies()
        self._training()

    def _people(self):
        self.dsl = user_with_role(roles.DSL, first_name="Marigold", last_name="Featherstonehaugh")
        self.staff = [user_with_role(roles.STAFF) for _n in range(4)]
        self.governors = [user_with_role(roles.GOVERNOR) for _n in range(3)]
        self.governors.append(user_with_role(roles.GOVERNOR, roles.STAFF))  # both: counts in both groups
        self.gone = user_with_role(roles.STAFF, is_active=False)

    def _pupils(self):
        names = {"A": 0, "B": 1, "C": 2, "D": 3, "E": 4, "F": 5, "G": 5, "H": 6}
        self.pupils = {letter: PupilFactory(first_name=f"Quillon{letter}", last_name=f"Vantablack{letter}",
                                            year_group=year, reg_class=f"{year}X")
                       for letter, year in names.items()}
        # Left for secondary school in July: no Year 7 row.
        self.pupils["Z"] = PupilFactory(first_name="QuillonZ", last_name="VantablackZ", year_group=7,
                                        reg_class="7X", leaving_date=datetime.date(2026, 7, 22))

    def _incident(self, key, reported, area, kind, **fields):
        fields["pupils"] = [self.pupils[letter] for letter in fields.get("pupils", "")]
        self.incidents[key] = make_incident(
            reported, reporter=self.dsl, area=area, incident_type=kind, reference=f"OS-2026-{len(self.incidents):04d}",
            description=f"Secret account number {key}: messages about a classmate.", **fields)
        return self.incidents[key]

    def _incidents(self):
        self.incidents = {}
        school, personal, unknown = DeviceOwner.SCHOOL, DeviceOwner.PERSONAL, DeviceOwner.UNKNOWN
        in_school, off_site, online = Location.IN_SCHOOL, Location.OFF_SITE, Location.ONLINE_OUTSIDE
        filtering, content, bullying = (IncidentType.FILTERING_BREACH, IncidentType.INAPPROPRIATE_CONTENT,
                                        IncidentType.CYBERBULLYING)
        add = self._incident
        # This term.
        add("I1", local(2026, 9, 3, 0, 0), Area.CONTENT, filtering, location=in_school, device_owner=school,
            closed_at=local(2026, 9, 4, 0, 0), pupils="D")
        add("I2", local(2026, 9, 10, 9), Area.CONTENT, filtering, location=in_school, device_owner=school,
            closed_at=local(2026, 9, 12, 9), pupils="DE")
        add("I3", local(2026, 9, 20, 12), Area.CONTENT, filtering, location=in_school, device_owner=school,
            immediate_risk=True, closed_at=local(2026, 9, 24, 0), pupils="FG")
        add("I4", local(2026, 10, 1, 10), Area.CONTENT, filtering, location=in_school, device_owner=school,
            closed_at=local(2026, 10, 5, 22), pupils="F")
        add("I5", local(2026, 10, 5, 10), Area.CONTENT, content, location=in_school, device_owner=school,
            closed_at=local(2026, 10, 15, 10), pupils="H")
        add("I6", local(2026, 10, 6, 10), Area.CONTENT, content, location=in_school, device_owner=school,
            pupils="HF")
        add("I7", local(2026, 10, 10, 10), Area.CONTACT, IncidentType.GROOMING, location=off_site,
            device_owner=personal, immediate_risk=True, pupils="E")
        add("I8", local(2026, 10, 12), Area.CONDUCT, bullying, location=in_school, device_owner=personal, pupils="E")
        add("I9", local(2026, 10, 20), Area.CONDUCT, bullying, location=in_school, device_owner=personal, pupils="B")
        add("I10", local(2026, 11, 1), Area.CONDUCT, bullying, location=in_school, device_owner=personal,
            pupils="BC")
        add("I11", local(2026, 11, 10), Area.CONDUCT, bullying, location=online, device_owner=personal, pupils="G")
        add("I12", local(2026, 11, 20), Area.CONDUCT, bullying, location=online, device_owner=unknown, pupils="G")
        add("I13", local(2026, 12, 1), Area.CONDUCT, IncidentType.NUDES, location=online,
            closed_at=local(2027, 1, 10))
        add("I14", local(2026, 12, 10), Area.COMMERCE, IncidentType.SCAMS_GAMBLING, location=online, pupils="B")
        add("I15", local(2027, 1, 5, 23, 59), Area.COMMERCE, IncidentType.SCAMS_GAMBLING, location=online,
            pupils="D")
        # The summer term before: P1 is closed in this period, P2 is the summer's last half hour.
        add("P1", local(2026, 7, 1, 10), Area.CONTACT, IncidentType.GROOMING, closed_at=local(2026, 9, 10, 10),
            pupils="H")
        add("P2", local(2026, 9, 2, 23, 30), Area.CONTENT, filtering, closed_at=local(2026, 9, 2, 23, 45))
        add("P3", local(2026, 5, 1), Area.CONDUCT, bullying, closed_at=local(2026, 5, 3), pupils="E")
        # The spring term before that.
        for n, day in enumerate((6, 20, 30)):
            add(f"S{n}", local(2026, 1, day), Area.CONTENT, content, closed_at=local(2026, 2, 1))
        add("S3", local(2026, 3, 3), Area.CONDUCT, bullying, closed_at=local(2026, 3, 5))
        # The same term a year earlier: L1 is still open.
        add("L1", local(2025, 10, 1), Area.CONTENT, content, pupils="Z")
        add("L2", local(2025, 11, 1), Area.CONDUCT, bullying, closed_at=local(2025, 11, 5))
        add("L3", local(2025, 12, 1), Area.CONDUCT, bullying, closed_at=local(2025, 12, 10))
        add("L4", local(2025, 12, 15), Area.COMMERCE, IncidentType.SCAMS_GAMBLING, closed_at=local(2025, 12, 16))
        # The first moment after the period.
        add("X1", local(2027, 1, 6, 0, 0), Area.CONTACT, IncidentType.GROOMING, immediate_risk=True, pupils="A")

        i, by = self.incidents, {"recorded_by": self.dsl}
        refer(i["I1"], REFERRED, datetime.date(2026, 9, 5), agency=Agency.SOCIAL_CARE, **by)
        refer(i["I1"], REFERRED, datetime.date(2026, 9, 20), agency=Agency.SOCIAL_CARE, **by)  # again: once
        refer(i["I2"], REFERRED, datetime.date(2026, 10, 1), agency=Agency.SOCIAL_CARE, **by)
        refer(i["I3"], REFERRED, datetime.date(2026, 10, 2), agency=Agency.SOCIAL_CARE, **by)
        refer(i["I3"], REFERRED, datetime.date(2026, 10, 3), agency=Agency.POLICE_101, **by)
        refer(i["I11"], REFERRED, datetime.date(2026, 11, 11), agency=Agency.POLICE_101, **by)
        refer(i["I4"], REFERRED, datetime.date(2026, 11, 1), agency=Agency.OTHER, agency_other="A charity", **by)
        refer(i["I5"], NOT_REFERRED, datetime.date(2026, 11, 2), agency=Agency.POLICE_101, **by)
        refer(i["I5"], NOT_REFERRED, datetime.date(2026, 11, 2), agency=Agency.SOCIAL_CARE, **by)  # once
        refer(i["I6"], NOT_REFERRED, datetime.date(2026, 11, 3), **by)
        refer(i["I7"], NOT_REFERRED, datetime.date(2026, 11, 4), **by)
        refer(i["I8"], ADVICE, datetime.date(2026, 11, 5), agency=Agency.EDUCATION_SAFEGUARDING, **by)  # not counted
        # By the date of the decision: P1's first referral was in the summer, its second in this term.
        refer(i["P1"], REFERRED, datetime.date(2026, 8, 1), agency=Agency.CEOP, **by)
        refer(i["P1"], REFERRED, datetime.date(2026, 9, 15), agency=Agency.LADO, **by)
        refer(i["P3"], NOT_REFERRED, datetime.date(2026, 5, 5), **by)
        refer(i["I15"], REFERRED, datetime.date(2027, 1, 8), agency=Agency.POLICE_101, **by)  # next term

        tell_parents(i["I1"], True, by=self.dsl)
        tell_parents(i["I2"], False, by=self.dsl)
        tell_parents(i["I2"], True, by=self.dsl)
        tell_parents(i["I3"], True, by=self.dsl)
        tell_parents(i["I3"], True, by=self.dsl)  # twice: still one incident
        tell_parents(i["I4"], False, by=self.dsl)
        tell_parents(i["I5"], True, by=self.dsl)
        tell_parents(i["P1"], True, by=self.dsl)

    def _agreements(self):
        for audience in (Audience.STAFF, Audience.GOVERNOR, Audience.VISITOR, Audience.PUPIL_EARLY,
                         Audience.PUPIL_KS2):
            publish(audience, user=self.dsl)
        staff = Agreement.objects.get(audience=Audience.STAFF).current_version
        governor = Agreement.objects.get(audience=Audience.GOVERNOR).current_version
        for user in (self.dsl, self.staff[0], self.staff[1]):
            agreement_services.signature_record_for_account(user=user, version=staff, typed_name="Signed")
        agreement_services.signature_record_for_account(user=self.governors[0], version=governor,
                                                        typed_name="Signed")
        # One Key Stage 2 pupil of five signs in class.
        session = agreement_services.device_session_start(kind="class", user=self.staff[0], reg_class="3X")
        agreement_services.signature_record_for_pupil(device_session=session, pupil=self.pupils["D"],
                                                      typed_name="Me")

    def _consent(self):
        ConsentPurpose.objects.update(active=False)
        website = _purpose("School website", 0)
        social = _purpose("Official school social media", 1)
        press = _purpose("Local press", 2, active=False)
        guardians = {}
        for letter, pupil in self.pupils.items():
            guardians[letter] = GuardianFactory(first_name=f"Parentina{letter}", last_name=f"Grimsditch{letter}")
            PupilGuardianFactory(pupil=pupil, guardian=guardians[letter])
        when = local(2026, 9, 10)
        for letter in "ABCDE":
            decide(self.pupils[letter], guardians[letter], website, True, when=when)
        decide(self.pupils["F"], guardians["F"], website, False, when=when)
        for letter in "ABC":
            decide(self.pupils[letter], guardians[letter], social, True, when=when)
        decide(self.pupils["D"], guardians["D"], social, True, when=when)
        decide(self.pupils["D"], guardians["D"], social, False, when=local(2026, 10, 1))  # withdrawn
        decide(self.pupils["A"], guardians["A"], press, False, when=when)  # a purpose no longer asked
        decide(self.pupils["Z"], guardians["Z"], website, False, when=when)  # left
        self.guardians = guardians

    def _policies(self):
        def policy(title, approved_on, cycle=12, **fields):
            policy_with_version(f"Report test: {title}", approved_on=approved_on, cycle=cycle,
                                recorded_by=self.dsl, **fields)

        day = datetime.date
        policy("reviewed twice", day(2026, 10, 1), more_versions=[day(2026, 9, 15)])  # next 1/10/27
        policy("reviewed, due soon", day(2026, 11, 20), cycle=3)  # next 20/2/27: due next term
        policy("reviewed on the last day", day(2027, 1, 5))
        policy("reviewed after the term", day(2027, 1, 7))
        policy("due in March", day(2024, 3, 1), cycle=36)  # next 1/3/27
        policy("due on spring's last day", day(2026, 4, 13))  # next 13/4/27
        policy("due the day after", day(2026, 4, 14))  # next 14/4/27: the summer term
        policy("overdue since December", day(2025, 12, 1))
        policy("overdue since June", day(2025, 6, 1))
        policy("overdue since September", day(2025, 9, 1))
        policy("retired", day(2025, 1, 1), status="retired")  # "overdue", but no longer used

    def _training(self):
        staff, governors, day = self.staff, self.governors, datetime.date
        training(day(2026, 9, 10), TrainingKind.ANNUAL, [self.dsl, staff[0], staff[1], governors[3], self.gone],
                 recorded_by=self.dsl)
        training(day(2026, 1, 5), TrainingKind.INDUCTION, [staff[2]], recorded_by=self.dsl)  # 12 months exactly
        training(day(2026, 1, 4), TrainingKind.ANNUAL, [staff[3]], recorded_by=self.dsl)  # a day too early
        training(day(2026, 10, 1), TrainingKind.OTHER, [staff[3]], recorded_by=self.dsl)  # not a refresher
        training(day(2027, 1, 6), TrainingKind.GOVERNOR, [governors[0]], recorded_by=self.dsl)  # after the term
        training(day(2026, 11, 1), TrainingKind.GOVERNOR, [governors[1]], recorded_by=self.dsl)


def _purpose(name, position, active=True):
    purpose, _created = ConsentPurpose.objects.update_or_create(
        name=name, defaults={"description": f"{name}.", "position": position, "active": active})
    return purpose


@pytest.fixture
def school():
    return School()


@pytest.fixture
def figures(school):
    return term_figures(Term.objects.get(pk=school.term.pk), today=TODAY)


# --- The whole report --------------------------------------------------------------------------

def test_the_report_names_the_school_the_term_and_the_terms_it_is_compared_with(figures, school):
    assert figures["version"] == 1
    assert figures["school"] == "Oakfield Test School"
    assert figures["term"] == {"id": school.term.pk, "label": "Autumn 2026/27", "start": "2026-09-03",
                               "end": "2027-01-05"}
    assert figures["previous_term"] == {"label": "Summer 2025/26"}
    assert figures["same_term_last_year"] == {"label": "Autumn 2025/26"}
    made = datetime.datetime.fromisoformat(figures["generated_at"])
    assert abs(made - timezone.now()) < datetime.timedelta(minutes=1)


def test_the_figures_have_the_shape_the_document_reads(figures):
    def keys(value, path=""):
        if isinstance(value, dict):
            return {f"{path}.{key}" for key in value} | {k for key, item in value.items()
                                                         for k in keys(item, f"{path}.{key}")}
        if isinstance(value, list) and value:
            return keys(value[0], f"{path}[]")
        return set()

    assert keys(figures) == keys(SAMPLE_FIGURES)


def test_headline_counts(figures):
    incidents = figures["incidents"]
    assert incidents["has_data"] is True
    # I1-I15: the first minute of 3 September and the last of 5 January count, 00:00 on 6 January does not.
    assert incidents["recorded"] == count(15)
    assert incidents["previous"] == count(3)  # P1-P3, P2 at 23:30 on the summer's last day
    assert incidents["last_year"] == count(4)  # L1-L4
    # I6-I15 (I13 closed only after the period) and L1; not X1, reported after it.
    assert incidents["open_at_end"] == count(11)
    assert incidents["closed"] == count(6)  # I1-I5 and P1, reported in the summer
    # 1, 2, 3.5, 4.5, 10 and 71 days.
    assert incidents["median_days_to_close"] == 4.0
    assert incidents["urgent"] == SMALL  # I3 and I7: two, never stored
    assert "2" not in json.dumps(incidents["urgent"])


def test_areas_with_two_small_cells_that_could_each_be_the_one_print_as_fewer_than_three(figures):
    by_area = figures["incidents"]["by_area"]
    assert by_area == {"rows": rows(("Content", 6, "6"), ("Contact", None, FEWER), ("Conduct", 6, "6"),
                                    ("Commerce", None, FEWER), ("Not sure", 0, "0")),
                       "suppressed": False, "total": 15}


TYPES = ("Filtering breach", "Cyberbullying", "Sharing nudes or semi-nudes", "Online sexual abuse or grooming",
         "Indecent images of children", "Online hate", "Radicalisation or extremism", "Online sexual harassment",
         "Inappropriate content accessed", "Scams or gambling", "Data or privacy breach")


def suppressed_rows(*labels):
    return rows(*[(label, None, "suppressed") for label in labels])


def test_types_would_give_away_a_small_count_by_their_area_so_they_are_suppressed(figures):
    # Content is printed as 6 and holds filtering breaches (4) and inappropriate content: 6 - 4 = 2.
    # Conduct is 6: cyberbullying 5, so the one "sharing nudes" would follow too.
    assert figures["incidents"]["by_area"]["rows"][0] == {"label": "Content", "value": 6, "display": "6"}
    assert figures["incidents"]["by_type"] == {"rows": suppressed_rows(*TYPES), "suppressed": True, "total": 15}


def test_not_sure_is_listed_when_an_incident_is_still_not_sure(school):
    make_incident(local(2026, 10, 20), reporter=school.dsl, area=Area.NOT_SURE, incident_type=IncidentType.NOT_SURE)
    labels = [row["label"] for row in term_figures(school.term, today=TODAY)["incidents"]["by_type"]["rows"]]
    assert labels[-1] == "Not sure"


def test_key_stages_count_an_incident_once_however_many_of_its_pupils_are_in_the_stage(figures):
    # KS1: I9, I10 (Year 1 and Year 2), I14. KS2: I1-I8, I11, I12, I15. Reception is on roll: EYFS 0.
    assert figures["incidents"]["by_key_stage"] == {
        "rows": rows(("Early years (EYFS)", 0, "0"), ("Key stage 1", 3, "3"), ("Key stage 2", 11, "11")),
        "suppressed": False, "total": 14}


def test_year_groups_are_those_on_roll_and_would_give_away_a_small_count_by_their_key_stage(figures):
    # Key stage 1 is printed as 3 and Year 1 as 3, so Year 2's small count would follow: suppressed.
    # No Year 7 row: its one pupil has left.
    assert figures["incidents"]["by_year_group"] == {
        "rows": suppressed_rows("Reception", "Year 1", "Year 2", "Year 3", "Year 4", "Year 5", "Year 6"),
        "suppressed": True, "total": 17}


def test_one_small_cell_would_follow_from_the_total_so_locations_are_suppressed(figures):
    by_location = figures["incidents"]["by_location"]
    assert by_location == {
        "rows": rows(("In school", None, "suppressed"), ("Off site (trip, visit)", None, "suppressed"),
                     ("Online, outside school", None, "suppressed")),
        "suppressed": True, "total": 15}


def test_devices_count_a_blank_device_as_not_known(figures):
    assert figures["incidents"]["by_device"] == {
        "rows": rows(("School device", 6, "6"), ("Personal device", 5, "5"), ("Not known", 4, "4")),
        "suppressed": False, "total": 15}


def test_the_trend_shows_each_area_over_three_terms_oldest_first(figures):
    assert figures["incidents"]["trend"] == {
        "terms": ["Spring 2025/26", "Summer 2025/26", "Autumn 2026/27"],
        "series": [
            # Spring: one small cell beside a printed total (the term's headline): the column is suppressed.
            # Summer: three incidents, three areas "fewer than 3": each must be 1, so suppressed too.
            # Autumn: as the area table, whose two small cells (1 and 2) give nothing away.
            {"label": "Content", "values": [None, None, 6], "display": ["suppressed", "suppressed", "6"]},
            {"label": "Contact", "values": [None, None, None], "display": ["suppressed", "suppressed", FEWER]},
            {"label": "Conduct", "values": [None, None, 6], "display": ["suppressed", "suppressed", "6"]},
            {"label": "Commerce", "values": [None, None, None], "display": ["suppressed", "suppressed", FEWER]},
        ]}


def test_referrals_count_incidents_per_agency_by_the_date_of_the_decision(figures):
    referrals = figures["referrals"]
    assert referrals["has_data"] is True
    # Police (101): I3, I11. LADO: P1's second referral. Social care: I1 (twice), I2, I3. Other: I4.
    assert referrals["by_agency"] == {
        "rows": rows(("Police (101)", None, FEWER), ("Police (999)", 0, "0"), ("CEOP", 0, "0"),
                     ("Internet Watch Foundation", 0, "0"), ("LADO", None, FEWER),
                     ("Children's social care", 3, "3"), ("Education safeguarding team", 0, "0"),
                     ("Prevent", 0, "0"), ("Filtering provider", 0, "0"), ("Platform or service provider", 0, "0"),
                     ("Other", None, FEWER)),
        "suppressed": False, "total": 7}
    assert referrals["not_referred"] == count(3)  # I5 (two decisions), I6, I7; not P3, in May
    # I1, I2 (told after first deciding not to), I3 (twice), I5: 4 of the 15 reported this term.
    assert referrals["parents_informed"] == {"count": 4, "of": 15, "percent": 26}


def test_filtering_breaches_reported_in_the_term(figures):
    # I1-I4; not P2. It is a row of the type table, which is suppressed, so it is suppressed too.
    assert figures["filtering"] == {"has_data": True, "breaches": {"value": None, "display": "suppressed"}}


def test_filtering_breaches_print_when_the_type_table_does(db):
    term = school_year(2026)[0]
    reporter = user_with_role(roles.TECHNICAL)
    for day in (3, 4, 5, 6):
        make_incident(local(2026, 10, day), reporter=reporter, area=Area.CONTENT,
                      incident_type=IncidentType.FILTERING_BREACH)
    figures = term_figures(term, today=TODAY)
    assert not figures["incidents"]["by_type"]["suppressed"]
    assert figures["filtering"]["breaches"] == count(4)


def test_agreements_give_each_published_audience_with_a_list_of_people(figures):
    # Staff: the DSL, four staff and the governor who is also staff; the deactivated account is not asked.
    # No visitors (no list). Pupils: A-C in EYFS and KS1, none signed; D-H in KS2, one signed: a
    # number of children that small is withheld, and so is the four outstanding that would give it away.
    assert figures["agreements"] == {"has_data": True, "audiences": [
        {"label": "Staff", "count": 3, "of": 6, "percent": 50, "outstanding": 3},
        {"label": "Governors", "count": 1, "of": 4, "percent": 25, "outstanding": 3},
        {"label": "Pupils: early years and key stage 1", "count": 0, "of": 3, "percent": 0, "outstanding": 3},
        {"label": "Pupils: key stage 2", "count": None, "of": 5, "percent": None, "outstanding": None},
    ]}


def test_consent_gives_each_purpose_in_use_and_the_do_not_photograph_list(figures):
    # Eight pupils on roll (not Z, who left). Website: A-E. Social media: A-C (D's parent withdrew).
    # Not yes for at least one: D, E, F, G, H.
    assert figures["consent"] == {"has_data": True, "purposes": [
        {"label": "School website", "count": 5, "of": 8, "percent": 62},
        {"label": "Official school social media", "count": 3, "of": 8, "percent": 37},
    ], "do_not_photograph": count(5)}


def test_policies_reviewed_due_next_term_and_overdue(figures):
    # Reviewed: "twice" (counted once), "due soon", "on the last day". Due in spring (6/1-13/4/27):
    # "due soon", "in March", "spring's last day". Overdue on 12/1/27: December, June, September.
    assert figures["policies"] == {"has_data": True, "reviewed": count(3), "due_next_term": count(3),
                                   "overdue": count(3)}


def test_due_next_term_looks_four_months_ahead_until_the_next_term_is_entered(school):
    Term.objects.filter(start_date__gt=school.term.start_date).delete()
    term = Term.objects.get(pk=school.term.pk)  # now runs to its last day, 19 December 2026
    figures = term_figures(term, today=TODAY)
    assert figures["term"]["end"] == "2026-12-19"
    # 20/12/26 to 19/4/27: the three due in spring, and the one due on 14 April.
    assert figures["policies"]["due_next_term"] == count(4)


def test_training_within_twelve_months_of_the_terms_end(figures):
    # Staff: DSL, two staff and the governor-teacher on 10/9/26, and the induction on 5/1/26 (exactly
    # twelve months before 5/1/27): 5 of 6. Governors: the governor-teacher and one on 1/11/26: 2 of 4.
    assert figures["training"] == {"has_data": True, "staff": {"count": 5, "of": 6, "percent": 83},
                                   "governors": {"count": 2, "of": 4, "percent": 50}}


def test_the_figures_are_plain_json_with_no_name_reference_or_description(figures, school):
    text = json.dumps(figures)
    assert json.loads(text) == figures
    forbidden = [school.dsl.first_name, school.dsl.last_name]
    for pupil in school.pupils.values():
        forbidden += [pupil.first_name, pupil.last_name]
    for guardian in school.guardians.values():
        forbidden += [guardian.first_name, guardian.last_name]
    for incident in school.incidents.values():
        forbidden += [incident.reference, incident.description]
    forbidden += ["Secret account number", "A charity", "blocked.example"]
    assert [word for word in forbidden if word.lower() in text.lower()] == []


# --- Edges -------------------------------------------------------------------------------------

def test_the_period_runs_from_midnight_on_the_first_day_to_midnight_after_the_last_local_time(dsl_user):
    autumn = school_year(2026)[0]
    # 3 September is in British Summer Time: its midnight is 23:00 on 2 September in UTC.
    inside = [local(2026, 9, 3, 0, 0), local(2027, 1, 5, 23, 59)]
    outside = [local(2026, 9, 2, 23, 59), local(2027, 1, 6, 0, 0)]
    for moment in inside * 2 + outside * 2:
        make_incident(moment, reporter=dsl_user)
    figures = term_figures(autumn, today=TODAY)
    assert figures["incidents"]["recorded"] == count(4)
    assert figures["incidents"]["open_at_end"] == count(6)  # and the two from the evening of 2 September


def test_a_first_term_has_nothing_to_compare_with(dsl_user):
    term = TermFactory(academic_year=2026, name="autumn", start_date=datetime.date(2026, 9, 3),
                       end_date=datetime.date(2026, 12, 18))
    for day in (4, 5, 6):
        make_incident(local(2026, 9, day), reporter=dsl_user, area=Area.CONTENT)
    figures = term_figures(term, today=TODAY)
    assert figures["previous_term"] is None and figures["same_term_last_year"] is None
    assert figures["incidents"]["previous"] is None and figures["incidents"]["last_year"] is None
    assert figures["incidents"]["trend"]["terms"] == ["Autumn 2026/27"]
    assert figures["incidents"]["trend"]["series"][0] == {"label": "Content", "values": [3], "display": ["3"]}
    assert figures["incidents"]["median_days_to_close"] is None


def test_incidents_reported_only_after_the_period_are_no_data_for_it(dsl_user):
    autumn = school_year(2026)[0]
    make_incident(local(2027, 1, 6), reporter=dsl_user)
    figures = term_figures(autumn, today=TODAY)
    assert figures["incidents"] == {"has_data": False}
    assert figures["referrals"] == {"has_data": False}
    assert figures["filtering"] == {"has_data": False}


def test_an_empty_school_says_every_part_has_no_data(db):
    term = TermFactory(academic_year=2026, name="autumn", start_date=datetime.date(2026, 9, 3),
                       end_date=datetime.date(2026, 12, 18))
    figures = term_figures(term, today=TODAY)
    parts = ["incidents", "referrals", "filtering", "agreements", "consent", "policies", "training"]
    assert {part: figures[part] for part in parts} == {part: EMPTY_FIGURES[part] for part in parts}
    assert figures["previous_term"] is None and figures["same_term_last_year"] is None
    assert json.loads(json.dumps(figures)) == figures


def test_a_share_about_children_keeps_no_small_number():
    assert share(4, 15, children=True) == {"count": 4, "of": 15, "percent": 26}
    assert share(1, 15, children=True) == {"count": None, "of": 15, "percent": None}
    assert share(13, 15, children=True) == {"count": None, "of": 15, "percent": None}  # 2 not told
    assert share(0, 2, children=True) == {"count": None, "of": None, "percent": None}
    assert share(0, 0, children=True) == {"count": 0, "of": 0, "percent": None}
    assert share(40, 41) == {"count": 40, "of": 41, "percent": 97}  # adults: as counted


def test_parents_informed_in_a_term_of_two_incidents_keeps_neither_number(school):
    # Spring 2026/27 so far: X1, and one more whose parents were told.
    tell_parents(make_incident(local(2027, 1, 8), reporter=school.dsl), True, by=school.dsl)
    figures = term_figures(school.terms["spring2026"], today=TODAY)
    assert figures["incidents"]["recorded"] == SMALL
    assert figures["referrals"]["parents_informed"] == {"count": None, "of": None, "percent": None}


def test_the_median_of_one_or_two_closed_cases_is_not_shown(db):
    term = school_year(2026)[0]
    reporter = user_with_role(roles.DSL)
    make_incident(local(2026, 10, 1), reporter=reporter, closed_at=local(2026, 10, 4))
    figures = term_figures(term, today=TODAY)["incidents"]
    assert figures["closed"] == {"value": None, "display": FEWER} and figures["median_days_to_close"] is None


def test_terms_before_the_first_incident_show_no_figures_rather_than_zeros(db):
    first, second, third = school_year(2026)
    reporter = user_with_role(roles.DSL)
    for day in (1, 2, 3):
        make_incident(local(third.start_date.year, third.start_date.month, third.start_date.day + day),
                      reporter=reporter)
    figures = term_figures(third, today=TODAY)["incidents"]
    assert figures["recorded"] == count(3)
    assert figures["previous"] is None  # the log began in this term: no count for the last one
    assert figures["trend"]["terms"] == [str(third)]


def test_allegations_against_staff_are_not_counted_anywhere(db):
    term = school_year(2026)[0]
    head = user_with_role(roles.HEADTEACHER)
    before = term_figures(term, today=TODAY)
    allegation = make_incident(local(2026, 10, 5), reporter=head, area=Area.CONDUCT,
                               incident_type=IncidentType.STAFF_MISUSE, closed_at=local(2026, 10, 9))
    refer(allegation, REFERRED, datetime.date(2026, 10, 6), agency=Agency.LADO, recorded_by=head)
    after = term_figures(term, today=TODAY)
    assert after["incidents"] == before["incidents"] and after["referrals"] == before["referrals"]
    assert "Staff misuse or allegation against staff" not in json.dumps(after)
