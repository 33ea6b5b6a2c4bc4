from django.db import migrations, models


class Migration(migrations.Migration):
    """Staff reminders: at most one in any 7 days, keyed by the day sent (was: the calendar week)."""

    dependencies = [("agreements", "0004_pack_unreached_pupils")]

    operations = [
        migrations.RemoveConstraint(model_name="staffreminder", name="agreement_staff_reminder_once_a_week"),
        migrations.RenameField(model_name="staffreminder", old_name="week", new_name="sent_on"),
        migrations.AlterField(model_name="staffreminder", name="sent_on", field=models.DateField()),
        migrations.AddConstraint(
            model_name="staffreminder",
            constraint=models.UniqueConstraint(fields=("user", "sent_on"), name="agreement_staff_reminder_once_a_day"),
        ),
    ]
