"""`manage.py import_law FILE --title T --promulgated D --effective D [--level law]`.

Reads one version of a statute (UTF-8 plain text or Markdown), saves it with its articles,
and, when the law already has an earlier version, says what became of each article. All or
nothing: a file that cannot be read is refused with its line number and nothing is saved.
"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from laws.models import LawLevel
from laws.parsing import LawParseError
from laws.services import LawImportError, law_version_import_report


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        from argparse import ArgumentTypeError

        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Import one version of a law from a plain-text or Markdown file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--title", required=True, help="the law's full title")
        parser.add_argument("--promulgated", required=True, type=_date, help="YYYY-MM-DD")
        parser.add_argument("--effective", required=True, type=_date, help="YYYY-MM-DD")
        parser.add_argument("--level", default=LawLevel.LAW, choices=LawLevel.values)

    def handle(self, *args, file: Path, title, promulgated, effective, level, **options):
        if not file.is_file():
            raise CommandError(f"文件不存在 / no such file: {file}")
        raw = file.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise CommandError(
                f"{file}: line {line}: not UTF-8 text; save the file as UTF-8. Nothing imported."
            ) from None
        try:
            report = law_version_import_report(
                title=title,
                text=text,
                promulgated_on=promulgated,
                effective_on=effective,
                level=level,
            )
        except LawParseError as error:
            raise CommandError(f"{file}: {error} Nothing imported.") from None
        except LawImportError as error:
            raise CommandError(str(error)) from None
        if not report.created:
            self.stdout.write(
                f"imported 0 articles: this version is already there with the same "
                f"{report.articles} articles; nothing changed"
            )
            return
        self.stdout.write(f"imported {report.articles} articles")
        if report.counts:
            c = report.counts
            moved = c["renumbered"] + c["replaced"]
            self.stdout.write(
                f"changes: {c['unchanged']} unchanged, {c['amended']} amended, "
                f"{moved} renumbered, {c['repealed']} repealed, {c['new']} new"
                f" (of the renumbered, {c['replaced']} also changed their text)"
            )
