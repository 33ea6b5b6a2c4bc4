"""What every fuzzed form must do: never fail with a 500, and keep what was typed when it refuses."""

import os
from collections import Counter
from contextlib import contextmanager
from html.parser import HTMLParser

from django.core.cache import cache
from django.db import transaction
from django.forms import BaseForm
from django.test.utils import ContextList
from hypothesis import HealthCheck, settings

# Examples run per form, and the answers they got, printed at the end of the session (tests/fuzz/conftest.py).
EXAMPLES = Counter()
ANSWERS = Counter()
_current = [""]


# The suite's size: the default keeps it near a minute on SQLite, 90 s on PostgreSQL (CI);
# FUZZ_SCALE=5 runs six times as many examples, for a long hunt before a release.
SCALE = float(os.environ.get("FUZZ_SCALE", "0.8"))


def fuzz_settings(max_examples):
    return settings(max_examples=max(5, round(max_examples * SCALE)), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


@contextmanager
def example(name):
    """One example: counted, starting from clean rate limits, and leaving no rows behind, so every
    example meets the same records (a parent who has not signed yet, a case still open)."""
    EXAMPLES[name] += 1
    _current[0] = name
    cache.clear()
    _forget_failed_logins()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _forget_failed_logins():
    from django.apps import apps

    if not apps.is_installed("axes"):
        return
    from axes.models import AccessAttempt, AccessFailureLog

    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()


class _FieldValues(HTMLParser):
    """{field name: [values shown]} for text inputs, textareas and selected options."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values = {}
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in ("password", "checkbox", "radio", "file",
                                                                         "submit", "button"):
            self.values.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "input" and name and attrs.get("type") in ("checkbox", "radio") and "checked" in attrs:
            self.values.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.setdefault(self._select, []).append(attrs.get("value") or "")

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            name, text = self._textarea
            # Browsers drop the first newline after <textarea>; Django writes one there.
            self.values.setdefault(name, []).append(text[1:] if text.startswith("\n") else text)
            self._textarea = None
        elif tag == "select":
            self._select = None


def shown_values(html):
    parser = _FieldValues()
    parser.feed(html)
    parser.close()
    return parser.values


def forms_with_errors(response):
    contexts = response.context if isinstance(response.context, ContextList) else [response.context]
    found = []
    for context in contexts:
        if context is None:
            continue
        for layer in getattr(context, "dicts", [context]):
            for value in layer.values() if hasattr(layer, "values") else []:
                candidates = value.values() if isinstance(value, dict) else [value]
                found += [form for form in candidates if isinstance(form, BaseForm) and form.is_bound and form.errors]
    return found


def typed(value):
    """What the form sees of a posted value: the last one of a list."""
    if isinstance(value, list | tuple):
        return str(value[-1]) if value else ""
    return str(value)


def assert_no_server_error(response):
    ANSWERS[_current[0], response.status_code] += 1
    assert response.status_code < 500, response.status_code


def assert_refused_and_kept(response, data, text_fields, *, error_keys=()):
    """A form sent back (200): it says what is wrong, and every text field shows what was typed.

    `error_keys`: context entries that carry a refusal for pages that show it outside a bound form."""
    assert response.status_code < 500, response.status_code
    ANSWERS[_current[0], "refused"] += 1
    assert response.status_code == 200, response.status_code
    assert forms_with_errors(response) or any(response.context.get(key) for key in error_keys), (
        "the form came back without saying what was wrong")
    shown = shown_values(response.content.decode())
    for name in text_fields:
        if name not in data:
            continue
        value = typed(data[name])
        # Spaces at either end are not kept by any field (and a browser drops a textarea's first newline).
        offered = [text.strip() for text in shown.get(name, [])]
        assert value.strip() in offered or " ".join(value.split()) in offered, (
            f"{name}: typed {value!r}, shown {offered!r}")


def stripped(value):
    """What a text field keeps of a posted value: the last one of a list, without outer spaces."""
    return typed(value).strip()


def tidied(value):
    """What a name field keeps: runs of spaces (any kind) made one."""
    return " ".join(typed(value).split())
