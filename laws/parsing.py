"""Reading a statute's text: Chinese numerals, 章/节/条 headings and article texts.

A statute arrives as plain text or Markdown (a heading's leading `#` is ignored). Each
article starts on a line with its label, 第X条 or 第X条之一, followed by a space (a
full-width space in official texts) and its first paragraph; the article runs on over the
following lines until the next heading. Anything before the first article (the title, a
preamble, the 目录) is skipped. A file that cannot be read raises `LawParseError` with its
line number; nothing is guessed.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
_WRITE = "零一二三四五六七八九"

#: The largest article number read or written (第一千二百六十条, the Civil Code's last).
MAX_NUMBER = 9999

_NUMERAL = "[零〇一二两三四五六七八九十百千0-9０-９]+"
_HEADING = re.compile(
    rf"^第(?P<number>{_NUMERAL})(?P<kind>分编|编|章|节|条)"
    rf"(?:之(?P<suffix>{_NUMERAL}))?(?P<rest>.*)$"
)


class LawParseError(ValueError):
    """The text is not a statute this parser can read; `line` is 1-based."""

    def __init__(self, message: str, *, line: int):
        super().__init__(_("line %(line)s: %(message)s") % {"line": line, "message": message})
        self.line = line
        self.reason = message


def chinese_to_int(text: str) -> int:
    """一 → 1, 十一 → 11, 一百零五 → 105, 一千二百六十 → 1260; Arabic digits too.

    Raises `ValueError` for anything that is not a well-formed positive number.
    """
    text = unicodedata.normalize("NFKC", text)
    if text.isascii() and text.isdigit():
        value = int(text)
        if value < 1:
            raise ValueError(text)
        return value
    total, pending, last_unit, zero_before = 0, None, 10_000, False
    for i, char in enumerate(text):
        if char in DIGITS:
            value = DIGITS[char]
            if pending not in (None, 0):
                raise ValueError(text)  # two digits in a row: 二三
            if value == 0:
                if i == 0 or pending == 0:
                    raise ValueError(text)
                zero_before = True
            pending = value
        elif char in UNITS:
            unit = UNITS[char]
            if unit >= last_unit or pending == 0:
                raise ValueError(text)
            if pending is None:
                if unit != 10:
                    raise ValueError(text)  # 百 or 千 without a digit
                pending = 1  # 十一, and 一百十 read as 一百一十
            total += pending * unit
            last_unit, pending, zero_before = unit, None, False
        else:
            raise ValueError(text)
    if pending:
        # 一千二 would mean 1200 in speech; a statute writes 一千二百. Only a last digit
        # after 十, after 零, or alone is a units digit.
        if last_unit not in (10, 10_000) and not zero_before:
            raise ValueError(text)
        total += pending
    elif pending == 0:
        raise ValueError(text)
    if not 1 <= total <= MAX_NUMBER:
        raise ValueError(text)
    return total


def int_to_chinese(number: int) -> str:
    """1 → 一, 10 → 十, 105 → 一百零五, 110 → 一百一十, 1260 → 一千二百六十."""
    if not 1 <= number <= MAX_NUMBER:
        raise ValueError(number)
    out, zero = "", False
    for digit, unit in zip(
        (number // 1000, number // 100 % 10, number // 10 % 10, number % 10),
        ("千", "百", "十", ""),
        strict=True,
    ):
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _WRITE[digit] + unit
    if out.startswith("一十"):
        out = out[1:]
    return out


def article_label(number: int, suffix: int = 0) -> str:
    """(47, 1) → 第四十七条之一."""
    label = f"第{int_to_chinese(number)}条"
    return f"{label}之{int_to_chinese(suffix)}" if suffix else label


def text_normalise(text: str) -> str:
    """The text as compared between versions: NFKC, without any white space."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass
class ParsedArticle:
    number: int
    suffix: int
    label: str
    chapter: str
    section: str
    line: int
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def _line_clean(raw: str) -> str:
    line = raw.strip().lstrip("#").strip()
    # Markdown emphasis around a label: **第一条** 为了…
    if line.startswith("**"):
        line = line[2:].replace("**", "", 1)
    return line.strip()


def _heading_name(number_text: str, kind: str, rest: str) -> str:
    name = "".join(rest.split())
    return f"第{number_text}{kind} {name}".strip()


def parse_law(text: str) -> list[ParsedArticle]:
    """The articles of a statute, in order, each with its chapter and section headings."""
    articles: list[ParsedArticle] = []
    chapter = section = ""
    current: ParsedArticle | None = None
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = _line_clean(raw)
        if not line:
            continue
        match = _HEADING.match(line)
        heading = None
        if match:
            kind, rest = match["kind"], match["rest"]
            spaced = not rest or rest[0].isspace()
            if kind == "条":
                if spaced or _expected_next(current, match):
                    heading = kind
            elif spaced or (len(rest) <= 20 and not re.search(r"[，。；：、,.;:]", rest)):
                heading = kind
        if heading is None:
            if current is not None:
                current.paragraphs.append(" ".join(line.split()))
            continue
        try:
            number = chinese_to_int(match["number"])
            suffix = chinese_to_int(match["suffix"]) if match["suffix"] else 0
        except ValueError:
            raise LawParseError(
                _("cannot read the number in “%(heading)s”") % {"heading": line[:30]},
                line=line_no,
            ) from None
        if heading in ("编", "分编"):
            chapter = section = ""
            continue
        if heading == "章":
            chapter, section = _heading_name(match["number"], "章", match["rest"]), ""
            continue
        if heading == "节":
            section = _heading_name(match["number"], "节", match["rest"])
            continue
        if current is not None and not current.paragraphs:
            raise LawParseError(
                _("%(label)s has no text") % {"label": current.label}, line=current.line
            )
        label = article_label(number, suffix)
        if current is not None and (number, suffix) <= (current.number, current.suffix):
            raise LawParseError(
                _("%(label)s comes after %(previous)s: article numbers must go up")
                % {"label": label, "previous": current.label},
                line=line_no,
            )
        current = ParsedArticle(
            number=number,
            suffix=suffix,
            label=label,
            chapter=chapter,
            section=section,
            line=line_no,
        )
        first = match["rest"].strip()
        if first:
            current.paragraphs.append(" ".join(first.split()))
        articles.append(current)
    if current is None:
        raise LawParseError(
            _("no article found: each article starts a line with its label, such as 第一条"),
            line=max(1, len(text.splitlines())),
        )
    if not current.paragraphs:
        raise LawParseError(
            _("%(label)s has no text") % {"label": current.label}, line=current.line
        )
    return articles


def _expected_next(current: ParsedArticle | None, match: re.Match) -> bool:
    """A label run into its text without a space (第二条本法…) counts as a heading only
    when it is the article that comes next; otherwise the line is text that happens to
    start with a reference (第三十条规定的…)."""
    try:
        number = chinese_to_int(match["number"])
        suffix = chinese_to_int(match["suffix"]) if match["suffix"] else 0
    except ValueError:
        return False
    if current is None:
        return (number, suffix) == (1, 0)
    return (number, suffix) in (
        (current.number + 1, 0),
        (current.number, current.suffix + 1),
    )
