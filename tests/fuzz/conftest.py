"""The fuzz suite: property-based tests on every form (see checks.py for the properties)."""

import pytest

from tests.fuzz.checks import ANSWERS, EXAMPLES


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_terminal_summary(terminalreporter):
    if not EXAMPLES:
        return
    terminalreporter.section("hypothesis examples per form")
    width = max(len(name) for name in EXAMPLES)
    for name, count in sorted(EXAMPLES.items()):
        answers = ", ".join(f"{status}: {times}" for (form, status), times in sorted(ANSWERS.items(), key=str)
                            if form == name)
        terminalreporter.write_line(f"{name:<{width}}  {count:>5}  ({answers})")
    terminalreporter.write_line(f"{'total':<{width}}  {sum(EXAMPLES.values()):>5} examples, {len(EXAMPLES)} forms")
