"""Policy documents: what an upload really is, and keeping it under a name nobody can guess.

The type is told by the file's content, never by its name or the browser's claim: a PDF starts
with `%PDF-`; a Word document is a zip holding `word/document.xml`.
"""

import hashlib
import uuid
import zipfile

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils import timezone

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
PDF = ("application/pdf", ".pdf")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")


def document_kind(handle):
    """(content type, extension) for a PDF or DOCX file object; None for anything else. Leaves it rewound."""
    handle.seek(0)
    head = handle.read(8)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(handle) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        finally:
            handle.seek(0)
        # A macro-enabled document (.docm) carries a vbaProject part: refused, whatever its name.
        if "word/document.xml" in names and "[Content_Types].xml" in names and "word/vbaProject.bin" not in names:
            return DOCX
    return None


def document_store(upload, kind):
    """Save the upload under a random name; return (storage name, SHA-256 of its bytes)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    _content_type, extension = kind
    name = default_storage.save(f"policies/{timezone.now():%Y}/{uuid.uuid4().hex}{extension}", upload)
    return name, digest.hexdigest()


def download_name(version):
    """A tidy file name for a download: the policy's title and version, never the uploaded name's path."""
    title = "".join(char if char.isalnum() else "-" for char in version.policy.title.lower())
    title = "-".join(part for part in title.split("-") if part)[:80] or "policy"
    return f"{title}-v{version.number}{version.document_extension}"


def document_response(version, *, cache_control):
    """The version's document as an attachment, checked again before it leaves: a stored file that
    is missing, or no longer a PDF or Word document, is "not found"."""
    try:
        handle = version.document.open("rb")
    except (FileNotFoundError, ValueError, OSError) as missing:
        raise Http404 from missing
    kind = document_kind(handle)
    if kind is None:
        handle.close()
        raise Http404
    content_type, _extension = kind
    response = FileResponse(handle, as_attachment=True, content_type=content_type, filename=download_name(version))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response
