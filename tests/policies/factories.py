"""Policy register test data: policies, documents as uploads, and recorded versions."""

import datetime
import io
import zipfile

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from policies import services
from policies.documents import document_kind, document_store
from policies.models import Policy
from tests.factories import user_with_role

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes():
    """The smallest zip a Word document check accepts: the two parts every .docx has."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def pdf_upload(name="policy.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_upload(name="policy.docx"):
    return SimpleUploadedFile(
        name, docx_bytes(), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def make_policy(title="Remote learning", **fields):
    return Policy.objects.create(title=title, **fields)


def record_version(policy, *, approved_on, number=None, read_roles=(), actor=None, upload=None,
                   change_summary="Reviewed; dates and contacts updated."):
    """Record an approved version through the service, with a small stored PDF."""
    actor = actor or user_with_role("Online-safety lead")
    upload = upload or pdf_upload()
    kind = document_kind(upload)
    name, sha256 = document_store(upload, kind)
    policy.refresh_from_db()
    return services.version_record(
        policy=policy, number=number or policy.next_version_number(), change_summary=change_summary,
        approved_on=approved_on, approved_by="Full governing body", document=name, document_name=upload.name,
        document_sha256=sha256, read_groups=list(Group.objects.filter(name__in=read_roles)), actor=actor)


def days_from(today, days):
    return today + datetime.timedelta(days=days)
