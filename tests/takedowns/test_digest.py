import datetime as dt

import pytest
from django.core import mail

from sentinelle.takedowns import services
from sentinelle.takedowns.models import EventKind, LinkStatus, ReportedLink, ResultDigest
from tests.factories import InterestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def links(registry_platforms):
    interest = InterestFactory(work__title="Le Temps des cerises")
    services.submit_links(
        interest.member,
        interest.work.pk,
        "https://pirate.example.org/1\nhttps://pirate.example.org/2\nhttps://pirate.example.org/3",
        ["remove"],
    )
    return interest.member, list(ReportedLink.objects.order_by("id"))


def test_change_status_records_an_event(links):
    _member, (link, *_rest) = links
    event = services.change_status(link, LinkStatus.NOTICE_SENT, kind=EventKind.NOTICE_SENT, message="to MEGA")
    link.refresh_from_db()
    assert link.status == LinkStatus.NOTICE_SENT
    assert (event.from_status, event.to_status) == (LinkStatus.ACCEPTED, LinkStatus.NOTICE_SENT)
    with pytest.raises(ValueError):
        services.change_status(link, "vanished", kind=EventKind.NOTE)


def test_at_most_one_digest_a_day_with_every_result(links, time_machine):
    member, (a, b, c) = links
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC))
    assert services.send_result_digests() == 0  # nothing final yet
    services.change_status(a, LinkStatus.REMOVED, kind=EventKind.RESULT, message="404 twice")
    services.change_status(b, LinkStatus.REFUSED_BY_PLATFORM, kind=EventKind.ANSWER, message="fair use")
    assert services.send_result_digests() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.user.email]
    assert "pirate.example.org/1" in message.body and "pirate.example.org/2" in message.body
    assert "pirate.example.org/3" not in message.body
    # A result later the same day waits for tomorrow's digest.
    time_machine.move_to(dt.datetime(2026, 5, 4, 15, 0, tzinfo=dt.UTC))
    services.change_status(c, LinkStatus.REMOVED, kind=EventKind.RESULT)
    assert services.send_result_digests() == 0
    time_machine.move_to(dt.datetime(2026, 5, 5, 7, 0, tzinfo=dt.UTC))
    assert services.send_result_digests() == 1
    assert len(mail.outbox) == 2
    assert "pirate.example.org/3" in mail.outbox[1].body
    assert "pirate.example.org/1" not in mail.outbox[1].body
    assert ResultDigest.objects.filter(member=member).count() == 2
    assert services.send_result_digests() == 0


def test_digest_is_in_the_members_language(links, time_machine):
    member, (a, *_rest) = links
    member.user.language = "fr"
    member.user.save()
    services.change_status(a, LinkStatus.REMOVED, kind=EventKind.RESULT)
    services.send_result_digests()
    assert "Bonjour" in mail.outbox[0].body


def test_the_command_sends_the_digests(links):
    from io import StringIO

    from django.core.management import call_command

    _member, (a, *_rest) = links
    services.change_status(a, LinkStatus.DELISTED, kind=EventKind.ANSWER)
    out = StringIO()
    call_command("send_result_digests", stdout=out)
    assert out.getvalue().strip() == "1 digest(s) sent."
    assert len(mail.outbox) == 1


def test_change_status_many_moves_only_the_links_it_may(links):
    _member, (a, b, c) = links
    services.change_status(c, LinkStatus.REMOVED, kind=EventKind.RESULT)
    moved = services.change_status_many(
        [a.pk, b.pk, c.pk],
        LinkStatus.NOTICE_SENT,
        kind=EventKind.NOTICE_SENT,
        message="sent",
        only_from=[LinkStatus.ACCEPTED],
    )
    assert moved == 2
    assert {link.pk: link.status for link in ReportedLink.objects.all()} == {
        a.pk: LinkStatus.NOTICE_SENT,
        b.pk: LinkStatus.NOTICE_SENT,
        c.pk: LinkStatus.REMOVED,
    }
    last = {e.link_id: (e.from_status, e.to_status) for e in c.events.model.objects.filter(kind=EventKind.NOTICE_SENT)}
    assert last[c.pk] == (LinkStatus.REMOVED, LinkStatus.REMOVED)
    assert last[a.pk] == (LinkStatus.ACCEPTED, LinkStatus.NOTICE_SENT)
    with pytest.raises(ValueError):
        services.change_status_many([a.pk], "nowhere", kind=EventKind.NOTE)


def test_change_status_many_writes_every_field_of_each_event(links):
    """One event per link, in the links' order, with what the caller gave; a link already at the
    status keeps it (its event says so); without ``only_from`` every other link moves."""
    from sentinelle.takedowns.models import LinkEvent
    from tests.factories import UserFactory

    staff_user = UserFactory()
    _member, (a, b, c) = links
    services.change_status(b, LinkStatus.NOTICE_SENT, kind=EventKind.NOTICE_SENT)
    before = {link.pk: link.updated_at for link in ReportedLink.objects.all()}
    at = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)
    assert services.change_status_many([], LinkStatus.NOTICE_SENT, kind=EventKind.NOTICE_SENT) == 0
    moved = services.change_status_many(
        [c.pk, a.pk, b.pk],
        LinkStatus.NOTICE_SENT,
        kind=EventKind.NOTICE_SENT,
        message="Notice #%(id)s sent.",
        params={"id": 7},
        data={"notice_id": 7},
        actor=staff_user,
        at=at,
    )
    assert moved == 2
    events = list(LinkEvent.objects.filter(at=at).order_by("id"))
    assert [e.link_id for e in events] == [a.pk, b.pk, c.pk]
    assert [(e.from_status, e.to_status) for e in events] == [
        (LinkStatus.ACCEPTED, LinkStatus.NOTICE_SENT),
        (LinkStatus.NOTICE_SENT, LinkStatus.NOTICE_SENT),
        (LinkStatus.ACCEPTED, LinkStatus.NOTICE_SENT),
    ]
    for e in events:
        assert (e.kind, e.actor_id, e.message) == (EventKind.NOTICE_SENT, staff_user.pk, "Notice #%(id)s sent.")
        assert e.data["notice_id"] == 7 and e.data["message_params"] == {"id": 7}
        assert e.display_message() == "Notice #7 sent."
    after = {link.pk: (link.status, link.updated_at) for link in ReportedLink.objects.all()}
    assert all(status == LinkStatus.NOTICE_SENT for status, _ in after.values())
    assert after[a.pk][1] > before[a.pk] and after[b.pk][1] == before[b.pk]


@pytest.mark.parametrize(
    ("to_status", "kind", "said"),
    [
        (LinkStatus.ESCALATED, EventKind.ESCALATED, "escalated"),
        (LinkStatus.REAPPEARED, EventKind.CHECK, "reappeared"),
        (LinkStatus.COUNTER_NOTICE, EventKind.ANSWER, "counter-notice"),
        (LinkStatus.UNVERIFIABLE, EventKind.CHECK, "unverifiable"),
    ],
)
def test_the_digest_tells_every_change_that_matters(links, time_machine, to_status, kind, said):
    _member, (a, *_rest) = links
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC))
    services.change_status(a, to_status, kind=kind, message="what happened")
    assert services.send_result_digests() == 1
    assert said in mail.outbox[0].body.lower() and "pirate.example.org/1" in mail.outbox[0].body
