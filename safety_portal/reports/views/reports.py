"""TEMPORARY: replaced by the real views."""

from django.http import Http404


def report_list(request, *args, **kwargs):
    raise Http404


def report_new(request, *args, **kwargs):
    raise Http404


def report_detail(request, *args, **kwargs):
    raise Http404


def report_status(request, *args, **kwargs):
    raise Http404


def report_preview(request, *args, **kwargs):
    raise Http404


def report_pdf(request, *args, **kwargs):
    raise Http404


def report_finalise(request, *args, **kwargs):
    raise Http404

