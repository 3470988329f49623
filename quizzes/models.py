"""Quizzes and exams (the quiz engine is built out under issue #5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powers.models import EnforcementField


class QuizKind(models.TextChoices):
    PRACTICE = "practice", _("Practice (in a lesson)")
    MODULE = "module", _("Module assessment")
    GENERAL_LAW = "general_law", _("Qualification exam: general law (通用法律知识)")
    SPECIALISED = "specialised", _("Qualification exam: specialised law (专门法律知识)")


class Quiz(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=QuizKind.choices, default=QuizKind.PRACTICE
    )
    field = models.ForeignKey(
        EnforcementField,
        verbose_name=_("field"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("For a specialised qualification exam: the field it qualifies for."),
    )
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=60)
    is_draft = models.BooleanField(_("draft"), default=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title


class Attempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self) -> str:
        return f"{self.user} · {self.quiz}"
