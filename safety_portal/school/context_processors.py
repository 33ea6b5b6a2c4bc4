from safety_portal.school.models import SchoolProfile
from safety_portal.school.navigation import menu_for


def portal(request):
    user = getattr(request, "user", None)
    return {
        "school": SchoolProfile.load(),
        "menu": menu_for(user, request.path) if user and user.is_authenticated else [],
    }
