"""`{{ text|quiz_text:is_html }}`: a question's text, option or feedback as the officer sees it."""

from django import template

from quizzes.formats.html import text_render

register = template.Library()


@register.filter
def quiz_text(value, is_html=False):
    """HTML questions are cleaned again as they are shown; plain text keeps its lines."""
    return text_render(str(value or ""), is_html=bool(is_html))
