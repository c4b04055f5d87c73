"""Signals of recipient discovery (the notices app listens; recipients imports nothing of notices).

``contacts_changed(domains=[...], why=..., actor=...)`` is sent after the commit when discovery
found contacts for domains, or staff gave one: held notices for those domains may now leave.
"""

from __future__ import annotations

from django.dispatch import Signal

contacts_changed = Signal()
