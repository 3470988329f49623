"""Write-side rules of the quiz engine: starting, answering, finishing and marking attempts.

The guarantees the issue asks for live here, not in the views:

* the draw and the order are fixed when an attempt starts (`attempt_start`);
* an answer is saved with a per-attempt sequence number and a conditional UPDATE, so a
  late or duplicated save can never overwrite a newer one (`answer_save`);
* finishing locks the attempt row, so a double click, a retry, two tabs and the expiry
  task all end in one result (`attempt_finish`);
* an attempt whose time ran out is finished from its saved answers by whoever notices
  first: the officer's next request or the `quizzes.tasks.attempts_expire` beat task;
* what decides an attempt's result (its questions, their marks and marking key, the
  deadline and the pass mark) is copied onto it at the start, so a new version of the
  quiz published while it runs applies to later attempts only;
* practice and module quizzes start at most `QUIZZES_PRACTICE_STARTS_PER_HOUR` attempts
  per officer and quiz in an hour, and never use a question of an exam pool
  (docs/exam-pools.md).
"""

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log as log_action
from wagtail.permissions import policy_registry

from laws.selectors import due_object_ids
from people.models import OrgUnit, User
from people.ratelimit import RateLimit

from .exchange import ParseResult, questions_import
from .models import (
    QUALIFICATION_KINDS,
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    FinishReason,
    Option,
    Question,
    QuestionCategory,
    QuestionType,
    Quiz,
    QuizDraw,
    QuizQuestion,
)
from .selectors import authoring_county, quiz_pool_conflicts, quiz_rules_for, user_is_quiz_editor
from .signals import attempt_graded

_random = secrets.SystemRandom()


class QuizUnavailable(Exception):
    """The officer may not start (another) attempt; the message says why."""


class AnswerRejected(ValueError):
    """An answer that does not fit the attempt (wrong question, foreign option)."""


class AttemptClosed(Exception):
    """The attempt is finished; nothing more can be saved to it."""


class MarkingRejected(ValueError):
    """A mark that cannot be recorded (out of range, not an essay, already graded)."""


def deadline_grace() -> timedelta:
    """How long after the deadline a save is still accepted (network latency, a slow
    phone); the expiry task finishes attempts only once this has passed too."""
    return timedelta(seconds=getattr(settings, "QUIZZES_DEADLINE_GRACE_SECONDS", 30))


def attempt_expired(*, attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether an attempt's time (plus grace) is over."""
    now = now or timezone.now()
    return attempt.deadline is not None and now > attempt.deadline + deadline_grace()


# --- authoring -----------------------------------------------------------------------


def quiz_pools_validate(
    *,
    kind: str,
    draws: list[tuple[int, bool]],
    fixed_question_ids: list[int],
    quiz_id: int | None = None,
) -> None:
    """Refuse a quiz that would share questions across the exam/practice line.

    A practice or module quiz may not draw from or fix a question a qualification exam
    can draw; an exam may not draw from or fix one that a practice or module quiz uses.
    `draws` are (category id, include sub-categories). Raises `ValidationError`.
    """
    conflict = quiz_pool_conflicts(
        kind=kind, draws=draws, fixed_question_ids=fixed_question_ids, quiz_id=quiz_id
    )
    if not conflict:
        return
    if kind in QUALIFICATION_KINDS:
        message = _(
            "A qualification exam may not draw questions that practice or module quizzes "
            "use; give the exam its own categories: %(items)s."
        )
    else:
        message = _(
            "A practice or module quiz may not use questions that a qualification exam can "
            "draw (the exam pool is secret); draw from practice categories instead: "
            "%(items)s."
        )
    raise ValidationError(message % {"items": conflict.names()}, code="exam_pool")


@transaction.atomic
def quiz_create(
    *,
    title: str,
    kind: str,
    draws: Sequence[tuple[QuestionCategory, int]] = (),
    fixed: Sequence[Question] = (),
    owner_unit: OrgUnit | None = None,
    user: User | None = None,
    publish: bool = True,
    **rules,
) -> Quiz:
    """Create a quiz with its random draws (category, count; sub-categories included) and
    fixed questions, checked like the admin form checks it, and saved as its first
    revision (published unless `publish` is False). Raises `ValidationError`."""
    quiz = Quiz(title=title, kind=kind, owner_unit=owner_unit, live=False, **rules)
    quiz.full_clean()
    quiz_pools_validate(
        kind=kind,
        draws=[(category.pk, True) for category, _count in draws],
        fixed_question_ids=[question.pk for question in fixed],
    )
    quiz.save()
    QuizDraw.objects.bulk_create(
        QuizDraw(quiz=quiz, category=category, count=count, sort_order=i)
        for i, (category, count) in enumerate(draws)
    )
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=quiz, question=question, sort_order=i) for i, question in enumerate(fixed)
    )
    revision = quiz.save_revision(user=user, log_action="wagtail.create")
    if publish:
        revision.publish(user=user, skip_permission_checks=True)
        quiz.refresh_from_db()
    return quiz


class ImportRefused(Exception):
    """An import that would put questions where the importing user may not add them."""


def questions_import_as(
    *,
    user: User,
    data: bytes,
    fmt: str,
    category_path: list[str],
    filename: str = "",
    skip_unsupported: bool = False,
) -> ParseResult:
    """Import a file of questions for a user of the admin (`exchange.questions_import`).

    In the same transaction, the categories the import creates get the user's county as
    their owner (the city's for city administrators), and every category that received
    questions must be one where the policy lets the user add questions: a trainer cannot
    import into another county's category or into a qualification exam's pool by naming
    its path. Otherwise nothing is kept and `ImportRefused` is raised.
    """
    question_policy = policy_registry.get_by_type(Question)
    with transaction.atomic():
        categories_before = set(QuestionCategory.objects.values_list("pk", flat=True))
        last_question = Question.objects.aggregate(n=Max("pk"))["n"] or 0
        result = questions_import(
            data=data,
            fmt=fmt,
            category_path=category_path,
            filename=filename,
            skip_unsupported=skip_unsupported,
        )
        if result.problems:
            return result
        QuestionCategory.objects.exclude(pk__in=categories_before).update(
            owner_unit=authoring_county(user=user)
        )
        filled = set(
            Question.objects.filter(pk__gt=last_question).values_list("category_id", flat=True)
        )
        for category_id in filled:
            if not question_policy.user_has_permission_for_instance(
                user, "add", Question(category_id=category_id)
            ):
                transaction.set_rollback(True)
                raise ImportRefused(
                    _(
                        "Nothing was imported: you may add questions only to categories "
                        "your county maintains, and never to one a qualification exam "
                        "draws from."
                    )
                )
        # Who imported each question: its history starts with the import, by that user.
        for question in Question.objects.filter(pk__gt=last_question):
            log_action(instance=question, action="wagtail.create", user=user)
    return result


def revision_baseline_ensure(*, instance: Quiz | Question) -> None:
    """Record how a quiz or question stands before its first recorded change.

    Rows made before revisions were kept (and bank imports, which write rows directly) have
    no revision; saving one of the stored state first means the history of their first
    change shows it from before to after. Does nothing once a revision exists.
    """
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    if stored is not None and stored.latest_revision_id is None:
        stored.save_revision(user=None, changed=False, clean=False, log_action=False)
        instance.latest_revision = stored.latest_revision


# --- starting ------------------------------------------------------------------------


def practice_start_limit() -> RateLimit:
    """Starts of one practice or module quiz by one officer in an hour: enough to practise,
    too few to harvest a bank by submitting blank attempts."""
    limit = getattr(settings, "QUIZZES_PRACTICE_STARTS_PER_HOUR", 10)
    return RateLimit(scope="quiz-practice-start", limit=limit, window=3600)


@dataclass(frozen=True)
class DrawnQuestion:
    """What a slot records of a drawn question (an exam start draws 40 for every
    officer: no model instances, no question text)."""

    pk: int
    qtype: str
    points: Decimal
    partial_credit: bool


_DRAWN_FIELDS = ("qtype", "points", "partial_credit")


def _draw_questions(
    *, quiz: Quiz, today, rng: random.Random, withheld: frozenset[int] = frozenset()
) -> list[DrawnQuestion]:
    """Fixed questions first (in their order), then each random draw, never a question twice.

    `withheld` questions are left out of both (questions citing a changed law article).

    A synchronised exam start runs this for every officer at once, so the category tree is
    read once and the drawable pool of all the draws is one query, with what a slot needs
    of each question; each draw then samples its part of the pool in Python.
    """
    chosen: dict[int, DrawnQuestion] = {}
    fixed = quiz.fixed_questions.order_by("sort_order").values_list(
        "question_id", *(f"question__{name}" for name in _DRAWN_FIELDS)
    )
    for pk, *attributes in fixed:
        if pk not in chosen and pk not in withheld:
            chosen[pk] = DrawnQuestion(pk, *attributes)
    draws = list(quiz.draws.order_by("sort_order"))
    if draws:
        children: dict[int | None, list[int]] = {}
        if any(draw.include_subcategories for draw in draws):
            for pk, parent_id in QuestionCategory.objects.values_list("pk", "parent_id"):
                children.setdefault(parent_id, []).append(pk)

        def categories_of(draw) -> set[int]:
            found, stack = set(), [draw.category_id]
            while stack:
                pk = stack.pop()
                found.add(pk)
                if draw.include_subcategories:
                    stack.extend(children.get(pk, []))
            return found

        wanted = [categories_of(draw) for draw in draws]
        pool = {
            pk: (category, DrawnQuestion(pk, *attributes))
            for pk, category, *attributes in sorted(
                Question.objects.drawable(today)
                .filter(category_id__in=set().union(*wanted))
                .values_list("pk", "category_id", *_DRAWN_FIELDS)
            )
        }
        for draw, categories in zip(draws, wanted, strict=True):
            candidates = [
                pk
                for pk, (category, _drawn) in pool.items()
                if category in categories and pk not in chosen and pk not in withheld
            ]
            for pk in rng.sample(candidates, min(draw.count, len(candidates))):
                chosen[pk] = pool[pk][1]
    return list(chosen.values())


def exam_withheld_questions(*, quiz: Quiz, on) -> frozenset[int]:
    """Questions a qualification exam started on `on` leaves out: those citing a law article
    that a version in force by then amended, renumbered, moved or repealed, until a trainer
    reviews the citation (docs/laws.md). Practice and module quizzes withhold nothing."""
    if quiz.kind not in QUALIFICATION_KINDS:
        return frozenset()
    return frozenset(due_object_ids(model=Question, on=on))


def _weights_recorded(
    question: DrawnQuestion, weights: dict[str, str | None] | None
) -> dict | None:
    """The Moodle weights a slot is marked by: None unless some option of a single- or
    multiple-choice question has one (an option left empty then weighs 0)."""
    if question.qtype not in (QuestionType.SINGLE, QuestionType.MULTIPLE) or not weights:
        return None
    if all(weight is None for weight in weights.values()):
        return None
    return {pk: weight or "0" for pk, weight in weights.items()}


def attempt_start(
    *, quiz: Quiz, user: User, now: datetime | None = None, rng: random.Random | None = None
) -> Attempt:
    """Start an attempt, or return the one the officer already has in progress (resume).

    Raises `QuizUnavailable` when the quiz is a draft (to anyone but an editor), not open,
    closed, out of attempts, or has no questions. Safe under concurrency: a unique
    constraint allows one attempt in progress per officer and quiz, so two simultaneous
    starts yield the same attempt.
    """
    now = now or timezone.now()
    rng = rng or _random
    # One look at the officer's attempts tells both whether one is in progress (resumed,
    # a rare path that loads it) and how many were used.
    earlier = list(Attempt.objects.filter(user=user, quiz=quiz).values_list("number", "status"))
    if any(status == AttemptStatus.IN_PROGRESS for _number, status in earlier):
        current = Attempt.objects.filter(
            user=user, quiz=quiz, status=AttemptStatus.IN_PROGRESS
        ).first()
        if current is not None:
            if not attempt_expired(attempt=current, now=now):
                return current
            attempt_finish(attempt=current, reason=FinishReason.TIMED_OUT, now=now)

    if not quiz.live and not user_is_quiz_editor(user=user):
        raise QuizUnavailable(_("This quiz is not available."))
    rules = quiz_rules_for(quiz=quiz, user=user)
    if rules.opens_at and now < rules.opens_at:
        raise QuizUnavailable(_("This quiz has not opened yet."))
    if rules.closes_at and now >= rules.closes_at:
        raise QuizUnavailable(_("This quiz has closed."))
    used = max((number for number, _status in earlier), default=0)
    if rules.attempts_allowed and used >= rules.attempts_allowed:
        raise QuizUnavailable(_("You have used all your attempts at this quiz."))

    if quiz.kind not in QUALIFICATION_KINDS:
        limit = practice_start_limit()
        if not limit.hit(f"{user.pk}:{quiz.pk}"):
            raise QuizUnavailable(
                _(
                    "You have started this quiz %(limit)s times in the last hour. Go over "
                    "the lesson, then try again in %(minutes)s minutes."
                )
                % {"limit": limit.limit, "minutes": max(1, round(limit.retry_after / 60))}
            )

    today = timezone.localdate(now)
    questions = _draw_questions(
        quiz=quiz, today=today, rng=rng, withheld=exam_withheld_questions(quiz=quiz, on=today)
    )
    if not questions:
        raise QuizUnavailable(_("This quiz has no questions yet."))
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    options: dict[int, list[int]] = {}
    correct: dict[int, list[int]] = {}
    weights: dict[int, dict[str, str | None]] = {}
    for question_id, option_id, is_correct, weight in (
        Option.objects.filter(question_id__in=[question.pk for question in questions])
        .order_by("sort_order", "pk")
        .values_list("question_id", "pk", "is_correct", "weight")
    ):
        options.setdefault(question_id, []).append(option_id)
        if is_correct:
            correct.setdefault(question_id, []).append(option_id)
        weights.setdefault(question_id, {})[str(option_id)] = (
            None if weight is None else str(weight)
        )

    deadline = None
    if rules.time_limit_minutes:
        deadline = now + timedelta(minutes=rules.time_limit_minutes)
    if rules.closes_at and (deadline is None or rules.closes_at < deadline):
        deadline = rules.closes_at

    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                quiz=quiz,
                user=user,
                number=used + 1,
                started_at=now,
                deadline=deadline,
                pass_mark=quiz.pass_mark,
            )
            slots = []
            for position, question in enumerate(questions, start=1):
                order = list(options.get(question.pk, []))
                if quiz.shuffle_options and question.qtype != QuestionType.TRUE_FALSE:
                    rng.shuffle(order)
                slots.append(
                    AttemptQuestion(
                        attempt=attempt,
                        position=position,
                        question_id=question.pk,
                        option_order=order,
                        max_points=question.points,
                        correct_options=sorted(correct.get(question.pk, [])),
                        partial_credit=question.partial_credit,
                        option_weights=_weights_recorded(question, weights.get(question.pk)),
                    )
                )
            AttemptQuestion.objects.bulk_create(slots)
    except IntegrityError:
        # Another request (a double click, a second tab) started it first: resume that one.
        current = Attempt.objects.filter(
            user=user, quiz=quiz, status=AttemptStatus.IN_PROGRESS
        ).first()
        if current is None:
            raise
        return current
    return attempt


# --- answering -----------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    """`status` is "saved", or "stale" when a newer answer was already stored; `seq` is
    the sequence number now stored; `deadline` the attempt's, for the page's countdown."""

    status: str
    seq: int
    deadline: datetime | None = None


def answer_validate(*, qtype: str, option_order: list[int], answer) -> tuple[list[int], str]:
    """Turn what the browser sent into (option ids, text), or raise `AnswerRejected`.

    Choice answers arrive as indices into the slot's `option_order` (the options in the
    order this officer sees them); anything else is refused with a message the officer
    (or the person probing the endpoint) can read.
    """
    if qtype == QuestionType.ESSAY:
        if answer is None:
            return [], ""
        if not isinstance(answer, str):
            raise AnswerRejected(_("An essay answer must be text."))
        if len(answer) > 20000:
            raise AnswerRejected(_("The answer is too long (at most 20,000 characters)."))
        # A NUL can come with text pasted from another program; it means nothing, and
        # PostgreSQL cannot store it, so it is dropped rather than losing the answer.
        return [], answer.replace("\x00", "")
    if answer in (None, "", []):
        return [], ""
    values = answer if isinstance(answer, list) else [answer]
    indices = []
    for value in values:
        try:
            index = int(value)
        except (TypeError, ValueError):
            raise AnswerRejected(_("That option does not belong to this question.")) from None
        if isinstance(value, bool) or not 0 <= index < len(option_order):
            raise AnswerRejected(_("That option does not belong to this question."))
        if index not in indices:
            indices.append(index)
    if qtype != QuestionType.MULTIPLE and len(indices) > 1:
        raise AnswerRejected(_("This question takes exactly one answer."))
    return [option_order[i] for i in sorted(indices)], ""


class AttemptNotFound(LookupError):
    """No attempt with that id belongs to this officer (the view answers 404)."""


# The autosave is the hottest path of an exam (every officer, every answer), so its two
# statements are written in SQL: measured on PostgreSQL, building the same read with the
# ORM cost about 1 ms of CPU per save, several times the query itself. Identifiers come
# from the models' metadata and every value is a bound parameter.


_SEQ_MAX = 2**63 - 1  # the largest number the sequence column holds


@dataclass(frozen=True)
class _SaveTarget:
    slot_pk: int
    attempt_pk: int
    option_order: list[int]
    qtype: str
    status: str
    deadline: datetime | None


def _save_target(*, position: int, named: dict) -> _SaveTarget | None:
    """The question slot at `position` of the attempt `named` (by "pk", or by "public_id"
    and "user_id"), with what a save needs to know; None if there is no such slot."""
    q = connection.ops.quote_name
    slot_table = q(AttemptQuestion._meta.db_table)
    attempt_table = q(Attempt._meta.db_table)
    question_table = q(Question._meta.db_table)
    where, params = [f"s.{q('position')} = %s"], [position]
    for name, value in named.items():
        field = Attempt._meta.get_field(name)
        where.append(f"a.{q(field.column)} = %s")
        params.append(field.get_db_prep_value(value, connection))
    sql = (
        f"SELECT s.{q('id')}, s.{q('option_order')}, q.{q('qtype')}, a.{q('id')},"  # noqa: S608
        f" a.{q('status')}, a.{q('deadline')} FROM {slot_table} s"
        f" JOIN {attempt_table} a ON a.{q('id')} = s.{q('attempt_id')}"
        f" JOIN {question_table} q ON q.{q('id')} = s.{q('question_id')}"
        f" WHERE {' AND '.join(where)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    slot_pk, option_order, qtype, attempt_pk, status, deadline = row
    order_field = AttemptQuestion._meta.get_field("option_order")
    deadline = Attempt._meta.get_field("deadline").to_python(deadline)
    if deadline is not None and timezone.is_naive(deadline):  # SQLite keeps UTC, naive
        deadline = timezone.make_aware(deadline, UTC)
    return _SaveTarget(
        slot_pk=slot_pk,
        attempt_pk=attempt_pk,
        option_order=order_field.from_db_value(option_order, None, connection),
        qtype=qtype,
        status=status,
        deadline=deadline,
    )


def _slot_write_if_open(
    *, slot_pk: int, attempt_pk: int, selected: list[int], text: str, seq: int, now: datetime
) -> bool:
    """One statement: store the answer if `seq` is newer and the attempt is still open.

    The attempt's status and deadline are checked inside the UPDATE, and on PostgreSQL the
    attempt row is share-locked by it (`FOR SHARE`): a finish holds that row `FOR UPDATE`
    for its whole transaction, so a save either commits before the finish reads the
    answers or, once the finish has committed, finds the attempt closed and writes
    nothing. SQLite runs one writer at a time, which gives the same order. No
    transaction of its own (the ORM cannot lock a row in a subquery outside one), so no
    BEGIN/COMMIT round trips.
    """
    selected_field = AttemptQuestion._meta.get_field("selected")
    time_field = AttemptQuestion._meta.get_field("saved_at")
    q = connection.ops.quote_name
    slot_table, attempt_table = q(AttemptQuestion._meta.db_table), q(Attempt._meta.db_table)
    share_lock = " FOR SHARE" if connection.features.has_select_for_update else ""
    sql = (
        f"UPDATE {slot_table} SET {q('selected')} = %s, {q('text')} = %s, {q('seq')} = %s,"  # noqa: S608
        f" {q('saved_at')} = %s WHERE {q('id')} = %s AND {q('seq')} < %s AND EXISTS ("
        f"SELECT 1 FROM {attempt_table} WHERE {attempt_table}.{q('id')} = %s"
        f" AND {attempt_table}.{q('status')} = %s AND ({attempt_table}.{q('deadline')} IS NULL"
        f" OR {attempt_table}.{q('deadline')} >= %s){share_lock})"
    )
    params = [
        selected_field.get_db_prep_save(selected, connection),
        text,
        seq,
        time_field.get_db_prep_save(now, connection),
        slot_pk,
        seq,
        attempt_pk,
        AttemptStatus.IN_PROGRESS.value,
        time_field.get_db_prep_save(now - deadline_grace(), connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


def answer_save(
    *,
    position: int,
    answer,
    seq: int,
    attempt: Attempt | None = None,
    user: User | None = None,
    public_id=None,
    now: datetime | None = None,
) -> SaveResult:
    """Store one answer if `seq` is newer than the one stored for that question.

    The attempt is named either by the object or by `user` + `public_id` (the autosave
    endpoint, which then needs no query of its own to find it). One SELECT reads the
    question slot with its attempt's status and deadline (`_save_target`); one
    conditional UPDATE (`_slot_write_if_open`) writes it only if the sequence number is
    newer and the attempt still open, so a late or duplicated save changes nothing and
    is answered "stale", and a save never slips in after a finish has read the answers
    (it is refused with `AttemptClosed`). Raises `AttemptNotFound` when the user has no
    attempt with that id, `AnswerRejected` for an answer that does not fit the question.
    """
    now = now or timezone.now()
    if attempt is not None:
        named = {"id": attempt.pk}
    elif user is not None and public_id is not None:
        named = {"public_id": public_id, "user": user.pk}
    else:
        raise TypeError("answer_save needs an attempt, or a user and a public_id")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= _SEQ_MAX:
        raise AnswerRejected(_("The save carries no valid sequence number."))
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position < 2**15:
        raise AnswerRejected(_("That question is not part of this attempt."))
    target = _save_target(position=position, named=named)
    if target is None:
        # The rare path: say whether the attempt or only the question is unknown.
        if not Attempt.objects.filter(**named).exists():
            raise AttemptNotFound(public_id)
        raise AnswerRejected(_("That question is not part of this attempt."))
    _attempt_check_open(target, now=now)
    selected, text = answer_validate(
        qtype=target.qtype, option_order=target.option_order, answer=answer
    )
    if _slot_write_if_open(
        slot_pk=target.slot_pk,
        attempt_pk=target.attempt_pk,
        selected=selected,
        text=text,
        seq=seq,
        now=now,
    ):
        return SaveResult(status="saved", seq=seq, deadline=target.deadline)
    # Nothing written: a newer save got there first, or the attempt closed meanwhile.
    state = Attempt.objects.only("status", "deadline").get(pk=target.attempt_pk)
    _attempt_check_open(state, now=now)
    current = AttemptQuestion.objects.filter(pk=target.slot_pk).values_list("seq", flat=True)
    return SaveResult(status="stale", seq=current.first() or 0, deadline=state.deadline)


def _attempt_check_open(attempt: Attempt | _SaveTarget, *, now: datetime) -> None:
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed(_("This attempt is already finished."))
    if attempt_expired(attempt=attempt, now=now):
        raise AttemptClosed(_("Time is up for this attempt."))


def answers_save_form(
    *, attempt: Attempt, data, seq_base: int | None = None, now: datetime | None = None
) -> list[str]:
    """Save the answers of a plain form POST (the page without JavaScript).

    Fields are `q<position>` (choice index or indices, or essay text) for the questions
    shown on the page, listed in `shown`. Returns the problems found (one per rejected
    answer); the valid answers are saved regardless.
    """
    now = now or timezone.now()
    problems = []
    positions = []
    for value in data.getlist("shown"):
        try:
            positions.append(int(value))
        except ValueError:
            problems.append(_("That question is not part of this attempt."))
    if not positions:
        return problems
    base = seq_base
    if base is None:
        base = AttemptQuestion.objects.filter(attempt=attempt).aggregate(m=Max("seq"))["m"] or 0
    for offset, position in enumerate(positions, start=1):
        values = data.getlist(f"q{position}")
        slot_type = (
            AttemptQuestion.objects.filter(attempt=attempt, position=position)
            .values_list("question__qtype", flat=True)
            .first()
        )
        essay = slot_type == QuestionType.ESSAY
        answer = (values[0] if values else "") if essay else values
        try:
            answer_save(
                attempt=attempt, position=position, answer=answer, seq=base + offset, now=now
            )
        except AnswerRejected as error:
            problems.append(f"{position}: {error}")
    return problems


# --- marking -------------------------------------------------------------------------

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def _quantise(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def moodle_fraction(*, qtype: str, weights: dict[str, str], chosen: set[int]) -> Decimal:
    """The share of the marks Moodle gives a choice answer, from the options' weights in
    per cent. Single choice: the chosen option's weight, negative ones included (Moodle's
    single-answer question may take marks away); nothing chosen earns 0. Multiple choice:
    the sum of the chosen options' weights, kept between 0 and 100 %. The attempt's total
    never goes below 0 (`_grade`)."""
    picked = [Decimal(weights[str(pk)]) for pk in chosen if str(pk) in weights]
    if qtype == QuestionType.SINGLE:
        total = picked[0] if len(picked) == 1 else Decimal(0)
        return min(max(total, -_HUNDRED), _HUNDRED) / _HUNDRED
    total = sum(picked, Decimal(0))
    return min(max(total, Decimal(0)), _HUNDRED) / _HUNDRED


def slot_auto_mark(
    *, slot: AttemptQuestion, correct: set[int], all_options: list[int]
) -> Decimal | None:
    """Marks for a choice answer; None for an essay that needs a trainer.

    Multiple choice with partial credit: each right option chosen earns its share, each
    wrong one chosen takes away its share of the wrong options, never below zero.
    """
    qtype = slot.question.qtype
    if qtype == QuestionType.ESSAY:
        return Decimal(0) if not slot.text.strip() else None
    chosen = set(slot.selected)
    if slot.option_weights is not None and qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return _quantise(
            slot.max_points
            * moodle_fraction(qtype=qtype, weights=slot.option_weights, chosen=chosen)
        )
    partial_credit = slot.partial_credit
    if partial_credit is None:  # a slot made before the marking was recorded on it
        partial_credit = slot.question.partial_credit
    if qtype != QuestionType.MULTIPLE or not partial_credit:
        return slot.max_points if chosen and chosen == correct else Decimal(0)
    if not correct:
        return Decimal(0)
    wrong = [pk for pk in all_options if pk not in correct]
    fraction = Decimal(len(chosen & correct)) / Decimal(len(correct))
    if wrong:
        fraction -= Decimal(len(chosen - correct)) / Decimal(len(wrong))
    fraction = max(Decimal(0), fraction)
    return _quantise(slot.max_points * fraction)


def _grade(*, attempt: Attempt, slots: list[AttemptQuestion], now: datetime) -> None:
    """Set the final score of an attempt whose every slot is marked, and announce it."""
    # A negatively weighted answer may take marks away, but a total is never below 0.
    awarded = max(sum((slot.points or Decimal(0) for slot in slots), Decimal(0)), Decimal(0))
    possible = sum((slot.max_points for slot in slots), Decimal(0))
    attempt.points_awarded = _quantise(awarded)
    attempt.points_possible = _quantise(possible)
    attempt.score = _quantise(awarded * _HUNDRED / possible) if possible else Decimal(0)
    pass_mark = attempt.pass_mark if attempt.pass_mark is not None else attempt.quiz.pass_mark
    attempt.passed = attempt.score >= pass_mark
    attempt.status = AttemptStatus.GRADED
    attempt.graded_at = now
    transaction.on_commit(
        lambda: attempt_graded.send(sender=Attempt, attempt=attempt), robust=False
    )


def attempt_finish(
    *, attempt: Attempt, reason: str = FinishReason.SUBMITTED, now: datetime | None = None
) -> tuple[Attempt, bool]:
    """Finish an attempt from its saved answers and auto-mark it. Idempotent.

    Returns (the attempt as stored, whether this call finished it). The row lock means the
    second of two simultaneous calls waits, then sees the attempt finished and does nothing.
    An attempt with essays to mark waits in the marking queue; otherwise it is graded now
    and `attempt_graded` is sent after commit.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if locked.status != AttemptStatus.IN_PROGRESS:
            return locked, False
        if reason == FinishReason.SUBMITTED and attempt_expired(attempt=locked, now=now):
            reason = FinishReason.TIMED_OUT
        slots = list(locked.slots.select_related("question"))
        # The marking key recorded at the start; read from the bank only for slots made
        # before it was recorded.
        unrecorded = [slot.question_id for slot in slots if slot.correct_options is None]
        current: dict[int, set[int]] = {}
        if unrecorded:
            for question_id, option_id in Option.objects.filter(
                question_id__in=unrecorded, is_correct=True
            ).values_list("question_id", "pk"):
                current.setdefault(question_id, set()).add(option_id)
        for slot in slots:
            if slot.correct_options is None:
                correct = current.get(slot.question_id, set())
            else:
                correct = set(slot.correct_options)
            slot.points = slot_auto_mark(slot=slot, correct=correct, all_options=slot.option_order)
        AttemptQuestion.objects.bulk_update(slots, ["points"])
        locked.finished_at = now
        locked.finish_reason = reason
        if any(slot.points is None for slot in slots):
            locked.status = AttemptStatus.SUBMITTED
        else:
            _grade(attempt=locked, slots=slots, now=now)
        locked.save()
    return locked, True


def attempt_finish_if_expired(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Finish an attempt whose time is over (the "next request" half of expiry)."""
    if attempt.status == AttemptStatus.IN_PROGRESS and attempt_expired(attempt=attempt, now=now):
        attempt, _finished = attempt_finish(attempt=attempt, reason=FinishReason.TIMED_OUT, now=now)
    return attempt


def attempts_expire(*, now: datetime | None = None) -> int:
    """Finish every attempt whose deadline plus grace has passed. Returns how many."""
    now = now or timezone.now()
    due = Attempt.objects.filter(
        status=AttemptStatus.IN_PROGRESS, deadline__lt=now - deadline_grace()
    ).values_list("pk", flat=True)
    finished = 0
    for pk in list(due):
        _attempt, changed = attempt_finish(
            attempt=Attempt(pk=pk), reason=FinishReason.TIMED_OUT, now=now
        )
        finished += int(changed)
    return finished


def essay_mark(
    *,
    slot: AttemptQuestion,
    points: Decimal,
    comment: str,
    marker: User,
    now: datetime | None = None,
) -> Attempt:
    """Record a trainer's mark for an essay answer; grade the attempt once all are marked.

    Scoping (only trainers of the officer's county) is the caller's job: it starts from
    `selectors.marking_queue(user=...)`. The mark is attributed and timed.
    """
    now = now or timezone.now()
    points = Decimal(points)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=slot.attempt_id)
        if attempt.status != AttemptStatus.SUBMITTED:
            raise MarkingRejected(_("This attempt is not awaiting marking."))
        slot = AttemptQuestion.objects.select_related("question").get(pk=slot.pk)
        if slot.question.qtype != QuestionType.ESSAY:
            raise MarkingRejected(_("Only essay answers are marked by hand."))
        if points < 0 or points > slot.max_points:
            raise MarkingRejected(
                _("The mark must be between 0 and %(max)s.") % {"max": slot.max_points}
            )
        slot.points = _quantise(points)
        slot.marker_comment = comment
        slot.marked_by = marker
        slot.marked_at = now
        slot.save(update_fields=["points", "marker_comment", "marked_by", "marked_at"])
        slots = list(attempt.slots.all())
        if all(s.points is not None for s in slots):
            _grade(attempt=attempt, slots=slots, now=now)
            attempt.save()
    return attempt
