from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="revision",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
