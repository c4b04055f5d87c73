"""Delivery by several workers side by side (issue 14, item 5): batch claims, one recipient at a time,
one SMTP connection per sweep, and no hand-over by a worker whose claim was taken over.

The exactly-once rules themselves (a worker killed at each point) are test_crash.py's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from sentinelle.notices import services
from sentinelle.notices.channels.base import DeliveryError, DeliveryReceipt
from sentinelle.notices.legal import NoticeData
from sentinelle.notices.models import AttemptOutcome, DeliveryAttempt, Notice, NoticeStatus
from sentinelle.takedowns.models import EventKind, LinkEvent
from tests.notices.helpers import SmtpSink, db_worker, email_platform, make_links, rights
from tests.notices.test_crash import ROOT, shared_database

pytestmark = pytest.mark.django_db


def build(hosts: dict[str, int], settings: Any) -> list[Notice]:
    """One notice per link (``SENTINELLE_NOTICE_MAX_URLS`` = 1): ``hosts`` says how many per host."""
    settings.SENTINELLE_NOTICE_MAX_URLS = 1
    r = rights()
    for n, (host, count) in enumerate(hosts.items()):
        make_links(r, email_platform(f"Host {n}", host), [f"https://{host}/{i}" for i in range(count)])
    services.build_notices()
    return list(Notice.objects.order_by("pk"))


def use_channel(settings: Any, channel: type) -> None:
    settings.SENTINELLE_NOTICE_CHANNELS = {"email": f"{__name__}.{channel.__name__}"}


# --- two real workers -----------------------------------------------------------------------------


class MeetingSink(SmtpSink):
    """Holds the first message until a second connection has said MAIL FROM, so the test knows both
    workers were sending at the same time (at most 60 s; then it lets it through)."""

    peers: set[Any]

    def start(self) -> None:
        self.peers = set()
        super().start()

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        self.peers.add(session.peer)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for _ in range(600):
            if len(self.peers) > 1 or self.received:
                break
            await asyncio.sleep(0.1)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.django_db(transaction=True)
def test_two_workers_side_by_side_send_every_notice_once(tmp_path, settings):
    sink = MeetingSink()
    sink.start()
    try:
        notices = build({**{f"host{i}.fr": 1 for i in range(6)}, "big.fr": 4}, settings)
        url, query = shared_database(tmp_path)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notices.parallel_worker_settings",
            "DATABASE_URL": url,
            "SENTINELLE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "SENTINELLE_EMAIL_HOST": "127.0.0.1",
            "SENTINELLE_EMAIL_PORT": str(sink.port),
            "SENTINELLE_EMAIL_TIMEOUT": "90",
            "PYTHONPATH": str(ROOT),
        }
        command = [sys.executable, "-m", "sentinelle", "deliver_notices", "--once", "--batch", "2"]
        workers = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        for worker in workers:
            _, err = worker.communicate(timeout=180)
            assert worker.returncode == 0, err[-3000:]
    finally:
        sink.stop()

    assert len(notices) == 10
    assert Counter(sink.message_ids()) == {notice.message_id: 1 for notice in notices}
    assert len({received.peer for received in sink.received}) == 2  # one connection per worker
    assert {status for _, status in query("SELECT id, status FROM notices_notice")} == {"delivered"}
    attempts = query("SELECT notice_id, outcome, worker FROM notices_deliveryattempt")
    assert sorted(pk for pk, _, _ in attempts) == [notice.pk for notice in notices]  # one attempt each
    assert {outcome for _, outcome, _ in attempts} == {"delivered"}
    assert len({worker for _, _, worker in attempts}) == 2
    events = query("SELECT link_id FROM takedowns_linkevent WHERE kind = 'notice_sent'")
    assert len(events) == len({link for (link,) in events}) == 10


# --- one recipient at a time ----------------------------------------------------------------------


class SecondWorker:
    """While it sends a notice, another "worker" (the same services, called from here) tries the others."""

    tried: dict[int, str] = {}

    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        if not SecondWorker.tried:
            SecondWorker.tried = {"busy": 0}  # marks the nested attempts below as the second worker's
            for other in Notice.objects.filter(status=NoticeStatus.QUEUED).order_by("pk"):
                SecondWorker.tried[other.pk] = services.deliver_notice(other.pk, worker="second")
        commit_point()
        return DeliveryReceipt("250 ok")


def test_a_recipient_being_sent_to_is_left_to_its_worker(settings):
    use_channel(settings, SecondWorker)
    SecondWorker.tried = {}
    notices = build({"big.fr": 2, "small.fr": 1}, settings)
    [other] = [notice for notice in notices if notice.recipient_domain == "small.fr"]
    _first, same_recipient = [notice for notice in notices if notice.recipient_domain == "big.fr"]

    counts = services.deliver_due(batch=1)

    # While the first notice to big.fr was out, the second worker sent small.fr's and left big.fr's.
    assert SecondWorker.tried == {"busy": 0, same_recipient.pk: NoticeStatus.QUEUED, other.pk: "delivered"}
    # The sweep sent big.fr's second notice once its first was done.
    assert counts["delivered"] == 2
    assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.DELIVERED}
    assert DeliveryAttempt.objects.get(notice=other).worker == "second"
    assert DeliveryAttempt.objects.filter(notice=same_recipient).count() == 1


# --- a claim taken over ---------------------------------------------------------------------------


class TakenOver:
    """The worker stalls past its lease: another one recovers the notice before the hand-over."""

    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        later = timezone.now() + services.send_lease() + dt.timedelta(seconds=1)
        assert services.recover_stale(now=later, worker="other")["resent"] == 1
        commit_point()
        raise AssertionError("commit_point must refuse a notice the worker no longer holds")


def test_a_worker_whose_claim_was_taken_over_hands_nothing_over(settings):
    use_channel(settings, TakenOver)
    [notice] = build({"host.fr": 1}, settings)

    counts = services.deliver_due()

    assert counts["delivered"] == 0 and counts["queued"] == 1
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.QUEUED  # as the recovery left it, for the next worker
    [attempt] = notice.attempts.all()
    assert attempt.outcome == AttemptOutcome.ABANDONED and not attempt.handed_over
    assert not LinkEvent.objects.filter(kind=EventKind.NOTICE_SENT).exists()


class Overtaken:
    """The worker hands its notice over, then stalls past its lease before its answer comes: another
    worker recovers the notice and (``again``) claims it and hands it over too, still waiting for its
    own answer when the first one's comes (``answer``: accepted, or a failure)."""

    answer: DeliveryError | None = None
    again = True
    second: list[tuple[Notice, DeliveryAttempt]] = []

    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        from sentinelle.notices.services import delivery

        commit_point()
        later = timezone.now() + services.send_lease() + dt.timedelta(seconds=1)
        assert services.recover_stale(now=later, worker="w2")["resent_after_unknown_outcome"] == 1
        if Overtaken.again:
            Overtaken.second = delivery._claim(later, "w2", limit=1, now=later)
            [(_, attempt)] = Overtaken.second
            # w2's commit point, as its channel would call it.
            DeliveryAttempt.objects.filter(pk=attempt.pk).update(outcome=AttemptOutcome.COMMITTING, handed_over=True)
        if Overtaken.answer is not None:
            raise Overtaken.answer
        return DeliveryReceipt("250 first copy")


@pytest.mark.parametrize(
    ("answer", "again"),
    [(None, True), (None, False), (DeliveryError("451 try later", temporary=True), True)],
    ids=["accepted, taken again", "accepted, recovered only", "failed, taken again"],
)
def test_a_worker_overtaken_after_its_hand_over_records_only_its_own_attempt(settings, answer, again):
    """``_record_delivered`` / ``_record_failure``: an attempt no longer its notice's live one (the
    recovery ended it) moves nothing; its row says what came of it and that the notice was taken over
    (a copy accepted: the recipient may have it twice). The other worker's attempt is left to it."""
    from sentinelle.notices.services import delivery

    use_channel(settings, Overtaken)
    Overtaken.answer, Overtaken.again, Overtaken.second = answer, again, []
    [notice] = build({"host.fr": 1}, settings)

    counts = services.deliver_due()

    notice.refresh_from_db()
    assert notice.resent_after_unknown_outcome
    assert notice.status == (NoticeStatus.SENDING if again else NoticeStatus.QUEUED)
    assert counts["delivered"] == 0
    first = notice.attempts.get(number=1)
    assert first.outcome == (AttemptOutcome.DELIVERED if answer is None else AttemptOutcome.TEMPORARY_FAILURE)
    assert first.handed_over and first.finished_at is not None
    assert "another worker took the notice over" in first.error and "worker stopped; w2" in first.error
    assert ("may arrive twice" in first.error) == (answer is None)
    assert not LinkEvent.objects.filter(kind=EventKind.NOTICE_SENT).exists()
    if not again:
        return
    [(taken, second)] = Overtaken.second
    second.refresh_from_db()
    assert second.outcome == AttemptOutcome.COMMITTING  # untouched, w2's to record
    assert notice.lease_until == taken.lease_until

    assert delivery._record_delivered(taken, second, "250 second copy", outcome=AttemptOutcome.DELIVERED)
    notice.refresh_from_db()
    second.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED and second.outcome == AttemptOutcome.DELIVERED
    assert LinkEvent.objects.filter(kind=EventKind.NOTICE_SENT).count() == 1


def test_a_recovery_racing_the_commit_point_sees_the_hand_over():
    """``recover_stale``: the stalled worker's ``commit_point`` commits between the recovery's look at
    the attempt and its writes (simulated: just before the recovery's first UPDATE). The recovery must
    take the attempt as it then is, "committing": outcome unknown, the notice marked, not "abandoned"."""
    from django.db import connection

    from sentinelle.notices.services import delivery

    make_links(rights(), email_platform("Host", "host.example"), ["https://host.example/1"])
    services.build_notices()
    ((notice, attempt),) = delivery._claim(timezone.now(), "w1", limit=1)
    fired: list[str] = []

    def commit_point_first(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not fired and sql.lstrip().upper().startswith("UPDATE"):
            fired.append(sql)
            handed = DeliveryAttempt.objects.filter(pk=attempt.pk, outcome=AttemptOutcome.STARTED)
            assert handed.update(outcome=AttemptOutcome.COMMITTING, handed_over=True) == 1
        return execute(sql, params, many, context)

    later = timezone.now() + services.send_lease() + dt.timedelta(seconds=1)
    with connection.execute_wrapper(commit_point_first):
        counts = services.recover_stale(now=later, worker="w2")

    assert fired and counts == {"resent": 1, "resent_after_unknown_outcome": 1}
    notice.refresh_from_db()
    attempt.refresh_from_db()
    assert notice.status == NoticeStatus.QUEUED and notice.resent_after_unknown_outcome
    assert attempt.outcome == AttemptOutcome.UNKNOWN and attempt.handed_over


# --- the lease of a long batch --------------------------------------------------------------------


class Slow:
    """Each notice takes 400 s (of a 600 s lease); records each notice's lease as its turn comes."""

    clock: Any = None
    leases: list[dt.datetime] = []

    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        Slow.leases.append(Notice.objects.values_list("lease_until", flat=True).get(pk=notice.pk))
        Slow.clock.shift(400)
        commit_point()
        return DeliveryReceipt("250 ok")


def test_notices_waiting_in_a_long_batch_get_a_new_lease(settings):
    use_channel(settings, Slow)
    settings.SENTINELLE_NOTICE_SEND_LEASE_SECONDS = 600
    start = dt.datetime(2025, 3, 12, 10, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        build({"a.fr": 1, "b.fr": 1, "c.fr": 1}, settings)
        Slow.clock, Slow.leases = clock, []
        assert services.deliver_due()["delivered"] == 3
    seconds = [(lease - start).total_seconds() for lease in Slow.leases]
    # Claimed at 0 until 600 s. At 400 s, less than half the lease left: the two waiting notices get
    # until 400 + 600 s; at 800 s, less than half again: the last one gets until 800 + 600 s.
    assert seconds == [600, 1000, 1400]
    assert not Notice.objects.exclude(status=NoticeStatus.DELIVERED).exists()


class StallsWhileAnotherTakesOver:
    """While the first notice of the batch is out, the worker stalls past its lease: another worker
    recovers both notices and claims the second, then 100 s more pass before the first one's answer."""

    clock: Any = None
    second_lease: dt.datetime | None = None

    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        from sentinelle.notices.services import delivery

        if StallsWhileAnotherTakesOver.second_lease is None:
            commit_point()
            StallsWhileAnotherTakesOver.clock.shift(601)
            assert services.recover_stale(worker="w2")["resent"] == 2
            other = Notice.objects.filter(status=NoticeStatus.QUEUED).exclude(pk=notice.pk).get()
            [(taken, _)] = delivery._claim(timezone.now(), "w2", limit=1, only=other.pk)
            StallsWhileAnotherTakesOver.second_lease = taken.lease_until
            StallsWhileAnotherTakesOver.clock.shift(100)
        commit_point()
        return DeliveryReceipt("250 ok")


def test_a_stalled_worker_renews_no_lease_of_a_notice_taken_over(settings):
    """``_renew_lease``: past half its lease, a worker renews the notices still waiting in its batch —
    only those whose attempt is still its own; the one another worker claimed keeps that worker's lease
    (and the stalled worker then hands it nothing: ``ClaimLost``)."""
    use_channel(settings, StallsWhileAnotherTakesOver)
    settings.SENTINELLE_NOTICE_SEND_LEASE_SECONDS = 600
    start = dt.datetime(2025, 3, 12, 10, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        build({"a.fr": 1, "b.fr": 1}, settings)
        StallsWhileAnotherTakesOver.clock, StallsWhileAnotherTakesOver.second_lease = clock, None
        services.deliver_due(batch=2)

    taken = Notice.objects.get(status=NoticeStatus.SENDING)
    assert StallsWhileAnotherTakesOver.second_lease == start + dt.timedelta(seconds=601 + 600)
    assert taken.lease_until == StallsWhileAnotherTakesOver.second_lease
    assert list(taken.attempts.order_by("number").values_list("outcome", "worker")) == [
        (AttemptOutcome.ABANDONED, ""),
        (AttemptOutcome.STARTED, "w2"),
    ]


# --- one SMTP connection ---------------------------------------------------------------------------


def test_a_sweep_sends_over_one_smtp_connection(smtp, settings):
    notices = build({"a.fr": 2, "b.fr": 1, "c.fr": 1}, settings)
    assert services.deliver_due()["delivered"] == 4
    assert Counter(smtp.message_ids()) == {notice.message_id: 1 for notice in notices}
    assert len({received.peer for received in smtp.received}) == 1


@dataclass
class EndsEachConnection(SmtpSink):
    """Takes one message per connection: the next MAIL FROM is answered 421, or the connection cut."""

    cut: bool = False

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if any(received.peer == session.peer for received in self.received):
            if self.cut:
                server.transport.close()
            return "421 4.7.0 one message per connection"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"


@pytest.mark.parametrize("cut", [False, True], ids=["421", "connection cut"])
def test_a_connection_the_server_ended_is_opened_again(settings, cut):
    sink = EndsEachConnection(cut=cut)
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    settings.EMAIL_HOST_USER, settings.EMAIL_TIMEOUT = "", 10
    try:
        notices = build({"a.fr": 1, "b.fr": 1, "c.fr": 1}, settings)
        assert services.deliver_due()["delivered"] == 3
    finally:
        sink.stop()
    assert Counter(sink.message_ids()) == {notice.message_id: 1 for notice in notices}
    assert len({received.peer for received in sink.received}) == 3
    assert set(DeliveryAttempt.objects.values_list("outcome", flat=True)) == {AttemptOutcome.DELIVERED}


def test_claimed_notices_carry_their_items_in_order_without_another_query(settings, django_assert_num_queries):
    """``with_items``: one query for the notices, one for all their items; then ``items.all()`` reads
    none, in position order, and each item knows its notice."""
    from sentinelle.notices.models import NoticeItem
    from sentinelle.notices.services.delivery import with_items

    settings.SENTINELLE_NOTICE_MAX_URLS = 3
    make_links(rights(), email_platform("Host", "host.example"), [f"https://host.example/{i}" for i in range(5)])
    services.build_notices()
    first, second = Notice.objects.order_by("pk")
    assert NoticeItem.objects.filter(notice=first, position=1).update(position=9) == 1  # now last of its notice
    expected = {n.pk: list(NoticeItem.objects.filter(notice=n).order_by("position", "pk")) for n in (first, second)}
    with django_assert_num_queries(2):
        notices = with_items([first.pk, second.pk, 0])
    with django_assert_num_queries(0):
        for pk, items in expected.items():
            got = list(notices[pk].items.all())
            assert [i.pk for i in got] == [i.pk for i in items] and [i.url for i in got] == [i.url for i in items]
            assert all(i.notice is notices[pk] for i in got)
            assert notices[pk].items.count() == len(items)
    assert set(notices) == {first.pk, second.pk}


def _fields(item: Any) -> dict[str, Any]:
    return {f.attname: getattr(item, f.attname) for f in type(item)._meta.concrete_fields}


def test_claimed_items_are_the_stored_rows_and_share_each_holders_list(settings):
    """``with_items`` makes the items without ``Model.__init__``: every field as the ORM reads it,
    saved again unchanged, and items with the same holders share one list (read once by the
    validator); while something listens to ``post_init`` for items, they are made the usual way."""
    from django.db.models.signals import post_init

    from sentinelle.notices.models import NoticeItem
    from sentinelle.notices.services.delivery import with_items

    make_links(rights(), email_platform("Host", "host.example"), [f"https://host.example/{i}" for i in range(4)])
    services.build_notices()
    notice = Notice.objects.get()
    stored = {i.pk: _fields(i) for i in NoticeItem.objects.filter(notice=notice)}
    items = list(with_items([notice.pk])[notice.pk].items.all())
    assert {i.pk: _fields(i) for i in items} == stored and len(stored) == 4
    assert len({id(i.rights_holders) for i in items}) == 1 and items[0].rights_holders
    assert not items[0]._state.adding and items[0]._state.db == "default"
    items[0].save()  # an UPDATE of the row, not a second one
    assert NoticeItem.objects.filter(notice=notice).count() == 4

    seen: list[Any] = []

    def listener(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(listener, sender=NoticeItem)
    try:
        again = list(with_items([notice.pk])[notice.pk].items.all())
    finally:
        post_init.disconnect(listener, sender=NoticeItem)
    assert [id(i) for i in again] == [id(i) for i in seen] and {i.pk: _fields(i) for i in again} == stored


def test_the_collector_waits_while_a_batch_is_read_and_each_notice_sent(settings, smtp, monkeypatch):
    """The claimed batch's items and each notice's message are tens of thousands of objects alive
    at once: the cyclic collector, which rescanned them all (half of reading a batch), waits while
    they are read and while each notice is sent, and runs between notices and after the sweep."""
    import gc

    from sentinelle.notices.services import delivery

    build({"a.fr": 1, "b.fr": 1}, settings)
    seen: list[tuple[str, bool]] = []
    real_items, real_channels = delivery.with_items, delivery.ChannelSet.get

    def reading(ids: list[int]) -> dict[int, Notice]:
        seen.append(("read", gc.isenabled()))
        return real_items(ids)

    def sending(channels: Any, name: str) -> Any:
        seen.append(("send", gc.isenabled()))
        return real_channels(channels, name)

    monkeypatch.setattr(delivery, "with_items", reading)
    monkeypatch.setattr(delivery.ChannelSet, "get", sending)
    assert gc.isenabled()
    counts = delivery.deliver_due()
    assert counts["delivered"] == 2 and len(smtp.received) == 2
    assert seen == [("read", False), ("send", False), ("send", False)]
    assert gc.isenabled()


# --- a worker told to stop ------------------------------------------------------------------------


def test_a_worker_told_to_stop_sends_the_notice_in_hand_and_gives_the_rest_back(settings, smtp):
    """``deliver_due(stop=…)``: once ``stop()`` is true, the claimed notices not yet tried go back to
    the queue at once (attempt "released", not counted), and the next sweep sends each once."""
    from sentinelle.notices.services import delivery

    notices = build({"a.fr": 1, "b.fr": 1, "c.fr": 1}, settings)
    counts = delivery.deliver_due(stop=lambda: len(smtp.received) >= 1)
    assert counts["delivered"] == 1 and len(smtp.received) == 1
    assert Counter(Notice.objects.values_list("status", flat=True)) == {"delivered": 1, "queued": 2}
    waiting = list(Notice.objects.filter(status=NoticeStatus.QUEUED))
    assert {(n.attempt_count, n.lease_until) for n in waiting} == {(0, None)}
    released = DeliveryAttempt.objects.filter(notice__in=waiting)
    assert set(released.values_list("outcome", flat=True)) == {AttemptOutcome.RELEASED}
    assert all(a.finished_at is not None for a in released)

    assert delivery.deliver_due()["delivered"] == 2
    assert Counter(smtp.message_ids()) == {n.message_id: 1 for n in notices}
    for notice in waiting:
        attempts = notice.attempts.order_by("number").values_list("number", "outcome")
        assert list(attempts) == [(1, AttemptOutcome.RELEASED), (2, AttemptOutcome.DELIVERED)]


def test_a_release_leaves_a_notice_another_worker_took_over():
    from sentinelle.notices.services import delivery

    make_links(rights(), email_platform("Host", "host.example"), ["https://host.example/1"])
    services.build_notices()
    ((notice, attempt),) = delivery._claim(timezone.now(), "w1", limit=1)
    # Its lease ran out and another worker's recovery queued it again and took it.
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(outcome=AttemptOutcome.ABANDONED)
    assert delivery._release([(notice, attempt)]) == 0
    notice.refresh_from_db()
    attempt.refresh_from_db()
    assert notice.status == NoticeStatus.SENDING and notice.attempt_count == 1
    assert attempt.outcome == AttemptOutcome.ABANDONED


def test_sigterm_ends_the_worker_loop_after_the_sweep_under_way(monkeypatch):
    """``deliver_notices`` (a loop): SIGTERM during a sweep makes the sweep's ``stop()`` true and
    the command return instead of sleeping and sweeping again; both former handlers are put back at
    the first signal."""
    import signal

    from django.core.management import call_command

    from sentinelle.notices.services import delivery

    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    sweeps: list[bool] = []
    during: list[Any] = []

    def sweep(**kwargs: Any) -> dict[str, int]:
        stop = kwargs["stop"]
        sweeps.append(stop())
        os.kill(os.getpid(), signal.SIGTERM)
        sweeps.append(stop())
        during.append((signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)))
        return {"delivered": 0}

    monkeypatch.setattr(delivery, "deliver_due", sweep)
    monkeypatch.setattr(services, "deliver_due", sweep)
    call_command("deliver_notices", "--interval", "30")
    assert sweeps == [False, True]
    assert during == [before]  # a second signal of either kind acts as before: ends the process
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


class SignalledWhileSending:
    """The worker is told to stop (a real SIGTERM to this process) while the first notice is sent."""

    sent: list[int] = []

    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        import signal

        if not SignalledWhileSending.sent:
            os.kill(os.getpid(), signal.SIGTERM)
        SignalledWhileSending.sent.append(notice.pk)
        commit_point()
        return DeliveryReceipt("250 ok")


def test_a_sweep_task_stops_when_db_worker_is_told_to(settings):
    """``tasks.deliver_due_notices`` run by django-tasks' ``db_worker``: SIGTERM during the sweep
    reaches the worker's own handler (the worker stops after the task) and the sweep (the notice in
    hand is sent, the rest of the batch queued again at once); the worker's handlers are back after."""
    import signal

    from sentinelle.notices import tasks

    use_channel(settings, SignalledWhileSending)
    SignalledWhileSending.sent = []
    build({"a.fr": 1, "b.fr": 1, "c.fr": 1}, settings)
    worker = db_worker(interval=1, batch=False)
    signums = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
    before = {signum: signal.getsignal(signum) for signum in signums}
    worker.configure_signals()
    try:
        worker.running_task = True  # as Worker.run_task has it around the task (a signal then does not exit)
        counts = tasks.deliver_due_notices.call()
        after = {signum: signal.getsignal(signum) for signum in signums}
    finally:
        for signum, former in before.items():
            signal.signal(signum, former)

    assert not worker.running  # its handler was called: it takes no other task
    assert after == {signum: worker.shutdown for signum in signums}
    assert counts["delivered"] == 1 and len(SignalledWhileSending.sent) == 1
    assert Counter(Notice.objects.values_list("status", flat=True)) == {"delivered": 1, "queued": 2}
    released = DeliveryAttempt.objects.filter(notice__status=NoticeStatus.QUEUED)
    assert set(released.values_list("outcome", flat=True)) == {AttemptOutcome.RELEASED}


def test_a_chained_stop_leaves_a_signal_the_worker_does_not_handle():
    """``core.stopping.stop_on_signals(chain=True)``: a signal left to its default action or ignored
    (RQ's work horse: SIGTERM default, SIGINT ignored) is not taken over; one with a handler (RQ's
    HerokuWorker tells its horse by SIGRTMIN) is chained to, once, and put back."""
    import signal

    from sentinelle.core.stopping import WORKER_STOP_SIGNALS, StopFlag, stop_on_signals

    signums = (signal.SIGTERM, signal.SIGINT, signal.SIGRTMIN)
    before = {signum: signal.getsignal(signum) for signum in signums}
    calls: list[int] = []

    def horse(signum: int, frame: Any) -> None:
        calls.append(signum)

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGRTMIN, horse)
    try:
        with stop_on_signals(StopFlag(), WORKER_STOP_SIGNALS, chain=True) as stop:
            assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
            assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGRTMIN) is not horse
            os.kill(os.getpid(), signal.SIGRTMIN)
            assert stop.asked() and calls == [signal.SIGRTMIN]
            assert signal.getsignal(signal.SIGRTMIN) is horse
        assert signal.getsignal(signal.SIGRTMIN) is horse
    finally:
        for signum, former in before.items():
            signal.signal(signum, former)
