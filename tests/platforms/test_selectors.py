import pytest
from django.core.management import call_command

from sentinelle.linkkit import PlatformRule, Registry, classify
from sentinelle.platforms import selectors
from sentinelle.platforms.models import Platform, PlatformDomain
from tests.platforms.factories import PlatformDomainFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def test_platform_rules_export_plain_rows():
    apple = PlatformFactory(name="Apple Music", kind="audio_streaming", licensed=True, contact_email="")
    PlatformDomainFactory(platform=apple, domain="music.apple.com")
    PlatformDomainFactory(platform=apple, domain="apple.com", path_prefix="/music")
    form = PlatformFactory(name="Formy", notice_channel="web_form", contact_url="https://formy.example/dmca")
    PlatformDomainFactory(platform=form, domain="formy.example")
    hidden = PlatformFactory(name="Gone", is_active=False)
    PlatformDomainFactory(platform=hidden, domain="gone.example")

    rules = {rule.name: rule for rule in selectors.platform_rules()}
    assert set(rules) == {"Apple Music", "Formy"}  # inactive platforms match nothing
    assert rules["Apple Music"] == PlatformRule(
        platform_id=apple.pk,
        name="Apple Music",
        kind="audio_streaming",
        licensed=True,
        domains=(("apple.com", "/music"), ("music.apple.com", None)),
        notice_recipient="",
    )
    assert rules["Formy"].notice_recipient == "https://formy.example/dmca"


def test_build_registry_longest_match():
    google = PlatformFactory(name="Google Search", kind="search_engine")
    PlatformDomainFactory(platform=google, domain="google.com")
    drive = PlatformFactory(name="Google Drive", kind="file_host")
    PlatformDomainFactory(platform=drive, domain="drive.google.com")
    registry = selectors.build_registry()
    assert isinstance(registry, Registry)
    assert registry.match("drive.google.com", "/file/d/abc").name == "Google Drive"
    assert registry.match("www.google.com", "/").name == "Google Search"
    assert registry.match("example.com", "/") is None


def test_get_registry_is_cached_and_rebuilt_after_changes():
    platform = PlatformFactory(name="Old name", kind="torrent_index")
    PlatformDomainFactory(platform=platform, domain="tracker.example")
    first = selectors.get_registry()
    assert selectors.get_registry() is first
    assert first.match("tracker.example", "/").name == "Old name"

    platform.name = "New name"
    platform.save()
    second = selectors.get_registry()
    assert second is not first
    assert second.match("tracker.example", "/").name == "New name"

    PlatformDomainFactory(platform=platform, domain="mirror.example")
    third = selectors.get_registry()
    assert third.match("www.mirror.example", "/").name == "New name"

    PlatformDomain.objects.filter(domain="mirror.example").delete()
    assert selectors.get_registry().match("mirror.example", "/") is None

    platform.delete()
    assert selectors.get_registry().match("tracker.example", "/") is None


def test_bulk_update_needs_an_explicit_invalidation():
    platform = PlatformFactory(name="P", licensed=False)
    PlatformDomainFactory(platform=platform, domain="p.example")
    assert selectors.get_registry().match("p.example").licensed is False
    Platform.objects.filter(pk=platform.pk).update(licensed=True)
    selectors.invalidate_registry()
    assert selectors.get_registry().match("p.example").licensed is True


def test_seeded_registry_classifies_real_links():
    call_command("seed_platforms", verbosity=0)
    registry = selectors.get_registry()
    assert not registry.conflicts
    cases = {
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ": ("YouTube", True),
        "https://youtu.be/dQw4w9WgXcQ": ("YouTube", True),
        "https://music.apple.com/fr/album/x/123": ("Apple Music", True),
        "https://music.amazon.fr/albums/B0": ("Amazon Music", True),
        "https://open.spotify.com/track/abc": ("Spotify", True),
        "https://mega.nz/file/abc#key": ("MEGA", False),
        "https://1fichier.com/?abcdef": ("1fichier.com", False),
        "https://drive.google.com/file/d/abc/view": ("Google Drive", False),
        "https://vk.com/audio123": ("VK", False),
        "https://bit.ly/3abc": ("Bitly", False),
        "https://downloadmovietorrent.wordpress.com/x": ("downloadmovietorrent.wordpress.com", False),
    }
    for url, (name, licensed) in cases.items():
        result = classify(url, registry)
        assert result.platform is not None and result.platform.name == name, url
        assert result.licensed is licensed, url
    assert registry.match("www.apple.com", "/fr/iphone/") is None
