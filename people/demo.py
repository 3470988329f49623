"""The demo city's organisation tree, officers and staff logins, built by `seed_demo`.

Names are real places in Puyang (濮阳市); people are invented. Everything is keyed by
stable codes and usernames, so seeding twice changes nothing.
"""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import Employment, OrgUnit, Role, RoleAssignment, UnitKind, User
from .services import role_assign, unit_create, user_create

DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed for the demo site, documented in README

CITY = ("PY", "濮阳市")

# (code, name, townships, sub-districts)
COUNTIES = [
    (
        "PY-HL",
        "华龙区",
        ["岳村镇", "孟轲乡", "王助镇", "新习镇", "胡村乡"],
        ["中原路街道", "胜利路街道", "人民路街道", "濮上街道"],
    ),
    (
        "PY-PY",
        "濮阳县",
        [
            "城关镇",
            "柳屯镇",
            "文留镇",
            "庆祖镇",
            "八公桥镇",
            "徐镇镇",
            "户部寨镇",
            "鲁河镇",
            "子岸镇",
            "梁庄镇",
            "王称堌镇",
            "胡状镇",
            "五星乡",
            "白罡乡",
            "梨园乡",
            "海通乡",
            "习城乡",
            "郎中乡",
            "渠村乡",
            "清河头乡",
        ],
        [],
    ),
    (
        "PY-QF",
        "清丰县",
        [
            "城关镇",
            "马庄桥镇",
            "瓦屋头镇",
            "仙庄镇",
            "柳格镇",
            "韩村镇",
            "阳邵镇",
            "古城乡",
            "高堡乡",
            "六塔乡",
            "巩营乡",
            "马村乡",
            "大流乡",
            "双庙乡",
            "纸房乡",
            "大屯乡",
            "固城乡",
        ],
        [],
    ),
    (
        "PY-NL",
        "南乐县",
        [
            "城关镇",
            "韩张镇",
            "元村镇",
            "福堪镇",
            "千口镇",
            "谷金楼镇",
            "杨村乡",
            "近德固乡",
            "张果屯镇",
            "梁村乡",
            "寺庄乡",
            "西邵乡",
        ],
        [],
    ),
    (
        "PY-FX",
        "范县",
        [
            "城关镇",
            "濮城镇",
            "王楼镇",
            "龙王庄镇",
            "颜村铺乡",
            "杨集乡",
            "陈庄镇",
            "辛庄镇",
            "高码头镇",
            "白衣阁乡",
            "张庄乡",
            "陆集乡",
        ],
        [],
    ),
    (
        "PY-TQ",
        "台前县",
        [
            "城关镇",
            "侯庙镇",
            "孙口镇",
            "打渔陈镇",
            "夹河乡",
            "吴坝镇",
            "清水河乡",
            "马楼镇",
            "后方乡",
        ],
        [],
    ),
]

# County departments that held the delegated powers, and the other county-level units.
DEPARTMENTS = [
    ("ZRJ", "自然资源局"),
    ("STJ", "生态环境分局"),
    ("CGJ", "城市管理局"),
    ("SLJ", "水利局"),
    ("NYJ", "农业农村局"),
    ("JTJ", "交通运输局"),
    ("XFD", "消防救援大队"),
]

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
    """City, counties, townships, sub-districts, departments, courts and justice bureaus."""
    units: dict[str, OrgUnit] = {}
    city = _unit(CITY[0], CITY[1], UnitKind.CITY, None)
    units[city.code] = city
    for code, name, townships, subdistricts in COUNTIES:
        county = _unit(code, name, UnitKind.COUNTY, city)
        units[code] = county
        for index, township in enumerate(townships, start=1):
            unit = _unit(f"{code}-T{index:02d}", township, UnitKind.TOWNSHIP, county)
            units[unit.code] = unit
        for index, subdistrict in enumerate(subdistricts, start=1):
            unit = _unit(f"{code}-S{index:02d}", subdistrict, UnitKind.SUBDISTRICT, county)
            units[unit.code] = unit
        for dept_code, dept_name in DEPARTMENTS:
            unit = _unit(f"{code}-{dept_code}", f"{name}{dept_name}", UnitKind.DEPARTMENT, county)
            units[unit.code] = unit
        units[f"{code}-SFJ"] = _unit(
            f"{code}-SFJ", f"{name}司法局", UnitKind.JUSTICE_BUREAU, county
        )
        units[f"{code}-FY"] = _unit(f"{code}-FY", f"{name}人民法院", UnitKind.COURT, county)
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
    """The documented demo logins, one or more per role."""
    logins = []

    def add(username, full_name, unit_code, role, description, **kwargs):
        _staff(username, full_name, units[unit_code], role, **kwargs)
        logins.append(DemoLogin(username, role or "superuser", description))

    add("admin", "系统管理员", "PY", "", "superuser: Django admin and everything", superuser=True)
    add(
        "city_admin",
        "市依法治市办 李明",
        "PY",
        Role.CITY_ADMIN,
        "city administrator (市依法治市办)",
    )
    add("py_sfj", "濮阳县司法局 王芳", "PY-PY-SFJ", Role.JUSTICE_BUREAU, "濮阳县 justice bureau")
    add("qf_sfj", "清丰县司法局 赵强", "PY-QF-SFJ", Role.JUSTICE_BUREAU, "清丰县 justice bureau")
    add(
        "trainer_py",
        "濮阳县 培训讲师 刘洋",
        "PY-PY-ZRJ",
        Role.TRAINER,
        "trainer / specialist, 濮阳县自然资源局",
    )
    add(
        "trainer_qf",
        "清丰县 培训讲师 陈静",
        "PY-QF-NYJ",
        Role.TRAINER,
        "trainer / specialist, 清丰县农业农村局",
    )
    add(
        "host_court",
        "濮阳县人民法院 孙磊",
        "PY-PY-FY",
        Role.HOST,
        "observation host, 濮阳县人民法院",
    )
    add(
        "host_dept",
        "濮阳县城市管理局 周敏",
        "PY-PY-CGJ",
        Role.HOST,
        "observation host, 濮阳县城市管理局",
    )
    add(
        "sup_cgz",
        "城关镇监督办 吴杰",
        "PY-PY-T01",
        Role.TOWNSHIP_SUPERVISOR,
        "supervisor, 濮阳县城关镇",
    )
    add(
        "head_cgz",
        "城关镇镇长 郑伟",
        "PY-PY-T01",
        Role.TOWNSHIP_HEAD,
        "township head, 濮阳县城关镇",
    )
    add(
        "sup_mzq",
        "马庄桥镇监督办 黄丽",
        "PY-QF-T02",
        Role.TOWNSHIP_SUPERVISOR,
        "supervisor, 清丰县马庄桥镇",
    )
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
