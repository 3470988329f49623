"""The review queue and the article diff: who may use them, what they record."""

import datetime

from django.urls import reverse

import pytest

from laws import services as laws
from laws.models import ArticleChange, ChangeDecision, CitationReview
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory

from .conftest import TITLE, V2_EFFECTIVE

pytestmark = pytest.mark.django_db

BEFORE = V2_EFFECTIVE - datetime.timedelta(days=1)


@pytest.fixture
def due(sanitation_v2, city):
    """A question and a county-1 quiz cite 第二条, amended by the version in force."""
    question = QuestionFactory(text="本条例适用于哪些区域？")
    quiz = QuizFactory(owner_unit=city["county1"])
    return {
        "question": laws.citation_add(obj=question, title=TITLE, number=2, on=BEFORE),
        "quiz": laws.citation_add(obj=quiz, title=TITLE, number=2, on=BEFORE),
    }


def test_a_trainer_sees_the_queue_of_their_area_and_keeps_a_question(
    client, django_assert_num_queries, due, city
):
    trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
    client.force_login(trainer)
    client.get(reverse("laws:review_queue"))  # warm the per-process caches
    # 14: one of them loads the questions' categories, whose owner county scopes them.
    with django_assert_num_queries(14):
        response = client.get(reverse("laws:review_queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert TITLE in html and "第二条" in html
    assert reverse("laws:citation_review", args=[due["question"].pk]) in html
    assert reverse("laws:citation_review", args=[due["quiz"].pk]) in html
    response = client.post(
        reverse("laws:citation_review", args=[due["question"].pk]), {"decision": "keep"}
    )
    assert response.status_code == 302
    review = CitationReview.objects.get()
    assert (review.citation, review.actor, review.decision) == (due["question"], trainer, "keep")
    html = client.get(reverse("laws:review_queue")).content.decode()
    assert reverse("laws:citation_review", args=[due["question"].pk]) not in html


def test_another_countys_trainer_cannot_see_or_review_a_county_quizs_citation(client, due, city):
    other = StaffFactory(role=Role.TRAINER, unit=city["department2"])
    client.force_login(other)
    html = client.get(reverse("laws:review_queue")).content.decode()
    assert reverse("laws:citation_review", args=[due["quiz"].pk]) not in html
    assert reverse("laws:citation_review", args=[due["question"].pk]) in html
    response = client.post(
        reverse("laws:citation_review", args=[due["quiz"].pk]), {"decision": "keep"}
    )
    assert response.status_code == 404
    assert not CitationReview.objects.exists()


def test_a_question_is_reviewed_by_its_categorys_county_only(client, sanitation_v2, city):
    """A question belongs to the county that owns its category: another county's trainer
    neither sees its citation nor can record a review of it; the owner's trainer can."""
    category = QuestionCategoryFactory(owner_unit=city["county1"])
    question = QuestionFactory(category=category, text="县题库：本条例适用于哪些区域？")
    citation = laws.citation_add(obj=question, title=TITLE, number=2, on=BEFORE)
    url = reverse("laws:citation_review", args=[citation.pk])

    client.force_login(StaffFactory(role=Role.TRAINER, unit=city["department2"]))
    assert url not in client.get(reverse("laws:review_queue")).content.decode()
    for decision in ("keep", "update", "retire"):
        assert client.post(url, {"decision": decision}).status_code == 404
    assert not CitationReview.objects.exists()
    question.refresh_from_db()
    assert question.is_active

    owner = StaffFactory(role=Role.TRAINER, unit=city["department1"])
    client.force_login(owner)
    assert url in client.get(reverse("laws:review_queue")).content.decode()
    assert client.post(url, {"decision": "keep"}).status_code == 302
    assert CitationReview.objects.get().actor == owner


def test_the_city_administrator_sees_every_county(client, due, city):
    admin = StaffFactory(role=Role.CITY_ADMIN, unit=city["city"])
    client.force_login(admin)
    html = client.get(reverse("laws:review_queue")).content.decode()
    assert reverse("laws:citation_review", args=[due["quiz"].pk]) in html


def test_an_officer_cannot_review(client, due, city):
    officer = OfficerFactory(unit=city["township11"])
    client.force_login(officer)
    assert client.get(reverse("laws:review_queue")).status_code == 403
    response = client.post(
        reverse("laws:citation_review", args=[due["question"].pk]), {"decision": "keep"}
    )
    assert response.status_code == 403
    assert not CitationReview.objects.exists()


def test_retiring_a_question_switches_it_off(client, due, city):
    client.force_login(StaffFactory(role=Role.TRAINER, unit=city["department1"]))
    client.post(reverse("laws:citation_review", args=[due["question"].pk]), {"decision": "retire"})
    question = due["question"].obj
    question.refresh_from_db()
    assert question.is_active is False
    assert CitationReview.objects.get().decision == "retire"


def test_an_unknown_decision_records_nothing(client, due, city):
    client.force_login(StaffFactory(role=Role.TRAINER, unit=city["department1"]))
    response = client.post(
        reverse("laws:citation_review", args=[due["question"].pk]),
        {"decision": "burn"},
        follow=True,
    )
    assert response.status_code == 200
    assert not CitationReview.objects.exists()


def test_the_diff_marks_what_was_removed_and_added(client, sanitation_v2, city):
    change = ArticleChange.objects.get(new_version=sanitation_v2, new_article__number=2)
    client.force_login(OfficerFactory(unit=city["township11"]))
    html = client.get(reverse("laws:change", args=[change.pk])).content.decode()
    assert "<ins>" in html and "和乡村" in html
    assert reverse("laws:change_confirm", args=[change.pk]) not in html


def test_a_trainer_corrects_a_classification_and_an_officer_cannot(
    client, django_assert_num_queries, sanitation_v2, city
):
    change = ArticleChange.objects.get(new_version=sanitation_v2, new_article__number=2)
    url = reverse("laws:change_confirm", args=[change.pk])
    client.force_login(OfficerFactory(unit=city["township11"]))
    assert client.post(url, {"kind": "renumbered"}).status_code == 403
    trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
    client.force_login(trainer)
    client.get(reverse("laws:change", args=[change.pk]))
    # 8: the 7 of the diff and its decisions, and the new version's articles to match with.
    with django_assert_num_queries(8):
        html = client.get(reverse("laws:change", args=[change.pk])).content.decode()
    assert url in html
    client.post(url, {"kind": "repealed"})
    assert not ChangeDecision.objects.exists()
    client.post(url, {"kind": "replaced"})
    decision = ChangeDecision.objects.get()
    assert (decision.actor, decision.kind_before, decision.kind_after) == (
        trainer,
        "amended",
        "replaced",
    )


def test_the_home_page_links_reviewers_to_the_queue_and_not_officers(client, city):
    client.force_login(StaffFactory(role=Role.TRAINER, unit=city["department1"]))
    assert reverse("laws:review_queue") in client.get(reverse("home")).content.decode()
    client.force_login(OfficerFactory(unit=city["township11"]))
    assert reverse("laws:review_queue") not in client.get(reverse("home")).content.decode()
