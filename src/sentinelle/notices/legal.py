"""The legal content of a notice: the statements per regime and language, rendering, and the validator.

The wording of each legal statement lives here, once per language, and is handed to the
templates (``notices/<regime>/<language>/…``); the validator then checks that the rendered text
carries every element of the notice's regime, with the data it needs. docs/notices.md lists each
element, where its data comes from and the text it produces.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation

from sentinelle import conf
from sentinelle.notices.models import Regime

EU_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("dsa_16_2_a", "DSA art. 16(2)(a): substantiated explanation of why each item is illegal"),
    ("dsa_16_2_b", "DSA art. 16(2)(b): the exact electronic location (URL) of each item"),
    ("dsa_16_2_c", "DSA art. 16(2)(c): the notifier's name and e-mail address"),
    ("dsa_16_2_d", "DSA art. 16(2)(d): statement of good faith"),
    ("lcen_date", "LCEN art. 6: the date of the notification"),
    ("lcen_recipient", "LCEN art. 6: the recipient's name"),
    ("lcen_notifier", "LCEN art. 6: the notifier's identity (legal person: form, name, seat, representative)"),
)
US_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("512_c_3_A_i", "17 U.S.C. §512(c)(3)(A)(i): signature of a person authorised to act"),
    ("512_c_3_A_ii", "§512(c)(3)(A)(ii): identification of the copyrighted works"),
    ("512_c_3_A_iii", "§512(c)(3)(A)(iii) / §512(d)(3): identification of the material or link, with its URL"),
    ("512_c_3_A_iv", "§512(c)(3)(A)(iv): the complaining party's contact information"),
    ("512_c_3_A_v", "§512(c)(3)(A)(v): statement of good-faith belief"),
    ("512_c_3_A_vi", "§512(c)(3)(A)(vi): accuracy, and authority under penalty of perjury"),
    ("512_d", "§512(d): the notice names the information-location-tool provision (search engines)"),
)

STATEMENTS: dict[str, dict[str, dict[str, str]]] = {
    Regime.EU: {
        "fr": {
            "mandate": (
                "La société agit en qualité d'organisme de gestion collective, mandatée par ses membres "
                "pour la défense de leurs droits d'auteur sur les œuvres ci-dessous "
                "(articles L. 321-1 et L. 331-1 du code de la propriété intellectuelle)."
            ),
            "illegality": (
                "Chaque contenu listé reproduit ou met à disposition du public une œuvre musicale protégée "
                "sans l'autorisation de ses ayants droit : ni la société ni ses membres n'ont accordé de "
                "licence au service concerné. Il s'agit d'une contrefaçon au sens des articles L. 335-2 et "
                "suivants du code de la propriété intellectuelle, donc d'un contenu illicite au sens de "
                "l'article 3, point h), du règlement (UE) 2022/2065."
            ),
            "good_faith": (
                "Nous déclarons de bonne foi que les informations et allégations contenues dans la présente "
                "notification sont exactes et complètes."
            ),
            "request_remove": (
                "Nous vous demandons de retirer ces contenus ou d'en rendre l'accès impossible promptement, "
                "conformément à l'article 6, I, 2 de la loi n° 2004-575 du 21 juin 2004 (LCEN) et à "
                "l'article 6 du règlement (UE) 2022/2065."
            ),
            "request_delist": (
                "Nous vous demandons de déréférencer ces adresses de vos résultats de recherche promptement."
            ),
        },
        "en": {
            "mandate": (
                "The society acts as a collective management organisation mandated by its members to enforce "
                "their copyright in the works below (French Intellectual Property Code, art. L. 321-1 and "
                "L. 331-1)."
            ),
            "illegality": (
                "Each item listed reproduces or makes available to the public a protected musical work without "
                "the authorisation of its rights holders: neither the society nor its members have licensed "
                "the service concerned. This is copyright infringement (French Intellectual Property Code, art. "
                "L. 335-2 ff.) and therefore illegal content within the meaning of Article 3(h) of Regulation "
                "(EU) 2022/2065."
            ),
            "good_faith": (
                "We confirm our bona fide belief that the information and allegations contained in this "
                "notice are accurate and complete."
            ),
            "request_remove": (
                "We ask you to remove or disable access to these items expeditiously, as required by "
                "Article 6 of Regulation (EU) 2022/2065 and Article 6-I-2 of French law No. 2004-575 (LCEN)."
            ),
            "request_delist": "We ask you to delist these addresses from your search results expeditiously.",
        },
    },
    Regime.US: {
        "fr": {
            "good_faith": (
                "Nous croyons de bonne foi que l'utilisation des œuvres décrite ci-dessus n'est autorisée ni "
                "par le titulaire des droits, ni par son mandataire, ni par la loi."
            ),
            "accuracy": (
                "Les informations contenues dans la présente notification sont exactes et, sous peine de "
                "parjure (under penalty of perjury), le signataire est autorisé à agir au nom du titulaire "
                "des droits exclusifs prétendument enfreints."
            ),
            "request_remove": (
                "Conformément au 17 U.S.C. §512(c), nous vous demandons de retirer promptement ces contenus "
                "ou d'en bloquer l'accès."
            ),
            "request_delist": (
                "Conformément au 17 U.S.C. §512(d), nous vous demandons de retirer promptement ces liens de "
                "vos résultats de recherche ou d'en bloquer l'accès."
            ),
        },
        "en": {
            "good_faith": (
                "We have a good faith belief that use of the material in the manner complained of is not "
                "authorized by the copyright owner, its agent, or the law."
            ),
            "accuracy": (
                "The information in this notification is accurate, and under penalty of perjury, the "
                "undersigned is authorized to act on behalf of the owner of an exclusive right that is "
                "allegedly infringed."
            ),
            "request_remove": (
                "Pursuant to 17 U.S.C. §512(c), we ask you to expeditiously remove or disable access to this material."
            ),
            "request_delist": (
                "Pursuant to 17 U.S.C. §512(d), we ask you to expeditiously remove or disable access to "
                "these references or links in your search results."
            ),
        },
    },
}

REPRESENTATIVE_LIST_MIN_WORKS = 5
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


def single_line(value: object, limit: int = 300) -> str:
    """One printable line: no CR/LF or other control character can reach a header or a heading."""
    return " ".join(_CONTROL.sub(" ", str(value or "")).split())[:limit]


def reference_for_key(idempotency_key: str) -> str:
    """The reference printed on a notice and quoted back by recipients (stable: from the key)."""
    return f"SNT-{idempotency_key[:12].upper()}"


def reference(notice: Any) -> str:
    return reference_for_key(notice.idempotency_key)


def representative_list_min() -> int:
    return conf.notice_representative_list_min()


@dataclass
class ItemData:
    url: str
    site: str
    work_title: str
    work_iswc: str
    rights_holders: list[dict[str, str]]


@dataclass
class NoticeData:
    """Everything a notice's text is made from (what the validator checks against)."""

    regime: str
    language: str
    action: str
    escalation_level: int
    recipient_name: str
    recipient_domain: str
    sender: dict[str, str]
    dated: dt.date
    reference: str
    items: Sequence[ItemData]
    search_engine: bool = False
    statements: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.statements:
            self.statements = dict(STATEMENTS.get(self.regime, {}).get(self.language, {}))

    @property
    def date_text(self) -> str:
        with translation.override(self.language):
            return str(formats.date_format(self.dated, "j F Y"))

    @property
    def signature(self) -> str:
        representative = single_line(self.sender.get("legal_representative", ""))
        return f"/s/ {representative}" if representative else ""


def _holders_text(holders: Sequence[dict[str, str]]) -> str:
    return ", ".join(
        f"{h.get('name', '')} ({h.get('role', '')})" if h.get("role") else h.get("name", "")
        for h in holders
        if h.get("name")
    )


def context(data: NoticeData) -> dict[str, Any]:
    """The template context: works numbered once, and URLs grouped by site.

    A site carrying at least ``SENTINELLE_NOTICE_REPRESENTATIVE_LIST_MIN`` works is listed in the
    "representative list" form (§512(c)(3)(A)(ii)): its works once, then its URLs with the number
    of the work each one carries.
    """
    works: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
    sites: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for n, item in enumerate(data.items, start=1):
        key = (item.work_title, item.work_iswc)
        if key not in works:
            works[key] = {
                "ref": f"W{len(works) + 1}",
                "title": single_line(item.work_title),
                "iswc": item.work_iswc,
                "holders": single_line(_holders_text(item.rights_holders), 2000),
            }
        site = sites.setdefault(item.site, {"site": item.site, "items": [], "work_refs": []})
        ref = works[key]["ref"]
        if ref not in site["work_refs"]:
            site["work_refs"].append(ref)
        site["items"].append({"n": n, "url": item.url, "work": works[key]})
    for site in sites.values():
        site["representative"] = len(site["work_refs"]) >= representative_list_min()
    sender = {k: single_line(v, 500) for k, v in data.sender.items()}
    return {
        "data": data,
        "sender": sender,
        "recipient_name": single_line(data.recipient_name),
        "recipient_domain": single_line(data.recipient_domain),
        "date_text": data.date_text,
        "reference": data.reference,
        "works": list(works.values()),
        "sites": list(sites.values()),
        "item_count": len(data.items),
        "statements": data.statements,
        "signature": data.signature,
        "search_engine": data.search_engine,
        "reminder": data.escalation_level == 1,
        "to_host": data.escalation_level >= 2,
        "delist": data.action == "delist",
    }


def _template(data: NoticeData, name: str) -> str:
    return f"notices/{data.regime}/{data.language}/{name}"


def render_subject(data: NoticeData) -> str:
    with translation.override(data.language):
        return single_line(render_to_string(_template(data, "subject.txt"), context(data)), 250)


def render_body(data: NoticeData) -> str:
    with translation.override(data.language):
        text = render_to_string(_template(data, "body.txt"), context(data))
    # Templates keep their tags on lines of their own; the blank runs they leave are squeezed.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_html(data: NoticeData, body: str) -> str:
    with translation.override(data.language):
        return render_to_string("notices/email/body.html", {**context(data), "body": body})


# --- the validator -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingElement:
    code: str
    label: str
    detail: str

    def __str__(self) -> str:
        return f"{self.label} — {self.detail}"


class NoticeIncomplete(Exception):
    def __init__(self, missing: Sequence[MissingElement]) -> None:
        super().__init__("; ".join(str(m) for m in missing))
        self.missing = list(missing)


def _has(body: str, *values: str) -> bool:
    return all(v and v.strip() and single_line(v, 10_000) in body for v in values)


def _check_eu(data: NoticeData, body: str, ctx: dict[str, Any]) -> dict[str, str]:
    s, sender = data.statements, ctx["sender"]
    problems: dict[str, str] = {}
    works_ok = all(w["title"] and w["holders"] and w["title"] in body for w in ctx["works"])
    if not (_has(body, s.get("mandate", ""), s.get("illegality", "")) and works_ok):
        problems["dsa_16_2_a"] = "the explanation (work, rights holder, mandate, absence of licence) is incomplete"
    if not data.items or not all(item.url and item.url in body for item in data.items):
        problems["dsa_16_2_b"] = "an item's exact URL is missing"
    if not _has(body, sender.get("name", ""), sender.get("email", "")):
        problems["dsa_16_2_c"] = "the notifier's name or e-mail address is missing"
    if not _has(body, s.get("good_faith", "")):
        problems["dsa_16_2_d"] = "the statement of good faith is missing"
    if not _has(body, ctx["date_text"]):
        problems["lcen_date"] = "the date is missing"
    if not _has(body, ctx["recipient_name"]):
        problems["lcen_recipient"] = "the recipient's name is missing"
    if not _has(body, sender.get("name", ""), sender.get("address", ""), sender.get("legal_representative", "")):
        problems["lcen_notifier"] = "the notifier's name, seat or legal representative is missing"
    return problems


def _check_us(data: NoticeData, body: str, ctx: dict[str, Any]) -> dict[str, str]:
    s, sender = data.statements, ctx["sender"]
    problems: dict[str, str] = {}
    if not _has(body, ctx["signature"]):
        problems["512_c_3_A_i"] = "the signature of the authorised person is missing"
    if not ctx["works"] or not all(w["title"] and w["title"] in body for w in ctx["works"]):
        problems["512_c_3_A_ii"] = "a copyrighted work is not identified"
    if not data.items or not all(item.url and item.url in body for item in data.items):
        problems["512_c_3_A_iii"] = "an infringing item's URL is missing"
    if not _has(body, sender.get("address", ""), sender.get("phone", ""), sender.get("email", "")):
        problems["512_c_3_A_iv"] = "the address, telephone number or e-mail address is missing"
    if not _has(body, s.get("good_faith", "")):
        problems["512_c_3_A_v"] = "the good-faith statement is missing"
    if not _has(body, s.get("accuracy", "")):
        problems["512_c_3_A_vi"] = "the accuracy and authority statement under penalty of perjury is missing"
    if data.search_engine and not _has(body, "§512(d)", s.get("request_delist", "")):
        problems["512_d"] = "a notice to a search engine must invoke §512(d) and ask for the links' removal"
    return problems


def elements(regime: str) -> tuple[tuple[str, str], ...]:
    return EU_ELEMENTS if regime == Regime.EU else US_ELEMENTS


def missing_elements(data: NoticeData, body: str) -> list[MissingElement]:
    """Every element of ``data.regime`` the text ``body`` lacks (empty when the notice may go)."""
    ctx = context(data)
    if data.regime == Regime.EU:
        problems = _check_eu(data, body, ctx)
    elif data.regime == Regime.US:
        problems = _check_us(data, body, ctx)
    else:
        return [MissingElement("regime", "regime", f"unknown legal regime {data.regime!r}")]
    return [MissingElement(code, label, problems[code]) for code, label in elements(data.regime) if code in problems]


def validate(data: NoticeData, body: str) -> None:
    missing = missing_elements(data, body)
    if missing:
        raise NoticeIncomplete(missing)
