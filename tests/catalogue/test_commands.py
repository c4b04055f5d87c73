from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from sentinelle.catalogue.models import Work
from tests.catalogue.conftest import sample

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, "--no-progress", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_import_cwr_clean_files_exit_0(cwr_dir: Path) -> None:
    code, out, _ = run("import_cwr", str(sample(cwr_dir, "revexample.V21")), str(sample(cwr_dir, "nwrexample2.V21")))
    assert code == 0
    assert "works: 3 created, 0 updated" in out
    assert Work.objects.count() == 3


def test_import_cwr_reports_bad_records_and_exits_1(cwr_dir: Path) -> None:
    path = sample(cwr_dir, "CW220004DMP_000.V21")
    code, out, _ = run("import_cwr", str(path))
    assert code == 1
    assert f"{path}:8: SWT pr collection share 'XXX00'" in out
    assert Work.objects.count() == 1  # the rest of the file is imported


def test_import_cwr_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run("import_cwr", str(tmp_path / "nope.V21"))
    assert code == 2
    assert "nope.V21: no such file" in err


def test_import_cwr_is_idempotent_from_the_command_line(cwr_dir: Path) -> None:
    path = str(sample(cwr_dir, "revexample.V21"))
    run("import_cwr", path)
    code, out, _ = run("import_cwr", path)
    assert code == 0
    assert "works: 0 created, 2 updated" in out


def test_import_works_csv_command(tmp_path: Path) -> None:
    path = tmp_path / "works.csv"
    path.write_text("work_code,title,iswc\nSOC-1,Un,\nSOC-2,Deux,T-034.524.680-2\n", encoding="utf-8")
    code, out, _ = run("import_works_csv", str(path))
    assert code == 1
    assert f"{path}:3: ISWC" in out
    assert list(Work.objects.values_list("work_code", flat=True)) == ["SOC-1"]


def test_progress_bar_goes_to_stderr(cwr_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = StringIO()
    call_command("import_cwr", str(sample(cwr_dir, "revexample.V21")), stdout=out)
    assert "lines" in capsys.readouterr().err  # tqdm writes straight to sys.stderr
    assert "lines" not in out.getvalue().split("works:")[0]
