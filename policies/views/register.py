"""TEMPORARY: replaced by the real views."""

from django.http import Http404


def register(request, *args, **kwargs):
    raise Http404


def policy_new(request, *args, **kwargs):
    raise Http404


def detail(request, *args, **kwargs):
    raise Http404


def policy_edit(request, *args, **kwargs):
    raise Http404


def version_new(request, *args, **kwargs):
    raise Http404


def bring_forward(request, *args, **kwargs):
    raise Http404


def document(request, *args, **kwargs):
    raise Http404

