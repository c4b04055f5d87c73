"""The DSA art. 22(3) report of a trusted flagger: what it counts, and how (docs/stats.md).

Article 22(3) of Regulation (EU) 2022/2065 asks a trusted flagger to publish, at least once a
year, a report on the notices it submitted under article 16, listing at least the number of
notices categorised by (a) the identity of the provider of hosting services, (b) the type of
allegedly illegal content notified and (c) the action taken by the provider, with an
explanation of the procedures that keep the flagger independent, and no personal data.

Counted here, for a calendar year in the society's time zone:

* **notices**: notices under the EU regime (article 16 notices) delivered that year
  (``Notice.sent_at``), whatever happened since; notices sent under another regime (the US DMCA)
  are counted apart and left out of every table;
* **links**: the addresses those notices cite (``NoticeItem``); a link cited by two notices (a
  reminder, then its host) counts once per notice, since each provider decides on its own;
* **type of provider**: the recipient's kind in the platform registry, mapped to the DSA's
  categories (``PROVIDER_TYPE``);
* **action taken**, per link of a notice (``action_taken``).

Reads only: the report is computed from the notices, answers and events, not from the roll-ups,
so its totals are exactly the notices in the database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sentinelle import conf
from sentinelle.notices.models import Notice, NoticeItem, RecipientAnswer, Regime
from sentinelle.platforms.models import PlatformKind
from sentinelle.stats.outcomes import REMOVAL_STATUSES
from sentinelle.stats.services import day_bounds
from sentinelle.takedowns.models import Action, LinkEvent

HOSTING, PLATFORM, SEARCH, UNCLASSIFIED = "hosting_service", "online_platform", "search_engine", "unclassified"
PROVIDER_TYPES = {
    HOSTING: gettext_lazy("hosting service"),
    PLATFORM: gettext_lazy("online platform"),
    SEARCH: gettext_lazy("online search engine"),
    UNCLASSIFIED: gettext_lazy("not classified (recipient outside the registry)"),
}
# The registry's kinds in the DSA's categories (art. 3(g)(iii), 3(i), 3(j)).
PROVIDER_TYPE: dict[str, str] = {
    PlatformKind.SEARCH_ENGINE: SEARCH,
    PlatformKind.SOCIAL_NETWORK: PLATFORM,
    PlatformKind.VIDEO_PLATFORM: PLATFORM,
    PlatformKind.AUDIO_STREAMING: PLATFORM,
    PlatformKind.TORRENT_INDEX: PLATFORM,
    PlatformKind.LINK_SITE: PLATFORM,
    PlatformKind.FILE_HOST: HOSTING,
    PlatformKind.OTHER: HOSTING,
    PlatformKind.URL_SHORTENER: UNCLASSIFIED,  # a redirector, not a host of the content
}

REMOVED, DELISTED, ANNOUNCED, REFUSED, COUNTER, NO_ANSWER = (
    "removed",
    "delisted",
    "announced",
    "refused",
    "counter_notice",
    "no_answer",
)
ACTIONS = {
    REMOVED: gettext_lazy("removed or access disabled"),
    DELISTED: gettext_lazy("delisted"),
    ANNOUNCED: gettext_lazy("removal announced, not confirmed by our checks"),
    REFUSED: gettext_lazy("refused"),
    COUNTER: gettext_lazy("counter-notice"),
    NO_ANSWER: gettext_lazy("no answer and no action seen"),
}
COPYRIGHT_MUSICAL = "copyright_musical_work"
CONTENT_TYPES = {COPYRIGHT_MUSICAL: gettext_lazy("copyright infringement: musical work")}


def action_taken(action: str, decision: str | None, removed_since_notice: bool) -> str:
    """What the provider did about one link of a notice.

    A removal (or delisting) seen by the checks after the notice counts first, answered or not;
    then the provider's last answer; with neither, "no answer and no action seen".
    """
    if removed_since_notice:
        return DELISTED if action == Action.DELIST else REMOVED
    if decision == "actioned":
        return ANNOUNCED
    if decision == "refused":
        return REFUSED
    if decision == "counter_notice":
        return COUNTER
    return NO_ANSWER


@dataclass
class Count:
    notices: int = 0
    links: int = 0


@dataclass
class DsaReport:
    year: int
    notices: int
    links: int
    other_regimes: int  # notices of the year under another regime, not in this report
    by_provider_type: dict[str, Count]
    by_provider: dict[tuple[str, str], Count]  # (provider name, provider type)
    by_content: dict[str, Count]
    by_action: dict[str, int]  # links
    by_type_and_action: dict[tuple[str, str], int]  # links
    independence: str


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return day_bounds(dt.date(year, 1, 1))[0], day_bounds(dt.date(year + 1, 1, 1))[0]


def _last_decisions(item_ids: list[int]) -> dict[int, str]:
    decisions: dict[int, str] = {}
    rows = RecipientAnswer.objects.filter(item_id__in=item_ids).order_by("received_at", "id")
    for item_id, decision in rows.values_list("item_id", "decision").iterator(5000):
        decisions[item_id] = decision
    return decisions


def _removals(link_ids: set[int]) -> dict[int, list[dt.datetime]]:
    removals: dict[int, list[dt.datetime]] = defaultdict(list)
    rows = LinkEvent.objects.filter(link_id__in=link_ids, to_status__in=REMOVAL_STATUSES)
    for link_id, at in rows.values_list("link_id", "at").iterator(5000):
        removals[link_id].append(at)
    return removals


def dsa_report(year: int) -> DsaReport:
    start, end = year_bounds(year)
    sent = Notice.objects.filter(sent_at__gte=start, sent_at__lt=end)
    notices = {
        pk: (kind, name, action, sent_at)
        for pk, kind, name, action, sent_at in sent.filter(regime=Regime.EU).values_list(
            "id", "recipient_platform__kind", "recipient_name", "action", "sent_at"
        )
    }
    items = list(NoticeItem.objects.filter(notice_id__in=notices).values_list("id", "notice_id", "link_id"))
    decisions = _last_decisions([item_id for item_id, _n, _l in items])
    removals = _removals({link_id for _i, _n, link_id in items})
    report = DsaReport(
        year=year,
        notices=len(notices),
        links=len(items),
        other_regimes=sent.exclude(regime=Regime.EU).count(),
        by_provider_type=defaultdict(Count),
        by_provider=defaultdict(Count),
        by_content=defaultdict(Count),
        by_action=Counter(),
        by_type_and_action=Counter(),
        independence=conf.dsa_independence_statement(),
    )
    for kind, name, _action, _sent in notices.values():
        ptype = PROVIDER_TYPE.get(kind or "", UNCLASSIFIED)
        report.by_provider_type[ptype].notices += 1
        report.by_provider[(name, ptype)].notices += 1
        report.by_content[COPYRIGHT_MUSICAL].notices += 1
    for item_id, notice_id, link_id in items:
        kind, name, action, sent_at = notices[notice_id]
        ptype = PROVIDER_TYPE.get(kind or "", UNCLASSIFIED)
        removed = sent_at is not None and any(at >= sent_at for at in removals.get(link_id, ()))
        taken = action_taken(action, decisions.get(item_id), removed)
        report.by_provider_type[ptype].links += 1
        report.by_provider[(name, ptype)].links += 1
        report.by_content[COPYRIGHT_MUSICAL].links += 1
        report.by_action[taken] += 1
        report.by_type_and_action[(ptype, taken)] += 1
    return report


def method_text() -> list[str]:
    """How each figure is computed, in the reader's language (printed in every format)."""
    return [
        _(
            "This report covers the notices the society submitted under article 16 of Regulation (EU) "
            "2022/2065 (the Digital Services Act) and delivered during the calendar year (Europe/Paris "
            "time, or the society's configured time zone). Notices sent under another legal regime, such "
            "as the United States' DMCA, are counted apart and are not in the tables."
        ),
        _(
            "A notice is one message to one provider; it may cite several links. Each table gives the "
            "number of notices and the number of links they cite. A link cited by two notices (a reminder, "
            "then a notice to its host) counts once per notice, because each provider decides on its own."
        ),
        _(
            "Type of provider: the recipient's kind in the society's platform registry, in the categories "
            "of the regulation: search engines are online search engines; social networks, video and audio "
            "platforms, torrent indexes and link sites are online platforms; file hosts and other hosts are "
            "hosting services; a recipient outside the registry is shown as not classified."
        ),
        _(
            "Type of allegedly illegal content: every notice concerns an infringement of copyright in "
            "musical works of the society's repertoire; the catalogue records no other kind of work."
        ),
        _(
            "Action taken by the provider, per link: removed or access disabled (or delisted, for a search "
            "engine) when the society's checks saw the page gone after the notice was sent, whether or not "
            "the provider answered (the checks cannot tell a removal from a disabled access); otherwise the "
            "provider's last answer: removal announced but not confirmed by the checks, refused, or a "
            "counter-notice; otherwise no answer and no action seen."
        ),
        _("The report contains no personal data: providers are companies, and no member or work is named."),
    ]


def provider_type_label(value: str) -> str:
    return str(PROVIDER_TYPES.get(value, value))


def action_label(value: str) -> str:
    return str(ACTIONS.get(value, value))


def content_label(value: str) -> str:
    return str(CONTENT_TYPES.get(value, value))
