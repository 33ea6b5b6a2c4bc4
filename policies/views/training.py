"""TEMPORARY: replaced by the real views."""

from django.http import Http404


def sessions(request, *args, **kwargs):
    raise Http404


def session_new(request, *args, **kwargs):
    raise Http404


def session_detail(request, *args, **kwargs):
    raise Http404


def session_edit(request, *args, **kwargs):
    raise Http404


def session_delete(request, *args, **kwargs):
    raise Http404


def people(request, *args, **kwargs):
    raise Http404


def people_csv(request, *args, **kwargs):
    raise Http404

