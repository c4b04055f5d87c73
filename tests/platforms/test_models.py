import pytest
from django.core.exceptions import ValidationError

from sentinelle.platforms.models import Platform, PlatformDomain
from sentinelle.platforms.validators import normalise_domain, normalise_path_prefix, regime_for_jurisdiction
from tests.platforms.factories import PlatformDomainFactory, PlatformFactory


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM", "example.com"),
        ("  music.apple.com  ", "music.apple.com"),
        ("example.com.", "example.com"),
        ("*.example.com".removeprefix("*"), "example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("BÜCHER.DE", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai"),
        ("foo.blogspot.com", "foo.blogspot.com"),
        ("blogspot.com", "blogspot.com"),  # a private suffix is a useful rule: every blog on it
        ("music.amazon.co.uk", "music.amazon.co.uk"),
    ],
)
def test_domain_normalised(raw, expected):
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("https://example.com", "scheme"),
        ("http://example.com/path", "scheme"),
        ("example.com/path", "url_parts"),
        ("example.com:8080", "url_parts"),
        ("user@example.com", "url_parts"),
        ("example.com?q=1", "url_parts"),
        ("exa mple.com", "invalid"),
        ("localhost", "no_suffix"),
        ("com", "no_suffix"),
        ("co.uk", "public_suffix"),
        ("fr", "no_suffix"),
        ("192.168.1.1", "ip_address"),
        ("exa_mple.com", "invalid"),
        ("-example.com", "invalid"),
        ("a" * 64 + ".com", "invalid"),
        ("<script>.com", "invalid"),
        ("ex%00ample.com", "invalid"),
    ],
)
def test_domain_refused(raw, code):
    with pytest.raises(ValidationError) as err:
        normalise_domain(raw)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", ""), (None, ""), ("/music", "/music"), ("/music/", "/music/"), ("/a b".replace(" ", "%20"), "/a%20b"),
     ("/é", "/%C3%A9"), ("/a/./b", "/a/b")],
)  # fmt: skip
def test_path_prefix_normalised(raw, expected):
    assert normalise_path_prefix(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [("music", "no_slash"), ("//evil.com", "invalid"), ("/a?b=1", "query"), ("/a#b", "query"), ("/a b", "invalid"),
     ("/a/..", "invalid")],
)  # fmt: skip
def test_path_prefix_refused(raw, code):
    with pytest.raises(ValidationError) as err:
        normalise_path_prefix(raw)
    assert err.value.code == code


@pytest.mark.django_db
def test_platform_domain_full_clean_normalises_and_reports_field():
    platform = PlatformFactory()
    row = PlatformDomain(platform=platform, domain="WWW.Bücher.DE", path_prefix="/Musik")
    row.full_clean()
    assert (row.domain, row.path_prefix) == ("www.xn--bcher-kva.de", "/Musik")
    bad = PlatformDomain(platform=platform, domain="https://x.com/a", path_prefix="a")
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    assert set(err.value.message_dict) == {"domain", "path_prefix"}
    assert "scheme" in err.value.message_dict["domain"][0]
    assert "/" in err.value.message_dict["path_prefix"][0]


@pytest.mark.django_db
def test_platform_domain_unique_after_normalisation():
    PlatformDomainFactory(domain="example.com", path_prefix="")
    duplicate = PlatformDomain(platform=PlatformFactory(), domain="EXAMPLE.com.", path_prefix="")
    with pytest.raises(ValidationError) as err:
        duplicate.full_clean()
    assert "already belong" in str(err.value)
    # The same domain with a path prefix is another rule.
    PlatformDomain(platform=PlatformFactory(), domain="example.com", path_prefix="/music").full_clean()


@pytest.mark.django_db
def test_platform_domain_save_normalises_and_refuses_garbage():
    row = PlatformDomainFactory(domain="Example.ORG")
    assert row.domain == "example.org"
    with pytest.raises(ValidationError):
        PlatformDomainFactory(domain="not a domain")


@pytest.mark.parametrize(
    ("jurisdiction", "regime"),
    [("FR", "eu"), ("ie", "eu"), ("RE", "eu"), ("US", "us"), ("PR", "us"), ("GB", "other"), ("CH", "other"),
     ("", "other")],
)  # fmt: skip
def test_regime_derived_from_jurisdiction(jurisdiction, regime):
    assert regime_for_jurisdiction(jurisdiction) == regime


@pytest.mark.django_db
def test_platform_regime_and_slug_default_and_override():
    derived = PlatformFactory(name="mega.nz", jurisdiction="nz")
    assert (derived.jurisdiction, derived.regime, derived.slug) == ("NZ", "other", "mega-nz")
    overridden = PlatformFactory(name="Google Ireland", jurisdiction="IE", regime="us")
    assert overridden.regime == "us"
    twin = PlatformFactory(name="mega-nz")
    assert twin.slug == "mega-nz-2"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["XX", "FRA", "1"])
def test_platform_jurisdiction_must_be_iso_3166(code):
    platform = PlatformFactory.build(jurisdiction=code)
    with pytest.raises(ValidationError) as err:
        platform.full_clean()
    assert "jurisdiction" in err.value.message_dict


@pytest.mark.django_db
def test_platform_lower_case_jurisdiction_accepted_and_upper_cased():
    platform = PlatformFactory.build(jurisdiction="de", regime="")
    platform.full_clean()
    assert (platform.jurisdiction, platform.regime) == ("DE", "eu")


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["https", "web_form"])
def test_form_and_endpoint_channels_need_a_url(channel):
    platform = PlatformFactory.build(notice_channel=channel, contact_url="")
    with pytest.raises(ValidationError) as err:
        platform.full_clean()
    assert "contact_url" in err.value.message_dict


@pytest.mark.django_db
def test_https_channel_refuses_plain_http():
    platform = PlatformFactory.build(notice_channel="https", contact_url="http://example.org/notices")
    with pytest.raises(ValidationError) as err:
        platform.full_clean()
    assert "https://" in err.value.message_dict["contact_url"][0]


@pytest.mark.django_db
def test_platform_cannot_host_itself():
    platform = PlatformFactory()
    platform.hosting_provider = platform
    with pytest.raises(ValidationError) as err:
        platform.full_clean()
    assert "hosting_provider" in err.value.message_dict


@pytest.mark.django_db
def test_notice_language_validated():
    platform = PlatformFactory.build(notice_language="French")
    with pytest.raises(ValidationError) as err:
        platform.full_clean()
    assert "notice_language" in err.value.message_dict


@pytest.mark.django_db
def test_removal_markers_one_per_line():
    platform = PlatformFactory(removal_markers="File not found\n\n  This file was deleted  \n")
    assert platform.removal_marker_list == ["File not found", "This file was deleted"]


@pytest.mark.django_db
def test_deleting_hosting_provider_keeps_hosted_platform():
    host = PlatformFactory()
    site = PlatformFactory(hosting_provider=host)
    host.delete()
    site.refresh_from_db()
    assert site.hosting_provider is None
    assert Platform.objects.filter(pk=site.pk).exists()
