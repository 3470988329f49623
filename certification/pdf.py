"""PDF documents: an officer's transcript and a signed application list.

Made with reportlab alone (a pip package: `make run` needs nothing from the system).
All text is set in WenQuanYi Micro Hei, a TrueType font kept in `certification/fonts/`
(Apache-2.0, cut down to Latin, punctuation and the CJK Unified Ideographs block). reportlab
embeds the subset of glyphs each PDF uses, so the PDF reads the same in every viewer and on
machines with no Chinese font; the text stays real text — searchable, copyable, extractable.
A font the reader must have (reportlab's CID font STSong-Light) printed blank boxes in
Chromium's viewer. Every fixed character written here must be in the font: `font_covers()`
says which are not, and the tests check each PDF with it (docs/exports-and-documents.md).

Paragraphs are reportlab markup (`<b>`, `<br/>`, `<img src=…>`, `<a href=…>`): every value
that comes from a person (names, titles, reasons, numbers typed in) enters it through
`text_markup()`, which escapes it, so it is printed as the characters it is and never read
as a tag. A title `X <b>unclosed` or `<img src="/etc/passwd"/>` is text on the page.
"""

import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from courses.models import TrainingRecord
from people.models import User
from powers.models import EnforcementField

from .messages import hours_text
from .models import ApplicantDecision, Application, ExamKind, StatusCode
from .selectors import credential_status, exam_standing

FONT = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "WenQuanYiMicroHei-subset.ttf"
pdfmetrics.registerFont(TTFont(FONT, FONT_FILE))
# One face for every style: a `<b>` written around text must not ask for a font that is not here.
pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, spaceAfter=6)
HEADING = ParagraphStyle(
    "heading", fontName=FONT, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4
)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11, textColor=colors.grey)

# A table sets its cells' font even when every cell is a Paragraph (Helvetica by default).
CELL_FONT = ("FONTNAME", (0, 0), (-1, -1), FONT)
CATEGORY_ZH = [("public_law", "公共法律知识"), ("professional", "业务知识"), ("skills", "执法技能")]


def font_covers(text: str) -> set[str]:
    """The characters of `text` that the embedded font has no glyph for (line breaks aside)."""
    glyphs = pdfmetrics.getFont(FONT).face.charToGlyph
    return {c for c in text if ord(c) not in glyphs and c not in "\r\n\t"}


def zh_label(choice) -> str:
    """A choice's label in Chinese, the words the web pages show (`StatusCode.AT_RISK` → 预警)."""
    with translation.override("zh-hans"):
        return str(choice.label)


def text_markup(value: object) -> str:
    """`value` as reportlab paragraph markup that shows exactly its characters: & < > and
    quotes are escaped, so nothing in it is a tag. Fixed markup such as `<br/>` is written
    around it, never inside it."""
    return escape(str(value), {'"': "&quot;", "'": "&#39;"})


def _table(rows: list[list], widths: list[float]) -> Table:
    """A grid of plain-text cells (each cell is escaped: user text goes in as it is); a cell
    that is already a Paragraph (`_one_line`) goes in as it is."""
    table = Table(
        [
            [
                cell if isinstance(cell, Paragraph) else Paragraph(text_markup(cell), BODY)
                for cell in row
            ]
            for row in rows
        ],
        colWidths=widths,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                CELL_FONT,
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f2f5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _one_line(text: str, width: float) -> Paragraph:
    """`text` on one line of a cell `width` wide, smaller if need be: a certificate number is
    never split across lines (reportlab would break a long word anywhere)."""
    room = width - 12  # the cell's default left and right padding, 6 pt each
    natural = pdfmetrics.stringWidth(text, FONT, BODY.fontSize)
    size = BODY.fontSize if natural <= room else BODY.fontSize * room / natural * 0.98
    style = ParagraphStyle("one-line", parent=BODY, fontSize=size, splitLongWords=0)
    return Paragraph(text_markup(text), style)


def _qr(url: str, size: float = 32 * mm) -> Drawing:
    widget = QrCodeWidget(url)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size,
        size,
        transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0],
        initialFontName=FONT,  # a drawing starts in Helvetica, even one without text
    )
    drawing.add(widget)
    return drawing


def transcript_pdf(*, officer: User, verify_url: str = "") -> bytes:
    """Hours by year and category, exam results, the certificate and its status today, with a QR code."""
    today = timezone.localdate()
    status = credential_status(officer=officer, on=today)
    field_names = dict(EnforcementField.objects.values_list("code", "name"))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        initialFontName=FONT,  # else the page starts in Helvetica, a font not embedded
        title=f"{officer.full_name} 培训考核记录",
        author="执法学院",
    )
    story = [
        Paragraph("乡镇综合行政执法人员 培训考核记录", TITLE),
        Paragraph(
            f"姓名：{text_markup(officer.full_name or officer.username)}"
            f"　工号：{text_markup(officer.employee_number or '—')}"
            f"　单位：{text_markup(officer.unit.name if officer.unit else '—')}"
            f"　打印日期：{today:%Y-%m-%d}",
            BODY,
        ),
        Paragraph("执法证", HEADING),
    ]
    credential = status.credential
    if credential is not None:
        fields = "、".join(field_names.get(f.code, f.code) for f in credential.fields.all())
        widths = [40 * mm, 24 * mm, 24 * mm, 56 * mm, 30 * mm]
        story.append(
            _table(
                [
                    ["证号", "发证日期", "有效期至", "执法领域", "今日状态"],
                    [
                        _one_line(credential.number, widths[0]),
                        f"{credential.issued_on:%Y-%m-%d}",
                        f"{credential.expires_on:%Y-%m-%d}",
                        fields,
                        zh_label(StatusCode(status.code)),
                    ],
                ],
                widths,
            )
        )
    else:
        story.append(Paragraph("尚未取得行政执法证。", BODY))
    for reason in status.reasons:
        story.append(Paragraph(f"· {text_markup(reason.message_zh)}", BODY))

    story.append(Paragraph("学时（按年度、类别）", HEADING))
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        TrainingRecord.objects.filter(officer=officer)
        .annotate(year=ExtractYear("completed_on"))
        .values("year", "category")
        .annotate(total=Sum("hours"))
        .order_by("year")
    ):
        sums[row["year"]][row["category"]] = row["total"]
    rows = [["年度", *[label for _code, label in CATEGORY_ZH], "合计"]]
    for year in sorted(sums, reverse=True):
        values = [sums[year].get(code, Decimal(0)) for code, _label in CATEGORY_ZH]
        rows.append([str(year), *[hours_text(v) for v in values], hours_text(sum(values))])
    if len(rows) == 1:
        rows.append(["—", "0", "0", "0", "0"])
    story.append(_table(rows, [30 * mm, 36 * mm, 36 * mm, 36 * mm, 36 * mm]))

    story.append(Paragraph("资格考试成绩", HEADING))
    standing = exam_standing(officer=officer, on=today)
    rows = [["考试日期", "科目", "领域", "成绩", "备注"]]
    for result in standing.results:
        rows.append(
            [
                f"{result.sat_on:%Y-%m-%d}",
                "通用法律知识" if result.kind == ExamKind.GENERAL_LAW else "专门法律知识",
                result.field.name if result.field_id else "—",
                hours_text(result.score),
                "超出补考次数，不计" if result.pk in standing.over_limit else "",
            ]
        )
    if len(rows) == 1:
        rows.append(["—", "—", "—", "—", ""])
    story.append(_table(rows, [28 * mm, 36 * mm, 36 * mm, 22 * mm, 52 * mm]))

    if verify_url:
        story += [
            Spacer(1, 6 * mm),
            Table(
                [
                    [
                        _qr(verify_url),
                        Paragraph(f"扫码核验执法证今日状态：<br/>{text_markup(verify_url)}", SMALL),
                    ]
                ],
                colWidths=[36 * mm, 138 * mm],
                style=[CELL_FONT],
            ),
        ]
    doc.build(story)
    return buffer.getvalue()


def application_list_pdf(*, application: Application) -> bytes:
    """The township's signed application list (申领名单) with signature blocks for each level."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        initialFontName=FONT,  # else the page starts in Helvetica, a font not embedded
        title=application.title,
        author="执法学院",
    )
    field_names = dict(EnforcementField.objects.values_list("code", "name"))
    story = [
        Paragraph("行政执法证申领人员名单", TITLE),
        Paragraph(
            f"申领单位：{text_markup(application.unit.name)}　名单：{text_markup(application.title)}",
            BODY,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [["序号", "姓名", "工号", "申领执法领域", "审核结果", "证号 / 说明"]]
    widths = [12 * mm, 26 * mm, 22 * mm, 40 * mm, 32 * mm, 42 * mm]
    applicants = application.applicants.select_related("officer", "credential").exclude(
        decision=ApplicantDecision.REMOVED
    )
    for index, applicant in enumerate(applicants, start=1):
        rows.append(
            [
                str(index),
                applicant.officer.full_name,
                applicant.officer.employee_number or "—",
                "、".join(field_names.get(c, c) for c in applicant.field_codes),
                zh_label(ApplicantDecision(applicant.decision)),
                _one_line(applicant.credential.number, widths[5])
                if applicant.credential
                else applicant.decision_reason,
            ]
        )
    story.append(_table(rows, widths))
    story.append(Spacer(1, 8 * mm))
    signed = {step.kind: step for step in application.steps.select_related("actor")}
    blocks = [
        ("乡镇主要负责人（签字）", signed.get("signed")),
        ("县司法局（审核意见、盖章）", signed.get("county_done")),
        ("市依法治市办（审批意见、盖章）", signed.get("city_approved")),
    ]
    rows = []
    for label, step in blocks:
        who = (
            f"{step.actor.get_full_name()}　{timezone.localtime(step.at):%Y-%m-%d}" if step else ""
        )
        rows.append([label, who, "签字：＿＿＿＿＿＿　日期：＿＿＿＿"])
    table = Table(
        [[Paragraph(text_markup(c), BODY) for c in row] for row in rows],
        colWidths=[58 * mm, 46 * mm, 70 * mm],
        rowHeights=[18 * mm] * len(rows),
    )
    table.setStyle(
        TableStyle(
            [
                CELL_FONT,
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
