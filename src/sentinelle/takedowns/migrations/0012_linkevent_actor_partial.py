"""The events' actor indexed only where set (``linkevent_actor``).

Most events have no actor (deliveries, checks, command-line imports), and each index entry is
written per event. Django's own ``AlterField`` would drop and re-add the foreign key, validating it
over every event again (a scan of the largest table, under a lock that holds writes); only the index
changes here, so the database side drops the former index and creates the partial one.
"""

from django.conf import settings
from django.db import migrations, models

FORMER = "takedowns_linkevent_actor_id_2d5dc475"  # Django's name for the field's own index


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("takedowns", "0011_link_fk_indexes_partial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="linkevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{FORMER}"',
                    reverse_sql=f'CREATE INDEX "{FORMER}" ON "takedowns_linkevent" ("actor_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="linkevent",
            index=models.Index(condition=models.Q(("actor__isnull", False)), fields=["actor"], name="linkevent_actor"),
        ),
    ]
