"""Writes on members and roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from sentinelle.catalogue.identifiers import normalise_ipi_name_number
from sentinelle.members.models import INVESTIGATOR_GROUP, STAFF_GROUP, Member, User

# What each role may do in the back office, as (app_label, model) pairs; codenames are Django's.
STAFF_MODELS: dict[str, tuple[str, ...]] = {
    "platforms": ("add", "change", "delete", "view"),
    "catalogue": ("add", "change", "view"),
    "members": ("view", "change"),
    "takedowns": ("add", "change", "view"),
    "notices": ("add", "change", "view"),
    "checks": ("view",),
}
INVESTIGATOR_MODELS: dict[str, tuple[str, ...]] = {
    "investigations": ("add", "change", "view"),
    "platforms": ("view",),
    "takedowns": ("view",),
    "catalogue": ("view",),
}


def _permissions(spec: dict[str, tuple[str, ...]]) -> Iterable[Permission]:
    query = Q(pk__in=[])
    for app_label, actions in spec.items():
        query |= Q(content_type__app_label=app_label, codename__regex=rf"^({'|'.join(actions)})_")
    return Permission.objects.filter(query)


def ensure_role_groups() -> None:
    """Create or refresh the staff and investigator groups (run after every migrate)."""
    for name, spec in ((STAFF_GROUP, STAFF_MODELS), (INVESTIGATOR_GROUP, INVESTIGATOR_MODELS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(spec))


@transaction.atomic
def create_member(
    *,
    email: str,
    password: str | None,
    name: str,
    member_number: str,
    kinds: list[str],
    ipi_name_number: str | None = None,
) -> Member:
    user = User.objects.create_user(email=email, password=password, full_name=name)
    member = Member(
        user=user,
        name=name,
        member_number=member_number,
        kinds=kinds,
        ipi_name_number=normalise_ipi_name_number(ipi_name_number) if ipi_name_number else None,
    )
    member.full_clean()
    member.save()
    return member


def grant_role(user: User, role: str) -> None:
    """Give a user the staff or investigator role. Staff also reach the back office."""
    if role not in (STAFF_GROUP, INVESTIGATOR_GROUP):
        raise ValueError(f"Unknown role {role!r}")
    ensure_role_groups()
    user.groups.add(Group.objects.get(name=role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
