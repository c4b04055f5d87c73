import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from sentinelle.platforms.models import Platform, PlatformDomain
from sentinelle.platforms.seed import build_seed
from sentinelle.platforms.services import SEED_FILE, load_seed_file, seed_platforms
from sentinelle.platforms.validators import normalise_domain, normalise_path_prefix

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED_DIR = SEED_FILE.parent


@pytest.fixture(scope="module")
def seed() -> dict:
    return load_seed_file()


def by_name(seed: dict) -> dict[str, dict]:
    return {p["name"]: p for p in seed["platforms"]}


def run_seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_platforms", *args, stdout=out)
    return out.getvalue()


# --- The shipped file --------------------------------------------------------------------------


def test_seed_file_is_up_to_date_with_the_build_script():
    if not SHARED.is_dir():
        pytest.fail(f"../shared is missing beside the checkout (looked in {SHARED})")
    assert build_seed.render(build_seed.build(SHARED)) == SEED_FILE.read_text(encoding="utf-8")


def test_nextdns_counts_match_the_source_lists(seed):
    result = build_seed.build_nextdns(SHARED)
    listed = [p for p in seed["platforms"] if p["source"] == "nextdns"]
    assert len(listed) == len(result.platforms)
    source = seed["metadata"]["sources"][1]
    assert source["commit"] == "ba633781c489f976b330e4f9e16a3eeaa828c210"
    assert source["platforms"] == len(listed)
    directory = SHARED / build_seed.NEXTDNS_DIR
    for list_name, info in source["lists_used"].items():
        hosts = [h for h in (directory / list_name).read_text().split() if h]
        assert info["hosts"] == len(hosts)
    # Every listed host is accounted for: a platform covers it, or it was dropped or excluded.
    accounted = set(source["hosts_dropped_for_hand_written_entries"]) | set(source["hosts_excluded"])
    domains = {p["domains"][0][0] for p in listed}
    for list_name in build_seed.LIST_KINDS:
        for host in (directory / list_name).read_text().split():
            covered = any(host == d or host.endswith("." + d) for d in domains)
            assert covered or host in accounted, host


def test_nextdns_platforms_come_only_from_the_mit_lists(seed):
    directory = SHARED / build_seed.NEXTDNS_DIR
    hosts = set()
    for list_name in build_seed.LIST_KINDS:
        hosts |= set((directory / list_name).read_text().split())
    for platform in (p for p in seed["platforms"] if p["source"] == "nextdns"):
        domain = platform["domains"][0][0]
        assert any(h == domain or h.endswith("." + domain) for h in hosts), domain


def test_seed_counts_in_metadata_are_right(seed):
    counts = seed["metadata"]["counts"]
    assert counts["platforms"] == len(seed["platforms"])
    assert counts["domains"] == sum(len(p["domains"]) for p in seed["platforms"])
    assert sum(counts["by_kind"].values()) == counts["platforms"]


def test_licence_and_credit_are_shipped(seed):
    licence = (SEED_DIR / "NEXTDNS-LICENSE.txt").read_text()
    assert "MIT License" in licence and "Copyright (c) 2019 NextDNS" in licence
    notice = (SEED_DIR / "NOTICE").read_text()
    assert "nextdns/piracy-blocklists" in notice and "ba633781c489f976b330e4f9e16a3eeaa828c210" in notice
    assert seed["metadata"]["sources"][1]["licence"] == "MIT"


def test_every_seed_domain_is_valid_and_unique(seed):
    seen = set()
    for platform in seed["platforms"]:
        for domain, prefix in platform["domains"]:
            assert normalise_domain(domain) == domain
            assert normalise_path_prefix(prefix) == (prefix or "")
            assert (domain, prefix) not in seen, domain
            seen.add((domain, prefix))


REQUIRED_SEARCH_ENGINES = ["Google Search", "Bing", "Yandex", "DuckDuckGo", "Qwant", "Baidu"]
# What a French music society licenses today (issue 13): Meta's Facebook and Instagram and TikTok included.
REQUIRED_LICENSED = ["YouTube", "Facebook", "Instagram", "TikTok", "Deezer", "Spotify", "Apple Music", "SoundCloud",
                     "Dailymotion", "Qobuz", "Tidal", "Amazon Music"]  # fmt: skip


def test_seed_has_the_main_search_engines(seed):
    platforms = by_name(seed)
    for name in REQUIRED_SEARCH_ENGINES:
        assert platforms[name]["kind"] == "search_engine"
        assert not platforms[name]["licensed"]
    google = {d for d, _ in platforms["Google Search"]["domains"]}
    assert {"google.com", "google.fr", "google.de", "google.co.uk"} <= google


def test_seed_flags_the_licensed_services(seed):
    platforms = by_name(seed)
    for name in REQUIRED_LICENSED:
        assert platforms[name]["licensed"], name
    for entry in seed["platforms"]:  # each licensed entry says it is a default to check
        assert entry["licensed"] == ("A default of the seed: check it" in entry.get("licence_note", "")), entry["name"]
    youtube = {d for d, _ in platforms["YouTube"]["domains"]}
    assert {"youtube.com", "youtu.be", "music.youtube.com"} <= youtube
    apple = {d for d, _ in platforms["Apple Music"]["domains"]}
    assert "music.apple.com" in apple and "apple.com" not in apple
    assert all(d.startswith("music.amazon.") for d, _ in platforms["Amazon Music"]["domains"])


def test_seed_social_networks_and_shorteners(seed):
    platforms = by_name(seed)
    for name in ["Facebook", "Instagram", "X (Twitter)", "TikTok", "Reddit", "VK", "Telegram", "Snapchat",
                 "Pinterest", "LinkedIn", "Discord"]:  # fmt: skip
        assert platforms[name]["kind"] == "social_network", name
        assert platforms[name]["licensed"] == (name in REQUIRED_LICENSED), name
    shorteners = {d for p in seed["platforms"] if p["kind"] == "url_shortener" for d, _ in p["domains"]}
    assert {"bit.ly", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "buff.ly", "cutt.ly", "rebrand.ly",
            "shorturl.at"} <= shorteners  # fmt: skip


def test_hand_written_entries_win_over_the_lists(seed):
    platforms = by_name(seed)
    assert platforms["VK"]["kind"] == "social_network"  # vk.com is in nextdns' file-hosting list
    assert "vk.com" not in platforms and "mega.nz" not in platforms
    assert platforms["MEGA"]["source"] == "curated"
    nextdns_domains = {p["domains"][0][0] for p in seed["platforms"] if p["source"] == "nextdns"}
    curated_domains = {d for p in seed["platforms"] if p["source"] == "curated" for d, _ in p["domains"]}
    assert not nextdns_domains & curated_domains


def test_subdomain_of_a_shared_host_becomes_its_own_platform(seed):
    platforms = by_name(seed)
    blog = platforms["downloadmovietorrent.wordpress.com"]
    assert blog["kind"] == "torrent_index" and blog["hosting_provider"] == "WordPress.com"
    assert "free.fr" not in platforms and platforms["dl.free.fr"]["kind"] == "file_host"


# --- The command ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_command_loads_everything_and_is_idempotent(seed):
    first = run_seed()
    counts = seed["metadata"]["counts"]
    assert Platform.objects.count() == counts["platforms"]
    assert PlatformDomain.objects.count() == counts["domains"]
    assert f"{counts['platforms']} created" in first
    assert Platform.objects.filter(licensed=True).count() == counts["licensed"]
    for kind, n in counts["by_kind"].items():
        assert Platform.objects.filter(kind=kind).count() == n
    blog = Platform.objects.get(name="downloadmovietorrent.wordpress.com")
    assert blog.hosting_provider is not None and blog.hosting_provider.name == "WordPress.com"
    assert Platform.objects.get(name="Qwant").regime == "eu"
    assert Platform.objects.get(name="Google Search").regime == "us"

    second = run_seed()
    assert Platform.objects.count() == counts["platforms"]
    assert PlatformDomain.objects.count() == counts["domains"]
    assert f"0 created, 0 updated, {counts['platforms']} unchanged" in second
    assert "domains: 0 created, 0 deleted" in second


ENTRY = {
    "name": "Example Tube",
    "kind": "video_platform",
    "licensed": True,
    "jurisdiction": "FR",
    "notice_language": "fr",
    "notice_channel": "email",
    "contact_email": "legal@example.com",
    "domains": [["example.com", None], ["ex.am", None], ["example.org", "/video"]],
}


@pytest.mark.django_db
def test_staff_edits_survive_a_reseed():
    seed_platforms([ENTRY])
    platform = Platform.objects.get(name="Example Tube")
    platform.licensed = False
    platform.contact_email = "copyright@example.com"
    platform.save()
    platform.domains.get(domain="ex.am").delete()

    report = seed_platforms([ENTRY])
    platform.refresh_from_db()
    assert platform.licensed is False
    assert platform.contact_email == "copyright@example.com"
    assert not platform.domains.filter(domain="ex.am").exists()
    assert sorted(report.kept_edits) == ["Example Tube: contact_email", "Example Tube: licensed"]
    assert report.unchanged == 1 and report.updated == 0


@pytest.mark.django_db
def test_unedited_fields_follow_a_new_seed():
    seed_platforms([ENTRY])
    platform = Platform.objects.get(name="Example Tube")
    platform.licensed = False  # staff edit
    platform.save()
    changed = {**ENTRY, "licensed": True, "jurisdiction": "US", "domains": [["example.com", None], ["ex2.am", None]]}
    seed_platforms([changed])
    platform.refresh_from_db()
    assert (platform.jurisdiction, platform.regime, platform.licensed) == ("US", "us", False)
    assert set(platform.domains.values_list("domain", "path_prefix")) == {("example.com", ""), ("ex2.am", "")}


@pytest.mark.django_db
def test_renamed_platform_is_still_recognised():
    seed_platforms([ENTRY])
    Platform.objects.filter(name="Example Tube").update(name="ExampleTube SAS")
    seed_platforms([ENTRY])
    assert list(Platform.objects.values_list("name", flat=True)) == ["ExampleTube SAS"]


@pytest.mark.django_db
def test_staff_created_platform_is_adopted_not_duplicated():
    staff = Platform.objects.create(name="ExampleTube", kind="other", licensed=False)
    PlatformDomain.objects.create(platform=staff, domain="example.com")
    report = seed_platforms([ENTRY])
    assert Platform.objects.count() == 1
    staff.refresh_from_db()
    assert (staff.name, staff.kind, staff.licensed) == ("ExampleTube", "other", False)
    assert staff.domains.count() == 3
    assert report.created == 0


@pytest.mark.django_db
def test_force_overwrites_staff_edits(seed):
    run_seed()
    youtube = Platform.objects.get(name="YouTube")
    youtube.licensed = False
    youtube.contact_email = "me@example.org"
    youtube.save()
    PlatformDomain.objects.filter(domain="youtu.be").delete()

    out = run_seed()
    youtube.refresh_from_db()
    assert youtube.licensed is False and youtube.contact_email == "me@example.org"
    assert not PlatformDomain.objects.filter(domain="youtu.be").exists()
    assert "2 staff edit(s) kept" in out

    run_seed("--force")
    youtube.refresh_from_db()
    assert youtube.licensed is True and youtube.contact_email == ""
    assert PlatformDomain.objects.get(domain="youtu.be").platform == youtube


@pytest.mark.django_db
def test_dry_run_changes_nothing():
    out = run_seed("--dry-run")
    assert out.startswith("[dry run]")
    assert Platform.objects.count() == 0


@pytest.mark.django_db
def test_invalid_entries_are_reported_not_loaded(tmp_path):
    bad = {"platforms": [ENTRY, {"name": "Broken", "kind": "pirate", "domains": []},
                         {"name": "Bad host", "kind": "other", "domains": [["https://x.com/", None]]}]}  # fmt: skip
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(bad))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2 seed"):
        call_command("seed_platforms", "--file", str(path), stdout=StringIO(), stderr=StringIO())
    # Like the catalogue importers: bad entries are reported, the rest is loaded.
    assert list(Platform.objects.values_list("name", flat=True)) == ["Example Tube"]


@pytest.mark.django_db
def test_rows_seeded_before_licence_notes_get_theirs(seed):
    run_seed()
    spotify = Platform.objects.get(name="Spotify")
    state = {k: v for k, v in spotify.seed_state.items() if k != "licence_note"}  # as seeded before the field
    Platform.objects.filter(pk=spotify.pk).update(seed_state=state, licence_note="")
    out = run_seed()
    spotify.refresh_from_db()
    assert "A default of the seed" in spotify.licence_note
    assert "Spotify: licence_note" not in out
