"""The demo's power lists, question bank and case library are data files read through the
product's own importers or by thin loaders; a file they cannot use is named, never guessed."""

import datetime
import shutil

import pytest

from cases import demo as cases_demo
from cases.blocks import EVIDENCE_KINDS
from cases.models import CasePage
from people import demo as people_demo
from people.factories import UnitFactory
from people.models import UnitKind
from powers import demo as powers_demo
from powers.models import Power, PowerList, transition_default_end
from quizzes import demo as quizzes_demo
from quizzes.models import Question, QuestionType


@pytest.fixture
def city(db):
    return UnitFactory(kind=UnitKind.CITY, code="PY", name="濮阳市")


def test_the_power_lists_are_imported_and_the_later_list_withdraws_what_it_drops(city):
    old, new = powers_demo.seed_catalogue(city=city)
    assert (old.powers.count(), new.powers.count()) == (66, 34)
    kept = Power.objects.get(code="PY2023-SL-01")
    assert kept.withdrawn_on is None
    # A power both lists hold keeps the dates of the list that first delegated it.
    assert kept.applies_from == datetime.date(2023, 6, 1)
    assert kept.transition_ends == transition_default_end(datetime.date(2023, 6, 1))
    dropped = Power.objects.get(code="PY2023-ZR-01")
    assert dropped.withdrawn_on == new.effective_from
    assert new.applies_to == "both" and old.applies_to == "township"

    rows = list(Power.objects.order_by("code").values_list())
    powers_demo.seed_catalogue(city=city)
    assert list(Power.objects.order_by("code").values_list()) == rows
    assert PowerList.objects.count() == 2


def test_a_power_file_the_importer_refuses_stops_the_seed_with_its_row(city, tmp_path, monkeypatch):
    for name in ("lists.csv", "2023.csv", "2025.csv"):
        shutil.copy(powers_demo.DATA / name, tmp_path / name)
    lines = (tmp_path / "2025.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].replace(",水利,", ",水务,")  # a field the catalogue does not have
    (tmp_path / "2025.csv").write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr(powers_demo, "DATA", tmp_path)
    with pytest.raises(people_demo.DemoDataError, match="2025.csv.*4.*水务"):
        powers_demo.seed_catalogue(city=city)


def test_the_question_bank_comes_in_through_the_gift_importer_once(city):
    powers_demo.seed_catalogue(city=city)
    categories = quizzes_demo.seed_question_bank()
    assert Question.objects.count() == 320
    essays = Question.objects.filter(category__parent__name=quizzes_demo.ESSAY_ROOT)
    assert essays.count() == 8 and not essays.exclude(qtype=QuestionType.ESSAY).exists()
    # The @meta lines carry each question's field and power.
    water = Question.objects.filter(category=categories["water"])
    assert water.exists() and not water.exclude(fields__code="water").exists()
    assert Question.objects.filter(powers__isnull=False).exists()
    quizzes_demo.seed_question_bank()
    assert Question.objects.count() == 320


def test_every_case_file_reads_and_the_library_is_built_from_them(city):
    cases = cases_demo.cases_read()
    assert len(cases) == len(people_demo.demo_texts(cases_demo.DATA)) == 37
    assert {kind for case in cases for kind, _text in case["evidence"]} <= {
        code for code, _label in EVIDENCE_KINDS
    }
    assert set(cases_demo.EVIDENCE.values()) == {code for code, _label in EVIDENCE_KINDS}
    people_demo.seed_org_tree()
    powers_demo.seed_catalogue(city=people_demo.OrgUnit.objects.get(code="PY"))
    library = cases_demo.seed_cases(with_assignments=False)
    assert library.title == "以案说法" and "以案说法" in library.intro
    page = CasePage.objects.get(slug="zr-feifa-zhandi-kuangchang")
    assert page.township.code == "PY-QF-T02" and page.field.code == "natural_resources"
    assert [block.block_type for block in page.procedure].count("hearing") == 1
    assert page.legal_basis[0].value["article"] == "第七十七条"
    assert [p.code for p in page.powers.all()] == ["PY2023-ZR-02"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("结果: 作出处罚", "结果: 罚了"), "unknown 结果"),
        (("- 书证：", "- 口供："), "unknown kind of evidence “口供”"),
        (("》第七十七条：", "》第七十七条 "), "a provision is written"),
        (("决定日期: 2023-11-06", "决定日期: 2023年11月6日"), "决定日期"),
        (("---\n\n## 基本案情", "\n## 基本案情"), "not closed"),
    ],
)
def test_a_case_file_the_loader_cannot_use_names_itself(tmp_path, monkeypatch, change, message):
    source = cases_demo.DATA / "zr-feifa-zhandi-kuangchang.md"
    text = source.read_text(encoding="utf-8")
    assert change[0] in text
    (tmp_path / source.name).write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    monkeypatch.setattr(cases_demo, "DATA", tmp_path)
    with pytest.raises(people_demo.DemoDataError, match=message) as error:
        cases_demo.cases_read()
    assert source.name in str(error.value)


def test_a_lesson_file_becomes_text_callouts_and_procedures():
    from courses import demo as courses_demo

    text = (
        "第一段。\n\n第二段。\n\n> 《行政处罚法》第五十一条：可以当场作出决定。\n\n"
        "> 提示：先出示证件。\n\n### 当场处罚的步骤\n\n"
        "1. 表明身份：出示执法证件。（依据：第五十二条）\n2. 备案：报所属行政机关备案。\n\n末段。"
    )
    blocks = courses_demo._blocks(text, where="lesson.md")
    assert [kind for kind, _value in blocks] == ["text", "callout", "callout", "procedure", "text"]
    assert blocks[0][1] == "<p>第一段。</p><p>第二段。</p>"
    assert blocks[1][1]["style"] == "law" and blocks[1][1]["title"] == "《行政处罚法》第五十一条"
    assert blocks[2][1] == {"style": "tip", "title": "", "text": "<p>先出示证件。</p>"}
    steps = blocks[3][1]["steps"]
    assert [(s["title"], s["legal_basis"]) for s in steps] == [
        ("表明身份", "第五十二条"),
        ("备案", ""),
    ]
    assert steps[0]["detail"] == "<p>出示执法证件。</p>"


@pytest.mark.django_db
def test_a_module_file_whose_lesson_heading_has_no_minutes_is_refused_by_name(
    tmp_path, monkeypatch
):
    from courses import demo as courses_demo
    from courses.factories import site_root
    from courses.models import TrainingIndexPage

    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "01-short.md").write_text(
        "---\n标题: 短课\n类型: 覆盖式\n学时: 1.0\n学时类别: 专业知识\n---\n\n简介。\n\n"
        "## intro：开篇\n\n正文。\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(courses_demo, "DATA", tmp_path)
    index = site_root().add_child(instance=TrainingIndexPage(title="培训", slug="modules"))
    with pytest.raises(people_demo.DemoDataError, match="01-short.md.*N分钟"):
        courses_demo._seed_modules(index, index)
