"""TEMPORARY: replaced by the real views."""

from django.http import Http404


def to_read(request, *args, **kwargs):
    raise Http404


def read(request, *args, **kwargs):
    raise Http404


def receipts(request, *args, **kwargs):
    raise Http404


def remind(request, *args, **kwargs):
    raise Http404

