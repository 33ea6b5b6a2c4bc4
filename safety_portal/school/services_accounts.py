from django.contrib.auth.models import Group
from django.db import transaction

from safety_portal.audit.services import audit_record
from safety_portal.school import roles
from safety_portal.school.models import User


@transaction.atomic
def first_admin_create(*, email, first_name="", last_name="", password=None):
    """An administrator made from the command line, before anyone can sign in."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValueError(f"An account for {email} already exists. Nothing was created.")
    user = User.objects.create_user(email=email, password=password, first_name=first_name,
                                    last_name=last_name, job_title="Administrator")
    user.groups.set(Group.objects.filter(name__in=[roles.ADMINISTRATOR, roles.STAFF]))
    audit_record(action="school.user.created", obj=user,
                 detail={"roles": [roles.ADMINISTRATOR, roles.STAFF], "via": "create_admin command"})
    return user
