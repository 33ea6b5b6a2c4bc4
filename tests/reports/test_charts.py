"""The report's charts: plain SVG, escaped, with bars in proportion and no length for a small number."""

import xml.etree.ElementTree as ET

from safety_portal.reports.charts import BAR_MAX, TREND_BAR_MAX, bar_chart, trend_chart
from tests.reports.sample import SAMPLE_FIGURES, cell

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    return root


def bars(root):
    return root.findall(f".//{SVG}rect[@class='bar']")


def texts(root):
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_bar_chart_is_well_formed_svg_described_for_screen_readers():
    root = parse(bar_chart(SAMPLE_FIGURES["incidents"]["by_area"]["rows"], title="Incidents by 4C area"))

    assert root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    description = root.find(f"{SVG}title").text
    assert description == root.get("aria-label")
    assert description.startswith("Incidents by 4C area.")
    assert "Conduct: 11" in description
    assert "Commerce: fewer than 3" in description


def test_bar_lengths_are_in_proportion_to_the_counts():
    root = parse(bar_chart([cell("A", 10), cell("B", 5), cell("C", 4)]))

    widths = [float(rect.get("width")) for rect in bars(root)]
    assert widths == [BAR_MAX, BAR_MAX / 2, BAR_MAX * 4 / 10]
    assert {"10", "5", "4"} <= set(texts(root))


def test_small_numbers_are_drawn_without_a_bar_only_their_words():
    root = parse(bar_chart([cell("Large", 9), cell("Small", 1), cell("Other small", 2), cell("None", 0)]))

    assert len(bars(root)) == 1  # only the 9: a zero has no length, a small number is given none
    assert texts(root).count("fewer than 3") == 2
    assert "0" in texts(root)
    words = root.findall(f".//{SVG}text[@class='bar-words']")
    assert [element.text for element in words] == ["fewer than 3", "fewer than 3"]


def test_a_suppressed_breakdown_draws_no_bars():
    rows = SAMPLE_FIGURES["incidents"]["by_location"]["rows"]
    root = parse(bar_chart(rows))

    assert bars(root) == []
    assert texts(root).count("suppressed") == len(rows)


def test_labels_are_escaped():
    markup = str(bar_chart([cell('<script>alert("x")</script>', 5)], title="<b>Title</b>"))

    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup
    root = parse(markup)
    assert '<script>alert("x")</script>' in texts(root)
    assert root.find(f"{SVG}title").text.startswith("<b>Title</b>")


def test_a_long_label_wraps_onto_two_lines():
    label = "Parents and carers (for each child) who answered on paper at the school office"
    root = parse(bar_chart([cell(label, 5)]))

    spans = root.findall(f".//{SVG}text[@class='bar-label']/{SVG}tspan")
    assert len(spans) == 2
    assert spans[1].text.endswith("…")


def test_trend_chart_draws_each_term_with_a_legend_that_is_not_colour_alone():
    trend = SAMPLE_FIGURES["incidents"]["trend"]
    root = parse(trend_chart(trend, title="Trend"))

    assert root.get("role") == "img"
    all_text = texts(root)
    # The legend names each term once, and each bar is labelled with its term as well.
    for term in trend["terms"]:
        assert all_text.count(term) == 1 + len(trend["series"])
    # The terms differ by pattern, not only by colour: outline, hatch, solid.
    swatches = root.findall(f"{SVG}rect")[:3]
    fills = [swatch.get("fill") for swatch in swatches]
    assert fills[0] == "#ffffff" and fills[1].startswith("url(#") and fills[2] not in fills[:2]
    assert root.find(f".//{SVG}pattern").get("id") == fills[1][5:-1]
    description = root.find(f"{SVG}title").text
    assert "Contact: Spring 2025/26 3, Summer 2025/26 fewer than 3, Autumn 2026/27 5" in description


def test_trend_bars_are_in_proportion_and_small_numbers_have_none():
    trend = SAMPLE_FIGURES["incidents"]["trend"]
    root = parse(trend_chart(trend))

    widths = [float(rect.get("width")) for rect in bars(root)]
    numbers = [value for area in trend["series"] for value in area["values"] if value]
    assert len(widths) == len(numbers)  # no bar for a zero or for "fewer than 3"
    top = max(numbers)
    assert widths == [round(TREND_BAR_MAX * value / top, 1) for value in numbers]
    assert texts(root).count("fewer than 3") == 3


def test_trend_labels_are_escaped():
    trend = {"terms": ["<i>Spring</i>"], "series": [{"label": "<script>", "values": [4], "display": ["4"]}]}
    markup = str(trend_chart(trend, prefix='x"><script>'))

    assert "<script>" not in markup and "<i>" not in markup
    parse(markup)

