"""A report's stored figures, written out by hand: the shape `safety_portal.reports.figures.term_figures`
returns and the document templates read. Tests of the document use it without building records."""


def cell(label, value):
    """A breakdown row as stored: small numbers keep no value."""
    if value is not None and 0 < value < 3:
        return {"label": label, "value": None, "display": "fewer than 3"}
    return {"label": label, "value": value, "display": str(value)}


def breakdown(*rows, suppressed=False):
    cells = [cell(label, value) for label, value in rows]
    if suppressed:
        cells = [{"label": label, "value": None, "display": "suppressed"} for label, _value in rows]
    total = sum(value for _label, value in rows)
    return {"rows": cells, "suppressed": suppressed, "total": None if 0 < total < 3 else total}


def count(value):
    return {"value": None if 0 < value < 3 else value, "display": "fewer than 3" if 0 < value < 3 else str(value)}


def share(part, whole):
    """A share of a group: counts and a whole percentage rounded down; None when there is no group."""
    return {"count": part, "of": whole, "percent": 100 * part // whole if whole else None}


SAMPLE_FIGURES = {
    "version": 1,
    "school": "Oakfield Community School",
    "term": {"id": 7, "label": "Autumn 2026/27", "start": "2026-09-01", "end": "2026-12-31"},
    "previous_term": {"label": "Summer 2025/26"},
    "same_term_last_year": {"label": "Autumn 2025/26"},
    "generated_at": "2027-01-08T09:15:00+00:00",
    "incidents": {
        "has_data": True,
        "recorded": count(27), "previous": count(19), "last_year": count(22),
        "open_at_end": count(4), "closed": count(25), "median_days_to_close": 6.5, "urgent": count(2),
        "by_area": breakdown(("Content", 9), ("Contact", 5), ("Conduct", 11), ("Commerce", 2), ("Not sure", 0)),
        "by_type": breakdown(("Filtering breach", 6), ("Cyberbullying", 8), ("Sharing nudes or semi-nudes", 1),
                             ("Inappropriate content accessed", 3), ("Scams or gambling", 2),
                             ("Online hate", 7)),
        "by_key_stage": breakdown(("EYFS", 0), ("Key stage 1", 3), ("Key stage 2", 24)),
        "by_year_group": breakdown(("Year 1", 1), ("Year 2", 2), ("Year 3", 5), ("Year 4", 6), ("Year 5", 7),
                                   ("Year 6", 6)),
        "by_location": breakdown(("In school", 15), ("Off site (trip, visit)", 1), ("Online, outside school", 11),
                                 suppressed=True),
        "by_device": breakdown(("School device", 12), ("Personal device", 10), ("Not known", 5)),
        # Incidents per 4C area in each of the last three terms, oldest first; small numbers already shown as words.
        "trend": {
            "terms": ["Spring 2025/26", "Summer 2025/26", "Autumn 2026/27"],
            "series": [
                {"label": "Content", "values": [6, 4, 9], "display": ["6", "4", "9"]},
                {"label": "Contact", "values": [3, None, 5], "display": ["3", "fewer than 3", "5"]},
                {"label": "Conduct", "values": [10, 12, 11], "display": ["10", "12", "11"]},
                {"label": "Commerce", "values": [0, None, None], "display": ["0", "fewer than 3", "fewer than 3"]},
            ],
        },
    },
    "referrals": {
        "has_data": True,
        "by_agency": breakdown(("Children's social care", 3), ("CEOP", 1), ("Police (101)", 2)),
        "not_referred": count(5),
        "parents_informed": share(21, 27),
    },
    "filtering": {"has_data": True, "breaches": count(6)},
    "agreements": {
        "has_data": True,
        "audiences": [
            {"label": "Staff", **share(38, 41), "outstanding": 3},
            {"label": "Governors", **share(9, 10), "outstanding": 1},
            {"label": "Pupils, key stage 2", **share(201, 240), "outstanding": 39},
            {"label": "Parents and carers (for each child)", **share(250, 300), "outstanding": 50},
        ],
    },
    "consent": {
        "has_data": True,
        "purposes": [
            {"label": "School website", **share(270, 300)},
            {"label": "Official social media", **share(231, 300)},
        ],
        "do_not_photograph": count(31),
    },
    # Counts of policies, not of children: shown in full.
    "policies": {"has_data": True, "reviewed": {"value": 4, "display": "4"},
                 "due_next_term": {"value": 3, "display": "3"}, "overdue": {"value": 1, "display": "1"}},
    "training": {"has_data": True, "staff": share(35, 41), "governors": share(6, 10)},
}

# A new school's first report: nothing recorded anywhere yet. Every part says so rather than print zeros.
EMPTY_FIGURES = {
    **SAMPLE_FIGURES,
    "previous_term": None,
    "same_term_last_year": None,
    "incidents": {"has_data": False},
    "referrals": {"has_data": False},
    "filtering": {"has_data": False},
    "agreements": {"has_data": False},
    "consent": {"has_data": False},
    "policies": {"has_data": False},
    "training": {"has_data": False},
}
