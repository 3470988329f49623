"""`manage.py import_power_list FILE --list NAME`: fill a list of delegated powers from XLSX or CSV."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from people.models import OrgUnit
from powers.models import AppliesTo, PowerList
from powers.services import power_list_create, power_list_import


class Command(BaseCommand):
    help = (
        "Import the powers of a list (one power per row: 编码, 事项名称, 执法领域, 法律依据, 条款, "
        "原执法部门, 生效日期, 过渡期截止). Creates the list if it does not exist. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--list", dest="list_name", required=True, help="list name")
        parser.add_argument("--document-number", default="")
        parser.add_argument("--effective-from", type=date.fromisoformat)
        parser.add_argument("--applies-to", choices=AppliesTo.values, default=AppliesTo.TOWNSHIPS)
        parser.add_argument("--issuer", help="code of the issuing city or county")

    def handle(self, *args, file: Path, list_name: str, **options):
        if not file.is_file():
            raise CommandError(f"文件不存在 / no such file: {file}")
        power_list = PowerList.objects.filter(name=list_name).first()
        if power_list is None:
            if options["effective_from"] is None:
                raise CommandError(
                    "新清单需要 --effective-from / a new list needs --effective-from"
                )
            issuer = None
            if options["issuer"]:
                issuer = OrgUnit.objects.filter(code=options["issuer"]).first()
                if issuer is None:
                    raise CommandError(f"没有编码为 {options['issuer']} 的单位 / unknown unit code")
            power_list = power_list_create(
                name=list_name,
                effective_from=options["effective_from"],
                applies_to=options["applies_to"],
                document_number=options["document_number"],
                issuer=issuer,
            )
            created_list = True
        else:
            created_list = False
        with file.open("rb") as handle:
            report = power_list_import(power_list=power_list, source=handle, filename=file.name)
        if not report.ok:
            if created_list:
                power_list.delete()
            lines = "\n".join(f"  {problem}" for problem in report.problems)
            raise CommandError(f"nothing imported; {len(report.problems)} problem(s):\n{lines}")
        self.stdout.write(
            f"list “{power_list.name}”: created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}"
        )
