"""`manage.py import_officers FILE`: add or update officers from an XLSX or CSV roster."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from people.services import officers_import


class Command(BaseCommand):
    help = "Import officers from .xlsx or .csv (keyed by employee number; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"文件不存在 / no such file: {file}")
        with file.open("rb") as handle:
            report = officers_import(source=handle, filename=file.name, dry_run=dry_run)
        for warning in report.warnings:
            self.stderr.write(warning)
        if not report.ok:
            lines = "\n".join(f"  {problem}" for problem in report.problems)
            raise CommandError(f"nothing imported; {len(report.problems)} problem(s):\n{lines}")
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
            + (" (dry run: nothing saved)" if dry_run else "")
        )
