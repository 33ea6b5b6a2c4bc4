from django.db import migrations

from agreements.starters import STARTERS

AUDIENCES = ["staff", "governor", "visitor", "pupil_early", "pupil_ks2", "pupil_ks3", "pupil_ks4", "parent",
             "social_media"]


def install_starters(apps, schema_editor):
    """Each audience's agreement, with the starter text as draft version 1 for the school to adapt."""
    Agreement = apps.get_model("agreements", "Agreement")
    AgreementVersion = apps.get_model("agreements", "AgreementVersion")
    for audience in AUDIENCES:
        agreement, created = Agreement.objects.get_or_create(audience=audience)
        if created:
            title, body = STARTERS[audience]
            AgreementVersion.objects.create(agreement=agreement, number=1, title=title, body=body,
                                            change_summary="Starter text supplied with Safety Portal")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_evidence_triggers")]

    operations = [migrations.RunPython(install_starters, migrations.RunPython.noop)]
