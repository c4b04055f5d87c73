"""Background work of the stats app (thin: each task calls one service)."""

from django_tasks import task

from sentinelle.stats import services


@task()
def refresh_rollups() -> int:
    """Count again the days touched since the last run; returns the number of links counted."""
    return services.refresh_rollups().links
