"""axe-core, run inside a browser test's page: `assert_accessible(page, "parent link")` fails with
every serious or critical violation listed (rule, element, page).

The portal's Content Security Policy allows only same-origin scripts (script-src 'self'), and
Playwright's add_script_tag(path=...) injects the file's text inline, which the policy blocks. So
the vendored file is served from a same-origin address the test intercepts, and loaded from there
like any of the portal's own scripts: the policy stays on while axe runs.
"""

from pathlib import Path

AXE_FILE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_URL = "/__axe__.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}


def serve_axe(page):
    """Answer /__axe__.js on this page (and every page it navigates to) with the vendored axe-core."""
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE_FILE, content_type="text/javascript"))


def violations(page):
    """axe's serious and critical violations on the page as it is now, as (rule, impact, target, summary)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [(violation["id"], violation["impact"], " ".join(str(part) for part in node["target"]),
             node.get("failureSummary", "").replace("\n", " "))
            for violation in result["violations"] for node in violation["nodes"] if node["impact"] in BLOCKING]


def assert_accessible(page, name):
    found = violations(page)
    assert not found, f"axe: {len(found)} serious or critical problem(s) on {name} ({page.url}):\n" + "\n".join(
        f"  {rule} [{impact}] at {target}: {summary}" for rule, impact, target, summary in found)
