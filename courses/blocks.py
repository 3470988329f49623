"""StreamField blocks of lesson, module and handbook bodies.

Each block binds its own template under `templates/components/blocks/` (bakerydemo style),
so a body renders with `{% include_block page.body %}` and nothing else. Video is a
Wagtail document played by the browser's own `<video>` element: government intranets
reach no external video host, so nothing is embedded from outside the site.
"""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from laws.blocks import ArticleReferenceBlock

VIDEO_EXTENSIONS = ("mp4", "webm", "ogv", "ogg")


class VideoBlock(blocks.StructBlock):
    """A video file uploaded to the site (as a document), played by the browser itself."""

    video = DocumentChooserBlock(label=_("video file (mp4 / webm)"))
    caption = blocks.CharBlock(label=_("caption"), required=False)
    transcript = blocks.TextBlock(
        label=_("transcript"),
        required=False,
        help_text=_("For officers who cannot play sound at work, and for search."),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "components/blocks/video_block.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    description = blocks.CharBlock(label=_("description"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "components/blocks/document_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "components/blocks/image_block.html"


class CalloutBlock(blocks.StructBlock):
    """A boxed note: a legal provision quoted verbatim, a practical tip, or a warning."""

    style = blocks.ChoiceBlock(
        label=_("style"),
        choices=[("law", _("Legal provision")), ("tip", _("Tip")), ("warning", _("Warning"))],
        default="tip",
    )
    title = blocks.CharBlock(label=_("title"), required=False)
    text = blocks.RichTextBlock(label=_("text"), features=["bold", "italic", "ol", "ul", "link"])

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "components/blocks/callout_block.html"


class QuizBlock(blocks.StructBlock):
    """Places a quiz of the quiz engine in a lesson.

    A module's hours are credited only once every quiz placed in its lessons is passed
    (`courses.selectors.module_quiz_ids` reads these blocks).
    """

    quiz = SnippetChooserBlock("quizzes.Quiz", label=_("quiz"))
    intro = blocks.CharBlock(label=_("introduction"), required=False)

    class Meta:
        icon = "tasks"
        label = _("Quiz")
        template = "components/blocks/quiz_block.html"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("step"))
    detail = blocks.RichTextBlock(label=_("what to do"), required=False)
    legal_basis = blocks.CharBlock(label=_("legal basis"), required=False)


class ProcedureBlock(blocks.StructBlock):
    """A procedure as ordered steps (程序流程): the order is the procedure, so it is a list."""

    title = blocks.CharBlock(label=_("procedure"))
    steps = blocks.ListBlock(StepBlock(), label=_("steps"))

    class Meta:
        icon = "list-ol"
        label = _("Procedure (ordered steps)")
        template = "components/blocks/procedure_block.html"


class MatterBlock(blocks.StructBlock):
    """One matter (事项) of the handbook's list of matters."""

    name = blocks.CharBlock(label=_("matter"))
    field = blocks.CharBlock(label=_("enforcement field"), required=False)
    legal_basis = blocks.CharBlock(label=_("legal basis"), required=False)
    note = blocks.CharBlock(label=_("note"), required=False)


class MatterListBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), required=False)
    matters = blocks.ListBlock(MatterBlock(), label=_("matters"))

    class Meta:
        icon = "table"
        label = _("List of matters")
        template = "components/blocks/matter_list_block.html"


class ResponsibilityBlock(blocks.StructBlock):
    """A post and its responsibilities (岗位职责)."""

    post = blocks.CharBlock(label=_("post"))
    duties = blocks.ListBlock(blocks.CharBlock(label=_("duty")), label=_("responsibilities"))

    class Meta:
        icon = "user"
        label = _("Post responsibilities")
        template = "components/blocks/responsibility_block.html"


class TemplateDocumentBlock(blocks.StructBlock):
    """A downloadable template: a document template (文书范本) or a county/township system."""

    document = DocumentChooserBlock(label=_("file"))
    title = blocks.CharBlock(label=_("title"), required=False)
    scope = blocks.ChoiceBlock(
        label=_("applies to"),
        choices=[
            ("document", _("Document template (文书范本)")),
            ("county", _("County system template")),
            ("township", _("Township system template")),
        ],
        default="document",
    )
    description = blocks.CharBlock(label=_("description"), required=False)

    class Meta:
        icon = "download"
        label = _("Downloadable template")
        template = "components/blocks/template_document_block.html"


RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class LessonBodyBlock(blocks.StreamBlock):
    """What a lesson (or a module's introduction) may contain."""

    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)
    video = VideoBlock()
    document = DocumentBlock()
    image = ImageBlock()
    callout = CalloutBlock()
    quiz = QuizBlock()
    procedure = ProcedureBlock()
    law_article = ArticleReferenceBlock()


class HandbookBodyBlock(blocks.StreamBlock):
    """What a handbook section may contain."""

    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)
    matters = MatterListBlock()
    responsibility = ResponsibilityBlock()
    procedure = ProcedureBlock()
    template = TemplateDocumentBlock()
    callout = CalloutBlock()
