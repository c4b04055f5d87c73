"""The demo: the society, three members holding works from the sample CWR files, staff, investigator.

Idempotent: running it again changes nothing (and resets the demo passwords).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from sentinelle import conf
from sentinelle.catalogue.identifiers import ipi_check_digits
from sentinelle.catalogue.models import Party
from sentinelle.catalogue.services import ImportReport, import_cwr_file
from sentinelle.members.models import INVESTIGATOR_GROUP, STAFF_GROUP, Member, User
from sentinelle.members.services import grant_role
from sentinelle.notices.services import record_reciprocal_society

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo" / "cwr"
DEMO_PASSWORD = "demo-sentinelle-2026"  # noqa: S105 - printed to the person running the demo


def demo_ipi(n: int) -> str:
    base = f"{n:09d}"
    return f"{base}{ipi_check_digits(base):02d}"


# (email, name, member number, kinds, IPI, the sample party they are: (kind, sender-scoped number))
DEMO_MEMBERS = [
    (
        "author@demo.sentinelle.test",
        "Sarah Johnson",
        "DEMO-0001",
        ["author"],
        demo_ipi(712_345_601),
        ("writer", "PBDP1:C00000004"),
    ),
    (
        "composer@demo.sentinelle.test",
        "John Smith",
        "DEMO-0002",
        ["composer", "author"],
        demo_ipi(712_345_602),
        ("writer", "PBDP1:C00000001"),
    ),
    (
        "publisher@demo.sentinelle.test",
        "Crown Publishing",
        "DEMO-0003",
        ["publisher"],
        demo_ipi(712_345_603),
        ("publisher", "PBDP1:P00000001"),
    ),
]
# The sample CWR files affiliate their parties with these societies; the demo society is given
# reciprocal agreements with them so that its notices name those parties (a real society keeps
# its own list in the admin, "Reciprocal societies").
DEMO_RECIPROCAL = [("010", "ASCAP", "US"), ("021", "BMI", "US"), ("052", "PRS for Music", "GB"), ("044", "MCPS", "GB")]
STAFF = ("staff@demo.sentinelle.test", "Claire Operateur", STAFF_GROUP)
INVESTIGATOR = ("investigator@demo.sentinelle.test", "Hugo Enqueteur", INVESTIGATOR_GROUP)


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("seed_platforms", verbosity=0)
        report = ImportReport()
        for path in sorted(DEMO_DIR.glob("*.[vV]2[12]")):
            report.add(import_cwr_file(path))
        with transaction.atomic():
            for email, name, number, kinds, ipi, (party_kind, party_number) in DEMO_MEMBERS:
                # The samples carry no valid IPI for these parties: give them the member's.
                Party.objects.filter(kind=party_kind, interested_party_number=party_number).update(ipi_name_number=ipi)
                user = self._user(email, name)
                member, _ = Member.objects.get_or_create(
                    user=user, defaults={"member_number": number, "name": name, "kinds": kinds, "ipi_name_number": ipi}
                )
                member.save()  # claims the parties bearing its IPI (catalogue.signals)
            for code, society_name, country in DEMO_RECIPROCAL:
                record_reciprocal_society(code, society_name, country, note="Demo data: not a real agreement.")
            for email, name, role in (STAFF, INVESTIGATOR):
                grant_role(self._user(email, name), role)

        society = conf.society()
        out = self.stdout.write
        out(f"Demo catalogue: {report.works} works from {len(report.files)} sample CWR files.")
        out(
            f"Society: {society['name']}, {society['address']} — {society['legal_representative']} <{society['email']}>"
        )
        out(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, name, _number, kinds, *_rest in DEMO_MEMBERS:
            works = Member.objects.get(user__email=email).interests.values("work").distinct().count()
            out(f"  member ({', '.join(kinds)}): {email}  — {name}, {works} works")
        out(f"  staff (back office /admin/): {STAFF[0]}")
        out(f"  investigator: {INVESTIGATOR[0]}")

    def _user(self, email: str, name: str) -> User:
        user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user
