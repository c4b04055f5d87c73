"""E-mail delivery to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import csv
import io
import re

import pytest
import time_machine

from sentinelle.notices import legal, services
from sentinelle.notices.models import AttemptOutcome, DeliveryAttempt, Notice, NoticeStatus
from sentinelle.takedowns.models import EventKind, LinkEvent, LinkStatus
from tests.notices.helpers import SOCIETY, SmtpSink, email_platform, free_port, make_links, rights

pytestmark = pytest.mark.django_db


def build_one(urls: list[str], **platform: object) -> Notice:
    host = email_platform("Hébergeur", "hebergeur.fr", **platform)  # type: ignore[arg-type]
    make_links(rights('=HYPERLINK("http://evil")'), host, urls)
    services.build_notices()
    return Notice.objects.get()


def test_the_notice_arrives_complete(smtp):
    urls = ["https://hebergeur.fr/a", "https://hebergeur.fr/b"]
    notice = build_one(urls)
    assert services.deliver_due()["delivered"] == 1

    (received,) = smtp.received
    msg = received.message
    assert received.rcpt_tos == ["abuse@hebergeur.fr"]
    assert msg["Message-ID"] == notice.message_id
    assert msg["Reply-To"] == SOCIETY["email"]
    assert msg["Subject"].strip() == notice.subject and "DSA" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert legal.missing_elements(services.notice_data(notice), text) == []
    for url in urls:
        assert url in text and url in html
    for key, value in SOCIETY.items():
        if key == "short_name":
            continue
        assert value in text
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_content_type() == "text/csv"
    rows = list(csv.reader(io.StringIO(attachment.get_content())))
    assert rows[0] == ["n", "url", "site", "work", "iswc", "rights_holders"]
    assert [r[1] for r in rows[1:]] == urls
    assert rows[1][3].startswith("'=")  # the formula is neutralised


def test_delivery_records_the_attempt_and_a_link_event(smtp):
    notice = build_one(["https://hebergeur.fr/a"])
    services.deliver_due()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED and notice.sent_at is not None
    (attempt,) = notice.attempts.all()
    assert attempt.outcome == AttemptOutcome.DELIVERED and attempt.response_excerpt.startswith("250")
    link = notice.items.get().link
    assert link.status == LinkStatus.NOTICE_SENT
    event = LinkEvent.objects.get(link=link, kind=EventKind.NOTICE_SENT)
    assert event.data["notice_id"] == notice.pk


def test_a_delivered_notice_is_never_sent_again(smtp):
    notice = build_one(["https://hebergeur.fr/a"])
    services.deliver_due()
    assert services.deliver_notice(notice.pk) == NoticeStatus.DELIVERED
    services.deliver_due()
    assert len(smtp.received) == 1


def test_no_header_can_be_injected_from_a_field(smtp):
    host = email_platform("Evil\r\nBcc: victim@example.org", "evil.fr")
    make_links(rights("Title\r\nX-Injected: yes"), host, ["https://evil.fr/a"])
    services.build_notices()
    services.deliver_due()
    (received,) = smtp.received
    assert received.rcpt_tos == ["abuse@evil.fr"]
    assert received.message["Bcc"] is None and received.message["X-Injected"] is None


def test_a_tampered_notice_is_refused_before_sending(smtp):
    notice = build_one(["https://hebergeur.fr/a"])
    Notice.objects.filter(pk=notice.pk).update(body=notice.body.replace(SOCIETY["email"], ""))
    assert services.deliver_notice(notice.pk) == NoticeStatus.DRAFT
    notice.refresh_from_db()
    assert "16(2)(c)" in notice.hold_reason and smtp.received == []


def test_smtp_refusing_connections_then_back_delivers_each_notice_exactly_once(settings):
    sink = SmtpSink(port=free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    settings.SENTINELLE_NOTICE_RETRY_BASE_SECONDS = 60
    r = rights()
    for i in range(4):
        make_links(r, email_platform(f"Host {i}", f"host{i}.fr"), [f"https://host{i}.fr/x"])
    services.build_notices()
    with time_machine.travel("2025-03-12 10:00:00+00:00", tick=False) as clock:
        Notice.objects.update(next_attempt_at=None)
        assert services.deliver_due()["queued"] == 4  # nobody listens: connection refused
        clock.shift(30)
        assert services.deliver_due()["queued"] == 0  # nothing due before the backoff
        clock.shift(31)
        assert services.deliver_due()["queued"] == 4  # second refusal; next wait is 120 s
        assert set(Notice.objects.values_list("attempt_count", flat=True)) == {2}
        sink.start()
        try:
            clock.shift(121)
            assert services.deliver_due()["delivered"] == 4
            clock.shift(3600)
            services.deliver_due()
        finally:
            sink.stop()
    ids = sink.message_ids()
    assert len(ids) == 4 and set(ids) == set(Notice.objects.values_list("message_id", flat=True))
    assert DeliveryAttempt.objects.filter(outcome=AttemptOutcome.TEMPORARY_FAILURE).count() == 8
    assert "refused" in DeliveryAttempt.objects.filter(outcome=AttemptOutcome.TEMPORARY_FAILURE).first().error.lower()


def test_after_the_last_attempt_the_notice_fails_and_stays_failed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.SENTINELLE_NOTICE_MAX_ATTEMPTS = 3
    with time_machine.travel("2025-03-12 10:00:00+00:00", tick=False) as clock:
        notice = build_one(["https://hebergeur.fr/a"])
        for _ in range(5):
            services.deliver_due()
            clock.shift(24 * 3600)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED and notice.attempts.count() == 3
    assert "connect" in notice.hold_reason


def test_backoff_grows_exponentially_up_to_the_cap(settings):
    settings.SENTINELLE_NOTICE_RETRY_BASE_SECONDS = 10
    settings.SENTINELLE_NOTICE_RETRY_MAX_SECONDS = 50
    assert [services.retry_delay(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 50, 50]


def test_the_message_bytes_are_those_of_the_standard_generator():
    """``mime_bytes`` writes each text part in one piece: the same bytes as ``as_bytes()``,
    whatever the line ends, non-ASCII text or a line too long for 8bit (quoted-printable)."""
    from sentinelle.notices.channels.email import build_message, mime_bytes

    notice = build_one(["https://hebergeur.fr/a", "https://hebergeur.fr/é"])
    notice.body += "mixed\rline\r\nends\n.leading dot\n" + "x" * 1200 + "\nlast line without end"
    mime = build_message(notice, services.notice_data(notice)).message()
    assert mime_bytes(mime) == mime.as_bytes()
    assert b"\r" not in mime_bytes(mime)  # the generator's line ends only
    # On the wire: every line end CRLF, as the former "as_bytes(), then each CR, LF or CRLF as CRLF".
    assert mime_bytes(mime, linesep="\r\n") == re.sub(rb"\r\n|\n|\r", b"\r\n", mime.as_bytes())


def test_the_html_part_is_the_text_escaped(smtp):
    notice = build_one(["https://hebergeur.fr/a?x=1&y=<2>"])
    services.deliver_due()
    html = smtp.received[0].message.get_body(("html",)).get_content()
    assert legal.reference(notice) in html and 'lang="fr"' in html
    assert "https://hebergeur.fr/a?x=1&amp;y=&lt;2&gt;" in html


def test_a_line_too_long_for_8bit_travels_quoted_printable_and_decodes_to_the_same_text(smtp):
    """A part with a line over 998 octets (a long representative list) goes quoted-printable, its
    lines within 76 characters, and reads back as the very text; a part without one stays 8bit/7bit."""
    notice = build_one(["https://hebergeur.fr/a", "https://hebergeur.fr/é"])
    long_line = "W1, W2 = « é »\t " * 150  # non-ASCII, "=", a tab and a space before the line end
    notice.body += "\n" + long_line + "\nFrom here\n.leading dot\ntwo ends\r\r\nspace before a lone CR \rend\n"
    notice.save(update_fields=["body"])
    assert services.deliver_due()["delivered"] == 1

    (received,) = smtp.received
    msg = received.message
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"
    assert html["Content-Transfer-Encoding"] == "quoted-printable"
    assert plain.get_content().replace("\r\n", "\n") == re.sub(r"\r\n|\r", "\n", notice.body)
    assert long_line.replace("&", "&amp;").replace("<", "&lt;") in html.get_content()
    assert max(len(line) for line in received.raw.split(b"\r\n")) <= 998
    assert max(len(line) for line in plain.get_payload().splitlines()) <= 76
    (csv_part,) = [part for part in msg.iter_attachments() if part.get_content_type() == "text/csv"]
    assert csv_part["Content-Transfer-Encoding"] in ("7bit", "8bit")


def test_the_multipart_boundary_never_occurs_in_the_text(monkeypatch):
    """The boundary is drawn at random and drawn again (suffixed) while "--" and it occur anywhere in
    the parts, at a line's start or not."""
    import email.generator

    from sentinelle.notices.channels.email import build_message, mime_bytes

    monkeypatch.setattr(email.generator.random, "randrange", lambda _n: 7)
    taken = "=" * 15 + email.generator._fmt % 7 + "=="  # type: ignore[attr-defined]
    notice = build_one(["https://hebergeur.fr/a"])
    notice.body += f"\nquoted mid-line: --{taken} and --{taken}.0\n"
    raw = mime_bytes(build_message(notice, services.notice_data(notice)).message())
    assert f'boundary="{taken}.1"'.encode() in raw
    assert f"\n--{taken}.1\n".encode() in raw and f"\n--{taken}.1--".encode() in raw
