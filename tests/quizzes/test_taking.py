"""Taking a quiz: start, autosave with sequence numbers, resume, submit, time-out, integrity."""

import json
import threading
from datetime import timedelta

from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

import pytest

from quizzes import services
from quizzes.factories import QuestionFactory, QuizFactory, quiz_draw_add
from quizzes.models import Attempt, AttemptQuestion, AttemptStatus, FinishReason, Layout
from quizzes.signals import attempt_graded

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def graded_events():
    events = []

    def listener(sender, attempt, **kwargs):
        events.append(attempt.pk)

    attempt_graded.connect(listener)
    yield events
    attempt_graded.disconnect(listener)


def _start(client, quiz):
    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    assert response.status_code == 302
    return Attempt.objects.get(quiz=quiz, status=AttemptStatus.IN_PROGRESS)


def _save(client, attempt, position, answer, seq):
    return client.post(
        reverse("quizzes:attempt_answer", args=[attempt.public_id]),
        data=json.dumps({"q": position, "a": answer, "seq": seq}),
        content_type="application/json",
    )


def _index_of(slot: AttemptQuestion, correct: bool) -> int:
    options = {o.pk: o.is_correct for o in slot.question.options.all()}
    return next(i for i, pk in enumerate(slot.option_order) if options[pk] is correct)


@pytest.mark.django_db
def test_officer_starts_answers_and_submits_for_a_full_mark(
    client, officer, quiz, graded_events, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    client.force_login(officer)
    attempt = _start(client, quiz)
    slots = list(attempt.slots.select_related("question"))
    assert [s.question.text for s in slots][0].startswith("违法行为")
    for seq, slot in enumerate(slots, start=1):
        if slot.question.qtype == "multiple":
            answer = [i for i in range(4) if i != _index_of(slot, False)]
        else:
            answer = _index_of(slot, True)
        response = _save(client, attempt, slot.position, answer, seq)
        assert response.json()["status"] == "saved"
    with capture(execute=True):
        response = client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id]))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.score == 100 and attempt.passed is True
    assert graded_events == [attempt.pk]
    page = client.get(reverse("quizzes:attempt_result", args=[attempt.public_id]))
    assert "100" in page.content.decode() and "第三十六条" in page.content.decode()


@pytest.mark.django_db
def test_a_late_save_never_overwrites_a_newer_one(client, officer, quiz):
    client.force_login(officer)
    attempt = _start(client, quiz)
    assert _save(client, attempt, 1, 2, seq=5).json() == {
        "status": "saved",
        "seq": 5,
        "remaining": None,
    }
    late = _save(client, attempt, 1, 0, seq=4)
    assert late.status_code == 200 and late.json()["status"] == "stale"
    duplicate = _save(client, attempt, 1, 0, seq=5)
    assert duplicate.json()["status"] == "stale"
    slot = attempt.slots.get(position=1)
    assert slot.selected == [slot.option_order[2]] and slot.seq == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload, message",
    [
        ({"q": 1, "a": 7, "seq": 1}, "does not belong"),
        ({"q": 1, "a": [0, 1], "seq": 1}, "exactly one"),
        ({"q": 99, "a": 0, "seq": 1}, "not part of this attempt"),
        ({"q": "1", "a": 0, "seq": 1}, "not part of this attempt"),
        ({"q": 1, "a": 0}, "sequence"),
        ({"q": 1, "a": "x", "seq": 1}, "does not belong"),
    ],
)
def test_answers_that_do_not_fit_the_attempt_are_rejected(client, officer, quiz, payload, message):
    client.force_login(officer)
    attempt = _start(client, quiz)
    response = client.post(
        reverse("quizzes:attempt_answer", args=[attempt.public_id]),
        data=json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not attempt.slots.filter(seq__gt=0).exists()


@pytest.mark.django_db
def test_broken_json_is_a_clear_400(client, officer, quiz):
    client.force_login(officer)
    attempt = _start(client, quiz)
    response = client.post(
        reverse("quizzes:attempt_answer", args=[attempt.public_id]),
        data="{not json",
        content_type="application/json",
    )
    assert response.status_code == 400 and "JSON" in response.json()["error"]


@pytest.mark.django_db
def test_another_officers_attempt_is_404_everywhere(client, officer, other_officer, quiz):
    attempt = services.attempt_start(quiz=quiz, user=officer)
    client.force_login(other_officer)
    for name in ("quizzes:attempt", "quizzes:attempt_result"):
        assert client.get(reverse(name, args=[attempt.public_id])).status_code == 404
    assert _save(client, attempt, 1, 0, 1).status_code == 404
    submit = client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id]))
    assert submit.status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


@pytest.mark.django_db
def test_attempt_ids_are_random_uuids(officer, quiz):
    first = services.attempt_start(quiz=quiz, user=officer)
    services.attempt_finish(attempt=first)
    second = services.attempt_start(quiz=quiz, user=officer)
    assert first.public_id.version == 4 and second.public_id != first.public_id


@pytest.mark.django_db
def test_page_and_json_never_leak_correctness_before_the_end(client, officer, quiz, bank):
    client.force_login(officer)
    attempt = _start(client, quiz)
    page = client.get(reverse("quizzes:attempt", args=[attempt.public_id])).content.decode()
    assert bank["single"].text in page
    for word in (
        "第三十六条",
        "第九条",
        "第四十二条",
        "correct",
        "is_correct",
        "explanation",
        "score",
    ):
        assert word not in page
    for option in bank["single"].options.all():
        assert f'value="{option.pk}"' not in page or option.pk < 4  # indices, never ids
    body = json.dumps(_save(client, attempt, 1, 0, 1).json())
    for word in ("correct", "explanation", "points", "score"):
        assert word not in body
    result = client.get(reverse("quizzes:attempt_result", args=[attempt.public_id]))
    assert result.status_code == 302  # no result while in progress


@pytest.mark.django_db
def test_submit_is_idempotent(
    client, officer, quiz, graded_events, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    attempt = _start(client, quiz)
    _save(client, attempt, 1, 1, 1)
    url = reverse("quizzes:attempt_submit", args=[attempt.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert client.post(url).status_code == 302
        _again, finished = services.attempt_finish(attempt=attempt)
    assert finished is False
    assert graded_events == [attempt.pk]
    assert Attempt.objects.filter(quiz=quiz, user=officer).count() == 1
    stale = _save(client, attempt, 1, 0, 2).json()
    assert stale["status"] == "finished"


@pytest.mark.django_db
def test_resume_returns_the_same_attempt_with_saved_answers(client, officer, quiz):
    client.force_login(officer)
    attempt = _start(client, quiz)
    _save(client, attempt, 2, [0, 1], 1)
    again = _start(client, quiz)
    assert again.pk == attempt.pk
    page = client.get(reverse("quizzes:attempt", args=[attempt.public_id])).content.decode()
    assert 'data-seq="1"' in page and page.count("checked") == 2


@pytest.mark.django_db
def test_draw_and_order_are_fixed_at_start(officer, category):
    questions = [QuestionFactory(category=category) for _ in range(12)]
    quiz = QuizFactory(questions=questions[:2], shuffle_questions=True, shuffle_options=True)
    quiz_draw_add(quiz=quiz, category=category, count=5)
    attempt = services.attempt_start(quiz=quiz, user=officer)
    before = list(attempt.slots.values_list("position", "question_id", "option_order"))
    assert len(before) == 7 and len({q for _p, q, _o in before}) == 7
    assert services.attempt_start(quiz=quiz, user=officer).pk == attempt.pk
    assert list(attempt.slots.values_list("position", "question_id", "option_order")) == before


@pytest.mark.django_db
def test_plain_form_post_without_javascript(client, officer, quiz):
    quiz.layout = Layout.ONE_PER_PAGE
    quiz.save()
    client.force_login(officer)
    attempt = _start(client, quiz)
    page = client.get(reverse("quizzes:attempt", args=[attempt.public_id]))
    assert len(page.context["questions"]) == 1
    slot1 = attempt.slots.select_related("question").get(position=1)
    save_url = reverse("quizzes:attempt_save", args=[attempt.public_id])
    response = client.post(save_url, {"shown": "1", "q1": str(_index_of(slot1, True)), "go": "2"})
    assert response.status_code == 302 and response.url.endswith("?page=2")
    response = client.post(save_url, {"shown": "2", "q2": ["0", "9"], "go": "finish"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS  # a bad answer stops the finish
    response = client.post(save_url, {"shown": "2", "q2": ["0"], "go": "finish"})
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.slots.get(position=1).points == 1


@pytest.mark.django_db
def test_time_out_finishes_from_saved_answers_on_next_request(client, officer, quiz, settings):
    settings.QUIZZES_DEADLINE_GRACE_SECONDS = 30
    quiz.time_limit_minutes = 10
    quiz.save()
    client.force_login(officer)
    attempt = _start(client, quiz)
    slot1 = attempt.slots.select_related("question").get(position=1)
    _save(client, attempt, 1, _index_of(slot1, True), 1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=20))
    assert _save(client, attempt, 2, [0], 2).json()["status"] == "saved"  # within grace
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=31))
    response = client.get(reverse("quizzes:attempt", args=[attempt.public_id]))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.finish_reason == FinishReason.TIMED_OUT
    assert attempt.points_awarded > 0


@pytest.mark.django_db
def test_beat_task_finishes_abandoned_attempts_once(
    officer, other_officer, quiz, graded_events, django_capture_on_commit_callbacks
):
    from quizzes.tasks import attempts_expire

    quiz.time_limit_minutes = 5
    quiz.save()
    gone = services.attempt_start(quiz=quiz, user=officer)
    running = services.attempt_start(quiz=quiz, user=other_officer)
    Attempt.objects.filter(pk=gone.pk).update(deadline=timezone.now() - timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert attempts_expire.delay().get() == 1
        assert attempts_expire.delay().get() == 0
    gone.refresh_from_db()
    running.refresh_from_db()
    assert gone.status == AttemptStatus.GRADED and gone.finish_reason == FinishReason.TIMED_OUT
    assert running.status == AttemptStatus.IN_PROGRESS
    assert graded_events == [gone.pk]


@pytest.mark.django_db
def test_attempt_page_shows_countdown_from_server_time(client, officer, quiz):
    quiz.time_limit_minutes = 30
    quiz.save()
    client.force_login(officer)
    attempt = _start(client, quiz)
    response = client.get(reverse("quizzes:attempt", args=[attempt.public_id]))
    assert 1790 <= response.context["remaining"] <= 1800
    assert "data-remaining=" in response.content.decode()


@pytest.mark.django_db
def test_draft_is_hidden_from_officers(client, officer, quiz):
    quiz.live = False
    quiz.save()
    client.force_login(officer)
    assert client.get(reverse("quizzes:detail", args=[quiz.pk])).status_code == 404
    assert client.post(reverse("quizzes:start", args=[quiz.pk])).status_code == 404
    assert quiz.title not in client.get(reverse("quizzes:index")).content.decode()


@pytest.mark.django_db
def test_attempts_allowed_and_override_with_reason(client, officer, quiz, trainer):
    from quizzes.models import QuizOverride

    quiz.attempts_allowed = 1
    quiz.save()
    attempt = services.attempt_start(quiz=quiz, user=officer)
    services.attempt_finish(attempt=attempt)
    with pytest.raises(services.QuizUnavailable):
        services.attempt_start(quiz=quiz, user=officer)
    QuizOverride.objects.create(
        quiz=quiz, user=officer, attempts_allowed=2, reason="考试时停电", created_by=trainer
    )
    second = services.attempt_start(quiz=quiz, user=officer)
    assert second.number == 2


@pytest.mark.django_db
def test_quiz_window_and_time_limit_set_the_deadline(officer, quiz):
    now = timezone.now()
    quiz.opens_at = now + timedelta(hours=1)
    quiz.save()
    with pytest.raises(services.QuizUnavailable):
        services.attempt_start(quiz=quiz, user=officer, now=now)
    quiz.opens_at = now - timedelta(hours=1)
    quiz.closes_at = now + timedelta(minutes=20)
    quiz.time_limit_minutes = 60
    quiz.save()
    attempt = services.attempt_start(quiz=quiz, user=officer, now=now)
    assert attempt.deadline == quiz.closes_at


@pytest.mark.django_db
def test_attempt_page_query_count(client, officer, quiz, django_assert_max_num_queries):
    client.force_login(officer)
    attempt = _start(client, quiz)
    client.get(reverse("quizzes:attempt", args=[attempt.public_id]))  # the header's cache
    # Session, user, attempt with its quiz, the slots with their questions, the options
    # shown, the viewer's roles for the header: the same whatever the number of questions.
    with django_assert_max_num_queries(6):
        client.get(reverse("quizzes:attempt", args=[attempt.public_id]))


@pytest.mark.django_db
def test_answer_save_query_count(client, officer, quiz, django_assert_num_queries):
    """The autosave endpoint is the hottest path of an exam: session, user, one read of
    slot + attempt, one conditional UPDATE, and no transaction of its own; a stale save
    reads the attempt and the stored sequence number once more."""
    client.force_login(officer)
    attempt = _start(client, quiz)
    with django_assert_num_queries(4) as captured:
        response = _save(client, attempt, 1, 0, 1)
    assert response.json()["status"] == "saved"
    sql = [q["sql"] for q in captured.captured_queries]
    assert sum(s.startswith("UPDATE") for s in sql) == 1
    with django_assert_num_queries(6):
        stale = _save(client, attempt, 1, 1, 1).json()
    assert (stale["status"], stale["seq"]) == ("stale", 1)


@pytest.mark.django_db(transaction=True)
def test_a_save_racing_a_finish_waits_for_it_and_is_refused(officer, quiz):
    """The autosave has no transaction of its own: its UPDATE share-locks the attempt row,
    so while a finish holds that row the save waits, then finds the attempt closed and
    writes nothing the finish did not grade."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    attempt = services.attempt_start(quiz=quiz, user=officer)
    services.answer_save(attempt=attempt, position=1, answer=0, seq=1)
    outcome = {}

    def autosave():
        try:
            outcome["result"] = services.answer_save(
                user=officer, public_id=attempt.public_id, position=1, answer=1, seq=2
            )
        except Exception as error:  # the assertion below says which
            outcome["error"] = error
        finally:
            connections.close_all()

    saver = threading.Thread(target=autosave)
    with transaction.atomic():
        Attempt.objects.select_for_update().get(pk=attempt.pk)  # a finish has begun
        saver.start()
        saver.join(timeout=1.5)
        assert saver.is_alive(), "the save must wait for the finish in progress"
        services.attempt_finish(attempt=attempt)
    saver.join(timeout=15)
    assert not saver.is_alive()
    assert isinstance(outcome.get("error"), services.AttemptClosed), outcome
    slot = AttemptQuestion.objects.get(attempt=attempt, position=1)
    assert slot.seq == 1
    assert slot.points is not None


@pytest.mark.django_db
def test_a_save_after_the_deadline_plus_grace_writes_nothing(officer, quiz):
    attempt = services.attempt_start(quiz=quiz, user=officer)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(hours=1))
    with pytest.raises(services.AttemptClosed, match="Time is up"):
        services.answer_save(user=officer, public_id=attempt.public_id, position=1, answer=0, seq=1)
    assert AttemptQuestion.objects.get(attempt=attempt, position=1).seq == 0


@pytest.mark.django_db
def test_a_save_to_another_officers_attempt_is_not_found(officer, other_officer, quiz):
    attempt = services.attempt_start(quiz=quiz, user=officer)
    with pytest.raises(services.AttemptNotFound):
        services.answer_save(
            user=other_officer, public_id=attempt.public_id, position=1, answer=0, seq=1
        )
    assert AttemptQuestion.objects.get(attempt=attempt, position=1).seq == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"q": 1, "a": 0, "seq": 2**70},
        {"q": 2**40, "a": 0, "seq": 1},
        {"q": -1, "a": 0, "seq": 1},
        {"q": 1, "a": 2**70, "seq": 1},
        {"q": 1, "a": [0, "x"], "seq": 1},
        {"q": 1, "a": {"0": 1}, "seq": 1},
    ],
)
def test_out_of_range_saves_are_refused_with_a_message(client, officer, quiz, body):
    client.force_login(officer)
    attempt = _start(client, quiz)
    response = client.post(
        reverse("quizzes:attempt_answer", args=[attempt.public_id]),
        data=json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["status"] == "rejected" and response.json()["error"]
    assert not AttemptQuestion.objects.filter(attempt=attempt, seq__gt=0).exists()
