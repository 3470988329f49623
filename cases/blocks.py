"""StreamField blocks of case pages: legal basis, procedure steps, evidence, lessons, templates.

Each list on a case page is a StreamField of small StructBlocks rather than rich text, so
the library can show them in a fixed shape (a timeline, a table of provisions), index
them for search and check them for personal data, field by field.
See https://docs.wagtail.org/en/stable/topics/streamfield.html
"""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

__all__ = [
    "PROCEDURE_STEPS",
    "EVIDENCE_KINDS",
    "LegalProvisionBlock",
    "ProcedureStepBlock",
    "EvidenceBlock",
    "DocumentTemplateBlock",
    "procedure_stream_blocks",
]

#: The steps of an administrative penalty procedure, in the order they happen.
PROCEDURE_STEPS = [
    ("filing", _("Filing (立案)")),
    ("investigation", _("Investigation and evidence (调查取证)")),
    ("notice", _("Notice of rights (告知)")),
    ("hearing", _("Hearing (听证)")),
    ("decision", _("Decision (决定)")),
    ("service", _("Service (送达)")),
    ("execution", _("Execution (执行)")),
]

EVIDENCE_KINDS = [
    ("documentary", _("Documentary evidence (书证)")),
    ("physical", _("Physical evidence (物证)")),
    ("audiovisual", _("Audio-visual material (视听资料)")),
    ("electronic", _("Electronic data (电子数据)")),
    ("witness", _("Witness testimony (证人证言)")),
    ("statement", _("Party's statement (当事人的陈述)")),
    ("expert", _("Expert opinion (鉴定意见)")),
    ("record", _("Inspection or on-site record (勘验笔录、现场笔录)")),
]


class LegalProvisionBlock(blocks.StructBlock):
    """One provision relied on: the law, the article, and the words quoted."""

    law = blocks.CharBlock(label=_("Law or regulation"), max_length=200)
    article = blocks.CharBlock(label=_("Article"), max_length=100, required=False)
    quote = blocks.TextBlock(label=_("Quoted text"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Provision")
        template = "components/cases/blocks/legal_provision.html"


class ProcedureStepBlock(blocks.StructBlock):
    """One step of the procedure; the step itself is the block type (see `procedure_stream_blocks`)."""

    date = blocks.DateBlock(label=_("Date"), required=False)
    note = blocks.TextBlock(label=_("Note"), required=False)

    class Meta:
        icon = "date"


def procedure_stream_blocks() -> list[tuple[str, ProcedureStepBlock]]:
    """One block type per procedure step, so an editor adds only the steps the case had."""
    return [(code, ProcedureStepBlock(label=label)) for code, label in PROCEDURE_STEPS]


class EvidenceValue(blocks.StructValue):
    def kind_label(self) -> str:
        return str(dict(EVIDENCE_KINDS).get(self.get("kind"), self.get("kind") or ""))


class EvidenceBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(label=_("Kind"), choices=EVIDENCE_KINDS)
    description = blocks.TextBlock(label=_("Description"))

    class Meta:
        icon = "clipboard-list"
        label = _("Evidence")
        value_class = EvidenceValue


class DocumentTemplateBlock(blocks.StructBlock):
    """A document template (文书范本) attached to the case, e.g. the notice actually served."""

    document = DocumentChooserBlock(label=_("Document"))
    note = blocks.CharBlock(label=_("What it is for"), max_length=200, required=False)

    class Meta:
        icon = "doc-empty"
        label = _("Document template")
