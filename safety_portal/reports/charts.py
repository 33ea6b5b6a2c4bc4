"""The report's charts as plain SVG, built here rather than by a chart library: two simple chart
shapes do not justify a dependency, and the same markup works in the browser and in WeasyPrint.

Every word in a chart is escaped before it goes in; the markup is marked safe only once built.
A value stored without a number (a small number, or a suppressed cell) is drawn with no bar at
all, only its words, so that no length can give the number away.
"""

import textwrap

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#1d1d1d"
BAR = "#1d4f91"

# Bar chart geometry (viewBox units): a label column, then the bars, then room for the words.
BAR_WIDTH = 600
LABEL_WIDTH = 210
BAR_LEFT = 220
BAR_MAX = 270
ROW_HEIGHT = 30
BAR_THICKNESS = 16
LABEL_CHARACTERS = 32

# Trend chart geometry: area name, term name, bar, words.
TREND_WIDTH = 640
TREND_TERM_LEFT = 135
TREND_BAR_LEFT = 245
TREND_BAR_MAX = 250
TREND_ROW = 18
TREND_GROUP_GAP = 12
TREND_LEGEND = 34

# One look per term, oldest first: an outline, a hatch, a solid bar. They differ in pattern and
# lightness as well as hue, so the chart reads in black and white; each bar is also labelled.
TERM_FILLS = ("#ffffff", "url(#{prefix}-hatch)", BAR)


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _scale(values, longest):
    """Bar length for each value: proportional to the largest number; None for a value without a number."""
    numbers = [value for value in (_number(value) for value in values) if value is not None]
    top = max(numbers, default=0)
    return [None if _number(value) is None else (longest * value / top if top else 0) for value in values]


def _label_lines(label, width=LABEL_CHARACTERS):
    """A long label on up to two lines; the rest ends in an ellipsis."""
    lines = textwrap.wrap(str(label), width) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder="…")]
    return lines


def _svg(width, height, description, body):
    description = escape(description)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" aria-label="{description}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="12" fill="{INK}">'
        f"<title>{description}</title>{''.join(body)}</svg>"
    )


def _describe(title, pairs):
    """What a screen reader (and the PDF's alternative text) says: the title, then every value in words."""
    items = "; ".join(f"{label}: {words}" for label, words in pairs)
    return f"{title}. {items}." if items else f"{title}."


def bar_chart(rows, *, title=""):
    """Horizontal bars for a breakdown's rows ([{"label", "value", "display"}], as stored).

    A row whose value is None (fewer than 3, or suppressed) gets no bar, only its words."""
    rows = list(rows)
    title = str(title or _("Bar chart"))
    height = max(len(rows), 1) * ROW_HEIGHT + 10
    lengths = _scale([row.get("value") for row in rows], BAR_MAX)
    body = []
    for index, (row, length) in enumerate(zip(rows, lengths, strict=True)):
        top = 5 + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        lines = _label_lines(row["label"])
        first = middle + 4 - (len(lines) - 1) * 7
        spans = "".join(
            f'<tspan x="{LABEL_WIDTH}" y="{first + number * 14:g}">{escape(line)}</tspan>'
            for number, line in enumerate(lines)
        )
        body.append(f'<text class="bar-label" text-anchor="end">{spans}</text>')
        words = escape(row["display"])
        if length is None:
            # No number, so no length: an empty frame of no size would still hint at one.
            body.append(
                f'<text class="bar-words" x="{BAR_LEFT + 4}" y="{middle + 4:g}" font-style="italic">{words}</text>'
            )
            continue
        if length > 0:
            body.append(
                f'<rect class="bar" x="{BAR_LEFT}" y="{middle - BAR_THICKNESS / 2:g}" '
                f'width="{length:.1f}" height="{BAR_THICKNESS}" fill="{BAR}"/>'
            )
        body.append(f'<text class="bar-value" x="{BAR_LEFT + length + 6:.1f}" y="{middle + 4:g}">{words}</text>')
    body.append(
        f'<line x1="{BAR_LEFT}" y1="2" x2="{BAR_LEFT}" y2="{height - 2}" stroke="{INK}" stroke-width="1"/>'
    )
    description = _describe(title, [(row["label"], row["display"]) for row in rows])
    return _svg(BAR_WIDTH, height, description, body)


def trend_chart(trend, *, title="", prefix="trend"):
    """Grouped horizontal bars: for each area, one bar per term (up to three, oldest first).

    `trend` is {"terms": [labels], "series": [{"label", "values", "display"}]}. Each bar carries its
    term's name and its value in words; the legend shows the pattern for each term as well."""
    terms = [str(term) for term in trend.get("terms", [])][:3]
    series = list(trend.get("series", []))
    title = str(title or _("Trend chart"))
    prefix = escape(prefix)
    fills = [fill.format(prefix=prefix) for fill in TERM_FILLS[-len(terms):]] if terms else []
    all_values = [value for area in series for value in area["values"][: len(terms)]]
    lengths = iter(_scale(all_values, TREND_BAR_MAX))

    body = [
        f'<defs><pattern id="{prefix}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BAR}" stroke-width="3"/></pattern></defs>'
    ]
    # The legend: a swatch and the term's name, in the order the bars are drawn.
    x = 0
    for term, fill in zip(terms, fills, strict=True):
        body.append(
            f'<rect x="{x}" y="6" width="16" height="12" fill="{fill}" stroke="{BAR}" stroke-width="1"/>'
            f'<text x="{x + 22}" y="16">{escape(term)}</text>'
        )
        x += 30 + 8 * len(term)

    top = TREND_LEGEND
    for area in series:
        group_height = len(terms) * TREND_ROW
        body.append(
            f'<text class="trend-area" x="0" y="{top + group_height / 2 + 4:g}" font-weight="bold">'
            f"{escape(_label_lines(area['label'], 18)[0])}</text>"
        )
        for index, (term, fill) in enumerate(zip(terms, fills, strict=True)):
            middle = top + index * TREND_ROW + TREND_ROW / 2
            length = next(lengths)
            words = escape(area["display"][index])
            body.append(
                f'<text class="trend-term" x="{TREND_TERM_LEFT}" y="{middle + 4:g}" font-size="10">'
                f"{escape(term)}</text>"
            )
            if length is None:
                body.append(
                    f'<text class="bar-words" x="{TREND_BAR_LEFT + 4}" y="{middle + 4:g}" font-style="italic">'
                    f"{words}</text>"
                )
                continue
            if length > 0:
                body.append(
                    f'<rect class="bar" x="{TREND_BAR_LEFT}" y="{middle - 6:g}" width="{length:.1f}" height="12" '
                    f'fill="{fill}" stroke="{BAR}" stroke-width="1"/>'
                )
            body.append(
                f'<text class="bar-value" x="{TREND_BAR_LEFT + length + 6:.1f}" y="{middle + 4:g}">{words}</text>'
            )
        top += group_height + TREND_GROUP_GAP
    height = top
    body.append(
        f'<line x1="{TREND_BAR_LEFT}" y1="{TREND_LEGEND - 4}" x2="{TREND_BAR_LEFT}" '
        f'y2="{height - TREND_GROUP_GAP + 4}" stroke="{INK}" stroke-width="1"/>'
    )
    pairs = [
        (area["label"], ", ".join(f"{term} {words}" for term, words in zip(terms, area["display"], strict=False)))
        for area in series
    ]
    return _svg(TREND_WIDTH, height, _describe(title, pairs), body)
