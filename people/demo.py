"""The demo city's organisation tree, officers and staff logins, built by `seed_demo`.

Names are real places in Puyang (濮阳市); people are invented. Everything is keyed by
stable codes and usernames, so seeding twice changes nothing.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import Employment, OrgUnit, Role, RoleAssignment, UnitKind, User
from .services import role_assign, unit_create, user_create
from .tabular import read_rows

DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed for the demo site, documented in README

#: The demo's data files (demo/people/): the units as a city sends its organisation
#: chart, and the staff logins.
DATA = Path(settings.BASE_DIR) / "demo" / "people"
#: The root of the demo tree (the city), as named in demo/people/units.csv.
CITY = ("PY", "濮阳市")

#: 单位类型 as the file writes it → the kind of unit.
UNIT_KINDS = {
    "市": UnitKind.CITY,
    "县（区）": UnitKind.COUNTY,
    "乡镇": UnitKind.TOWNSHIP,
    "街道": UnitKind.SUBDISTRICT,
    "县直部门": UnitKind.DEPARTMENT,
    "司法局": UnitKind.JUSTICE_BUREAU,
    "法院": UnitKind.COURT,
}
UNIT_COLUMNS = {
    "单位编码": "code",
    "单位名称": "name",
    "单位类型": "kind",
    "上级单位编码": "parent",
}

#: 角色 as the staff file writes it → the role ("系统管理员": a superuser with no role).
STAFF_ROLES = {
    "系统管理员": "",
    "市依法治市办": Role.CITY_ADMIN,
    "县司法局": Role.JUSTICE_BUREAU,
    "培训讲师": Role.TRAINER,
    "观摩接待人": Role.HOST,
    "乡镇监督办": Role.TOWNSHIP_SUPERVISOR,
    "乡镇主要负责人": Role.TOWNSHIP_HEAD,
}
STAFF_COLUMNS = {
    "用户名": "username",
    "姓名": "full_name",
    "单位编码": "unit",
    "角色": "role",
    "说明": "description",
}


class DemoDataError(ValueError):
    """A demo data file says something the loader cannot use (named with file and row)."""


@dataclass(frozen=True)
class DemoText:
    """A Markdown file of the demo: its front matter (`key: value` lines between two `---`
    lines), and its body cut at each `## heading` (the text before the first heading is
    under "")."""

    path: Path
    meta: dict[str, str]
    sections: dict[str, str]

    def get(self, key: str) -> str:
        """A front-matter value the loader cannot do without."""
        if not self.meta.get(key):
            raise DemoDataError(f"{self.path.name}: the front matter has no “{key}”")
        return self.meta[key]

    def items(self, heading: str) -> list[str]:
        """The `- ` list items of a section."""
        lines = self.sections.get(heading, "").splitlines()
        return [line[2:].strip() for line in lines if line.startswith("- ")]


def demo_texts(folder: Path) -> list[Path]:
    """The Markdown files of a demo folder in name order, leaving out its README and the
    files whose name starts with "_" (the folder's own page, read on its own)."""
    return [
        path
        for path in sorted(folder.glob("*.md"))
        if path.name != "README.md" and not path.name.startswith("_")
    ]


def demo_text(path: Path) -> DemoText:
    """Read a demo Markdown file (UTF-8) into front matter and sections."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    meta: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        try:
            end = lines.index("---", 1)
        except ValueError as error:
            raise DemoDataError(f"{path.name}: the front matter is not closed by ---") from error
        for number, line in enumerate(lines[1:end], start=2):
            key, sep, value = line.partition(":")
            if not sep:
                raise DemoDataError(f"{path.name}, line {number}: expected “key: value”")
            meta[key.strip()] = value.strip()
        lines = lines[end + 1 :]
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in lines:
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        else:
            sections[current].append(line)
    return DemoText(
        path=path,
        meta=meta,
        sections={key: "\n".join(body).strip() for key, body in sections.items()},
    )


def _rows(name: str, aliases: dict[str, str]) -> list:
    path = DATA / name
    return read_rows(path, filename=path.name, aliases=aliases, required=list(aliases.values()))


TOTAL_OFFICERS = 1108

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玉兰志文斌辉鹏飞宇浩然佳琪欣怡子涵梓萱晨阳俊博雪梅凤海燕振华永庆春生立新卫东晓光金凤德胜"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str


def _unit(code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
    existing = OrgUnit.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return unit_create(name=name, kind=kind, parent=parent, code=code)


def seed_org_tree() -> dict[str, OrgUnit]:
    """The units of demo/people/units.csv: city, counties, townships, sub-districts,
    departments, courts and justice bureaus. A parent comes before its children."""
    units: dict[str, OrgUnit] = {}
    for row in _rows("units.csv", UNIT_COLUMNS):
        kind = UNIT_KINDS.get(row.get("kind"))
        parent = units.get(row.get("parent")) if row.get("parent") else None
        if kind is None or (row.get("parent") and parent is None):
            raise DemoDataError(
                f"units.csv row {row.number}: unknown unit type or a parent not listed above it"
            )
        units[row.get("code")] = _unit(row.get("code"), row.get("name"), kind, parent)
    return units


def _officer_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def seed_officers(units: dict[str, OrgUnit]) -> int:
    """1,108 officers spread over the 75 townships (sub-districts are newly staffed: none yet).

    Bulk-created with one shared password hash so the whole city seeds in seconds.
    Returns how many were created now.
    """
    townships = sorted(
        (u for u in units.values() if u.kind == UnitKind.TOWNSHIP), key=lambda u: u.code
    )
    per_unit, extra = divmod(TOTAL_OFFICERS, len(townships))
    rng = random.Random(20230601)
    password = make_password(DEMO_PASSWORD)
    existing = set(
        User.objects.filter(username__startswith="officer").values_list("username", flat=True)
    )
    new_users = []
    serial = 0
    for position, township in enumerate(townships):
        count = per_unit + (1 if position < extra else 0)
        for _ in range(count):
            serial += 1
            name = _officer_name(rng)
            roll = rng.random()
            username = f"officer{serial:04d}"
            if username in existing:
                continue
            # Most officers hold established posts; a few are contract or temporary staff,
            # who may train but can never be certified.
            employment = (
                Employment.ESTABLISHED
                if roll < 0.93
                else Employment.CONTRACT
                if roll < 0.98
                else Employment.TEMPORARY
            )
            new_users.append(
                User(
                    username=username,
                    full_name=name,
                    employee_number=f"PY{serial:05d}",
                    unit=township,
                    employment=employment,
                    enforcement_post=True,
                    phone=f"139{rng.randrange(10**8):08d}",
                    id_number=f"4109{rng.randrange(10**2):02d}19{rng.randrange(60, 100):02d}"
                    f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(10**4):04d}",
                    password=password,
                )
            )
    with transaction.atomic():
        User.objects.bulk_create(new_users, batch_size=500)
        created = {
            u.username: u.pk
            for u in User.objects.filter(username__in=[u.username for u in new_users])
        }
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user_id=created[u.username], role=Role.OFFICER, unit=u.unit)
                for u in new_users
            ],
            batch_size=500,
        )
    return len(new_users)


def _staff(
    username: str, full_name: str, unit: OrgUnit, role: str, *, superuser: bool = False
) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username, full_name=full_name, unit=unit, password=DEMO_PASSWORD
        )
        if superuser:
            user.is_superuser = True
            user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
    if role:
        role_assign(user=user, role=role, unit=unit)
    return user


def seed_staff(units: dict[str, OrgUnit]) -> list[DemoLogin]:
    """The documented demo logins of demo/people/staff.csv, and the first officer."""
    logins = []
    for row in _rows("staff.csv", STAFF_COLUMNS):
        if row.get("role") not in STAFF_ROLES or row.get("unit") not in units:
            raise DemoDataError(f"staff.csv row {row.number}: unknown role or unit")
        role = STAFF_ROLES[row.get("role")]
        _staff(
            row.get("username"),
            row.get("full_name"),
            units[row.get("unit")],
            role,
            superuser=not role,
        )
        logins.append(DemoLogin(row.get("username"), role or "superuser", row.get("description")))
    officer = (
        User.objects.filter(unit=units["PY-PY-T01"], username__startswith="officer")
        .order_by("username")
        .first()
    )
    if officer is not None:
        logins.append(
            DemoLogin(
                officer.username, Role.OFFICER, f"officer, 濮阳县城关镇 ({officer.full_name})"
            )
        )
    return logins
