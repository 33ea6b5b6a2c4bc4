"""CSV downloads: streamed, readable by Excel, and safe to open in a spreadsheet."""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone

# A cell starting with one of these would be run as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class _Echo:
    def write(self, value):
        return value


def csv_download(*, header, rows, filename):
    """Stream `header` then each row of `rows`, every cell made safe, as an attachment."""
    writer = csv.writer(_Echo())

    def lines():
        # A byte-order mark, so Excel reads names with accents as UTF-8.
        yield "\ufeff" + writer.writerow([str(label) for label in header])
        for row in rows:
            yield writer.writerow([csv_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
