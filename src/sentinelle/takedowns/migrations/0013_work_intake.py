"""The row every opening of links for a work locks first, with its version (``WorkIntake``).

Intake locked the work's own row (``SELECT … FOR UPDATE`` on catalogue_work); it now locks, and
counts, a row of its own: the count tells a staff import whether anyone else opened links for the
work since it judged a chunk ahead. Rows are made as works are first locked; none is needed before.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_interest_sort_title"),
        ("takedowns", "0012_linkevent_actor_partial"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkIntake",
            fields=[
                (
                    "work",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="catalogue.work",
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
    ]
