"""Who a notice speaks for: only the parties the society or a reciprocal society represents (issue 13, item 5)."""

from __future__ import annotations

from typing import Any

import pytest

from sentinelle.catalogue.identifiers import normalise_society_code
from sentinelle.catalogue.models import Interest, PartyKind
from sentinelle.notices import services
from sentinelle.notices.models import Notice, ReciprocalSociety
from sentinelle.notices.services.build import represented_holders
from sentinelle.takedowns.models import EventKind, LinkEvent, LinkStatus
from tests.factories import PartyFactory
from tests.notices.helpers import email_platform, make_links, rights

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _society_code(settings: Any) -> None:
    settings.SENTINELLE_SOCIETY_CISAC_CODE = "58"  # written as CWR pads it: "058"


def _co_party(work: Any, name: str, kind: str, pr: str, mr: str = "", role: str = "E") -> Interest:
    party = PartyFactory(name=name, first_name="", kind=kind)
    return Interest.objects.create(work=work, party=party, role=role, pr_society=pr, mr_society=mr)


def test_a_work_with_a_non_affiliated_co_publisher_names_only_the_represented_parties():
    r = rights("Padam, padam")
    _co_party(r.work, "Éditions Salabert", PartyKind.PUBLISHER, "058")  # the society's own
    _co_party(r.work, "Bigfoot Music Corp", PartyKind.PUBLISHER, "010", "034")  # ASCAP and HFA: no agreement
    make_links(r, email_platform("Hôte", "hote.fr"), ["https://hote.fr/f/1"])
    services.build_notices()
    notice = Notice.objects.get()
    assert "Éditions Salabert" in notice.body and "Bigfoot" not in notice.body
    assert r.member.name in notice.body or str(r.member.parties.first()) in notice.body
    names = {h["name"] for h in notice.items.get().rights_holders}
    assert "Bigfoot Music Corp" not in names and "Éditions Salabert" in names
    assert "claims no mandate from them" in notice.body or "ne revendique aucun mandat" in notice.body


def test_a_reciprocal_society_makes_its_parties_represented_and_staff_can_end_it():
    r = rights("Milord")
    _co_party(r.work, "PRS Writer", PartyKind.WRITER, "052", role="C")
    platform = email_platform("Hôte", "hote.fr")
    agreement = ReciprocalSociety.objects.create(code="52", name="PRS for Music", country="GB")
    make_links(r, platform, ["https://hote.fr/f/1"])
    services.build_notices()
    assert "PRS Writer" in Notice.objects.get().body and agreement.code == "052"


def test_the_reporting_member_is_named_as_the_one_who_reported():
    r = rights("Mon légionnaire")
    make_links(r, email_platform("Hôte", "hote.fr"), ["https://hote.fr/f/1"])
    services.build_notices()
    (holder,) = [h for h in Notice.objects.get().items.get().rights_holders if h["reporter"]]
    assert holder["society"] == "member"  # no CWR code: membership is the mandate
    assert f"signalé par : {holder['name']}" in Notice.objects.get().body


def test_a_link_whose_reporter_the_society_does_not_represent_is_held_with_the_reason():
    r = rights("Non, je ne regrette rien")
    Interest.objects.filter(work=r.work, member=r.member).update(pr_society="010")  # ASCAP for this work
    link = make_links(r, email_platform("Hôte", "hote.fr"), ["https://hote.fr/f/1"])[0]
    result = services.build_notices()
    assert Notice.objects.count() == 0 and result.held == [link.pk]
    note = LinkEvent.objects.get(link=link, kind=EventKind.NOTE)
    assert note.data["held"] == "reporter_not_represented" and "Held" in note.message
    link.refresh_from_db()
    assert link.status == LinkStatus.ACCEPTED
    services.build_notices()  # held again: the history says it once
    assert LinkEvent.objects.filter(link=link, kind=EventKind.NOTE).count() == 1
    ReciprocalSociety.objects.create(code="010", name="ASCAP", country="US")  # staff record the agreement
    services.build_notices()
    assert Notice.objects.get().items.get().link_id == link.pk


def test_a_work_with_no_represented_party_is_held():
    r = rights("L'Accordéoniste")
    Interest.objects.filter(work=r.work).update(pr_society="021")  # BMI, every one of them
    link = make_links(r, email_platform("Hôte", "hote.fr"), ["https://hote.fr/f/1"])[0]
    assert services.build_notices().held == [link.pk] and Notice.objects.count() == 0
    assert LinkEvent.objects.get(link=link, kind=EventKind.NOTE).data["held"] == "no_represented_party"


@pytest.mark.parametrize(
    ("codes", "member", "represented"),
    [
        ([], 7, True),  # no code: a member's membership is the mandate
        ([], None, False),  # no code, not a member: nobody gave the society a mandate
        (["058"], None, True),  # the society's own code
        (["052"], None, True),  # a reciprocal society
        (["010", "034"], None, False),  # only societies without an agreement
        (["010"], 7, False),  # a member whose rights in this work are with another society
        (["010", "052"], None, True),  # one right with a reciprocal society is enough
    ],
)
def test_represented_holders_rules(codes, member, represented):
    holder = {"name": "X", "role": "E", "kind": "publisher", "member_id": member, "societies": codes}
    out = represented_holders([holder], 7, frozenset({"058", "052"}))
    assert bool(out) is represented
    if out:
        assert out[0]["reporter"] is (member == 7)


@pytest.mark.parametrize(("raw", "code"), [("21 ", "021"), ("58", "058"), ("052", "052"), (" 10", "010")])
def test_a_cwr_society_code_is_read_in_one_form(raw, code):
    assert normalise_society_code(raw) == code


def test_staff_keep_the_list_of_reciprocal_societies(client):
    from sentinelle.members.models import STAFF_GROUP
    from sentinelle.members.services import ensure_role_groups, grant_role
    from tests.factories import UserFactory

    ensure_role_groups()
    user = UserFactory(is_staff=True)
    grant_role(user, STAFF_GROUP)
    client.force_login(user)
    response = client.post(
        "/admin/notices/reciprocalsociety/add/",
        {"code": "52", "name": "PRS for Music", "country": "GB", "note": "Agreement of 1 January 2001", "active": "on"},
    )
    assert response.status_code == 302
    assert ReciprocalSociety.objects.get().code == "052"
