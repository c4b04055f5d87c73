"""E-mail: multipart text and HTML, a fixed Message-ID, From and Reply-To the society, the URL list as CSV.

A reminder or an escalation replies to the first notices (In-Reply-To, References); the Date
carries the society's offset; no Auto-Submitted header (docs/notices.md, "Channels").

With Django's SMTP backend configured (``EMAIL_BACKEND``), the message goes out through the
SMTP client below, which speaks DATA in two steps so the worker can record its point of no
return just before the final "." (see docs/notices.md, "Exactly once"). With any other backend
(the file outbox of the demo, locmem in tests) the message goes through that backend.
"""

from __future__ import annotations

import binascii
import contextlib
import datetime as dt
import email.charset
import email.encoders
import email.utils
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone

from sentinelle import conf
from sentinelle.core.csvsafe import csv_text
from sentinelle.notices import faults
from sentinelle.notices.channels.base import DeliveryError, DeliveryReceipt, excerpt
from sentinelle.notices.legal import NoticeData, render_html, single_line

if TYPE_CHECKING:
    from sentinelle.notices.models import Notice

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CSV_HEADER = ("n", "url", "site", "work", "iswc", "rights_holders")
_MSG_ID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")


def csv_attachment(notice: Notice) -> str:
    rows = (
        (
            item.position,
            item.url,
            item.site,
            item.work_title,
            item.work_iswc,
            "; ".join(h.get("name", "") for h in item.rights_holders),
        )
        for item in notice.items.all()  # in position order (the model's ordering, or the caller's prefetch)
    )
    return csv_text(CSV_HEADER, rows)


def thread_headers(notice: Notice) -> dict[str, str]:
    """In-Reply-To and References (RFC 5322 §3.6.4) of a reminder or escalation: the first notices."""
    ids = [single_line(m) for m in notice.thread_message_ids or [] if _MSG_ID.fullmatch(single_line(m))]
    if not ids:
        return {}
    return {"In-Reply-To": " ".join(ids), "References": " ".join(ids)}


def date_header(at: dt.datetime) -> str:
    """RFC 5322 date in the society's time zone, with its offset (never "-0000", unknown zone)."""
    return email.utils.format_datetime(timezone.localtime(at))


def build_message(notice: Notice, data: NoticeData, *, at: dt.datetime | None = None) -> EmailMultiAlternatives:
    """The notice as an e-mail. No ``Auto-Submitted``: a notice expects an answer, and a provider's
    acknowledgement of receipt (DSA art. 16(4)) must not be suppressed by it (RFC 3834 §2)."""
    sender = notice.sender or {}
    from_email = email.utils.formataddr((single_line(sender.get("name", "")), single_line(conf.notice_from_email())))
    reply_to = [single_line(sender.get("email", ""))] if sender.get("email") else []
    message = EmailMultiAlternatives(
        subject=single_line(notice.subject, 250),
        body=notice.body,
        from_email=from_email,
        to=[single_line(notice.recipient_email)],
        reply_to=reply_to,
        headers={
            "Message-ID": single_line(notice.message_id),
            "Date": date_header(at or timezone.now()),
            "X-Sentinelle-Notice": single_line(notice.idempotency_key),
            **thread_headers(notice),
        },
    )
    message.encoding = TEXT_CHARSET  # Django takes a Charset as well as a name
    message.attach_alternative(render_html(data, notice.body), "text/html")
    message.attach(f"notice-{notice.pk}.csv", csv_attachment(notice), "text/csv")
    return message


# RFC 5322 §2.1.1: a line of more than 998 octets cannot travel as 7bit or 8bit (Django's limit too).
_LINE_LIMIT = 998


def _encode_text_part(part: Message) -> None:
    """A text part's Content-Transfer-Encoding, chosen as Django's ``SafeMIMEText`` chooses it —
    quoted-printable when a line is longer than 998 octets, else 7bit or 8bit — with quoted-printable
    made by ``binascii.b2a_qp`` (C) rather than ``email.quoprimime`` (Python, a tenth of the CPU of
    sending a notice of hundreds of URLs, whose representative-list line runs to thousands of
    characters). Both are RFC 2045 quoted-printable of the same text (tests/notices/test_email.py
    decodes it back)."""
    raw = part.get_payload(decode=True)  # the UTF-8 bytes, no transfer encoding yet (as encode_7or8bit reads them)
    if not isinstance(raw, bytes):
        raise TypeError(f"a text part's payload, not {type(raw).__name__}")
    if len(raw) > _LINE_LIMIT and any(len(line) > _LINE_LIMIT for line in raw.splitlines()):
        # Line ends as LF first: b2a_qp passes a lone CR through as text (then "\r\r\n" would lose a
        # line, and a space before a lone CR would end a line unencoded); the generator writes its own.
        # Latin-1 maps each byte to one character and back, so the one line-end rule serves the bytes.
        lf_only = _with_line_ends(raw.decode("latin-1"), "\n").encode("latin-1")
        part.set_payload(binascii.b2a_qp(lf_only, istext=True).decode("ascii"))
        part["Content-Transfer-Encoding"] = "quoted-printable"
    else:
        email.encoders.encode_7or8bit(part)


class _TextCharset(email.charset.Charset):
    """UTF-8 whose body encoding ``email`` asks per part (``Message.set_charset`` calls it with the part)."""

    def get_body_encoding(self) -> Callable[[Message], None]:
        return _encode_text_part


TEXT_CHARSET = _TextCharset("utf-8")


def _with_line_ends(text: str, eol: str) -> str:
    """``text`` with each CRLF, CR or LF as ``eol``: what ``email.generator.NLCRE.sub(eol, text)`` gives,
    by three plain replacements (a third of the regular expression's time on a big notice)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if eol == "\n" else text.replace("\n", eol)


def envelope_sender(from_header: str) -> str:
    """The bare address of a ``Name <address>`` From, for MAIL FROM."""
    return email.utils.parseaddr(from_header)[1] or from_header


def _raise_for(code: int, response: bytes, what: str, *, refusal: bool = False) -> None:
    text = f"{what}: {code} {response.decode('utf-8', 'replace')}"
    permanent = 500 <= code < 600
    raise DeliveryError(text, temporary=not permanent, response_excerpt=excerpt(text), bounce=permanent and refusal)


class _WholeTextGenerator(BytesGenerator):
    """``BytesGenerator`` writing a text part in one piece, its line ends turned into the
    generator's by one substitution. The stock one writes it line by line (two writes a line): for a
    notice of hundreds of URLs (text, HTML and CSV parts) that was most of turning it into bytes.
    The bytes are the same (tests/notices/test_email.py compares them)."""

    def _write_lines(self, lines: str) -> None:
        if lines:
            self.write(_with_line_ends(lines, self._NL))  # type: ignore[attr-defined]  # set by flatten()

    @classmethod
    def _make_boundary(cls, text: bytes | None = None) -> str:
        """A random boundary, as the stock one makes it, that does not occur in ``text``: looked for
        anywhere (a plain substring search) rather than by the stock regular expression at each line's
        start — stricter, and a fraction of its time on the text of a notice of hundreds of URLs.
        ``text``: the parts as this generator wrote them, bytes (``Generator._handle_multipart``)."""
        boundary: str = super()._make_boundary()  # type: ignore[misc]  # not in typeshed
        if text is None:
            return boundary
        found, counter = boundary, 0
        while b"--" + found.encode("ascii") in text:
            found, counter = f"{boundary}.{counter}", counter + 1
        return found


def mime_bytes(mime: Message, linesep: str = "\n") -> bytes:
    """``mime.as_bytes(linesep=linesep)`` (Django's: no "From " mangling), the same bytes, made faster."""
    out = BytesIO()
    _WholeTextGenerator(out, mangle_from_=False).flatten(mime, unixfrom=False, linesep=linesep)
    return out.getvalue()


def _wire_bytes(message: EmailMultiAlternatives) -> bytes:
    """The message as DATA carries it: CRLF line ends (the generator's), leading dots doubled, a final CRLF."""
    # A dot at a line's start doubled (RFC 5321 §4.5.2): after each LF, and at the very start.
    data = mime_bytes(message.message(), linesep="\r\n").replace(b"\n.", b"\n..")
    if data.startswith(b"."):
        data = b"." + data
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class SmtpSession:
    """One SMTP connection kept open across messages (a worker's sweep), opened when first needed.

    Each message is its own SMTP transaction (MAIL, RCPT, DATA, the final "."), so the commit point
    keeps its meaning per message. A kept connection that the server has closed meanwhile, or that
    answers MAIL FROM with 421, is opened again once: nothing of the message had left. After a
    refusal the connection is ended with QUIT; after any other error (and always mid-DATA) it is
    closed without a word, so a message cut short is never completed.
    """

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        try:
            smtp = (smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP)(
                settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT or 30
            )
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot connect to the SMTP server: {exc}", temporary=True) from exc
        self.smtp = smtp
        # The final "." follows the message in a write of its own (the commit point is between them):
        # without TCP_NODELAY, Nagle's algorithm holds it back until the server's delayed ACK of the
        # message, 40 ms per message on a connection kept open.
        if smtp.sock is not None:
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        smtp.ehlo()
        if settings.EMAIL_USE_TLS:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.EMAIL_HOST_USER:
            smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        return smtp

    def _mail_from(self, sender: str) -> tuple[smtplib.SMTP, int, bytes]:
        """MAIL FROM on the kept connection, or on a new one when the kept one is gone."""
        if self.smtp is not None:
            try:
                code, resp = self.smtp.mail(sender)
                if code != 421:
                    return self.smtp, code, resp
            except (OSError, smtplib.SMTPServerDisconnected):
                pass
            self.close()
        smtp = self._connect()
        code, resp = smtp.mail(sender)
        return smtp, code, resp

    def send(self, message: EmailMultiAlternatives, commit_point: Callable[[], None]) -> DeliveryReceipt:
        """Send one message, calling ``commit_point`` right before the final "."."""
        data = _wire_bytes(message)
        try:
            smtp, code, resp = self._mail_from(envelope_sender(message.from_email))
            if code != 250:
                _raise_for(code, resp, "MAIL FROM")
            for rcpt in message.recipients():
                code, resp = smtp.rcpt(rcpt)
                if code not in (250, 251):
                    _raise_for(code, resp, "RCPT TO", refusal=True)
            code, resp = smtp.docmd("DATA")
            if code != 354:
                _raise_for(code, resp, "DATA")
            smtp.send(data)
            faults.crash_point("mid_data")
            commit_point()
            faults.crash_point("after_commit_point")
            smtp.send(b".\r\n")
            code, resp = smtp.getreply()
            if code != 250:
                _raise_for(code, resp, "end of DATA", refusal=True)
            faults.crash_point("after_send")
        except DeliveryError:
            self.quit()
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise DeliveryError(f"SMTP conversation failed: {exc}", temporary=True) from exc
        except BaseException:
            self.close()
            raise
        return DeliveryReceipt(response_excerpt=excerpt(f"{code} {resp.decode('utf-8', 'replace')}"))

    def quit(self) -> None:
        """End the connection politely (QUIT), between two messages."""
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
        self.close()

    def close(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None


class EmailChannel:
    """The e-mail channel; with the SMTP backend its connection stays open until ``close()``."""

    def __init__(self) -> None:
        self.session = SmtpSession()

    def close(self) -> None:
        self.session.quit()

    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        if not notice.recipient_email:
            raise DeliveryError("the recipient has no e-mail address", temporary=False)
        message = build_message(notice, data)
        if settings.EMAIL_BACKEND == SMTP_BACKEND:
            return self.session.send(message, commit_point)
        commit_point()
        try:
            sent = get_connection(fail_silently=False).send_messages([message])
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"e-mail backend failed: {exc}", temporary=True) from exc
        if not sent:
            raise DeliveryError("the e-mail backend sent nothing", temporary=True)
        return DeliveryReceipt(response_excerpt=f"handed to {settings.EMAIL_BACKEND}")
