"""The fuzz suite: property-based tests on every form (see checks.py for the properties)."""

from collections import Counter

import pytest

from tests.fuzz.checks import ANSWERS, EXAMPLES


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# Counts travel with each test's report (user_properties); tests/conftest.py adds them up in the
# process that prints the summary, also when the tests ran in worker processes (pytest -n).
_REPORTED = Counter()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        examples = {name: count - _REPORTED[name] for name, count in EXAMPLES.items() if count != _REPORTED[name]}
        _REPORTED.update(examples)
        answers = [[form, str(status), times] for (form, status), times in ANSWERS.items()]
        outcome.get_result().user_properties.append(("fuzz_examples", examples))
        outcome.get_result().user_properties.append(("fuzz_answers", answers))
        ANSWERS.clear()
