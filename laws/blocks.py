"""An editor's block that cites an article of a law in the registry, picked by law and number.

Content apps put it in their stream fields (a lesson's body). The page then cites the
article through `citation_text` (see `laws.wagtail_hooks`), so a later version that
changes it puts the lesson in the review queue and shows officers the notice.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from .models import Law
from .parsing import article_label
from .selectors import article_in_force


def law_choices() -> list[tuple[str, str]]:
    """The laws of the registry, by title (read when the editor opens, so a law imported
    today is offered at once)."""
    return [(title, title) for title in Law.objects.values_list("title", flat=True)]


class ArticleReferenceBlock(blocks.StructBlock):
    """第`number`条(之`suffix`) of a law, quoted as in force on the day the page is read."""

    law = blocks.ChoiceBlock(label=_("law"), choices=law_choices)
    number = blocks.IntegerBlock(label=_("article number"), min_value=1, max_value=9999)
    suffix = blocks.IntegerBlock(
        label=_("insertion suffix"),
        required=False,
        min_value=0,
        max_value=99,
        help_text=_("1 for 之一, 2 for 之二; empty for none."),
    )
    note = blocks.CharBlock(label=_("why it matters here"), required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        label = _("Article of a law")
        template = "components/laws/article_reference_block.html"

    def clean(self, value):
        value = super().clean(value)
        number, suffix = value.get("number"), value.get("suffix") or 0
        on = timezone.localdate()
        if article_in_force(title=value.get("law"), number=number, suffix=suffix, on=on) is None:
            raise StructBlockValidationError(
                block_errors={
                    "number": ValidationError(
                        _("%(law)s has no %(label)s in force today.")
                        % {"law": value.get("law"), "label": article_label(number, suffix)}
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["article"] = article_in_force(
            title=value.get("law"),
            number=value.get("number"),
            suffix=value.get("suffix") or 0,
            on=timezone.localdate(),
        )
        context["label"] = article_label(value.get("number"), value.get("suffix") or 0)
        return context


def reference_text(value) -> str:
    """The block's citation as a statute writes it: 《法名》第X条(之Y)."""
    return f"《{value.get('law')}》{article_label(value.get('number'), value.get('suffix') or 0)}"


__all__ = ["ArticleReferenceBlock", "law_choices", "reference_text"]
