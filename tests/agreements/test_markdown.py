"""Agreement text is Markdown shown as sanitised HTML: nothing a writer types can run on a reader's device."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from agreements.markdown import markdown_to_safe_html
from agreements.models import Agreement, Audience
from safety_portal.school import roles
from tests.agreements.factories import publish
from tests.factories import user_with_role

HOSTILE = """\
Welcome.

<script>alert("inline")</script>

<div onclick="alert('block')">A raw HTML block</div>

Text with <b onmouseover="alert('handler')">an inline tag</b> and <img src=x onerror="alert('img')">.

[A javascript link](javascript:alert('link')) and [a shouting one](JaVaScRiPt:alert('link')).

[An encoded one](&#106;avascript:alert('link')) and [a data one](data:text/html;base64,PHNjcmlwdD4=).

<a href="javascript:alert('raw')">raw link</a> <iframe src="https://evil.example"></iframe>
"""


class TagCollector(HTMLParser):
    """Every element and its attributes, as a browser would read them."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_in(html):
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tags


def test_script_tags_are_shown_as_text_not_run():
    html = markdown_to_safe_html("Hello <script>alert(1)</script> there")
    assert "script" not in [tag for tag, _ in tags_in(html)]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_raw_html_blocks_are_escaped():
    html = markdown_to_safe_html('<div class="x">Block</div>\n\n<iframe src="https://evil.example"></iframe>')
    assert {tag for tag, _ in tags_in(html)} == {"p"}
    assert "&lt;div" in html and "&lt;iframe" in html


def test_no_event_handler_attribute_survives():
    html = markdown_to_safe_html(HOSTILE)
    for tag, attrs in tags_in(html):
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    assert {tag for tag, _ in tags_in(html)} <= {"p", "a"}


@pytest.mark.parametrize("target", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)",
])
def test_links_that_would_run_code_lose_their_address(target):
    html = markdown_to_safe_html(f"[click me]({target})")
    links = [attrs for tag, attrs in tags_in(html) if tag == "a"]
    assert links and all("href" not in attrs for attrs in links)
    assert "click me" in html


def test_formatting_headings_lists_and_https_links_are_kept():
    html = markdown_to_safe_html(
        "## Using school systems\n\nI **never** share my password.\n\n- one\n- two\n\n"
        "Report to [CEOP](https://www.ceop.police.uk).")
    assert "<h2>Using school systems</h2>" in html
    assert "<strong>never</strong>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    links = [attrs for tag, attrs in tags_in(html) if tag == "a"]
    assert links == [{"href": "https://www.ceop.police.uk", "rel": "noopener noreferrer nofollow"}]


def _scripts_that_are_not_ours(html):
    """Script elements other than the page's own static files (Bootstrap and the like)."""
    return [attrs for tag, attrs in tags_in(html)
            if tag == "script" and not attrs.get("src", "").startswith("/static/")]


@pytest.mark.django_db
def test_a_hostile_version_never_puts_a_script_on_the_agreement_or_version_page(client):
    version = publish(Audience.STAFF, body=HOSTILE)
    client.force_login(user_with_role(roles.ONLINE_SAFETY_LEAD))
    for url in (reverse("agreements:agreement", args=[Audience.STAFF]),
                reverse("agreements:version", args=[Audience.STAFF, version.number])):
        page = client.get(url).content.decode()
        assert "Welcome." in page  # the text itself is shown
        assert _scripts_that_are_not_ours(page) == []
        assert "<script>alert" not in page
        for tag, attrs in tags_in(page):
            assert not [name for name in attrs if name.startswith("on")], (url, tag, attrs)
            assert not attrs.get("href", "").lower().strip().startswith("javascript"), (url, tag, attrs)


@pytest.mark.django_db
def test_the_preview_of_hostile_text_is_sanitised_too(client):
    publish(Audience.STAFF)
    client.force_login(user_with_role(roles.ONLINE_SAFETY_LEAD))
    agreement = Agreement.objects.get(audience=Audience.STAFF)
    client.post(reverse("agreements:draft_start", args=[Audience.STAFF]))
    draft = agreement.versions.get(status="draft")
    page = client.post(reverse("agreements:draft_edit", args=[Audience.STAFF]), {
        "version": draft.pk, "title": "Staff agreement", "body": HOSTILE, "preview": "1",
    }).content.decode()
    assert 'data-testid="preview"' in page
    assert _scripts_that_are_not_ours(page) == []
    assert "<script>alert" not in page
