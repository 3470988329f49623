"""`manage.py import_questions FILE --format gift|aiken|xlsx|moodle-xml --category NAME
[--skip-unsupported]` (DESIGN.md §5).

Exit 0 and `imported N questions` on success; with --skip-unsupported also `skipped M
questions` and a line `Line N: TYPE (what it is)` for each question of a type the bank
does not have. What a file holds that the bank does not keep (Moodle's penalty, hints,
tags, …) is a warning line on stderr, `Line N: warning: …`. On any problem (without the flag, an unsupported question is one), every
problem with its line (GIFT, Aiken) or row (XLSX) on stderr, nothing imported, and a
non-zero exit.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.exchange import questions_import


class Command(BaseCommand):
    help = "Import questions into the question bank from a GIFT, Moodle XML, Aiken or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--format", required=True, choices=["gift", "aiken", "xlsx", "moodle-xml"]
        )
        parser.add_argument(
            "--category",
            required=True,
            help="Category to import into (created if missing); use / for a sub-category.",
        )
        parser.add_argument(
            "--skip-unsupported",
            action="store_true",
            help="Leave out (and list) questions of types the bank does not have, such as "
            "short answer, numerical and matching, instead of refusing the file.",
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
            skip_unsupported=options["skip_unsupported"],
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
        if options["skip_unsupported"]:
            self.stdout.write(f"skipped {len(result.unsupported)} questions")
            for skipped in result.unsupported:
                where = "Row" if options["format"] == "xlsx" else "Line"
                self.stdout.write(f"{where} {skipped.number}: {skipped.qtype} ({skipped.label()})")
        # What the file holds that the bank does not keep: on stderr, so stdout stays the
        # counts and the skipped list.
        for warning in result.warnings:
            self.stderr.write(
                f"{warning.where.capitalize()} {warning.number}: warning: {warning.message}"
            )
