"""Staff close an unverifiable link and decide after a counter-notice, in the back office, with a reason."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from sentinelle.takedowns import services
from sentinelle.takedowns.models import EventKind, LinkStatus, ReportedLink
from tests.factories import InterestFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/takedowns/reportedlink/"


@pytest.fixture
def staff_client(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_reportedlink", "change_reportedlink"]))
    client.force_login(user)
    return client


@pytest.fixture
def link(registry_platforms) -> ReportedLink:
    interest = InterestFactory()
    services.submit_links(interest.member, interest.work.pk, "https://pirate.example.org/x", ["remove"])
    return ReportedLink.objects.get()


def test_staff_close_an_unverifiable_link_with_a_reason(staff_client, link):
    services.change_status(link, LinkStatus.UNVERIFIABLE, kind=EventKind.CHECK)
    action = {"action": "close_by_hand", "_selected_action": [link.pk]}
    assert b"Reason" in staff_client.post(CHANGELIST, action).content
    no_reason = staff_client.post(CHANGELIST, {**action, "post": "yes", "reason": ""})
    assert no_reason.status_code == 200 and ReportedLink.objects.get().status == LinkStatus.UNVERIFIABLE
    staff_client.post(CHANGELIST, {**action, "post": "yes", "reason": "Site gone for good."}, follow=True)
    link.refresh_from_db()
    assert link.status == LinkStatus.CLOSED
    assert "Site gone for good." in link.events.last().display_message()


def test_staff_record_that_the_society_pursues_after_a_counter_notice(staff_client, link):
    services.change_status(link, LinkStatus.COUNTER_NOTICE, kind=EventKind.ANSWER)
    action = {"action": "pursue_after_counter_notice", "_selected_action": [link.pk], "post": "yes"}
    staff_client.post(CHANGELIST, {**action, "reason": "Court action filed."}, follow=True)
    link.refresh_from_db()
    assert link.status == LinkStatus.PURSUED
    assert link.events.last().data["counter_notice_decision"] == "pursue"


def test_a_link_that_is_not_unverifiable_is_not_closed(staff_client, link):
    action = {"action": "close_by_hand", "_selected_action": [link.pk], "post": "yes", "reason": "why not"}
    response = staff_client.post(CHANGELIST, action, follow=True)
    assert "Only an unverifiable link" in response.content.decode()
    assert ReportedLink.objects.get().status == LinkStatus.ACCEPTED


def test_members_do_not_reach_the_back_office(client, link):
    client.force_login(link.member.user)
    assert client.get(CHANGELIST).status_code == 302
