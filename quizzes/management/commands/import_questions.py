"""`manage.py import_questions FILE --format gift|aiken|xlsx --category NAME` (DESIGN.md §5).

Exit 0 and `imported N questions` on success; on any problem, every problem with its line
(GIFT, Aiken) or row (XLSX) on stderr, nothing imported, and a non-zero exit.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.exchange import questions_import


class Command(BaseCommand):
    help = "Import questions into the question bank from a GIFT, Aiken or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", required=True, choices=["gift", "aiken", "xlsx"])
        parser.add_argument(
            "--category",
            required=True,
            help="Category to import into (created if missing); use / for a sub-category.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        category_path = [p.strip() for p in options["category"].split("/") if p.strip()]
        if not category_path:
            raise CommandError("Give a category name.")
        result = questions_import(
            data=path.read_bytes(),
            fmt=options["format"],
            category_path=category_path,
            filename=path.name,
        )
        if result.problems:
            for problem in result.problems:
                # "Line 3: …" — the position in English, so scripts can read it, and the
                # message in the reader's language.
                self.stderr.write(
                    f"{problem.where.capitalize()} {problem.number}: {problem.message}"
                )
            raise CommandError(
                f"{len(result.problems)} problem(s) found in {path.name}; nothing was imported."
            )
        self.stdout.write(f"imported {len(result.questions)} questions")
