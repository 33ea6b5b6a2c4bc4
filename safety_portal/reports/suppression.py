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


def gives_away(counts):
    """True if the 1s and 2s among `counts` could be worked out from the exact total of `counts`:
    their sum leaves only one possibility (one small cell, or every small cell 1, or every one 2)."""
    small = [count for count in counts if is_small(count)]
    return bool(small) and sum(small) in (len(small), 2 * len(small))


def exact_count(count):
    """A count about adults or documents (policies, say), shown in full in the same shape as safe_count."""
    return {"value": count, "display": str(count)}


def breakdown(rows, *, suppress=False):
    """[(label, count)] -> {"rows": [{"label", "value", "display"}], "suppressed": bool, "total": int|None}.

    Labels with a zero count are kept (a zero is a fact worth printing). `total` is the sum, or
    None when it is itself small. `suppress` suppresses it whatever its own cells say."""
    rows = [(str(label), int(count)) for label, count in rows]
    total = sum(count for _label, count in rows)
    suppressed = suppress or (total >= THRESHOLD and gives_away([count for _label, count in rows]))
    cells = []
    for label, count in rows:
        if suppressed:
            cells.append({"label": label, "value": None, "display": _("suppressed")})
        else:
            cells.append({"label": label, "value": None if is_small(count) else count, "display": shown(count)})
    return {"rows": cells, "suppressed": suppressed, "total": None if is_small(total) else total}


def nested_breakdown(rows, parent, parent_of):
    """A breakdown whose cells add up, group by group, to the cells of another printed breakdown
    (types within 4C areas, year groups within key stages).

    `parent_of` maps each row's label to its parent row's label. Where a parent's count is printed
    exactly, the small cells of its group could be worked out from it just as from a total, so the
    whole breakdown is suppressed."""
    printed = {row["label"]: row["value"] for row in parent["rows"]}
    groups = {}
    for label, count in rows:
        groups.setdefault(str(parent_of[str(label)]), []).append(int(count))
    leaks = any(printed.get(parent_label) is not None and gives_away(counts)
                for parent_label, counts in groups.items())
    return breakdown(rows, suppress=leaks)
