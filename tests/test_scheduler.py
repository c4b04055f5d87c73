import pytest
from django_tasks_db.models import DBTaskResult

from sentinelle.core.scheduler import Periodic, Scheduler, periodic_tasks


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.django_db
def test_each_periodic_task_is_enqueued_when_due(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    clock = Clock()
    scheduler = Scheduler(
        [
            Periodic("sentinelle.takedowns.tasks.send_result_digests", 3600),
            Periodic("sentinelle.checks.tasks.run_due_checks", 600),
        ],
        clock=clock,
    )
    assert len(scheduler.tick()) == 2
    assert scheduler.tick() == []
    clock.now += 601
    assert scheduler.tick() == ["sentinelle.checks.tasks.run_due_checks"]
    assert DBTaskResult.objects.count() == 3
    assert scheduler.seconds_to_next() == pytest.approx(600)


def test_every_configured_periodic_task_exists():
    from django.utils.module_loading import import_string

    for periodic in periodic_tasks():
        assert hasattr(import_string(periodic.task_path), "enqueue"), periodic.task_path
        assert periodic.every_seconds > 0


@pytest.mark.django_db
def test_run_scheduler_once_enqueues_every_periodic_task(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    lines = out.getvalue().split("\n")
    assert sorted(line for line in lines if line) == sorted(f"enqueued {p.task_path}" for p in periodic_tasks())
    assert DBTaskResult.objects.count() == len(periodic_tasks())
