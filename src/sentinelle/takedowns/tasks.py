"""Background work of the takedowns app (thin: each task calls one service)."""

from django_tasks import task

from sentinelle.takedowns import services


@task()
def send_result_digests() -> int:
    return services.send_result_digests()


@task()
def resolve_short_links(link_ids: list[int] | None = None) -> dict[str, object]:
    """Follow short links: those named, or every one still waiting (periodic)."""
    return services.resolve_short_links(link_ids).as_dict()


@task()
def read_torrent_pages(link_ids: list[int] | None = None) -> dict[str, int]:
    """Read the info-hash on numbered torrent pages: those named, or every one still waiting (periodic)."""
    return services.read_torrent_pages(link_ids).as_dict()
