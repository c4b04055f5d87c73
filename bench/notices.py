"""Benchmark: build and deliver the notices for N accepted links to a local SMTP server (aiosmtpd).

    .venv/bin/python bench/notices.py [--links 100000] [--platforms 50] [--database-url URL]

Runs against a fresh SQLite file under a temporary directory unless --database-url is given
(it must point at an empty, disposable database: the script migrates it and fills it).
Prints links/s and notices/s for the build and for the delivery (SMTP through aiosmtpd on
127.0.0.1, one connection per notice, with every LinkEvent written through change_status).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--platforms", type=int, default=50)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="sentinelle-bench-")
    os.environ["SENTINELLE_VAR_DIR"] = scratch
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sentinelle.settings")
    os.environ.setdefault("SENTINELLE_LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import logging

    from sentinelle.catalogue.models import Interest, Party, Work
    from sentinelle.members.models import Member, User
    from sentinelle.notices import services
    from sentinelle.notices.models import Notice, NoticeStatus
    from sentinelle.platforms.models import Platform, PlatformDomain
    from sentinelle.takedowns.models import ReportedLink, TakedownRequest
    from tests.notices.helpers import SmtpSink

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = SmtpSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    settings.SENTINELLE_NOTICE_ENQUEUE_DELIVERY = False

    user = User.objects.create_user(email="bench@example.org", password="x" * 12)
    member = Member.objects.create(user=user, member_number="B1", name="Bench Member", kinds=["author"])
    works = Work.objects.bulk_create([Work(title=f"Bench work {i}", work_code=f"BW{i}") for i in range(200)])
    party = Party.objects.create(kind="writer", interested_party_number="BENCH1", name="Member", member=member)
    Interest.objects.bulk_create(
        [Interest(work=w, party=party, member=member, role="CA", sort_title=w.title.upper()) for w in works]
    )
    platforms = []
    for i in range(args.platforms):
        regime = "eu" if i % 2 else "us"
        p = Platform.objects.create(
            name=f"Host {i}",
            kind="file_host",
            regime=regime,
            notice_language="fr" if i % 4 == 1 else "en",
            notice_channel="email",
            contact_email=f"abuse@host{i}.example",
        )
        PlatformDomain.objects.create(platform=p, domain=f"host{i}.example")
        platforms.append(p)
    request = TakedownRequest.objects.create(member=member, work=works[0], actions=["remove"])
    batch = []
    for n in range(args.links):
        p = platforms[n % len(platforms)]
        url = f"https://host{p.pk}.example/file/{n}"
        batch.append(
            ReportedLink(
                request=request,
                member=member,
                work=works[n % len(works)],
                action="remove",
                status="accepted",
                submitted_url=url,
                url=url,
                identity_key=url,
                host=f"host{p.pk}.example",
                registrable_domain=f"host{p.pk}.example",
                platform=p,
                recipients=[{"platform_id": p.pk, "name": p.name, "domain": f"host{p.pk}.example"}],
            )
        )
    ReportedLink.objects.bulk_create(batch, batch_size=5000)

    t0 = time.perf_counter()
    built = services.build_notices()
    t1 = time.perf_counter()
    counts = services.deliver_due()
    t2 = time.perf_counter()
    sink.stop()
    delivered = Notice.objects.filter(status=NoticeStatus.DELIVERED).count()
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"database: {vendor}; links: {args.links}; platforms: {args.platforms}; "
        f"max URLs per notice: {services.max_urls()}"
    )
    print(
        f"build:    {len(built.notices)} notices, {built.items} items in {t1 - t0:.1f} s "
        f"-> {built.items / (t1 - t0):,.0f} links/s, {len(built.notices) / (t1 - t0):,.1f} notices/s"
    )
    print(
        f"deliver:  {delivered} notices delivered ({counts}), {len(sink.received)} messages received "
        f"in {t2 - t1:.1f} s -> {built.items / (t2 - t1):,.0f} links/s, {delivered / (t2 - t1):,.1f} notices/s"
    )
    print(f"overall:  {built.items / (t2 - t0):,.0f} links/s, {delivered / (t2 - t0):,.1f} notices/s")
    if len(sink.received) != delivered or delivered != len(built.notices):
        sys.exit("mismatch between notices built, delivered and received")


if __name__ == "__main__":
    main()
