"""discover_recipients, refresh_rdap_bootstrap, the tasks, the staff back office."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sentinelle.recipients import rdap, services
from sentinelle.recipients.models import ContactOverride, DomainDiscovery, Finding, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(net, monkeypatch):
    """Commands and tasks make their own fetcher: route it to the local world's servers."""
    monkeypatch.setattr(services, "SafeFetcher", net.fetcher)
    return net


def test_discover_recipients_for_a_domain_records_and_reports(routed):
    out = StringIO()
    call_command(
        "discover_recipients",
        "--domain",
        "rip-tracks-03.to",
        "--domain",
        "dead-drop-01.ws",
        "--no-progress",
        stdout=out,
    )
    assert "2 domain(s): 1 with a contact, 1 without" in out.getvalue()
    assert "dead-drop-01.ws: no contact found" in out.getvalue()
    assert Finding.objects.filter(registrable_domain="rip-tracks-03.to", role="hosting").exists()


def test_discover_recipients_pending_takes_the_due_domains_only(routed):
    services.request_discovery("rip-tracks-04.cc", enqueue=False)
    DomainDiscovery.objects.create(registrable_domain="rip-tracks-05.net", state=State.DONE, next_run_at=None)
    out = StringIO()
    call_command("discover_recipients", "--pending", "--no-progress", stdout=out)
    assert "1 domain(s)" in out.getvalue()
    assert DomainDiscovery.objects.get(registrable_domain="rip-tracks-04.cc").state == State.DONE


@pytest.mark.parametrize("args", [[], ["--domain", "not a domain"]])
def test_discover_recipients_refuses_a_bad_call(args):
    with pytest.raises(CommandError):
        call_command("discover_recipients", *args)


def test_request_discovery_queues_a_task_after_commit_that_runs_it(
    routed, settings, django_capture_on_commit_callbacks
):
    settings.SENTINELLE_RECIPIENTS_ENQUEUE = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.request_discovery("mp3-vault-06.to")
    # The request's task, then the task's own announcement of the contacts it found (held notices wake).
    assert len(callbacks) == 2
    assert Finding.objects.filter(registrable_domain="mp3-vault-06.to", source="security_txt").exists()


def test_asking_again_for_a_fresh_domain_queues_nothing(routed, settings, django_capture_on_commit_callbacks):
    settings.SENTINELLE_RECIPIENTS_ENQUEUE = True
    services.run_discovery(services.claim_domains(["rip-tracks-06.to"]), fetcher_factory=routed.fetcher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.request_discovery("rip-tracks-06.to")
    assert callbacks == []


def _iana_files() -> dict[str, object]:
    service = [[["to"], ["https://rdap.example.to/"]]]
    return {
        "dns.json": {"description": "d", "publication": "2026-11-01T00:00:00Z", "services": service, "version": "1.0"},
        "ipv4.json": {"publication": "2026-11-02T00:00:00Z", "services": [[["8.0.0.0/8"], ["https://r.example/"]]]},
        "ipv6.json": {"publication": "2026-11-03T00:00:00Z", "services": [[["2001::/16"], ["https://r.example/"]]]},
    }


def test_refresh_rdap_bootstrap_writes_checked_files(net, tmp_path, settings):
    net.rdap_state["iana_files"] = _iana_files()
    target = tmp_path / "bootstrap"
    out = StringIO()
    call_command(
        "refresh_rdap_bootstrap",
        "--dir",
        str(target),
        "--source",
        f"https://iana.test:{net.rdap_port}/iana/",
        stdout=out,
    )
    assert "ipv4.json: published 2026-11-02T00:00:00Z" in out.getvalue()
    assert rdap.load_bootstrap(target).for_domain("x.to") == "https://rdap.example.to/"


def test_refresh_rdap_bootstrap_writes_nothing_when_a_file_is_malformed(net, tmp_path):
    files = _iana_files()
    files["ipv6.json"] = {"services": [[["not-a-network"], ["https://r.example/"]]]}
    net.rdap_state["iana_files"] = files
    target = tmp_path / "bootstrap"
    with pytest.raises(CommandError, match=r"ipv6\.json"):
        call_command(
            "refresh_rdap_bootstrap", "--dir", str(target), "--source", f"https://iana.test:{net.rdap_port}/iana/"
        )
    assert not target.exists() or not any(target.iterdir())


def test_refresh_rdap_bootstrap_needs_a_directory(settings):
    settings.SENTINELLE_RDAP_BOOTSTRAP_DIR = ""
    with pytest.raises(CommandError, match="SENTINELLE_RDAP_BOOTSTRAP_DIR"):
        call_command("refresh_rdap_bootstrap")


def test_staff_set_a_contact_in_the_back_office_and_a_bad_address_is_refused(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="boss@example.org", password="x" * 12)
    client.force_login(admin)
    url = "/admin/recipients/contactoverride/add/"
    bad = client.post(
        url, {"registrable_domain": "pirate.to", "role": "site", "kind": "email", "address": "a@b@c", "is_active": "on"}
    )
    assert bad.status_code == 200 and not ContactOverride.objects.exists()
    good = client.post(
        url,
        {
            "registrable_domain": "Pirate.TO",
            "role": "site",
            "kind": "email",
            "address": "dmca@pirate.to",
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    override = ContactOverride.objects.get()
    assert (override.registrable_domain, override.created_by) == ("pirate.to", admin)


def test_the_shipped_bootstrap_files_load_with_their_dates():
    shipped = rdap.load_bootstrap(rdap.SHIPPED_DIR)
    assert shipped.for_address("8.8.8.8") == "https://rdap.arin.net/registry/"
    assert shipped.for_address("193.0.6.139") == "https://rdap.db.ripe.net/"
    assert shipped.for_domain("example.com") is not None
    assert shipped.for_address("10.0.0.1") is None
    assert all(shipped.publication[name] for name in rdap.BOOTSTRAP_FILES)
    assert json.loads((rdap.SHIPPED_DIR / "ipv6.json").read_text())["services"]
