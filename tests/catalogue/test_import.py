"""Importing the CWR samples and CSV files into the database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sentinelle.catalogue.models import AlternateTitle, Interest, Party, PartyKind, Recording, Work
from sentinelle.catalogue.services import (
    ImportReport,
    InterestData,
    import_cwr_file,
    import_works_csv,
    link_parties_to_member,
)
from tests.catalogue.conftest import sample
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

# Read by hand (see docs/catalogue-import.md for the rules): works, interests, parties, bad lines.
EXPECTED = {
    # Two REVs share ISWC T-300.560.027-7 under different titles: the second keeps none (line 20).
    "CW220001000_DMP.V21": (2, 4, 2, [5, 20, 21]),
    "CW220001052_DMP.V21": (2, 0, 0, [10, 11, 12]),  # ISW MK000001 twice, MK000002 once
    "CW220001DMP_000.V21": (1, 3, 3, []),
    "CW220004DMP_000.V21": (1, 3, 3, [8]),
    # 36 SWR/OWR/SPU/OPU lines; CROWN (E) twice in KEY007 and HOPS (SE) twice in KEY008 hold summed shares.
    "demo_cwr_cleaned.v22": (9, 34, 9, None),
    "nwrexample2.V21": (1, 4, 4, []),
    "revexample.V21": (2, 5, 3, []),
}


def counts() -> tuple[int, int, int, int, int]:
    return (
        Work.objects.count(),
        Interest.objects.count(),
        Party.objects.count(),
        AlternateTitle.objects.count(),
        Recording.objects.count(),
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_each_sample(cwr_dir: Path, name: str) -> None:
    works, interests, parties, bad_lines = EXPECTED[name]
    report = import_cwr_file(sample(cwr_dir, name))
    assert Work.objects.count() == works
    assert Interest.objects.count() == interests
    assert Party.objects.count() == parties
    assert report.works_created == works
    assert report.interests_created == interests
    if bad_lines is not None:
        assert [issue.line for issue in report.errors] == bad_lines
    assert all(issue.file.endswith(name) for issue in report.errors)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reimport_changes_nothing(cwr_dir: Path, name: str) -> None:
    path = sample(cwr_dir, name)
    import_cwr_file(path)
    before = counts()
    report = import_cwr_file(path)
    assert counts() == before
    assert report.works_created == 0
    assert report.interests_created == 0
    assert report.parties_created == 0


def test_all_samples_together(cwr_dir: Path) -> None:
    for name in sorted(EXPECTED):
        import_cwr_file(sample(cwr_dir, name))
    # CW220001DMP_000 and CW220004DMP_000 hold the same work; revexample's DMP000001 is another sender's.
    assert Work.objects.count() == 17
    codes = set(Work.objects.values_list("work_code", flat=True))
    assert {"09000000020:DMP000001", "PB199:DMP000001", "PBDP1:KEY001", "SO52:MK000003"} <= codes


def test_a_changed_title_updates_the_work(cwr_dir: Path, tmp_path: Path) -> None:
    original = sample(cwr_dir, "revexample.V21")
    import_cwr_file(original)
    before = counts()
    changed = tmp_path / "revexample.V21"
    changed.write_bytes(
        original.read_bytes().replace(b"THE ONE                    ", b"THE ONE (REMASTERED)       ", 1)
    )
    report = import_cwr_file(changed)
    assert counts() == before
    assert report.works_updated == 2
    assert Work.objects.get(work_code="PB199:DMP000001").title == "THE ONE (REMASTERED)"


def test_work_fields(cwr_dir: Path) -> None:
    import_cwr_file(sample(cwr_dir, "CW220001DMP_000.V21"))
    work = Work.objects.get(work_code="09000000020:DMP000001")
    assert (work.title, work.iswc, work.iswc_display) == ("MUSIC PUB CARTOONS", "T1234567894", "T-123.456.789-4")
    assert work.source.endswith("CW220001DMP_000.V21")
    assert set(work.alternate_titles.values_list("title_type", flat=True)) == {"AT", "TE"}
    kolaric = Interest.objects.get(work=work, party__name="KOLARIC")
    assert (kolaric.role, kolaric.pr_share, kolaric.party.ipi_name_number) == ("AR", Decimal("25"), "00000000199")
    publisher = Interest.objects.get(work=work, party__kind=PartyKind.PUBLISHER)
    assert (publisher.role, publisher.pr_share, publisher.mr_share) == ("E", Decimal("37.5"), Decimal("75"))


def test_performer_and_recording(cwr_dir: Path) -> None:
    import_cwr_file(sample(cwr_dir, "revexample.V21"))
    (recording,) = Recording.objects.all()
    assert (recording.work.work_code, recording.performer, recording.isrc) == ("PB199:DMP000001", "THE BAND", "")


def test_shares_of_a_publisher_in_two_chains_are_summed(cwr_dir: Path) -> None:
    import_cwr_file(sample(cwr_dir, "demo_cwr_cleaned.v22"))
    crown = Interest.objects.get(work__work_code="PBDP1:KEY007", party__name="CROWN PUBLISHING", role="E")
    assert (crown.pr_share, crown.mr_share) == (Decimal("50"), Decimal("100"))


def test_interests_are_matched_to_members_by_ipi(cwr_dir: Path) -> None:
    member = MemberFactory(ipi_name_number="00000000199")
    report = import_cwr_file(sample(cwr_dir, "CW220001DMP_000.V21"))
    interest = Interest.objects.get(party__name="KOLARIC")
    assert interest.member == member
    assert interest.party.member == member
    assert report.interests_with_member == 1
    assert Interest.objects.filter(member__isnull=True).count() == 2


def test_a_member_created_after_the_import_claims_its_parties(cwr_dir: Path) -> None:
    import_cwr_file(sample(cwr_dir, "revexample.V21"))
    assert not Interest.objects.filter(member__isnull=False).exists()
    member = MemberFactory(ipi_name_number="00000000395")  # JOHN JAMES SMITH
    assert Interest.objects.filter(member=member).count() == 2
    assert Party.objects.get(name="SMITH").member == member


def test_link_parties_releases_parties_of_a_corrected_ipi(cwr_dir: Path) -> None:
    member = MemberFactory(ipi_name_number="00000000395")
    import_cwr_file(sample(cwr_dir, "revexample.V21"))
    assert Interest.objects.filter(member=member).count() == 2
    member.ipi_name_number = "00000000297"
    member.save()  # the post_save receiver calls link_parties_to_member
    assert Interest.objects.filter(member=member).count() == 0
    assert link_parties_to_member(member) == 0


def test_a_malformed_line_is_reported_and_the_rest_imports(cwr_dir: Path, tmp_path: Path) -> None:
    lines = sample(cwr_dir, "revexample.V21").read_bytes().split(b"\n")
    assert lines[5].startswith(b"SWR")
    lines[5] = lines[5][:40]  # a truncated writer
    assert lines[2].startswith(b"REV")
    lines[2] = lines[2][:95] + b"T1234567893" + lines[2][106:]  # a garbage ISWC
    broken = tmp_path / "broken.V21"
    broken.write_bytes(b"\n".join(lines))
    report = import_cwr_file(broken)
    assert [(issue.line, issue.file) for issue in report.errors] == [(3, str(broken)), (6, str(broken))]
    assert "ISWC" in report.errors[0].message and "too short" in report.errors[1].message
    assert Work.objects.count() == 2
    first = Work.objects.get(work_code="PB199:DMP000001")
    assert first.iswc is None
    assert list(first.interests.values_list("party__name", flat=True)) == ["DMP DEMO PUBLISHING"]
    assert Work.objects.get(work_code="PB199:DMP000002").interests.count() == 3


def test_a_work_that_fails_to_save_is_rolled_back_alone(cwr_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import DatabaseError

    from sentinelle.catalogue.services import writer

    real_resolve = writer.PartyBook.resolve

    def failing_resolve(self: writer.PartyBook, data: InterestData, report: ImportReport) -> Party:
        if data.name == "ADAMS":  # the second work's uncontrolled writer
            raise DatabaseError("disk full")
        return real_resolve(self, data, report)

    monkeypatch.setattr(writer.PartyBook, "resolve", failing_resolve)
    report = import_cwr_file(sample(cwr_dir, "revexample.V21"))
    # The batch of both works failed; each was then written alone: the first is saved.
    assert [(issue.line, "disk full" in issue.message) for issue in report.errors] == [(16, True)]
    assert list(Work.objects.values_list("work_code", flat=True)) == ["PB199:DMP000001"]
    assert (report.works_created, report.works_skipped) == (1, 1)
    assert Interest.objects.count() == 2  # nothing of the second work's interests stayed
    assert Party.objects.count() == 2  # nor its parties


def test_progress_is_told_every_line(cwr_dir: Path) -> None:
    seen: list[int] = []
    path = sample(cwr_dir, "revexample.V21")
    import_cwr_file(path, progress=seen.append)
    assert sum(seen) == len(path.read_bytes().splitlines())


# --- CSV ----------------------------------------------------------------------------

HEADER = (
    "work_code,title,iswc,language,duration,alternate_titles,kind,last_name,first_name,ipi,role,"
    "pr_share,mr_share,sr_share,isrc,performer\n"
)


def write_csv(tmp_path: Path, body: str, name: str = "works.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_csv_import(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "SOC-1,Le Temps des cerises,T-034.524.680-1,FR,3:05,Cerises|Le temps,writer,Renard,Antoine,00000000199,C,"
        "50,50,50,FRZ031400123,Yves Montand\n"
        "SOC-1,,,,,,writer,Clément,Jean-Baptiste,,A,50,50,50,,\n"
        "SOC-1,,,,,,publisher,Éditions Test,,09000000020,E,0,0,0,,\n"
        "SOC-2,Sans interêt,,,,,,,,,,,,,,\n",
    )
    report = import_works_csv(path)
    assert report.errors == []
    assert (report.works_created, report.interests_created) == (2, 3)
    work = Work.objects.get(work_code="SOC-1")
    assert (work.iswc, work.language, work.duration_seconds) == ("T0345246801", "fr", 185)
    assert set(work.alternate_titles.values_list("title", flat=True)) == {"Cerises", "Le temps"}
    assert work.recordings.get().isrc == "FRZ031400123"
    assert Interest.objects.get(party__name="Clément").role == "A"
    assert Party.objects.get(name="Éditions Test").kind == PartyKind.PUBLISHER
    again = import_works_csv(path)
    assert (again.works_created, again.works_updated, again.interests_created) == (0, 2, 0)
    assert Work.objects.count() == 2 and Interest.objects.count() == 3


def test_csv_bad_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "SOC-1,Bon,T-034.524.680-1,FR,,,writer,Renard,,00000000199,C,100,100,100,,\n"
        "SOC-2,Mauvais ISWC,T-034.524.680-2,,,,,,,,,,,,,\n"
        ",Sans code,,,,,,,,,,,,,,\n"
        "SOC-3,Mauvais IPI,,,,,writer,Faux,,00000000198,C,100,0,0,,\n"
        '"SOC-4","Titre sur\ndeux lignes",,,,,writer,Vrai,,,ZZ,100,0,0,,\n'
        "SOC-5,Trop,,,,,writer,Avide,,,CA,150,0,0,,\n"
        "SOC-6,Durée,,,1:xx,,,,,,,,,,,\n",
    )
    report = import_works_csv(path)
    assert [issue.line for issue in report.errors] == [3, 4, 5, 6, 8, 9]
    assert "check digit" in report.errors[0].message
    assert "work_code" in report.errors[1].message
    assert "IPI" in report.errors[2].message
    assert "role" in report.errors[3].message
    assert "between 0 and 100" in report.errors[4].message
    assert "duration" in report.errors[5].message
    # A bad row is skipped whole: SOC-3 and SOC-4 had only that row.
    assert set(Work.objects.values_list("work_code", flat=True)) == {"SOC-1"}


def test_csv_with_an_unknown_header(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,age\nx,1\n")
    report = import_works_csv(path)
    assert [(i.line, "header" in i.message) for i in report.errors] == [(1, True)]
    assert Work.objects.count() == 0


def test_django_music_publisher_template(cwr_dir: Path) -> None:
    path = cwr_dir / "django-music-publisher" / "dataimport.csv"
    report = import_works_csv(path)
    # Rows without a Work ID and without an ISWC cannot be found again on re-import: refused.
    assert report.works_created == 9
    assert [i.line for i in report.errors] == [5, 6, 7, 8, 9, 15, 16, 17, 20, 21, 22]
    simple = Work.objects.get(work_code="X123")
    assert simple.iswc == "T1234567894"
    assert simple.alternate_titles.get().title == "Simply Original"
    smith = Interest.objects.get(work=simple)
    assert (smith.role, smith.pr_share, smith.party.ipi_name_number) == ("C", Decimal("100"), "00000000199")
    performed = Work.objects.get(work_code="X125")
    assert sorted(performed.interests.values_list("role", "pr_share")) == [
        ("A", Decimal("66.670")),
        ("C", Decimal("33.330")),
    ]
    assert set(performed.recordings.values_list("isrc", flat=True)) == {"JMK401400003", "JMK401400004"}
    before = counts()
    import_works_csv(path)
    assert counts() == before


def test_the_empty_template_header_is_understood(cwr_dir: Path) -> None:
    report = import_works_csv(cwr_dir / "django-music-publisher" / "work_import_template.csv")
    assert report.ok and report.works == 0


# --- Society codes and the authorised example (what notices need) ------------------------------


def test_cwr_society_codes_are_kept_on_each_interest(cwr_dir: Path) -> None:
    import_cwr_file(sample(cwr_dir, "CW220001DMP_000.V21"))
    publisher = Interest.objects.get(party__kind=PartyKind.PUBLISHER)
    assert (publisher.pr_society, publisher.mr_society, publisher.sr_society) == ("052", "044", "044")
    writers = Interest.objects.filter(party__kind=PartyKind.WRITER)
    assert {(w.pr_society, w.mr_society) for w in writers} == {("010", "")}


def test_a_cwr_society_code_padded_with_a_space_is_read_as_three_digits(cwr_dir: Path) -> None:
    import_cwr_file(sample(cwr_dir, "revexample.V21"))  # its SWR records write BMI as "21 "
    assert "021" in set(Interest.objects.values_list("pr_society", flat=True))


EXTRA = "work_code,title,kind,last_name,role,pr_share,pr_society,mr_society,authorised_example_url\n"


def test_csv_carries_society_codes_and_the_authorised_example(tmp_path: Path) -> None:
    path = tmp_path / "works.csv"
    path.write_text(
        EXTRA
        + "SOC-9,Les Feuilles mortes,writer,Kosma,C,50,58,58,https://www.deezer.com/fr/track/1\n"
        + "SOC-9,,publisher,Peter Maurice,E,50,52,44,\n",
        encoding="utf-8",
    )
    assert import_works_csv(path).errors == []
    work = Work.objects.get(work_code="SOC-9")
    assert work.authorised_example_url == "https://www.deezer.com/fr/track/1"
    assert set(work.interests.values_list("pr_society", "mr_society")) == {("058", "058"), ("052", "044")}
    work.authorised_example_url = "https://music.apple.com/fr/song/2"  # staff change it; a file without one
    work.save()
    path.write_text(EXTRA + "SOC-9,Les Feuilles mortes,writer,Kosma,C,50,58,58,\n", encoding="utf-8")
    import_works_csv(path)
    work.refresh_from_db()
    assert work.authorised_example_url == "https://music.apple.com/fr/song/2"  # … does not erase it


def test_csv_refuses_a_bad_example_url_or_society_code(tmp_path: Path) -> None:
    path = tmp_path / "works.csv"
    path.write_text(
        EXTRA + "S-1,A,writer,X,C,50,,,javascript:alert(1)\nS-2,B,writer,Y,C,50,SACEM,,\n", encoding="utf-8"
    )
    report = import_works_csv(path)
    assert [issue.line for issue in report.errors] == [2, 3]
    assert "authorised_example_url" in report.errors[0].message and "society code" in report.errors[1].message
    assert Work.objects.count() == 0
