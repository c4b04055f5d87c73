import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sentinelle.takedowns import services
from sentinelle.takedowns.models import DailyQuotaUsage, LinkEvent, LinkStatus, ReportedLink, TakedownRequest
from tests.factories import InterestFactory, MemberFactory, WorkFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def owned(registry_platforms):
    interest = InterestFactory()
    return interest.member, interest.work


def by_reason(result):
    return {v.line_no: (v.outcome, v.reason) for v in result.verdicts}


def test_every_line_gets_a_verdict_and_accepted_links_are_saved(owned):
    member, work = owned
    text = "\n".join(
        [
            "https://mega.nz/file/AbCdEf12#key-part",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "this is not a link",
            "https://www.google.com/search?q=my+song+mp3",
            "https://www.google.com/url?q=https://pirate-music.example.net/album/1&sa=D",
            "https://1fichier.com/?abcdef1234",
        ]
    )
    result = services.submit_links(member, work.pk, text, ["remove"])
    verdicts = by_reason(result)
    assert verdicts == {
        1: ("accepted", ""),
        2: ("refused", "licensed_platform"),
        3: ("refused", "not_a_url"),
        4: ("refused", "search_page"),
        5: ("accepted", ""),
        6: ("accepted", ""),
    }
    assert "YouTube" in result.verdicts[1].message
    assert result.verdicts[4].url.startswith("https://pirate-music.example.net/album/1")
    accepted = ReportedLink.objects.filter(status=LinkStatus.ACCEPTED)
    assert accepted.count() == 3
    assert {link.platform.name if link.platform else None for link in accepted} == {"MEGA", "1fichier", None}
    assert set(result.verdicts[0].recipients) == {"MEGA"}
    assert result.quota_remaining == 7
    # Each accepted link has its received + accepted events; refused URL lines are kept as refused.
    link = accepted.get(platform__name="MEGA")
    assert list(link.events.values_list("kind", flat=True)) == ["received", "accepted"]
    assert ReportedLink.objects.filter(status=LinkStatus.REFUSED, refusal_reason="licensed_platform").count() == 1
    request = TakedownRequest.objects.get()
    assert (request.line_count, request.accepted_count, request.refused_count) == (6, 3, 3)


def test_delist_goes_to_the_search_engines(owned):
    member, work = owned
    result = services.submit_links(member, work.pk, "http://pirate-music.example.net/track/9", ["delist"])
    assert set(result.verdicts[0].recipients) == {"Google", "Bing"}
    link = ReportedLink.objects.get()
    assert link.action == "delist"
    assert {r["name"] for r in link.recipients} == {"Google", "Bing"}


def test_both_actions_make_two_links_and_count_once(owned):
    member, work = owned
    result = services.submit_links(member, work.pk, "https://mega.nz/file/ZZZ999#k", ["remove", "delist"])
    assert ReportedLink.objects.filter(status=LinkStatus.ACCEPTED).count() == 2
    assert result.quota_remaining == 9


def test_duplicates_within_a_submission_and_across_submissions(owned):
    member, work = owned
    first = services.submit_links(member, work.pk, "https://mega.nz/file/DUP1#k", ["remove"])
    link_id = first.verdicts[0].link_ids[0]
    # The same file under another URL shape, and twice in one paste.
    again = services.submit_links(
        member,
        work.pk,
        "https://mega.nz/#!DUP1!k\nhttps://pirate.example.org/x\nhttps://pirate.example.org/x/",
        ["remove"],
    )
    assert by_reason(again) == {1: ("refused", "duplicate"), 2: ("accepted", ""), 3: ("refused", "duplicate")}
    assert again.verdicts[0].duplicate_of == link_id
    assert ReportedLink.objects.filter(status=LinkStatus.ACCEPTED).count() == 2


def test_same_link_for_another_action_is_not_a_duplicate(owned):
    member, work = owned
    services.submit_links(member, work.pk, "https://pirate.example.org/a", ["remove"])
    result = services.submit_links(member, work.pk, "https://pirate.example.org/a", ["remove", "delist"])
    assert result.verdicts[0].outcome == "accepted"
    assert result.verdicts[0].actions == ["delist"]


def test_co_writer_duplicate_does_not_reveal_the_other_members_link(owned):
    member, work = owned
    co_writer = InterestFactory(work=work).member
    services.submit_links(member, work.pk, "https://pirate.example.org/a", ["remove"])
    result = services.submit_links(co_writer, work.pk, "https://pirate.example.org/a", ["remove"])
    assert result.verdicts[0].reason == "duplicate"
    assert result.verdicts[0].duplicate_of is None


def test_quota_counts_accepted_links_only_and_says_when_it_resets(owned, settings):
    settings.SENTINELLE_DAILY_LINK_QUOTA = 3
    member, work = owned
    now = dt.datetime(2026, 3, 28, 22, 30, tzinfo=dt.UTC)  # 23:30 in Paris, the night before DST
    text = "\n".join(["garbage"] + [f"https://pirate.example.org/{i}" for i in range(5)])
    result = services.submit_links(member, work.pk, text, ["remove"], now=now)
    assert [v.outcome for v in result.verdicts] == ["refused"] + ["accepted"] * 3 + ["refused"] * 2
    assert result.verdicts[-1].reason == "quota"
    assert result.quota_remaining == 0
    assert result.quota_resets_at == dt.datetime(2026, 3, 29, 0, 0, tzinfo=PARIS)
    assert "resets at midnight, Paris time" in result.verdicts[-1].message
    # Quota-refused links are kept (refused) so the member sees them in the history.
    assert ReportedLink.objects.filter(refusal_reason="quota").count() == 2
    # Midnight in Paris (22:00 UTC on 29 March, after the DST change) opens a new day.
    later = services.submit_links(
        member,
        work.pk,
        "https://pirate.example.org/new",
        ["remove"],
        now=dt.datetime(2026, 3, 28, 23, 1, tzinfo=dt.UTC),
    )
    assert later.verdicts[0].outcome == "accepted"
    assert DailyQuotaUsage.objects.get(member=member, day=dt.date(2026, 3, 29)).accepted == 1


def test_staff_can_grant_a_member_another_quota(owned):
    member, work = owned
    member.daily_link_quota = 1
    member.save()
    result = services.submit_links(member, work.pk, "https://a.example.org/1\nhttps://a.example.org/2", ["remove"])
    assert [v.outcome for v in result.verdicts] == ["accepted", "refused"]


def test_a_removed_link_reported_again_is_a_reappearance_outside_the_quota(owned, settings):
    settings.SENTINELLE_DAILY_LINK_QUOTA = 1
    member, work = owned
    services.submit_links(member, work.pk, "https://pirate.example.org/back", ["remove"])
    ReportedLink.objects.update(status=LinkStatus.REMOVED)
    result = services.submit_links(
        member, work.pk, "https://pirate.example.org/back", ["remove"], now=dt.datetime.now(dt.UTC)
    )
    assert result.verdicts[0].outcome == "accepted"
    earlier = ReportedLink.objects.get(pk=result.verdicts[0].reappearance_of)
    assert earlier.status == LinkStatus.REAPPEARED
    assert earlier.events.last().data["follow_up_link"] == result.verdicts[0].link_ids[0]
    # Reported a third time while the new one is being handled: a duplicate.
    again = services.submit_links(member, work.pk, "https://pirate.example.org/back", ["remove"])
    assert again.verdicts[0].reason == "duplicate"


def test_a_link_the_platform_refused_is_a_new_request_on_the_quota(owned, settings):
    settings.SENTINELLE_DAILY_LINK_QUOTA = 1
    member, work = owned
    services.submit_links(member, work.pk, "https://pirate.example.org/refused", ["remove"])
    ReportedLink.objects.update(status=LinkStatus.REFUSED_BY_PLATFORM)
    result = services.submit_links(member, work.pk, "https://pirate.example.org/refused", ["remove"])
    assert result.verdicts[0].reason == "quota"


def test_another_members_work_is_not_found_and_nothing_is_saved(owned):
    member, _work = owned
    other = InterestFactory().work
    with pytest.raises(services.WorkNotFound):
        services.submit_links(member, other.pk, "https://pirate.example.org/a", ["remove"])
    with pytest.raises(services.WorkNotFound):
        services.submit_links(member, WorkFactory().pk, "https://pirate.example.org/a", ["remove"])
    assert not TakedownRequest.objects.exists()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("https://a.example.org/\x00\x01binary", "binary"),
        ("\n".join(f"https://a.example.org/{i}" for i in range(1001)), "too_many_lines"),
        ("x" * (1_048_577), "too_large"),
    ],
)
def test_bad_submissions_are_refused_whole(owned, text, code):
    member, work = owned
    with pytest.raises(services.IntakeError) as err:
        services.submit_links(member, work.pk, text, ["remove"])
    assert err.value.code == code
    assert err.value.message
    assert not ReportedLink.objects.exists() and not TakedownRequest.objects.exists()


def test_unknown_action_is_refused(owned):
    member, work = owned
    with pytest.raises(services.IntakeError) as err:
        services.submit_links(member, work.pk, "https://a.example.org/", ["burn"])
    assert err.value.code == "invalid_action"


def test_hostile_lines_get_clear_verdicts(owned):
    member, work = owned
    text = "\n".join(
        [
            "https://" + "a" * 100_000 + ".example.org/",
            "http://127.0.0.1/admin",
            "http://10.0.0.8/x",
            "ftp://files.example.org/song.mp3",
            "https://g\u043e\u043egle.com/search?q=x",  # Cyrillic o: a look-alike host, not Google
            "\u202e\u0000",
        ]
    )
    result = services.submit_links(member, work.pk, text.replace("\u0000", ""), ["remove"])
    reasons = by_reason(result)
    assert reasons[1] == ("refused", "not_a_url")
    assert reasons[2] == ("refused", "not_a_url") and reasons[3] == ("refused", "not_a_url")
    assert reasons[4] == ("refused", "not_a_url")
    lookalike = result.verdicts[4]
    assert lookalike.outcome == "accepted" and lookalike.url.startswith("https://xn--")
    assert lookalike.platform != "Google"
    assert all(v.message for v in result.verdicts)


def test_events_are_kept_in_order(owned):
    member, work = owned
    services.submit_links(member, work.pk, "https://pirate.example.org/t", ["remove"])
    assert list(LinkEvent.objects.values_list("kind", "to_status")) == [("received", ""), ("accepted", "accepted")]


def test_member_without_interest_in_any_work(registry_platforms):
    member = MemberFactory()
    work = WorkFactory()
    with pytest.raises(services.WorkNotFound):
        services.submit_links(member, work.pk, "https://x.example.org", ["remove"])


def test_the_same_file_on_another_host_is_a_new_link_and_leaves_the_original_alone(owned):
    member, work = owned
    services.submit_links(member, work.pk, "https://mega.nz/file/AbCdEf12#key", ["remove"])
    original = ReportedLink.objects.get()
    services.change_status(original, LinkStatus.REMOVED, kind="check", message="404 twice")
    result = services.submit_links(member, work.pk, "https://mega.co.nz/#!AbCdEf12!key", ["remove"])
    verdict = result.verdicts[0]
    assert (verdict.outcome, verdict.reappearance_of) == ("accepted", None)
    new = ReportedLink.objects.get(pk=verdict.link_ids[0])
    assert (new.host, new.status) == ("mega.co.nz", LinkStatus.ACCEPTED)
    original.refresh_from_db()
    assert original.status == LinkStatus.REMOVED
    assert not original.events.filter(to_status=LinkStatus.REAPPEARED).exists()


def test_a_counter_notice_does_not_block_a_later_report(owned):
    member, work = owned
    services.submit_links(member, work.pk, "https://pirate.example.org/disputed", ["remove"])
    earlier = ReportedLink.objects.get()
    services.change_status(earlier, LinkStatus.COUNTER_NOTICE, kind="answer", message="uploader disputes")
    result = services.submit_links(member, work.pk, "https://pirate.example.org/disputed", ["remove"])
    assert result.verdicts[0].outcome == "accepted"


def test_a_submission_does_not_query_line_by_line(owned, settings):
    """Set-based intake: one look-up of the earlier reports for all lines, links and events
    written in bulk; only the insert batches (SQLite's are small) grow with the lines."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member, work = owned
    member.daily_link_quota = 1000
    member.save()
    # Earlier reports the look-up must find: an active duplicate and a removed link back online.
    services.submit_links(
        member, work.pk, "https://pirate.example.org/dup\nhttps://pirate.example.org/back", ["remove"]
    )
    ReportedLink.objects.filter(url__endswith="/back").update(status=LinkStatus.REMOVED)

    def queries(n: int) -> tuple[int, services.SubmissionResult]:
        lines = [f"https://pirate-{n}.example.net/f/{i}" for i in range(n)]
        lines += ["https://pirate.example.org/dup", "https://pirate.example.org/back"]
        with CaptureQueriesContext(connection) as ctx:
            result = services.submit_links(member, work.pk, "\n".join(lines), ["remove", "delist"])
        return len(ctx.captured_queries), result

    few, _ = queries(10)
    ReportedLink.objects.filter(url__endswith="/back").update(status=LinkStatus.REMOVED)
    many, result = queries(200)
    assert few < 25 and many < 50  # line by line it was several queries a line
    verdicts = {v.text.rsplit("/", 1)[-1]: v for v in result.verdicts}
    assert verdicts["dup"].reason == "duplicate" and verdicts["dup"].duplicate_of is not None
    assert verdicts["back"].outcome == "accepted" and verdicts["back"].reappearance_of is not None
    assert ReportedLink.objects.filter(url__startswith="https://pirate-200.example.net/").count() == 400
    assert LinkEvent.objects.filter(link__url__startswith="https://pirate-200.example.net/").count() == 800
    assert all(v.link_ids for v in result.verdicts if v.outcome == "accepted")


def test_each_accepted_line_is_told_the_next_steps_of_its_own_links(owned, registry_platforms):
    """Next steps are read once per routing group (action, platform, site, recipients): every line
    is still told what the routing says of its own links, whatever the other lines of the submission."""
    from sentinelle.notices.selectors import next_steps
    from sentinelle.recipients.models import ContactOverride

    member, work = owned
    mega = registry_platforms["mega"]
    mega.notice_channel, mega.contact_email = "email", "abuse@mega.nz"
    mega.save()
    ContactOverride.objects.create(registrable_domain="locker.example", address="legal@locker.example")
    text = "\n".join(
        [
            "https://mega.nz/file/X1#k",
            "https://nobody-home.to/t/1",
            "https://locker.example/f/1",
            "https://mega.nz/file/X2#k",
            "https://nobody-home.to/t/2",
            "https://locker.example/f/2",
            "https://another-site.example/a",
        ]
    )
    result = services.submit_links(member, work.pk, text, ["remove", "delist"])
    assert [v.outcome for v in result.verdicts] == ["accepted"] * 7
    for verdict in result.verdicts:
        own = next_steps(verdict.link_ids)
        expected = list(dict.fromkeys(step.text for pk in verdict.link_ids for step in own[pk]))
        assert verdict.next_steps == expected and len(expected) >= 2, verdict.line_no
        assert verdict.message.endswith(" ".join(expected))
    told = {v.line_no: " ".join(v.next_steps) for v in result.verdicts}
    assert "MEGA leaves by e-mail" in told[1] and "no contact found yet for nobody-home.to" in told[2]
    assert "locker.example leaves by e-mail" in told[3] and "for locker.example" not in told[3]
    assert told[1] == told[4] and told[2] == told[5] and told[3] == told[6] and told[2] != told[7]
