"""What the member is told (issue 12, part 3; issue 17, item 7): never "will be sent" when nothing can be."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sentinelle.notices import services as notices
from sentinelle.notices.models import Notice, NoticeStatus
from sentinelle.recipients.models import Finding
from sentinelle.takedowns import services
from sentinelle.takedowns.models import ReportedLink
from tests.factories import InterestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client, registry_platforms):
    interest = InterestFactory(work__title="Ma chanson")
    client.force_login(interest.member.user)
    client.member, client.work = interest.member, interest.work
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_verdict_says_what_happens_next_for_each_kind_of_recipient(member_client, registry_platforms, settings):
    settings.SENTINELLE_BUILD_NOTICES_EVERY = 300
    mega = registry_platforms["mega"]
    mega.notice_channel, mega.contact_email = "email", "abuse@mega.nz"
    mega.save()
    url = reverse("takedowns:report", args=[member_client.work.pk])
    body = text(
        member_client.post(url, {"links": "https://mega.nz/file/X1#k\nhttps://nobody-home.to/t/1", "action": "remove"})
    )
    assert "The notice to MEGA leaves by e-mail within 5 minutes; the link is first checked 1 hour(s)" in body
    assert "no contact found yet for nobody-home.to; the society is looking" in body
    assert "will be sent" not in body


def test_the_link_page_lists_each_notice_with_recipient_channel_state_and_date(member_client):
    result = services.submit_links(
        member_client.member, member_client.work.pk, "https://nobody-home.to/t/1", ["remove"]
    )
    link = ReportedLink.objects.get(pk=result.verdicts[0].link_ids[0])
    page = reverse("takedowns:link", args=[link.pk])
    assert "The notice is being prepared: within" in text(member_client.get(page))

    notices.build_notices()
    body = text(member_client.get(page))
    assert "Held" in body and "no contact found yet for nobody-home.to" in body

    now = timezone.now()
    Finding.objects.create(
        registrable_domain="nobody-home.to",
        role="site",
        kind="web_form",
        address="https://nobody-home.to/dmca",
        source="site_page",
        found_at=now,
        confirmed_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    assert notices.release_held(["nobody-home.to"]) == 1
    notices.build_notices()
    body = text(member_client.get(page))
    assert "Waiting for a hand delivery by the society" in body and "web form (by hand)" in body
    assert "no contact found yet" not in body  # the released draft is not listed any more
    assert "A contact is now known for nobody-home.to" in body  # the timeline says what changed
    note = link.events.get(kind="note")
    assert note.from_status == note.to_status == "accepted"  # a note: no transition shown for it
    timeline = body[body.index("Timeline") :]
    assert timeline.count("→") == link.events.exclude(to_status="").exclude(kind="note").count() == 1

    notice = Notice.objects.get(status=NoticeStatus.QUEUED)
    Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.DELIVERED, sent_at=now)
    body = text(member_client.get(page))
    assert "Notice sent to nobody-home.to." in body


def test_a_link_refused_for_the_quota_lists_no_recipient_and_the_timeline_only_real_changes(member_client):
    member_client.member.daily_link_quota = 1
    member_client.member.save()
    result = services.submit_links(
        member_client.member,
        member_client.work.pk,
        "https://mega.nz/file/A1#k\nhttps://mega.nz/file/A2#k",
        ["remove", "delist"],
    )
    refused = ReportedLink.objects.get(pk=result.verdicts[1].link_ids[0])
    assert refused.status == "refused"
    body = member_client.get(reverse("takedowns:link", args=[refused.pk])).content.decode()
    assert "Google" not in body and "Bing" not in body  # no notice exists or will exist
    assert "<h2>Notices</h2>" not in body

    accepted = ReportedLink.objects.get(pk=result.verdicts[0].link_ids[0])
    notices.build_notices()  # MEGA has no contact: a held draft, and no status change
    events = list(accepted.events.all())
    changes = [e for e in events if e.to_status and e.to_status != e.from_status]
    body = member_client.get(reverse("takedowns:link", args=[accepted.pk])).content.decode()
    timeline = body[body.index('class="timeline"') :]
    assert timeline.count("→") == len(changes) < len(events)
