"""Personal data in cases: identity and mobile numbers are found, and the editor is warned, not blocked."""

from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from cases.models import CasePage
from cases.selectors import case_personal_data_findings, personal_data_findings
from people.models import User


class TestPersonalDataFindings:
    def test_an_identity_number_is_found_and_masked(self):
        [finding] = personal_data_findings("当事人王某（身份证号410923198905061234）")
        assert finding.kind == "id_number"
        assert finding.masked == "4109**********1234"

    def test_an_identity_number_ending_in_x_and_in_full_width_digits(self):
        assert personal_data_findings("41092319890506123x")[0].kind == "id_number"
        assert personal_data_findings("４１０９２３１９８９０５０６１２３４")[0].kind == "id_number"

    def test_mobile_numbers_also_with_spaces_or_dashes(self):
        for text in ["联系电话13812345678。", "电话 138 1234 5678", "手机：139-0393-1234"]:
            [finding] = personal_data_findings(text)
            assert finding.kind == "mobile"
            assert finding.masked.startswith("13") and "****" in finding.masked

    def test_other_numbers_are_not_personal_data(self):
        text = "罚款20000元，占地面积200平方米，案号〔2024〕15号，日期20240520，座机0393-4412345，金额12345678901234567890元"
        assert personal_data_findings(text) == []

    def test_an_identity_number_is_not_also_reported_as_a_mobile_number(self):
        assert [f.kind for f in personal_data_findings("410923198905013812")] == ["id_number"]


@pytest.fixture
def library(db):
    return CaseLibraryPageFactory()


@pytest.mark.django_db
def test_findings_name_the_part_of_the_case(library):
    case = CasePageFactory(
        parent=library,
        facts="<p>当事人电话13812345678。</p>",
        lessons=[("point", "不要写入身份证号410923198905061234")],
    )
    findings = case_personal_data_findings(page=case)
    assert {(f.kind, f.where) for f in findings} == {
        ("mobile", str(CasePage._meta.get_field("facts").verbose_name)),
        ("id_number", str(CasePage._meta.get_field("lessons").verbose_name)),
    }


def edit_data(case, facts):
    return nested_form_data(
        {
            "title": case.title,
            "slug": case.slug,
            "case_number": case.case_number,
            "decided_on": "2024-05-20",
            "field": case.field_id,
            "outcome": "penalty",
            "facts": rich_text(facts),
            "legal_questions": rich_text(""),
            "legal_basis": streamfield([]),
            "procedure": streamfield([]),
            "evidence": streamfield([]),
            "decision": rich_text(""),
            "penalty": "罚款五千元",
            "review_outcome": rich_text(""),
            "lessons": streamfield([]),
            "document_templates": streamfield([]),
            "related_modules": streamfield([]),
            "study_hours": "0",
            "hours_category": "professional",
            "comments": inline_formset([]),
        }
    )


@pytest.mark.django_db
class TestEditorWarning:
    @pytest.fixture
    def editor(self, client):
        user = User.objects.create_superuser("editor", password="x")
        client.force_login(user)
        return user

    def test_saving_a_case_with_a_mobile_number_warns_but_saves(self, client, editor, library):
        case = CasePageFactory(parent=library)
        url = reverse("wagtailadmin_pages:edit", args=[case.pk])
        response = client.post(url, edit_data(case, "当事人联系电话13812345678。"), follow=True)
        assert response.status_code == 200
        warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
        assert any("138****5678" in w for w in warnings)
        saved = CasePage.objects.get(pk=case.pk).get_latest_revision_as_object()
        assert "13812345678" in saved.facts  # nothing lost

    def test_clean_text_gives_no_warning(self, client, editor, library):
        case = CasePageFactory(parent=library)
        url = reverse("wagtailadmin_pages:edit", args=[case.pk])
        response = client.post(url, edit_data(case, "当事人李某，联系电话已略去。"), follow=True)
        assert not [m for m in response.context["messages"] if m.level_tag == "warning"]

    def test_a_township_outside_the_county_is_refused_with_a_message(
        self, client, editor, library, city
    ):
        case = CasePageFactory(parent=library)
        data = edit_data(case, "事实")
        data.update({"county": city["county1"].pk, "township": city["township21"].pk})
        response = client.post(reverse("wagtailadmin_pages:edit", args=[case.pk]), data)
        assert response.status_code == 200
        assert "township" in response.context["form"].errors


@pytest.mark.django_db
def test_the_case_editor_opens_with_every_part(client, library):
    client.force_login(User.objects.create_superuser("editor2", password="x"))
    response = client.get(reverse("wagtailadmin_pages:add", args=["cases", "casepage", library.pk]))
    assert response.status_code == 200
    fields = response.context["form"].fields
    for name in ["legal_basis", "procedure", "evidence", "lessons", "document_templates", "quiz"]:
        assert name in fields
