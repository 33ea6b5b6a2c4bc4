"""TEMPORARY: replaced by the real views."""

from django.http import Http404


def published(request, *args, **kwargs):
    raise Http404


def document(request, *args, **kwargs):
    raise Http404

