"""The report document: the PDF read back with pypdf, and the HTML preview, both from stored figures only."""

import copy
import io
import logging
import re
import statistics
import time

import pypdf
import pytest

from safety_portal.reports.document import (
    css_string,
    document_filename,
    document_fragment,
    document_html,
    document_pdf,
    page_numbers,
    sections,
)
from tests.reports.sample import EMPTY_FIGURES, SAMPLE_FIGURES

SCHOOL = SAMPLE_FIGURES["school"]
NO_DATA = [
    "No incidents have been recorded in the portal yet.",
    "No referral decisions have been recorded in the portal yet.",
    "No filtering or monitoring breaches have been recorded in the portal yet.",
    "No acceptable-use agreements have been published in the portal yet.",
    "No photo-consent answers have been recorded in the portal yet.",
    "No policies have been added to the policy register yet.",
    "No training has been logged in the portal yet.",
]


class Rendered:
    """A PDF made once for the module (no database here: any query would fail) and its text, page by page."""

    def __init__(self, figures):
        records = []
        handler = logging.Handler(level=logging.WARNING)
        handler.emit = records.append
        weasyprint_logger = logging.getLogger("weasyprint")
        weasyprint_logger.addHandler(handler)
        try:
            self.pdf = document_pdf(figures)
        finally:
            weasyprint_logger.removeHandler(handler)
        self.warnings = [record.getMessage() for record in records]
        self.reader = pypdf.PdfReader(io.BytesIO(self.pdf))
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.lines = [line.strip() for page in self.pages for line in page.splitlines()]


@pytest.fixture(scope="module")
def sample():
    return Rendered(SAMPLE_FIGURES)


@pytest.fixture(scope="module")
def empty():
    return Rendered(EMPTY_FIGURES)


def contents(rendered):
    """{heading: page number} from the contents list ("Heading . . . . 4")."""
    found = {}
    for line in rendered.lines:
        match = re.fullmatch(r"(.+?)\s*(?:\.\s*){3,}(\d+)", line)
        if match:
            found[match.group(1).strip()] = int(match.group(2))
    return found


def test_pdf_has_a_cover_with_school_title_term_date_and_marking(sample):
    assert sample.pdf.startswith(b"%PDF")
    cover = sample.pages[0]
    for text in [SCHOOL, "Online-safety report for governors", "Autumn 2026/27", "Date produced: 8 January 2027",
                 "Reporting period: 1 September 2026 to 31 December 2026", "OFFICIAL-SENSITIVE"]:
        assert text in cover
    flat = " ".join(cover.split())
    assert "All figures are anonymised" in flat
    assert "Counts about pupils and their incidents of 1 or 2 are shown as “fewer than 3”" in flat
    assert "Allegations against staff are not counted in this report" in flat


def test_every_page_is_marked_official_sensitive_and_numbered(sample, empty):
    for rendered in (sample, empty):
        total = len(rendered.pages)
        assert total > 1
        for number, text in enumerate(rendered.pages, start=1):
            assert "OFFICIAL-SENSITIVE" in text
            assert f"Page {number} of {total}" in text
            assert SCHOOL in text


def test_contents_lists_every_section_with_the_page_it_starts_on(sample):
    listed = contents(sample)
    headings = list(sections().values())

    assert list(listed) == headings
    for heading, page in listed.items():
        on_page = [line.strip() for line in sample.pages[page - 1].splitlines()]
        assert heading in on_page, f"{heading} is not on page {page}"
    assert list(listed.values()) == sorted(listed.values())


def test_sections_come_in_order(sample):
    body = [line for line in sample.lines if not re.search(r"(\.\s*){3,}\d+$", line)]  # leave out the contents
    positions = [body.index(heading) for heading in sections().values()]
    assert positions == sorted(positions)


def test_small_numbers_print_as_fewer_than_3(sample):
    for line in [
        "Urgent concerns (immediate risk) fewer than 3",
        "Commerce fewer than 3",
        "Sharing nudes or semi-nudes fewer than 3",
        "Scams or gambling fewer than 3",
        "Year 1 fewer than 3",
        "Year 2 fewer than 3",
        "CEOP fewer than 3",
        "Police (101) fewer than 3",
        "Commerce 0 fewer than 3 fewer than 3",  # the trend table
        "Contact 3 fewer than 3 5",
    ]:
        assert line in sample.lines
    assert not any(re.fullmatch(r"(Year [12]|CEOP|Commerce|Police \(101\)) [12]", line) for line in sample.lines)


def test_other_figures_are_printed(sample):
    for line in [
        "Recorded this term (Autumn 2026/27) 27",
        "Recorded in the previous term (Summer 2025/26) 19",
        "Recorded in the same term last year (Autumn 2025/26) 22",
        "Median days from report to close 6.5",
        "Conduct 11",
        "Parents or carers informed 21 of 27 (77%)",
        "Breaches reported this term 6",
        "Staff 38 of 41 (92%) 3",
        "School website 270 of 300 (90%)",
        "Pupils on the “do not photograph” list: 31.",
        "Governors 6 of 10 (60%)",
    ]:
        assert line in sample.lines


def test_a_suppressed_breakdown_is_one_sentence_saying_why_instead_of_a_table(sample):
    assert not any(line.startswith(("In school", "Off site (trip, visit)", "Online, outside school"))
                   for line in sample.lines)
    text = " ".join(sample.lines)
    assert "Not shown: with so few incidents, some of these numbers could be worked out" in text
    assert "In all: 27." in text


def test_empty_figures_say_there_is_no_data_yet_and_print_no_zeros(empty):
    text = " ".join(empty.lines)
    for sentence in NO_DATA:
        assert sentence in text
    assert text.count(NO_DATA[0]) == 5  # headline, areas, pupils, places, trend
    assert "Total" not in text
    assert "Number" not in text
    numbers = [line for line in empty.lines if re.search(r"\b0$", line)]
    assert numbers == []
    for heading in sections().values():
        assert heading in empty.lines


def test_pdf_is_tagged_pdf_ua_with_language_and_title_and_weasyprint_did_not_complain(sample, empty):
    assert sample.warnings == [] and empty.warnings == []
    root = sample.reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert sample.reader.metadata.title == f"Online-safety report for governors: Autumn 2026/27, {SCHOOL}"
    assert sample.reader.metadata.author == SCHOOL


def test_pdf_pages_are_a4(sample):
    box = sample.reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_charts_are_drawn_into_the_pdf_as_text_not_pictures(sample):
    # The trend chart labels each bar with its term, so the term names appear beyond the table's header.
    text = "\n".join(sample.pages)
    assert text.count("Spring 2025/26") >= 1 + len(SAMPLE_FIGURES["incidents"]["trend"]["series"])


@pytest.mark.django_db
def test_the_document_reads_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        document_html(SAMPLE_FIGURES, for_pdf=True)
        document_fragment(SAMPLE_FIGURES)
        document_pdf(SAMPLE_FIGURES)


def test_pdf_renders_in_under_3_seconds(capsys):
    document_pdf(SAMPLE_FIGURES)  # the first render loads fonts
    times, cpu = [], []
    for _ in range(5):
        started, started_cpu = time.perf_counter(), time.process_time()
        document_pdf(SAMPLE_FIGURES)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    median = statistics.median(times)
    with capsys.disabled():
        print(f"\nreport PDF render, median of 5: {median:.2f} s wall, {statistics.median(cpu):.2f} s CPU "
              f"(each: {', '.join(f'{t:.2f}' for t in times)})")
    assert median < 3


def test_labels_from_the_data_are_escaped_in_the_html():
    figures = copy.deepcopy(SAMPLE_FIGURES)
    figures["school"] = "Oak <b>School</b>"
    figures["incidents"]["by_area"]["rows"][0]["label"] = "<script>alert(1)</script>"
    figures["incidents"]["trend"]["series"][0]["label"] = "<script>trend</script>"
    figures["agreements"]["audiences"][0]["label"] = "<img src=x onerror=alert(1)>"

    for html in (document_html(figures, for_pdf=True), document_html(figures), document_fragment(figures)):
        assert "<script>" not in html
        assert "<img" not in html
        assert "<b>School" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;script&gt;trend&lt;/script&gt;" in html


def test_words_in_the_page_margins_cannot_break_out_of_css():
    assert str(css_string('Page "x" } body { color: red')) == '"Page \\22 x\\22  \\7d  body \\7b  color: red"'
    assert "\n" not in css_string("a\nb") and "\\a " in css_string("a\nb")
    assert page_numbers() == '"Page " counter(page) " of " counter(pages)'


def test_fragment_is_the_body_for_the_portal_page_and_links_the_sections():
    fragment = document_fragment(SAMPLE_FIGURES)

    assert "<html" not in fragment and "<style" not in fragment
    assert fragment.strip().startswith("<article")
    for section_id in sections():
        assert f'href="#report-{section_id}"' in fragment
        assert f'id="report-{section_id}"' in fragment
    assert 'role="img"' in fragment


def test_standalone_html_uses_the_print_stylesheet_only_for_the_pdf():
    for_pdf = document_html(SAMPLE_FIGURES, for_pdf=True)
    screen = document_html(SAMPLE_FIGURES)

    assert '<html lang="en-GB">' in for_pdf
    assert "@page" in for_pdf and "target-counter(attr(href), page)" in for_pdf
    assert "@page" not in screen and "reports/report.css" in screen


def test_a_breakdown_of_zeros_says_none_rather_than_printing_a_table():
    figures = copy.deepcopy(SAMPLE_FIGURES)
    figures["referrals"]["by_agency"] = {"rows": [{"label": "CEOP", "value": 0, "display": "0"}],
                                         "suppressed": False, "total": 0}
    figures["referrals"]["parents_informed"] = {"count": 0, "of": 0, "percent": None}

    html = document_fragment(figures)

    assert "No referrals were made this term." in html
    assert ">CEOP<" not in html
    assert "no one to count" in html


def test_without_earlier_terms_the_headline_says_there_is_nothing_to_compare():
    figures = copy.deepcopy(SAMPLE_FIGURES)
    figures["previous_term"] = None
    figures["same_term_last_year"] = None
    figures["incidents"]["median_days_to_close"] = None
    figures["incidents"]["trend"] = {"terms": [], "series": []}

    html = document_fragment(figures)

    assert "no earlier term to compare" in html
    assert "no term last year to compare" in html
    assert "none closed" in html
    assert "There are not enough terms in the portal yet to show a trend." in html


def test_filename_names_the_term():
    assert document_filename(SAMPLE_FIGURES) == "governor-report-autumn-202627.pdf"


def test_a_share_withheld_for_small_numbers_says_so_rather_than_printing_none():
    figures = copy.deepcopy(SAMPLE_FIGURES)
    figures["referrals"]["parents_informed"] = {"count": None, "of": 27, "percent": None}
    figures["consent"]["purposes"][0].update({"count": None, "of": None, "percent": None})
    figures["agreements"]["audiences"][2].update({"count": None, "of": 240, "percent": None, "outstanding": None})

    html = document_fragment(figures)

    assert "not shown (small numbers); 27 in all" in html
    assert "not shown: fewer than 3 in the group" in html
    assert "not shown (small numbers); 240 in all" in html
    assert "None" not in html


def test_the_pdf_html_loads_nothing_from_outside():
    html = document_html(SAMPLE_FIGURES, for_pdf=True)

    assert "<link" not in html and "src=" not in html and 'href="http' not in html and "url(http" not in html


def test_if_the_accessible_variant_fails_a_plain_pdf_is_made(monkeypatch, caplog):
    import weasyprint

    original = weasyprint.HTML.write_pdf

    def write_pdf(self, *args, **options):
        if options.get("pdf_variant"):
            raise ValueError("variant refused")
        return original(self, *args, **options)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", write_pdf)

    pdf = document_pdf(EMPTY_FIGURES)

    assert pdf.startswith(b"%PDF")
    assert "No incidents have been recorded" in pypdf.PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
    assert "PDF/UA rendering failed" in caplog.text


def test_a_compared_term_from_before_the_log_began_says_so_rather_than_zero():
    import copy

    figures = copy.deepcopy(SAMPLE_FIGURES)
    figures["incidents"]["previous"] = None
    html = document_html(figures)
    assert "Recorded in the previous term (Summer 2025/26)" in html
    assert "not recorded in the portal" in html
