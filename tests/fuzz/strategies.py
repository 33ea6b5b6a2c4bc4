"""Hypothesis strategies for what people (and attackers) type into forms.

`form_data(valid)` builds one post: every field gets a valid value, except a few chosen fields
that get junk (or are left out). With no field chosen the post is valid, so the accepted path is
exercised too, with unusual but valid text.
"""

import datetime

from hypothesis import strategies as st

# A field left out of the post altogether.
MISSING = object()

# Hand-picked inputs that have broken forms before: NUL (PostgreSQL refuses it in text), markup,
# impossible dates, numbers no column holds, right-to-left overrides, whitespace that is not a space.
SPECIAL = [
    "", " ", "   \t\n ", "\u00a0\u2003\u3000", "\x00", "a\x00b", "\x00" * 3, "\r\n", "\u202eevil", "\ufeff",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "{{ 7|add:7 }}",
    "{% debug %}", "%(name)s", "%s%s%s", "' OR 1=1 --", "0000-00-00", "9999-12-31", "31/02/2027", "2027-02-31",
    "2026-13-01T25:61", "00/00/0000", "1/1/1", "-1", "0", "1e309", "NaN", "inf", "9" * 30, str(2**63), str(-2**63 - 1),
    "١٢٣", "𝟙𝟚𝟛", "ＡＢＣ", "😀👨‍👩‍👧", "Zoë Ó'Brien-Nuñez", "on", "true", "None", "[]", "{}",
]

# Any unicode text a browser can send (no lone surrogates: they cannot be encoded).
any_text = st.text(max_size=60)
long_text = st.builds(lambda piece, times: piece * times, st.sampled_from(["a", "é", "😀", " ", "<b>", "\x00"]),
                      st.integers(min_value=150, max_value=6000))
control_text = st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=10)
# Up to ids no column holds, and beyond what int() reads from text (4,300 digits).
huge_numbers = (st.integers(min_value=2**31, max_value=10**40).map(str) | st.integers(max_value=-1).map(str)
                | st.integers(4000, 5000).map(lambda digits: "9" * digits))
odd_dates = st.sampled_from(["0000-00-00", "9999-12-31", "31/02/2027", "2027-02-31", "29/02/2027", "01/01/0001",
                             "9999-12-31T23:59", "0001-01-01T00:00", "10000-01-01", "2026-1-1", "32/13/2026"])

junk_scalar = st.one_of(st.sampled_from(SPECIAL), any_text, long_text, control_text, huge_numbers, odd_dates)
# A list where one value is expected: `?q=a&q=b`.
junk = st.one_of(junk_scalar, junk_scalar, st.lists(junk_scalar, min_size=2, max_size=3), st.just(MISSING))


def clean_text(min_size=1, max_size=60):
    """Valid, unusual text: any letters, marks, symbols, punctuation and spaces; not blank."""
    alphabet = st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn"))
    return (st.text(alphabet, min_size=min_size, max_size=max_size)
            .filter(lambda text: len(" ".join(text.split())) >= min_size))


def a_date(start=datetime.date(2000, 1, 1), end=datetime.date(2099, 12, 31), fmt="%Y-%m-%d"):
    return st.dates(min_value=start, max_value=end).map(lambda day: day.strftime(fmt))


def form_data(valid, junk_for=None, most_broken=3):
    """One post: `valid` maps field name -> strategy of valid values; a few fields get junk instead
    (`junk_for` maps a field name to its own junk strategy)."""
    names = sorted(valid)
    junk_for = junk_for or {}

    @st.composite
    def build(draw):
        broken = draw(st.sets(st.sampled_from(names), max_size=min(most_broken, len(names)))) if names else set()
        data = {}
        for name in names:
            value = draw(junk_for.get(name, junk) if name in broken else valid[name])
            if value is not MISSING:
                data[name] = value
        return data

    return build()


def query_strings(params):
    """GET filters: the listed parameters with junk or valid values, plus an unknown parameter now and then."""
    valid = {name: strategy for name, strategy in params.items()}
    return form_data(valid, most_broken=len(valid)).flatmap(
        lambda data: st.dictionaries(st.sampled_from(["page", "sort", "o", "x"]), junk_scalar, max_size=2)
        .map(lambda extra: {**extra, **data}))
