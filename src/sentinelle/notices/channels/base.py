"""One interface for every way a notice leaves the society, chosen per platform (like e-mail backends)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.utils.module_loading import import_string

from sentinelle import conf

if TYPE_CHECKING:
    from sentinelle.notices.legal import NoticeData
    from sentinelle.notices.models import Notice

DEFAULT_CHANNELS: dict[str, str] = {
    "email": "sentinelle.notices.channels.email.EmailChannel",
    "https": "sentinelle.notices.channels.https.HttpsChannel",
}


class DeliveryError(Exception):
    """The attempt failed. ``temporary`` says whether trying again later may succeed."""

    def __init__(self, message: str, *, temporary: bool, response_excerpt: str = "", bounce: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.response_excerpt = response_excerpt
        # The receiving server refused the address or the message (a 5xx to RCPT TO or to the final "."):
        # the contact is suspect and the notice moves to the next one (services/bounces.py).
        self.bounce = bounce


@dataclass
class DeliveryReceipt:
    response_excerpt: str = ""


class Channel(Protocol):
    def deliver(self, notice: Notice, data: NoticeData, *, commit_point: Callable[[], None]) -> DeliveryReceipt:
        """Hand ``notice`` to its recipient, or raise ``DeliveryError``.

        ``data`` is what the notice says (``notices.selectors.notice_data``), read once by the
        delivery service: a channel renders from it and the notice's stored text, and imports no service.

        ``commit_point`` must be called once, at the last moment before the recipient may have
        the notice (for SMTP: before the final "." of DATA). It records, in its own committed
        transaction, that the notice may be out (a crash after it is followed by a resend flagged
        "resent after an unknown outcome"). It raises when the worker no longer holds the notice
        (its lease ran out and another worker took it over): the channel must then let the
        exception through without handing anything over (for SMTP: close the connection, never
        send the final ".").

        A channel may keep a connection open between notices (``ChannelSet``) and then has a
        ``close()`` method.
        """
        ...


class ChannelSet:
    """The channels of one sweep, each made once, so a channel can keep a connection open between
    notices (the e-mail channel's SMTP connection); ``close()`` ends them (a channel's optional
    ``close`` method). Use as ``with contextlib.closing(ChannelSet()) as channels``."""

    def __init__(self) -> None:
        self._made: dict[str, Channel] = {}

    def get(self, name: str) -> Channel:
        if name not in self._made:
            self._made[name] = get_channel(name)
        return self._made[name]

    def close(self) -> None:
        for channel in self._made.values():
            close = getattr(channel, "close", None)
            if close is not None:
                close()
        self._made.clear()


def get_channel(name: str) -> Channel:
    paths = {**DEFAULT_CHANNELS, **conf.notice_channels()}
    try:
        factory = import_string(paths[name])
    except KeyError:
        raise DeliveryError(f"no automatic channel {name!r}", temporary=False) from None
    channel: Channel = factory()
    return channel


def excerpt(text: str | bytes, limit: int = 500) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text[:limit]
