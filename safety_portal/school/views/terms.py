from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safety_portal.forms import submitted_data
from safety_portal.school import roles
from safety_portal.school.access import role_required, term_for_user
from safety_portal.school.forms import TermForm, TermYearForm, next_year_without_terms
from safety_portal.school.models import Term
from safety_portal.school.services import term_delete, term_update, term_year_create


def _with_next_terms(terms):
    """Prime each term's next_term from the list so reporting periods cost no extra queries."""
    for index, term in enumerate(terms):
        term.__dict__["next_term"] = terms[index + 1] if index + 1 < len(terms) else None
    return terms


@role_required(roles.ADMINISTRATOR)
def term_list(request):
    today = timezone.localdate()
    terms = _with_next_terms(list(Term.objects.order_by("start_date")))
    current = next((term for term in terms if term.contains(today)), None)
    years = [(year, list(year_terms))
             for year, year_terms in groupby(terms, key=lambda term: term.academic_year)]
    years.reverse()  # newest year first; terms within a year in date order
    return render(request, "school/term_list.html", {
        "years": years, "current": current, "today": today,
    })


@role_required(roles.ADMINISTRATOR)
def year_create(request):
    form = TermYearForm(submitted_data(request),
                        initial={"academic_year": next_year_without_terms()})
    if request.method == "POST" and form.is_valid():
        try:
            created = term_year_create(academic_year=form.cleaned_data["academic_year"], dates=form.term_dates(),
                                       actor=request.user, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The terms for %(year)s have been saved.") % {
                "year": created[0].year_label})
            return redirect("school:terms")
    if request.method == "POST":
        messages.error(request, _("Nothing was saved: please correct the errors highlighted below."))
    return render(request, "school/term_year_form.html", {"form": form})


@login_required  # outsiders get 404 from the access helper, so an id cannot be probed
def term_edit(request, pk):
    term = term_for_user(request.user, pk)
    form = TermForm(submitted_data(request), instance=term)
    if request.method == "POST":
        if form.is_valid():
            term_update(form=form, actor=request.user, request=request)
            messages.success(request, _("The dates for %(term)s have been saved.") % {"term": term})
            return redirect("school:terms")
        messages.error(request, _("Nothing was saved: please correct the errors highlighted below."))
    return render(request, "school/term_form.html", {"form": form, "term": term})


@login_required  # outsiders get 404 from the access helper, so an id cannot be probed
def term_delete_confirm(request, pk):
    term = term_for_user(request.user, pk)
    if request.method == "POST":
        name = str(term)
        term_delete(term=term, actor=request.user, request=request)
        messages.success(request, _("%(term)s has been deleted.") % {"term": name})
        return redirect("school:terms")
    return render(request, "school/term_delete.html", {"term": term})
