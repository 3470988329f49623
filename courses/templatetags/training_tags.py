"""Template helpers of the training area."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def quiz_link(quiz) -> str | None:
    """Where an officer takes a quiz: the quiz's own URL if the quiz engine gives one."""
    if quiz is None:
        return None
    if hasattr(quiz, "get_absolute_url"):
        return quiz.get_absolute_url()
    for name in ("quizzes:quiz_start", "quizzes:start", "quizzes:detail", "quizzes:quiz"):
        try:
            return reverse(name, args=[quiz.pk])
        except NoReverseMatch:
            continue
    return None


@register.filter
def hours(value) -> str:
    """1.0 → "1", 2.5 → "2.5": hours as people write them."""
    if value is None:
        return "0"
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
