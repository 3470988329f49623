"""Exam results: recording, the retake rule, results from the quiz engine, the provincial import."""

import datetime
import io

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from certification.models import ExamResult
from certification.selectors import credential_status, exam_standing
from certification.services import exam_result_record, exam_results_import, policy_update
from quizzes.models import Attempt, Quiz
from quizzes.signals import attempt_graded

D = datetime.date


@pytest.mark.django_db
class TestRecording:
    def test_specialised_needs_a_field_and_scores_are_0_to_100(self, officer):
        with pytest.raises(ValidationError):
            exam_result_record(officer=officer, kind="specialised", score=70, sat_on=D(2026, 5, 1))
        with pytest.raises(ValidationError):
            exam_result_record(officer=officer, kind="general_law", score=101, sat_on=D(2026, 5, 1))
        with pytest.raises(ValidationError):
            exam_result_record(officer=officer, kind="bogus", score=70, sat_on=D(2026, 5, 1))

    def test_60_passes_and_59_does_not(self, officer):
        exam_result_record(officer=officer, kind="general_law", score=59, sat_on=D(2026, 5, 1))
        exam_result_record(
            officer=officer, kind="specialised", score=60, sat_on=D(2026, 5, 1), field="water"
        )
        standing = exam_standing(officer=officer, on=D(2026, 6, 1))
        assert not standing.general_passed
        assert standing.fields_passed == {"water"}

    def test_one_retake_counts_and_a_third_sitting_does_not(self, officer):
        exam_result_record(officer=officer, kind="general_law", score=50, sat_on=D(2026, 3, 1))
        exam_result_record(officer=officer, kind="general_law", score=55, sat_on=D(2026, 4, 1))
        third = exam_result_record(
            officer=officer, kind="general_law", score=90, sat_on=D(2026, 5, 1)
        )
        standing = exam_standing(officer=officer, on=D(2026, 6, 1))
        assert not standing.general_passed
        assert third.pk in standing.over_limit
        # A new year brings a new sitting.
        exam_result_record(officer=officer, kind="general_law", score=75, sat_on=D(2027, 3, 1))
        assert exam_standing(officer=officer, on=D(2027, 6, 1)).general_passed

    def test_retakes_follow_the_policy(self, officer):
        policy_update(actor=None, retakes_allowed=2)
        for score, month in ((50, 3), (55, 4), (90, 5)):
            exam_result_record(
                officer=officer, kind="general_law", score=score, sat_on=D(2026, month, 1)
            )
        assert exam_standing(officer=officer, on=D(2026, 6, 1)).general_passed

    def test_not_qualified_reasons_name_the_missing_exam(self, officer):
        exam_result_record(officer=officer, kind="general_law", score=80, sat_on=D(2026, 3, 1))
        codes = [r.code for r in credential_status(officer=officer, on=D(2026, 6, 1)).reasons]
        assert "general_law_exam" not in codes and "specialised_exam" in codes


@pytest.mark.django_db
class TestFromTheQuizEngine:
    def graded(self, officer, fields, kind, score, field=None):
        quiz = Quiz.objects.create(
            title="资格考试", kind=kind, field=fields.get(field) if field else None
        )
        finished = timezone.make_aware(datetime.datetime(2026, 5, 20, 23, 30))  # Shanghai time
        attempt = Attempt.objects.create(
            quiz=quiz, user=officer, score=score, passed=score >= 60, finished_at=finished
        )
        attempt_graded.send(sender=Attempt, attempt=attempt)
        return attempt

    def test_a_graded_exam_attempt_becomes_a_result_once(self, officer, fields):
        attempt = self.graded(officer, fields, "specialised", 72, field="fire")
        attempt_graded.send(sender=Attempt, attempt=attempt)
        result = ExamResult.objects.get()
        assert (result.kind, result.field.code, result.score, result.sat_on) == (
            "specialised",
            "fire",
            72,
            D(2026, 5, 20),
        )
        assert result.source == "platform"

    def test_practice_quizzes_are_not_exam_results(self, officer, fields):
        self.graded(officer, fields, "practice", 90)
        self.graded(officer, fields, "module", 90)
        assert not ExamResult.objects.exists()


def csv_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


@pytest.mark.django_db
class TestProvincialImport:
    def test_every_bad_row_is_reported_and_nothing_is_saved(self, officer):
        officer.employee_number = "PY00001"
        officer.save(update_fields=["employee_number"])
        report = exam_results_import(
            source=csv_file(
                "工号,考试类别,执法领域,成绩,考试日期\n"
                "PY00001,通用法律知识,,80,2026-05-01\n"
                "PY99999,通用法律知识,,80,2026-05-01\n"
                "PY00001,专门法律知识,火星,70,2026-05-01\n"
                "PY00001,专门法律知识,water,170,2026/13/01\n"
            ),
            filename="成绩.csv",
        )
        assert not report.ok
        rows = sorted({p.row for p in report.problems})
        assert rows == [3, 4, 5]
        assert not ExamResult.objects.exists()

    def test_good_file_imports_by_employee_or_identity_number_and_twice_is_harmless(self, officer):
        officer.employee_number = "PY00001"
        officer.id_number = "41090219800101123X"
        officer.save(update_fields=["employee_number", "id_number"])
        content = (
            "工号,身份证号,考试类别,执法领域,成绩,考试日期\n"
            "PY00001,,通用法律知识,,80,2026-05-01\n"
            ",41090219800101123x,专门法律知识,水利,66.5,2026-05-02\n"
        )
        report = exam_results_import(source=csv_file(content), filename="r.csv")
        assert report.ok and report.created == 2
        again = exam_results_import(source=csv_file(content), filename="r.csv")
        assert again.created == 0 and again.unchanged == 2
        standing = exam_standing(officer=officer, on=D(2026, 6, 1))
        assert standing.general_passed and standing.fields_passed == {"water"}
