"""`manage.py import_law`: what it prints, and refusing a bad file without saving."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.utils import translation

import pytest

from laws.models import Article, Law, LawVersion

from .conftest import TEXTS, TITLE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """The messages are read in the source language (the catalogue translates them)."""
    with translation.override("en"):
        yield


def run(path, *, effective, promulgated="2019-03-01", level="local_regulation"):
    out = StringIO()
    call_command(
        "import_law",
        str(path),
        "--title",
        TITLE,
        "--promulgated",
        promulgated,
        "--effective",
        effective,
        "--level",
        level,
        stdout=out,
    )
    return out.getvalue()


def test_import_prints_articles_then_changes_and_a_second_run_changes_nothing():
    assert run(TEXTS / "sanitation_2019.md", effective="2019-06-01") == "imported 7 articles\n"
    second = run(TEXTS / "sanitation_2024.md", effective="2024-09-01", promulgated="2024-05-10")
    assert second.splitlines() == [
        "imported 7 articles",
        "changes: 1 unchanged, 1 amended, 4 renumbered, 1 repealed, 1 new "
        "(of the renumbered, 2 also changed their text)",
    ]
    again = run(TEXTS / "sanitation_2024.md", effective="2024-09-01", promulgated="2024-05-10")
    assert "imported 0 articles" in again
    assert "nothing changed" in again
    assert (LawVersion.objects.count(), Article.objects.count()) == (2, 14)
    assert Law.objects.get().level == "local_regulation"


def test_a_bad_file_is_refused_with_its_line_and_nothing_is_saved(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("示范法\n\n第一条 甲。\n第二条 乙。\n第二条 丙。\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"line 5: 第二条 comes after 第二条.*Nothing imported"):
        run(bad, effective="2019-06-01")
    assert not Law.objects.exists()
    assert not Article.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("示范法\n第一条 甲。\n".encode() + "第二条 乙。\n".encode("gbk"))
    with pytest.raises(CommandError, match="line 3: not UTF-8"):
        run(gbk, effective="2019-06-01")
    assert not Law.objects.exists()


def test_the_command_exits_non_zero_on_a_bad_file(tmp_path):
    """Run as a user would: the parse error is on stderr and the exit status is 1."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    bad = tmp_path / "bad.txt"
    bad.write_text("示范法\n没有条文\n", encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "import_law", str(bad), "--title", "示范法"]
        + ["--promulgated", "2020-01-01", "--effective", "2020-01-01"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 1
    # The command speaks the site's language (Chinese first); the line is named either way.
    assert "第 2 行" in result.stderr or "line 2:" in result.stderr
    assert "Traceback" not in result.stderr
