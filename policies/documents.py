"""Policy documents: what an upload really is, and keeping it under a name nobody can guess.

The type is told by the file's content, never by its name or the browser's claim: a PDF starts
with `%PDF-`; a Word document is a zip holding `word/document.xml`.
"""

import hashlib
import uuid
import zipfile

from django.core.files.storage import default_storage
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
        if "word/document.xml" in names and "[Content_Types].xml" in names:
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
