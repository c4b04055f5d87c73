"""The legal content of a notice: the statements per regime and language, rendering, and the validator.

The wording of each legal statement lives here, once per language, and is handed to the
templates (``notices/<regime>/<language>/…``); the validator then checks that the rendered text
carries every element of the notice's regime, with the data it needs. docs/notices.md lists each
element, where its data comes from and the text it produces.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation

from sentinelle import conf
from sentinelle.notices.models import Language, Regime
from sentinelle.takedowns.models import LEVEL_HOSTING, LEVEL_REGISTRAR

# The texts relied on (docs/notices.md, "The law as cited"): Regulation (EU) 2022/2065 (DSA) as
# published (OJ L 277, 27.10.2022), applicable since 17 February 2024; the French Intellectual
# Property Code (CPI) and law No. 2004-575 (LCEN) as consolidated after law No. 2024-449 of 21 May
# 2024 (SREN, JORF 22 May 2024). Written from knowledge of those texts, not checked against
# Légifrance from here: a lawyer must confirm them before the service sends notices.
LEGAL_TEXTS_AS_OF = "2024-05-22"

EU_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("dsa_16_2_a", "DSA art. 16(2)(a): a sufficiently substantiated explanation of why each item is illegal"),
    ("dsa_16_2_b", "DSA art. 16(2)(b): a clear indication of the exact electronic location (URL) of each item"),
    ("dsa_16_2_c", "DSA art. 16(2)(c): the name and e-mail address of the entity submitting the notice"),
    ("dsa_16_2_d", "DSA art. 16(2)(d): the statement of bona fide belief that the notice is accurate and complete"),
    ("represented", "who the notice speaks for: the represented rights holders, the reporter among them"),
)
US_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("512_c_3_A_i", "17 U.S.C. §512(c)(3)(A)(i): signature of a person authorised to act"),
    ("512_c_3_A_ii", "§512(c)(3)(A)(ii): identification of the copyrighted works"),
    ("512_c_3_A_iii", "§512(c)(3)(A)(iii) / §512(d)(3): identification of the material or link, with its URL"),
    ("512_c_3_A_iv", "§512(c)(3)(A)(iv): the complaining party's contact information"),
    ("512_c_3_A_v", "§512(c)(3)(A)(v): statement of good-faith belief"),
    ("512_c_3_A_vi", "§512(c)(3)(A)(vi): accuracy, and authority under penalty of perjury"),
    ("512_d", "§512(d): the notice names the information-location-tool provision (search engines)"),
    ("represented", "who the notice speaks for: the represented rights holders, the reporter among them"),
)

# Each article a notice cites, pinned to the words of the text relied on (tests/notices/test_law.py
# holds the same wording: changing a citation or its reading is a deliberate change in two places).
CITED_ARTICLES: dict[str, str] = {
    "DSA art. 3(h)": (
        "'illegal content' means any information that, in itself or in relation to an activity, including the "
        "sale of products or the provision of services, is not in compliance with Union law or the law of any "
        "Member State which is in compliance with Union law, irrespective of the precise subject matter or "
        "nature of that law"
    ),
    "DSA art. 6(1)": (
        "the service provider shall not be liable for the information stored at the request of a recipient of "
        "the service, on condition that the provider: (a) does not have actual knowledge of illegal activity or "
        "illegal content [...]; or (b) upon obtaining such knowledge or awareness, acts expeditiously to remove "
        "or to disable access to the illegal content"
    ),
    "DSA art. 16(2)": (
        "(a) a sufficiently substantiated explanation of the reasons why the individual or entity alleges the "
        "information in question to be illegal content; (b) a clear indication of the exact electronic location "
        "of that information, such as the exact URL or URLs [...]; (c) the name and email address of the "
        "individual or entity submitting the notice [...]; (d) a statement confirming the bona fide belief of "
        "the individual or entity submitting the notice that the information and allegations contained therein "
        "are accurate and complete"
    ),
    "DSA art. 16(3)": (
        "Notices referred to in this Article shall be considered to give rise to actual knowledge or awareness "
        "for the purposes of Article 6 in respect of the specific item of information concerned where they allow "
        "a diligent provider of hosting services to identify the illegality of the relevant activity or "
        "information without a detailed legal examination"
    ),
    "DSA art. 16(4)": (
        "Where the notice contains the electronic contact information of the individual or entity that submitted "
        "it, the provider of hosting services shall, without undue delay, send a confirmation of receipt of the "
        "notice to that individual or entity"
    ),
    "DSA art. 16(5)": (
        "The provider shall also, without undue delay, notify that individual or entity of its decision in "
        "respect of the information to which the notice relates, providing information on the possibilities for "
        "redress in respect of that decision"
    ),
    "CPI L. 122-4": (
        "Toute représentation ou reproduction intégrale ou partielle faite sans le consentement de l'auteur ou "
        "de ses ayants droit ou ayants cause est illicite."
    ),
    "CPI L. 335-2": (
        "Toute édition d'écrits, de composition musicale, de dessin, de peinture ou de toute autre production, "
        "imprimée ou gravée en entier ou en partie, au mépris des lois et règlements relatifs à la propriété des "
        "auteurs, est une contrefaçon et toute contrefaçon est un délit."
    ),
    "CPI L. 335-3": (
        "Est également un délit de contrefaçon toute reproduction, représentation ou diffusion, par quelque moyen "
        "que ce soit, d'une oeuvre de l'esprit en violation des droits de l'auteur, tels qu'ils sont définis et "
        "réglementés par la loi."
    ),
    "CPI L. 321-1": (
        "Les organismes de gestion collective sont des personnes morales constituées sous toute forme juridique "
        "dont l'objet principal consiste à gérer le droit d'auteur ou les droits voisins de celui-ci pour le "
        "compte de plusieurs titulaires de ces droits [...] à leur profit collectif, soit en vertu de "
        "dispositions légales, soit en exécution d'un contrat."
    ),
    "CPI L. 321-2": (
        "Les organismes de gestion collective régulièrement constitués ont qualité pour ester en justice pour la "
        "défense des droits dont ils ont statutairement la charge."
    ),
    "LCEN art. 6 (SREN)": (
        "Article 6 of law No. 2004-575 of 21 June 2004, as rewritten by law No. 2024-449 of 21 May 2024 (SREN) "
        "to leave hosting providers' liability and the contents of notices to Regulation (EU) 2022/2065: cited "
        "only as 'see also', never for a requirement of its own"
    ),
}

STATEMENTS: dict[str, dict[str, dict[str, str]]] = {
    Regime.EU: {
        "fr": {
            "mandate": (
                "La société est un organisme de gestion collective au sens de l'article L. 321-1 du code de la "
                "propriété intellectuelle ; l'article L. 321-2 du même code lui donne qualité pour agir en "
                "défense des droits dont elle a statutairement la charge."
            ),
            "represented": (
                "Elle agit ici pour les seuls ayants droit désignés ci-dessous comme représentés : ses membres et "
                "les membres des sociétés avec lesquelles elle a conclu un accord de représentation réciproque. "
                "Le signalement émane de l'un d'eux, nommé pour chaque œuvre. La société n'agit pour aucun autre "
                "ayant droit de ces œuvres et ne revendique aucun mandat de leur part."
            ),
            "illegality": (
                "Chaque contenu listé reproduit ou représente une œuvre musicale protégée sans le consentement de "
                "ses auteurs ou de leurs ayants droit, ce que l'article L. 122-4 du code de la propriété "
                "intellectuelle déclare illicite : ni la société ni les ayants droit qu'elle représente n'ont "
                "autorisé le service concerné. Ces actes constituent le délit de contrefaçon des articles L. 335-2 "
                "et L. 335-3 du même code ; ces contenus sont donc des contenus illicites au sens de l'article 3, "
                "point h), du règlement (UE) 2022/2065 (règlement sur les services numériques)."
            ),
            "good_faith": (
                "Nous déclarons penser, de bonne foi, que les informations et allégations contenues dans la "
                "présente notification sont exactes et complètes."
            ),
            "knowledge": (
                "La présente notification comporte les éléments énumérés à l'article 16, paragraphe 2, du "
                "règlement (UE) 2022/2065 et permet d'établir le caractère illicite de ces contenus sans examen "
                "juridique détaillé : elle vous en donne connaissance effective (article 16, paragraphe 3). Aux "
                "termes de l'article 6, paragraphe 1, du même règlement, un hébergeur qui a connaissance d'un "
                "contenu illicite ne bénéficie de l'exemption de responsabilité que s'il agit promptement pour le "
                "retirer ou en rendre l'accès impossible (voir aussi l'article 6 de la loi n° 2004-575 du 21 juin "
                "2004, dans sa rédaction issue de la loi n° 2024-449 du 21 mai 2024)."
            ),
            "request_remove": (
                "Nous vous demandons de retirer ces contenus ou d'en rendre l'accès impossible, de nous accuser "
                "réception de la présente notification et de nous informer de votre décision (article 16, "
                "paragraphes 4 et 5, du règlement)."
            ),
            "request_delist": (
                "Nous vous demandons de déréférencer promptement ces adresses de vos résultats de recherche. La "
                "présente notification comporte, pour chacune, les éléments que l'article 16, paragraphe 2, du "
                "règlement (UE) 2022/2065 prévoit pour les notifications."
            ),
        },
        "en": {
            "mandate": (
                "The society is a collective management organisation within the meaning of Article L. 321-1 of the "
                "French Intellectual Property Code; Article L. 321-2 of that Code gives it standing to defend the "
                "rights its statutes entrust to it."
            ),
            "represented": (
                "It acts here only for the rights holders named below as represented: its members, and the members "
                "of societies with which it has reciprocal representation agreements. The report comes from one of "
                "them, named for each work. The society does not act for any other rights holder of these works "
                "and claims no mandate from them."
            ),
            "illegality": (
                "Each item listed reproduces or communicates to the public a protected musical work without the "
                "consent of its authors or their successors in title, which Article L. 122-4 of the French "
                "Intellectual Property Code declares unlawful: neither the society nor the rights holders it "
                "represents have authorised the service concerned. These acts are the offence of infringement "
                "under Articles L. 335-2 and L. 335-3 of that Code, so the items are illegal content within the "
                "meaning of Article 3(h) of Regulation (EU) 2022/2065 (Digital Services Act)."
            ),
            "good_faith": (
                "We confirm our bona fide belief that the information and allegations contained in this notice "
                "are accurate and complete."
            ),
            "knowledge": (
                "This notice contains the elements listed in Article 16(2) of Regulation (EU) 2022/2065 and allows "
                "the illegality of these items to be identified without a detailed legal examination: it gives you "
                "actual knowledge of them (Article 16(3)). Under Article 6(1) of that Regulation, a hosting "
                "provider with such knowledge keeps the benefit of the exemption from liability only if it acts "
                "expeditiously to remove or to disable access to the illegal content (see also Article 6 of French "
                "law No. 2004-575 of 21 June 2004, as amended by law No. 2024-449 of 21 May 2024)."
            ),
            "request_remove": (
                "We ask you to remove or disable access to these items, to confirm receipt of this notice and to "
                "inform us of your decision (Article 16(4) and (5) of the Regulation)."
            ),
            "request_delist": (
                "We ask you to delist these addresses from your search results expeditiously. For each of them, "
                "this notice gives the elements that Article 16(2) of Regulation (EU) 2022/2065 lists for notices."
            ),
        },
    },
    Regime.US: {
        "fr": {
            "represented": (
                "La société agit pour les seuls titulaires de droits désignés ci-dessous comme représentés : ses "
                "membres et les membres des sociétés avec lesquelles elle a conclu un accord de représentation "
                "réciproque. Le signalement émane de l'un d'eux, nommé pour chaque œuvre. Elle n'agit pour aucun "
                "autre titulaire de droits sur ces œuvres et ne revendique aucun mandat de leur part."
            ),
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
            "represented": (
                "The society acts only for the rights holders named below as represented: its members, and the "
                "members of societies with which it has reciprocal representation agreements. The report comes "
                "from one of them, named for each work. The society does not act for any other owner of rights in "
                "these works and claims no authority from them."
            ),
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
    return _single_line(str(value or ""), limit)


@functools.lru_cache(maxsize=16384)  # the same titles and names, over and over, in a building pass
def _single_line(text: str, limit: int) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


def sender_lines(sender: Mapping[str, Any]) -> list[str]:
    """The sender a notice names, as lines a person reads (the stored JSON, in a fixed order)."""
    value = {k: single_line(v, 500) for k, v in (sender or {}).items() if v}
    place = " ".join(filter(None, (value.get("postcode"), value.get("city"))))
    postal = (
        [value.get("street", ""), place, value.get("country", "")]
        if value.get("street")
        else [value.get("address", "")]
    )
    lines = [value.get("name", ""), *postal]
    if value.get("email"):
        lines.append(translation.gettext("e-mail: %(email)s") % {"email": value["email"]})
    if value.get("phone"):
        lines.append(translation.gettext("phone: %(phone)s") % {"phone": value["phone"]})
    if value.get("legal_representative"):
        lines.append(translation.gettext("represented by %(name)s") % {"name": value["legal_representative"]})
    return [line for line in lines if line]


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
    # The represented rights holders only (``notices.services.build.represented_holders``): name, CWR
    # role, kind (writer / publisher), the society that makes them represented, and ``reporter`` on
    # the reporting member's own parties.
    rights_holders: list[dict[str, Any]]


def designated_address(channel: str, email: str, endpoint: str) -> str:
    """The recipient's address named in a notice's "To:": where it says it takes notices (its
    copyright e-mail, or its form: Google Search is reportcontent.google.com, not google.at). An
    HTTPS endpoint is a machine's address and a recipient without a channel has none: the notice
    then names the recipient's domain."""
    if channel == "email":
        return email
    if channel in ("https", "none"):
        return ""
    return endpoint or email


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
    # notices/routing.py's role for a first notice: "hosting" or "cdn" make it a hosting-provider notice.
    recipient_role: str = ""
    statements: dict[str, str] = field(default_factory=dict)
    # The recipient's designated notice address (its copyright e-mail or form), named in "To:"
    # rather than one of its domains (Google Search is not "google.at").
    recipient_address: str = ""

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


def _holders_text(holders: Sequence[dict[str, Any]]) -> str:
    return ", ".join(
        f"{h.get('name', '')} ({h.get('role', '')})" if h.get("role") else h.get("name", "")
        for h in holders
        if h.get("name")
    )


def _reporters(holders: Sequence[dict[str, Any]]) -> list[str]:
    """The represented holders who reported the link (the reporting member's parties in the work)."""
    return [single_line(h["name"]) for h in holders if h.get("reporter") and h.get("name")]


# How a work's title is quoted after its URL, by the notice's language.
QUOTES: dict[str, tuple[str, str]] = {Language.EN: ('"', '"'), Language.FR: ("« ", " »")}


def _item_line(item: dict[str, Any], representative: bool, quotes: tuple[str, str]) -> str:
    """``n. URL — W1 "title"`` (the title left out in a representative list, which names the works
    once); made here rather than in the templates, where a notice of 1,000 URLs spent most of its
    rendering."""
    line = f"{item['n']}. {item['url']} — {item['work']['ref']}"
    if not representative:
        line += f" {quotes[0]}{item['work']['title']}{quotes[1]}"
    return line + "\n"


def work_line(work: dict[str, Any], quotes: tuple[str, str], holders_label: str, reporters_label: str) -> str:
    """``W1. "title" — ISWC T-… — <holders_label> names — <reporters_label> names`` (the labels are the
    template's: ``{% work_lines %}``)."""
    iswc = f" — ISWC {work['iswc']}" if work["iswc"] else ""
    reporters = ", ".join(work["reporters"])
    return (
        f"{work['ref']}. {quotes[0]}{work['title']}{quotes[1]}{iswc} — {holders_label} {work['holders']}"
        f" — {reporters_label} {reporters}"
    )


class _Works:
    """A notice's works, numbered in the order of their first item, each with its represented
    holders and, among them, those who reported its links."""

    def __init__(self) -> None:
        self.by_key: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self.holders_seen: set[tuple[tuple[str, str], int]] = set()  # (work, id of a holders list): items share lists

    def add(self, item: ItemData) -> dict[str, Any]:
        """The work of ``item`` (numbered if it is new), its reporters completed from the item's holders."""
        key = (item.work_title, item.work_iswc)
        work = self.by_key.get(key)
        if work is None:
            work = self.by_key[key] = {
                "ref": f"W{len(self.by_key) + 1}",
                "title": single_line(item.work_title),
                "iswc": item.work_iswc,
                "holders": single_line(_holders_text(item.rights_holders), 2000),
                "reporters": [],
            }
        if (key, id(item.rights_holders)) not in self.holders_seen:
            self.holders_seen.add((key, id(item.rights_holders)))
            for name in _reporters(item.rights_holders):
                if name not in work["reporters"]:
                    work["reporters"].append(name)
        return work

    def listed(self) -> list[dict[str, Any]]:
        return list(self.by_key.values())


def _sender(data: NoticeData) -> dict[str, str]:
    return {k: single_line(v, 500) for k, v in data.sender.items()}


def context(data: NoticeData) -> dict[str, Any]:
    """The template context: works numbered once, and URLs grouped by site.

    A site carrying at least ``SENTINELLE_NOTICE_REPRESENTATIVE_LIST_MIN`` works is listed in the
    "representative list" form (§512(c)(3)(A)(ii)): its works once, then its URLs with the number
    of the work each one carries.
    """
    works = _Works()
    sites: OrderedDict[str, dict[str, Any]] = OrderedDict()
    refs_seen: set[tuple[str, str]] = set()  # (site, work ref)
    for n, item in enumerate(data.items, start=1):
        work = works.add(item)
        site = sites.get(item.site)
        if site is None:
            site = sites[item.site] = {"site": item.site, "items": [], "work_refs": []}
        if (item.site, work["ref"]) not in refs_seen:
            refs_seen.add((item.site, work["ref"]))
            site["work_refs"].append(work["ref"])
        site["items"].append({"n": n, "url": item.url, "work": work})
    quotes = QUOTES.get(data.language, QUOTES[Language.EN])
    for site in sites.values():
        site["representative"] = len(site["work_refs"]) >= representative_list_min()
        site["lines"] = "".join(_item_line(item, site["representative"], quotes) for item in site["items"])
    return {
        "data": data,
        "sender": _sender(data),
        "recipient_name": single_line(data.recipient_name),
        "recipient_domain": single_line(data.recipient_domain),
        "recipient_address": single_line(data.recipient_address, 500),
        "date_text": data.date_text,
        "reference": data.reference,
        "works": works.listed(),
        "quotes": quotes,
        "sites": list(sites.values()),
        "item_count": len(data.items),
        "statements": data.statements,
        "signature": data.signature,
        "search_engine": data.search_engine,
        "reminder": data.escalation_level == 1,
        "to_host": data.escalation_level == LEVEL_HOSTING,
        "to_registrar": data.escalation_level >= LEVEL_REGISTRAR,
        "as_host": data.escalation_level < 2 and data.recipient_role == "hosting",
        "as_cdn": data.escalation_level < 2 and data.recipient_role == "cdn",
        "delist": data.action == "delist",
    }


def _template(data: NoticeData, name: str) -> str:
    return f"notices/{data.regime}/{data.language}/{name}"


def render_subject(data: NoticeData, ctx: dict[str, Any] | None = None) -> str:
    """The subject line (``ctx``: ``context(data)`` when the caller has it already)."""
    with translation.override(data.language):
        return single_line(render_to_string(_template(data, "subject.txt"), ctx or context(data)), 250)


def render_body(data: NoticeData, ctx: dict[str, Any] | None = None) -> str:
    """The text (``ctx``: ``context(data)`` when the caller has it already)."""
    with translation.override(data.language):
        text = render_to_string(_template(data, "body.txt"), ctx or context(data))
    # Templates keep their tags on lines of their own; the blank runs they leave are squeezed.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_html(data: NoticeData, body: str) -> str:
    """The HTML part of the e-mail: the text as it is, escaped. Its template reads the language, the
    reference and the text only, so the full ``context`` (works numbered, URLs grouped by site: a
    few milliseconds for a notice of hundreds of URLs) is not built for it."""
    with translation.override(data.language):
        return render_to_string("notices/email/body.html", {"data": data, "reference": data.reference, "body": body})


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
    return all(v and v.strip() for v in values) and _all_in(body, [single_line(v, 10_000) for v in values])


def _all_in(body: str, needles: Iterable[str]) -> bool:
    """Every one of ``needles`` is in ``body``. Each is looked for from where the one before was
    found, then, if not there, from the start: a notice lists its works and URLs in the order they
    are checked, so the checks read the text about once, where a search from the start for each
    would be quadratic in the size of the notice (1,000 works or URLs, 100 kB)."""
    at = 0
    for needle in needles:
        found = body.find(needle, at)
        if found < 0:
            found = body.find(needle)
            if found < 0:
                return False
        at = found
    return True


def _urls_in(data: NoticeData, body: str) -> bool:
    """Every item's URL is in the text (looked for in the order the text lists them: by site, the
    sites in the order of their first item)."""
    sites: dict[str, int] = {}
    for item in data.items:
        sites.setdefault(item.site, len(sites))
    in_order = sorted(data.items, key=lambda item: sites[item.site])
    return bool(data.items) and all(item.url for item in data.items) and _all_in(body, (i.url for i in in_order))


def _titles_in(body: str, works: Sequence[dict[str, Any]]) -> bool:
    return all(w["title"] for w in works) and _all_in(body, (w["title"] for w in works))


def _check_eu(data: NoticeData, body: str, ctx: dict[str, Any]) -> dict[str, str]:
    s, sender = data.statements, ctx["sender"]
    problems: dict[str, str] = {}
    works_ok = all(w["holders"] for w in ctx["works"]) and _titles_in(body, ctx["works"])
    if not (_has(body, s.get("mandate", ""), s.get("illegality", "")) and works_ok):
        problems["dsa_16_2_a"] = "the explanation (work, rights holder, standing, absence of licence) is incomplete"
    if not _urls_in(data, body):
        problems["dsa_16_2_b"] = "an item's exact URL is missing"
    if not _has(body, sender.get("name", ""), sender.get("email", "")):
        problems["dsa_16_2_c"] = "the notifier's name or e-mail address is missing"
    if not _has(body, s.get("good_faith", "")):
        problems["dsa_16_2_d"] = "the statement of good faith is missing"
    if not data.search_engine and not _has(body, s.get("knowledge", ""), s.get("request_remove", "")):
        problems["dsa_16_2_a"] = "the explanation of what the notice means for the hosting provider is missing"
    return {**problems, **_check_represented(data, body, ctx)}


def _check_represented(data: NoticeData, body: str, ctx: dict[str, Any]) -> dict[str, str]:
    """Each work names the rights holders the society represents, and the one who reported among them."""
    reporters = [name for w in ctx["works"] for name in w["reporters"]]
    works_ok = all(w["holders"] and w["reporters"] for w in ctx["works"]) and _has(body, *reporters)
    if not (_has(body, data.statements.get("represented", "")) and ctx["works"] and works_ok):
        return {"represented": "a work names no represented rights holder, or not the one who reported it"}
    return {}


def _check_us(data: NoticeData, body: str, ctx: dict[str, Any]) -> dict[str, str]:
    s, sender = data.statements, ctx["sender"]
    problems: dict[str, str] = {}
    if not _has(body, ctx["signature"]):
        problems["512_c_3_A_i"] = "the signature of the authorised person is missing"
    if not ctx["works"] or not _titles_in(body, ctx["works"]):
        problems["512_c_3_A_ii"] = "a copyrighted work is not identified"
    if not _urls_in(data, body):
        problems["512_c_3_A_iii"] = "an infringing item's URL is missing"
    if not _has(body, sender.get("address", ""), sender.get("phone", ""), sender.get("email", "")):
        problems["512_c_3_A_iv"] = "the address, telephone number or e-mail address is missing"
    if not _has(body, s.get("good_faith", "")):
        problems["512_c_3_A_v"] = "the good-faith statement is missing"
    if not _has(body, s.get("accuracy", "")):
        problems["512_c_3_A_vi"] = "the accuracy and authority statement under penalty of perjury is missing"
    if data.search_engine and not _has(body, "§512(d)", s.get("request_delist", "")):
        problems["512_d"] = "a notice to a search engine must invoke §512(d) and ask for the links' removal"
    return {**problems, **_check_represented(data, body, ctx)}


def elements(regime: str) -> tuple[tuple[str, str], ...]:
    return EU_ELEMENTS if regime == Regime.EU else US_ELEMENTS


def missing_elements(data: NoticeData, body: str, ctx: dict[str, Any] | None = None) -> list[MissingElement]:
    """Every element of ``data.regime`` the text ``body`` lacks (empty when the notice may go)."""
    if not ctx:
        # What the checks read of the context (works, sender, signature): not the URLs grouped by
        # site and their lines, which only the text needs.
        works = _Works()
        for item in data.items:
            works.add(item)
        ctx = {"works": works.listed(), "sender": _sender(data), "signature": data.signature}
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
