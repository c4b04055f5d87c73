"""The chain of custody: append-only, hash-chained, every view, download, export and transfer."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from sentinelle.investigations import chain
from sentinelle.investigations.models import CustodyAction, CustodyEvent
from sentinelle.investigations.services import custody, evidence


@pytest.mark.django_db
def test_each_event_carries_the_hash_of_the_one_before(dossier, investigator):
    custody.record(dossier, actor=investigator, action=CustodyAction.TRANSFERRED, subject="x", reason="court")
    first, second = CustodyEvent.objects.filter(site=dossier).order_by("seq")
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == chain.GENESIS
    assert second.prev_hash == first.hash
    assert second.hash == chain.event_hash(custody.as_record(second))


@pytest.mark.django_db
def test_an_event_cannot_be_changed_or_deleted_through_the_orm(dossier):
    event = CustodyEvent.objects.get(site=dossier)
    event.reason = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        CustodyEvent.objects.filter(site=dossier).update(reason="rewritten")


@pytest.mark.django_db
def test_the_database_refuses_to_change_an_event(dossier):
    event = CustodyEvent.objects.get(site=dossier)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE investigations_custodyevent SET reason = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM investigations_custodyevent WHERE id = %s", [event.pk])


@pytest.mark.django_db
def test_an_edit_made_behind_the_applications_back_is_detected(dossier, investigator):
    custody.record(dossier, actor=investigator, action=CustodyAction.TRANSFERRED, subject="x", reason="court")
    assert custody.verify_site_chain(dossier) == []
    with connection.cursor() as cursor:  # a database administrator lifting the guard
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks before ALTER
            cursor.execute("ALTER TABLE investigations_custodyevent DISABLE TRIGGER custody_no_change")
        else:
            cursor.execute("DROP TRIGGER custody_no_update")
        cursor.execute(
            "UPDATE investigations_custodyevent SET reason = 'rewritten' WHERE seq = 2 AND site_id = %s", [dossier.pk]
        )
    problems = custody.verify_site_chain(dossier)
    assert [str(p) for p in problems] == ["event 2 (line 2): its content does not match its hash (altered)"]


@pytest.mark.django_db
def test_viewing_evidence_is_recorded(client, captured, dossier, investigator):
    client.force_login(investigator)
    client.get(reverse("investigations:evidence", args=[dossier.pk, captured[0].pk]))
    event = CustodyEvent.objects.filter(site=dossier).order_by("-seq").first()
    assert (event.action, event.evidence_id, event.actor_id) == (CustodyAction.VIEWED, captured[0].pk, investigator.pk)


@pytest.mark.django_db
def test_a_download_needs_a_reason_and_is_recorded(client, captured, dossier, investigator):
    client.force_login(investigator)
    file = captured[0].files.get(name="response.warc.gz")
    url = reverse("investigations:download", args=[dossier.pk, captured[0].pk, file.pk])
    assert client.post(url, {"reason": ""}).status_code == 302  # back to the page, nothing sent
    response = client.post(url, {"reason": "copy for the expert"})
    assert response["X-Content-SHA256"] == file.sha256
    assert b"".join(response.streaming_content).startswith(b"\x1f\x8b")
    event = CustodyEvent.objects.filter(site=dossier).order_by("-seq").first()
    assert (event.action, event.reason, event.details["sha256"]) == (
        CustodyAction.DOWNLOADED,
        "copy for the expert",
        file.sha256,
    )


@pytest.mark.django_db
def test_a_transfer_is_recorded_with_its_recipient(client, dossier, investigator):
    client.force_login(investigator)
    client.post(
        reverse("investigations:transfer", args=[dossier.pk]),
        {"recipient": "Gendarmerie, C3N", "reason": "judicial requisition"},
    )
    event = CustodyEvent.objects.filter(site=dossier).order_by("-seq").first()
    assert (event.action, event.details["recipient"]) == (CustodyAction.TRANSFERRED, "Gendarmerie, C3N")


@pytest.mark.django_db
def test_a_transfer_without_a_reason_is_refused(dossier, investigator):
    with pytest.raises(evidence.InvestigationError):
        evidence.record_transfer(dossier, actor=investigator, recipient="Police", reason="")
