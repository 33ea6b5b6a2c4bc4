"""A pupil's online-safety history, as a section of the pupil's page."""

from incidents.access import can_work_incidents, incidents_for_user


def pupil_history_section(user, pupil):
    """The pupil's incidents this user may open, with the pupil's role in each, or None.

    The section is always there for those who work cases; for anyone else only when they may
    open one (someone named on a restricted case), so an empty panel never suggests that a
    child has no history.
    """
    history = list(pupil.incident_links.filter(incident__in=incidents_for_user(user))
                   .select_related("incident").order_by("-incident__occurred_at", "-incident__pk"))
    if not history and not can_work_incidents(user):
        return None
    return "incidents/pupil_history.html", {"incident_history": history}
