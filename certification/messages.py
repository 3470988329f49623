"""The sentences behind each status reason, in Chinese and English, keyed by stable codes.

A reason's code never changes (reminders, the API and tests key on it); its sentence
tells the officer what to do and by when. Both languages are kept here side by side so
a reason always carries both (`message_zh`, `message_en`), whatever the active language.
"""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language

__all__ = ["reason_text", "REASON_CODES", "hours_text"]


def hours_text(value) -> str:
    """12 → "12", 12.5 → "12.5" (hours are kept to a tenth)."""
    number = Decimal(str(value)).quantize(Decimal("0.1"))
    return str(number.to_integral()) if number == number.to_integral() else str(number)


def _zh_date(day: datetime.date | None) -> str:
    if day is None:
        return ""
    if day.year == timezone.localdate().year:
        return f"{day.month} 月 {day.day} 日"
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def _en_date(day: datetime.date | None) -> str:
    if day is None:
        return ""
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    text = f"{day.day} {months[day.month - 1]}"
    return text if day.year == timezone.localdate().year else f"{text} {day.year}"


# code → (Chinese, English); placeholders are filled from the reason's details.
TEMPLATES: dict[str, tuple[str, str]] = {
    "no_certificate": (
        "尚未取得行政执法证：通过通用法律知识和专门法律知识考试后，由乡镇统一申领。",
        "No enforcement certificate yet: pass the general and specialised law exams, "
        "then your township applies for one.",
    ),
    "not_established": (
        "合同制、临时聘用人员不能申领行政执法证。",
        "Contract and temporary staff cannot hold an enforcement certificate.",
    ),
    "not_enforcement_post": (
        "不在执法岗位，不能申领行政执法证；如岗位有变化，请联系单位更新。",
        "Not in an enforcement post, so not eligible; ask your unit to update your post if it changed.",
    ),
    "general_law_exam": (
        "还未通过通用法律知识考试（{pass_mark} 分及格）：请报名参加考试。",
        "General law exam not passed yet (pass mark {pass_mark}): sign up for the exam.",
    ),
    "specialised_exam": (
        "还未通过任何领域的专门法律知识考试（{pass_mark} 分及格）：请报名参加本岗位领域的考试。",
        "No specialised law exam passed yet (pass mark {pass_mark}): sign up for your field's exam.",
    ),
    "holds_certificate": (
        "已持有有效的行政执法证（有效期至 {expires}），无需重复申领。",
        "Already holds a good certificate (until {expires}); no new application is needed.",
    ),
    "certificate_blocked": (
        "执法证当前状态为“{status}”，须先处理后才能重新申领。",
        "The current certificate is {status}; that must be resolved before a new application.",
    ),
    "revoked": (
        "行政执法证已于 {since} 吊销，不得从事执法工作。",
        "The certificate was revoked on {since}; you may not enforce.",
    ),
    "cancelled": (
        "行政执法证已于 {since} 注销，不得从事执法工作。",
        "The certificate was cancelled on {since}; you may not enforce.",
    ),
    "expired": (
        "行政执法证已于 {since} 到期：请尽快通过乡镇重新申领，期间不得执法。",
        "The certificate expired on {since}: apply for a new one through your township; "
        "you may not enforce meanwhile.",
    ),
    "suspended": (
        "行政执法证自 {since} 起暂扣{note_zh}：请联系县司法局，待恢复后方可执法。",
        "The certificate has been suspended since {since}{note_en}: contact the county "
        "justice bureau; you may enforce again once it is reinstated.",
    ),
    "hours_shortfall": (
        "{year} 年度学时 {hours}/{required}，未达要求，自 {since} 起暂扣：请补足 {missing} 学时后向县司法局申请恢复。",
        "{year}: {hours} of {required} required hours, so suspended since {since}: make up "
        "{missing} hours, then ask the county justice bureau to reinstate the certificate.",
    ),
    "expiring_soon": (
        "行政执法证将于 {deadline} 到期：请在到期前通过乡镇申请换证。",
        "The certificate expires on {deadline}: apply for renewal through your township before then.",
    ),
    "hours_behind_pace": (
        "本年度学时进度落后（已完成 {hours}，应达 {expected}）：还需完成 {needed} 学时，截止 {deadline}。",
        "Behind pace this year ({hours} hours, {expected} expected by now): complete {needed} "
        "more hours by {deadline}.",
    ),
    "hours_this_year": (
        "本年度还需完成 {needed} 学时，截止 {deadline}。",
        "Complete {needed} more hours this year, by {deadline}.",
    ),
}

REASON_CODES = sorted(TEMPLATES)


def _values(details: dict, *, zh: bool) -> dict[str, str]:
    values = {}
    for key, value in details.items():
        if isinstance(value, datetime.date):
            values[key] = _zh_date(value) if zh else _en_date(value)
        elif isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            values[key] = hours_text(value)
        else:
            values[key] = "" if value is None else str(value)
    note = details.get("note") or ""
    values["note_zh"] = f"（{note}）" if note else ""
    values["note_en"] = f" ({note})" if note else ""
    return values


class _Blank(dict):
    """A missing detail renders as nothing rather than raising in the middle of a page."""

    def __missing__(self, key: str) -> str:
        return ""


def reason_text(code: str, **details) -> tuple[str, str, str]:
    """(Chinese, English, active language) sentences for a reason code and its details."""
    zh_template, en_template = TEMPLATES[code]
    zh = zh_template.format_map(_Blank(_values(details, zh=True)))
    en = en_template.format_map(_Blank(_values(details, zh=False)))
    active = zh if (get_language() or "zh-hans").lower().startswith("zh") else en
    return zh, en, active
