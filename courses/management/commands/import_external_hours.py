"""`manage.py import_external_hours FILE --actor USERNAME [--dry-run]`: external training hours.

All or nothing (see `courses.services.external_hours_import`): exits non-zero and lists
every bad row when anything is wrong; importing the same file again adds nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from people.models import User

from ...services.ledger import external_hours_import


class Command(BaseCommand):
    help = "Import external training hours (工号, 学时, 类别, 完成日期, 培训名称) from XLSX or CSV."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--actor", required=True, help="Username of the approver (scopes the officers)."
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file, actor, dry_run, **options):
        user = User.objects.filter(username=actor).first()
        if user is None:
            raise CommandError(f"no user {actor}")
        try:
            with open(file, "rb") as source:
                report = external_hours_import(
                    source=source, filename=file, actor=user, dry_run=dry_run
                )
        except OSError as error:
            raise CommandError(str(error)) from error
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(report.problems)} problem(s); nothing imported")
        self.stdout.write(
            f"imported {report.created} records ({report.unchanged} already on the ledger)"
        )
