"""``links.open_links``: many new links and their first events in two writes. On PostgreSQL each
distinct event is encoded for COPY once and every event row is its link's id and that encoding's
rest (``_encode_first_events``); the rows must be those of one row per event, in order."""

from __future__ import annotations

import datetime as dt

import pytest

from sentinelle import linkkit
from sentinelle.takedowns.models import (
    EventKind,
    LinkEvent,
    LinkStatus,
    ReportedLink,
    TakedownRequest,
    message_params,
)
from sentinelle.takedowns.services.links import LinkFacts, LinkIdentity, NewEvent, new_link, open_links
from tests.factories import InterestFactory, UserFactory

pytestmark = pytest.mark.django_db

# What COPY's text format must escape, and text that is not ASCII.
AWKWARD = 'tab\there, newline\nthere, back\\slash, "quotes", \\N, é ñ 漢字'


def _values(request: TakedownRequest, n: int) -> dict[str, object]:
    canonical = linkkit.canonicalise(f"https://pirate{n}.example/dl/{n}")
    facts = LinkFacts(
        submitted_url=canonical.url,
        url=canonical.url,
        identity=LinkIdentity.of(canonical),
        host=canonical.host,
        registrable_domain=canonical.registrable_domain,
        line_number=n,
    )
    return new_link(
        request_id=request.pk,
        member_id=request.member_id,
        work_id=request.work_id,
        action="remove",
        facts=facts,
        status=LinkStatus.ACCEPTED,
        recipients=[{"platform_id": None, "name": f"pirate{n}.example", "domain": f"pirate{n}.example"}],
    )


def test_each_link_gets_its_own_events_in_order_whatever_their_text():
    interest = InterestFactory()
    request = TakedownRequest.objects.create(member=interest.member, work=interest.work, actions=["remove"])
    actor = UserFactory()
    at = dt.datetime(2026, 12, 2, 5, 0, tzinfo=dt.UTC)
    received = NewEvent(EventKind.RECEIVED, "", "Reported by the member.")
    shared = NewEvent(EventKind.ACCEPTED, LinkStatus.ACCEPTED, AWKWARD, data={"why": AWKWARD}, params={"who": AWKWARD})
    own = NewEvent(EventKind.ACCEPTED, LinkStatus.ACCEPTED, "Accepted (%(who)s).", params={"who": "the third"})
    note = NewEvent(EventKind.NOTE, LinkStatus.ACCEPTED, "A note.", data={"n": [1, None, {"x": "\t"}]})
    opened = [
        (_values(request, 1), [received, shared]),
        (_values(request, 2), [received, shared]),
        (_values(request, 3), [received, own, note]),
        (_values(request, 4), []),
        (_values(request, 5), [shared, received]),
    ]

    ids = open_links(opened, actor=actor, at=at)

    assert list(ReportedLink.objects.order_by("id").values_list("id", "line_number")) == list(
        zip(ids, [1, 2, 3, 4, 5], strict=True)
    )
    rows = list(
        LinkEvent.objects.order_by("id").values_list(
            "link_id", "kind", "from_status", "to_status", "message", "data", "actor_id", "at"
        )
    )
    expected = [
        (
            link_id,
            new.kind,
            "",
            new.to_status,
            new.message,
            {**(new.data or {}), **message_params(new.params)},
            actor.pk,
            at,
        )
        for link_id, (_values_, events) in zip(ids, opened, strict=True)
        for new in events
    ]
    assert rows == expected


@pytest.mark.parametrize(
    "data", [b"0\ta\n", b"0\ta\n0\tb\n0\tc\n", b"0\ta\n7\tb\n"], ids=["a line short", "a line more", "another id"]
)
def test_event_rows_encoded_other_than_one_line_each_are_refused(monkeypatch, data):
    """``_encode_first_events`` splits the COPY text of the distinct events into one line each, after
    the placeholder id 0; encoded otherwise, it raises (not an ``assert``, gone under ``python -O``)."""
    from sentinelle.core.copyrows import Encoded
    from sentinelle.takedowns.services import links

    monkeypatch.setattr(links, "encode_values", lambda model, rows, ids: Encoded("t", "c", data))
    events = [NewEvent(EventKind.RECEIVED, "", "Reported."), NewEvent(EventKind.NOTE, "", "A note.")]
    at = dt.datetime(2026, 12, 2, 5, 0, tzinfo=dt.UTC)
    with pytest.raises(RuntimeError, match="2 events encoded as"):
        links._encode_first_events([({}, events)], [1], None, at)
