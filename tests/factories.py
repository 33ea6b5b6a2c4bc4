import datetime

import factory
from django.contrib.auth.models import Group

from safety_portal.school import models, roles

DEFAULT_PASSWORD = "correct-horse-battery"

# Fixed names, not Faker's: a random "O'Neill" is HTML-escaped on pages and makes tests flaky.
# Separate pools for staff, pupils and parents, so a test that checks a pupil's name is absent
# is never fooled by the signed-in teacher sharing it.
STAFF_FIRST = ["Helen", "Marcus", "Priya", "Owen", "Ruth", "Samir", "Joanna", "Callum", "Nadia"]
STAFF_LAST = ["Ashworth", "Bellamy", "Carrington", "Delaney", "Everett", "Fairbairn", "Gallagher", "Hargreaves",
              "Ingleby", "Jarvis", "Kendrick"]
PUPIL_FIRST = ["Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arthur", "Freya", "Yusuf"]
PUPIL_LAST = ["Smith", "Patel", "Jones", "Khan", "Taylor", "Brown", "Evans", "Wright", "Green", "Hughes", "Walker"]
PARENT_FIRST = ["Sarah", "David", "Amina", "Paul", "Claire", "Tariq", "Joanne", "Mark", "Fatima"]
PARENT_LAST = ["Lowe", "Metcalfe", "Norris", "Oduya", "Pearce", "Quinlan", "Rowntree", "Sutcliffe", "Thorne",
               "Underwood", "Varley"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@school.example")
    first_name = factory.Iterator(STAFF_FIRST)
    last_name = factory.Iterator(STAFF_LAST)
    job_title = "Teacher"
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                # get_or_create: a transactional test's flush empties the groups the migration made.
                self.groups.add(Group.objects.get_or_create(name=name)[0])
            self.__dict__.pop("role_names", None)


def user_with_role(*names, **kwargs):
    return UserFactory(roles=list(names), **kwargs)


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Pupil

    mis_id = factory.Sequence(lambda n: f"A{n:012d}")
    first_name = factory.Iterator(PUPIL_FIRST)
    last_name = factory.Iterator(PUPIL_LAST)
    date_of_birth = datetime.date(2015, 5, 1)
    year_group = models.YearGroup.Y5
    reg_class = "5B"


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Guardian

    mis_id = factory.Sequence(lambda n: f"C{n:06d}")
    first_name = factory.Iterator(PARENT_FIRST)
    last_name = factory.Iterator(PARENT_LAST)
    email = factory.Sequence(lambda n: f"parent{n}@home.example")


class PupilGuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PupilGuardian

    pupil = factory.SubFactory(PupilFactory)
    guardian = factory.SubFactory(GuardianFactory)
    relationship = "Mother"
    parental_responsibility = True


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Term

    academic_year = 2025
    name = models.Term.Name.AUTUMN
    start_date = datetime.date(2025, 9, 3)
    end_date = datetime.date(2025, 12, 19)


def school_year(start_year):
    """Three terms with typical English dates for the academic year starting `start_year`."""
    y = start_year
    return [
        TermFactory(academic_year=y, name="autumn", start_date=datetime.date(y, 9, 3),
                    end_date=datetime.date(y, 12, 19)),
        TermFactory(academic_year=y, name="spring", start_date=datetime.date(y + 1, 1, 6),
                    end_date=datetime.date(y + 1, 3, 27)),
        TermFactory(academic_year=y, name="summer", start_date=datetime.date(y + 1, 4, 14),
                    end_date=datetime.date(y + 1, 7, 22)),
    ]


ROLE_NAMES = roles.ALL
