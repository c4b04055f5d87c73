"""Golden files: every format a notice leaves in, built from one fixture dossier, read back by the
readers of ``tests/notices/specs.py`` (written from the receiving systems' specifications).

A change to any output must change a file under ``tests/notices/golden/`` on purpose. After a
deliberate change, regenerate them and review the diff before committing:

    make golden        (= SENTINELLE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/notices/test_golden.py)
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import email.utils
import io
import itertools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail

from sentinelle.catalogue.models import Interest, Party, PartyKind, Work
from sentinelle.notices import services
from sentinelle.notices.export import bulk_file_text, lumen_notice
from sentinelle.notices.models import Notice, PlatformSigningKey, ReciprocalSociety
from sentinelle.takedowns.models import LinkStatus, ReportedLink, TakedownRequest
from tests.factories import MemberFactory, UserFactory, make_iswc, make_platform
from tests.notices.helpers import SOCIETY, Endpoint, Rights, make_links
from tests.notices.specs import LumenReceiver, lumen_errors, msg_ids, parse_google_bulk, verify_standard_webhooks

GOLDEN = Path(__file__).parent / "golden"
NOW = dt.datetime(2025, 3, 12, 10, 0, tzinfo=dt.UTC)  # 11:00 in Paris (+01:00)
KEYS = (
    "whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
    "whsec_" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=",
)
SOCIETY_FULL = {**SOCIETY, "street": "1 rue de la Musique", "postcode": "75009", "city": "Paris", "country": "FR"}

pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)


def golden(name: str, text: str) -> None:
    """``text`` must equal the golden file ``name`` (regenerated with SENTINELLE_UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    if os.environ.get("SENTINELLE_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run `make golden`"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed: if on purpose, run `make golden`"


@dataclass
class Dossier:
    email_notice: Notice
    https_notice: Notice
    google_notice: Notice
    https_request: dict[str, Any]


def _interest(work: Work, name: str, kind: str, role: str, codes: tuple[str, str, str], member: Any = None) -> None:
    party, _ = Party.objects.get_or_create(
        kind=kind, interested_party_number=f"G:{name}", defaults={"name": name, "member": member}
    )
    Interest.objects.create(
        work=work,
        party=party,
        member=member,
        role=role,
        pr_share=50,
        pr_society=codes[0],
        mr_society=codes[1],
        sr_society=codes[2],
    )


def _catalogue() -> Rights:
    """Two works of one member; a co-writer of a reciprocal society; a co-publisher of none."""
    member = MemberFactory(name="Édith Giovanna Gassion", user=UserFactory(full_name="Édith Gassion"))
    rose = Work.objects.create(
        title="La Vie en rose",
        iswc=make_iswc(1),
        work_code="G-0001",
        authorised_example_url="https://www.deezer.com/fr/track/3135556",
    )
    hymne = Work.objects.create(
        title="Hymne à l'amour",
        iswc=make_iswc(2),
        work_code="G-0002",
        authorised_example_url="https://music.apple.com/fr/song/1440812345",
    )
    _interest(rose, "Édith Piaf", PartyKind.WRITER, "CA", ("058", "058", ""), member)
    _interest(rose, "Louiguy", PartyKind.WRITER, "C", ("052", "", ""))  # PRS: a reciprocal society
    _interest(rose, "Crown Publishing", PartyKind.PUBLISHER, "E", ("010", "034", ""))  # ASCAP: no agreement
    _interest(hymne, "Édith Piaf", PartyKind.WRITER, "A", ("058", "", ""), member)
    _interest(hymne, "Éditions Raoul Breton", PartyKind.PUBLISHER, "E", ("058", "058", ""))
    request = TakedownRequest.objects.create(member=member, work=rose, actions=["remove", "delist"])
    return Rights(member, rose, request), Rights(member, hymne, request)  # type: ignore[return-value]


@pytest.fixture
def dossier(settings: Any) -> Iterator[Dossier]:
    settings.SENTINELLE_SOCIETY = dict(SOCIETY_FULL)
    settings.SENTINELLE_SOCIETY_CISAC_CODE = "058"
    settings.SENTINELLE_NOTICE_FROM_EMAIL = SOCIETY["email"]
    settings.SENTINELLE_PUBLIC_URL = "https://sentinelle.example.org"
    settings.SENTINELLE_NOTICE_ALLOW_PLAIN_HTTP = True
    settings.SENTINELLE_FETCH_ALLOW_LOOPBACK = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    counter = itertools.count(1)
    with (
        time_machine.travel(NOW, tick=False),
        pytest.MonkeyPatch.context() as patch,
        Endpoint([]) as endpoint,
    ):
        patch.setattr("uuid.uuid4", lambda: type("U", (), {"hex": f"{next(counter):04x}" * 8})())
        ReciprocalSociety.objects.create(code="052", name="PRS for Music", country="GB")
        rose, hymne = _catalogue()
        host = make_platform(
            "Hébergeur Exemple",
            "file_host",
            ["fichiers-exemple.fr"],
            jurisdiction="FR",
            regime="eu",
            notice_language="fr",
            notice_channel="email",
            contact_email="abus@fichiers-exemple.fr",
        )
        api_host = make_platform(
            "Example Uploads Inc.",
            "file_host",
            ["uploads-example.com"],
            jurisdiction="US",
            regime="us",
            notice_language="en",
            notice_channel="https",
            contact_url=endpoint.url,
        )
        PlatformSigningKey.objects.create(platform=api_host, name="2025", secret=KEYS[0])
        PlatformSigningKey.objects.create(platform=api_host, name="2026", secret=KEYS[1])
        google = make_platform(
            "Google Search",
            "search_engine",
            ["google.com"],
            jurisdiction="US",
            regime="us",
            notice_language="en",
            notice_channel="bulk_file",
            contact_url="https://reportcontent.google.com/forms/dmca_search",
        )
        pirate = make_platform("Pirate Index", "link_site", ["pirate-index.example"])
        make_links(rose, host, ["https://fichiers-exemple.fr/f/a1", "https://fichiers-exemple.fr/f/b2"])
        make_links(rose, api_host, ["https://uploads-example.com/u/77"])
        make_links(hymne, api_host, ["https://uploads-example.com/u/78"])
        make_links(
            rose,
            pirate,
            ["https://pirate-index.example/t/1", "https://pirate-index.example/t/2"],
            action="delist",
            recipients=[google],
        )
        make_links(hymne, pirate, ["https://pirate-index.example/t/3"], action="delist", recipients=[google])
        services.build_notices()
        services.deliver_due()
        google_notice = Notice.objects.get(recipient_platform=google)
        services.record_manual_delivery(google_notice, UserFactory(is_staff=True))
        yield Dossier(
            Notice.objects.get(recipient_platform=host),
            Notice.objects.get(recipient_platform=api_host),
            Notice.objects.get(pk=google_notice.pk),
            endpoint.requests[0],
        )


# --- e-mail ---------------------------------------------------------------------------------------


def _raw(message: Any) -> str:
    raw = message.message().as_bytes().decode("utf-8")
    boundaries = dict.fromkeys(re.findall(r'boundary="([^"]+)"', raw))  # in order of appearance
    for n, boundary in enumerate(boundaries):
        raw = raw.replace(boundary, f"BOUNDARY-{n}")
    return raw.replace("\r\n", "\n")


def _parse(raw: str) -> EmailMessage:
    parsed = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_email_notice_is_its_golden_file_and_reads_as_rfc_5322(dossier):
    (sent,) = mail.outbox
    raw = _raw(sent)
    golden("email-eu-fr.eml", raw)
    message = _parse(raw)
    name, address = email.utils.parseaddr(str(message["From"]))
    assert (name, address) == (SOCIETY["name"], SOCIETY["email"])
    date = email.utils.parsedate_to_datetime(str(message["Date"]))
    assert date == NOW and date.utcoffset() == dt.timedelta(hours=1)  # Paris in March, not -0000
    assert message["Auto-Submitted"] is None  # a notice expects an answer (DSA art. 16(4))
    assert message["In-Reply-To"] is None and message["References"] is None  # a first notice
    text = message.get_body(("plain",))
    assert text is not None and "Louiguy" in text.get_content() and "Crown Publishing" not in raw
    (attachment,) = list(message.iter_attachments())
    rows = list(csv.DictReader(io.StringIO(attachment.get_content())))
    assert [r["url"] for r in rows] == ["https://fichiers-exemple.fr/f/a1", "https://fichiers-exemple.fr/f/b2"]


def test_the_reminder_replies_to_the_first_notice(dossier):
    ReportedLink.objects.filter(notice_items__notice=dossier.email_notice).update(
        status=LinkStatus.ESCALATED, escalation_level=1
    )
    with time_machine.travel(NOW + dt.timedelta(days=4), tick=False):
        services.build_notices()
        services.deliver_due()
    reminder = mail.outbox[-1]
    raw = _raw(reminder)
    golden("email-eu-fr-reminder.eml", raw)
    message = _parse(raw)
    first = dossier.email_notice.message_id
    assert msg_ids(str(message["In-Reply-To"])) == [first]
    assert msg_ids(str(message["References"])) == [first]
    assert str(message["Message-ID"]) != first and message["Auto-Submitted"] is None


def test_a_digest_keeps_auto_submitted(dossier, settings):
    from sentinelle.takedowns.models import EventKind
    from sentinelle.takedowns.services import change_status, send_result_digests

    mail.outbox.clear()
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        link = dossier.email_notice.items.first().link
        change_status(link, LinkStatus.REMOVED, kind=EventKind.RESULT, message="removed")
        send_result_digests()
    assert mail.outbox and all(m.extra_headers.get("Auto-Submitted") == "auto-generated" for m in mail.outbox)


# --- HTTPS ----------------------------------------------------------------------------------------


def test_the_https_notice_is_its_golden_file_and_verifies_under_each_key(dossier):
    request = dossier.https_request
    headers = {k.lower(): v for k, v in request["headers"].items()}
    body = json.loads(request["body"])
    wanted = ("content-type", "idempotency-key", "webhook-id", "webhook-timestamp", "webhook-signature")
    golden(
        "https-us-en.json",
        json.dumps({"headers": {k: headers[k] for k in wanted}, "body": body}, ensure_ascii=False, indent=2) + "\n",
    )
    for key in KEYS:  # a rotation: the endpoint may know either key
        assert verify_standard_webhooks(key, headers, request["body"], NOW)
    assert not verify_standard_webhooks(
        "whsec_" + "Q0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0M=", headers, request["body"], NOW
    )
    assert body["answer_url"] == f"https://sentinelle.example.org/api/v1/notices/{dossier.https_notice.pk}/answer"
    holders = {h["name"] for item in body["items"] for h in item["work"]["rights_holders"]}
    assert holders == {"Édith Piaf", "Louiguy", "Éditions Raoul Breton"}  # not Crown Publishing


# --- Google's bulk file ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_google_bulk_file_is_its_golden_file_and_reads_back_per_work(dossier, language):
    notice = dossier.google_notice
    notice.language = language  # the same notice in either language: every label follows it
    text = bulk_file_text(notice)
    golden(f"google-bulk-{language}.txt", text)
    works = parse_google_bulk(text)
    assert [(w.authorised_example, w.infringing) for w in works] == [
        (
            "https://www.deezer.com/fr/track/3135556",
            ["https://pirate-index.example/t/1", "https://pirate-index.example/t/2"],
        ),
        ("https://music.apple.com/fr/song/1440812345", ["https://pirate-index.example/t/3"]),
    ]
    assert "Louiguy" in works[0].description[1] and "Crown" not in text
    assert "reply" not in text.lower() and "répond" not in text.lower() and "CSV" not in text
    other = "Work" if language == "fr" else "Œuvre"
    assert other not in text


# --- Lumen ----------------------------------------------------------------------------------------


def test_the_lumen_document_is_its_golden_file_and_lumen_accepts_it(dossier, settings):
    document = lumen_notice(dossier.google_notice)
    golden("lumen-google.json", json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    assert lumen_errors(document) == []
    notice = document["notice"]
    principals = {
        r["entity_attributes"]["name"]: r["entity_attributes"]["kind"]
        for r in notice["entity_notice_roles_attributes"]
        if r["name"] == "principal"
    }
    assert principals == {
        "Édith Piaf": "individual",
        "Louiguy": "individual",
        "Éditions Raoul Breton": "organization",
    }
    for personal in (SOCIETY["phone"], SOCIETY["legal_representative"], "rue de la Musique", SOCIETY["email"]):
        assert personal not in notice["body"]
    assert notice["date_sent"] == "2025-03-12"
    settings.SENTINELLE_LUMEN_TOKEN = "lumen-token"
    with LumenReceiver("lumen-token") as lumen:
        settings.SENTINELLE_LUMEN_URL = lumen.url
        services.post_lumen_due()
    sent = Notice.objects.filter(sent_at__isnull=False)
    assert lumen.refused == [] and len(lumen.received) == sent.count() == 3  # one request per notice
    assert sorted(map(_canonical, lumen.received)) == sorted(_canonical(lumen_notice(n)) for n in sent)
    assert services.post_lumen_due() == {"queued": 0, "posted": 0, "failed": 0, "retrying": 0}  # posted once


def _canonical(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)
