"""Small-number suppression, so that no child can be identified from the governor report.

- A count from 1 to 2 prints as "fewer than 3". Zero prints as 0: nothing to identify.
- In a breakdown whose total is known (printed, or deducible from the headline), the small cells
  add up to the total less the exact cells. When that sum leaves only one possibility (one small
  cell; or every small cell 1, or every small cell 2) the small numbers could be worked out, so
  the breakdown is suppressed as a whole: each cell says "suppressed", and the report says why.

Only what may be printed is kept: the figures stored with a report never hold the small numbers.
"""

from django.utils.translation import gettext as _

THRESHOLD = 3


def is_small(count):
    return count is not None and 0 < count < THRESHOLD


def shown(count):
    """The words for one count: "fewer than 3" for 1 or 2, the number otherwise."""
    if count is None:
        return _("no data")
    if is_small(count):
        return _("fewer than 3")
    return str(count)


def safe_count(count):
    """A headline count as stored: {"value": n or None, "display": words}. 1 and 2 keep no value."""
    return {"value": None if is_small(count) else count, "display": shown(count)}


def breakdown(rows):
    """[(label, count)] -> {"rows": [{"label", "value", "display"}], "suppressed": bool, "total": int|None}.

    Labels with a zero count are kept (a zero is a fact worth printing). `total` is the sum, or
    None when it is itself small."""
    rows = [(str(label), int(count)) for label, count in rows]
    total = sum(count for _label, count in rows)
    small = [count for _label, count in rows if is_small(count)]
    suppressed = total >= THRESHOLD and bool(small) and sum(small) in (len(small), 2 * len(small))
    cells = []
    for label, count in rows:
        if suppressed:
            cells.append({"label": label, "value": None, "display": _("suppressed")})
        else:
            cells.append({"label": label, "value": None if is_small(count) else count, "display": shown(count)})
    return {"rows": cells, "suppressed": suppressed, "total": None if is_small(total) else total}
