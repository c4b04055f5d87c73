"""Background work of the takedowns app (thin: each task calls one service)."""

from django_tasks import task

from sentinelle.takedowns import services


@task()
def send_result_digests() -> int:
    return services.send_result_digests()
