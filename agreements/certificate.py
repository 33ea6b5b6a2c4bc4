"""The signature certificate: one PDF with the agreement text as signed and the evidence around it."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify


def url_fetcher():
    """The PDF loads nothing from outside: the only image is the drawing, already a data URL."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def certificate_html(signature, *, school):
    return render_to_string("agreements/certificate.html", {
        "signature": signature, "version": signature.version, "agreement": signature.version.agreement,
        "school": school, "made_at": timezone.now(),
    })


def certificate_pdf(signature, *, school):
    # Imported here: WeasyPrint loads Pango, which slows every process's start for a rare download.
    import weasyprint

    html = certificate_html(signature, school=school)
    return weasyprint.HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


def certificate_filename(signature):
    name = slugify(signature.signer_name)[:40] or "signer"
    return f"signature-{signature.pk}-{name}.pdf"
