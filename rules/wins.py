"""What a win is, and which form input makes a valid one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from math import isfinite
from urllib.parse import urlsplit

CATEGORIES = ("shipped", "decision", "unblocked", "helped", "learned", "metric", "other")
DAY_KINDS = ("remote", "office", "unknown")
SOURCES = ("command", "modal", "shortcut", "summary")
MAX_TEXT = 3000
MAX_METRIC_NAME = 80
MAX_LINK = 3000
# Metric values are stored as doubles, exact for integers up to 2**53; a bound well inside that keeps
# every value a member can type exact, and short enough to read.
MAX_METRIC_VALUE = 10**15


@dataclass(frozen=True)
class WinDraft:
    """A win as the member described it, before it has an id."""

    text: str
    local_date: date
    category: str = "other"
    metric_name: str | None = None
    metric_value: float | None = None
    link: str | None = None
    day_kind: str = "unknown"
    private: bool = False


@dataclass(frozen=True)
class WinForm:
    """The raw values of the win modal, as strings or None; validated by `validate_form`."""

    text: str | None
    category: str | None
    metric_name: str | None
    metric_value: str | None
    link: str | None
    local_date: str | None
    day_kind: str | None
    private: bool


def metric_number(text: str | None) -> tuple[float | None, str | None]:
    """A metric's number as typed in a form: (the value, None), (None, None) when left empty, or (None, what
    is wrong with it). Shared by the win form and the end-of-day summary."""
    if text is None or not str(text).strip():
        return None, None
    try:
        value = float(str(text).strip())
        if not isfinite(value):
            raise ValueError
    except ValueError:
        return None, "Use a number, like 12 or 3.5."
    if abs(value) >= MAX_METRIC_VALUE:
        return None, f"Use a number under {shown_number(MAX_METRIC_VALUE)}."
    return value, None


def validate_form(form: WinForm, today: date) -> tuple[WinDraft | None, dict[str, str]]:
    """Return the draft, or errors keyed by field name; `today` is the member's local date."""
    errors: dict[str, str] = {}
    text = form.text or ""  # kept exactly as typed
    if not text.strip():
        errors["text"] = "Write what you got done."
    elif len(text) > MAX_TEXT:
        reason = too_long(len(text))
        errors["text"] = reason[0].upper() + reason[1:]
    category = form.category or "other"
    if category not in CATEGORIES:
        errors["category"] = "Pick one of the categories."
    metric_name, metric_value = _metric(form, errors)
    link = (form.link or "").strip() or None
    if link and not is_web_address(link):
        errors["link"] = "Use a full web address starting with https://, without spaces, | or < >."
    local_date = _win_date(form.local_date, today, errors)
    day_kind = form.day_kind or "unknown"
    if day_kind not in DAY_KINDS:
        errors["day_kind"] = "Pick remote or office."
    if errors:
        return None, errors
    return (
        WinDraft(
            text=text,
            local_date=local_date,
            category=category,
            metric_name=metric_name,
            metric_value=metric_value,
            link=link,
            day_kind=day_kind,
            private=form.private,
        ),
        {},
    )


def _metric(form: WinForm, errors: dict[str, str]) -> tuple[str | None, float | None]:
    """The form's metric name and number, which come together; what is wrong goes into `errors`."""
    metric_name = (form.metric_name or "").strip() or None
    metric_value, problem = metric_number(form.metric_value)
    if problem:
        errors["metric_value"] = problem
    if metric_value is not None and not metric_name:
        errors["metric_name"] = "Name what the number measures, like “tickets closed”."
    elif metric_name and len(metric_name) > MAX_METRIC_NAME:
        errors["metric_name"] = f"Keep the name under {MAX_METRIC_NAME} characters."
    elif metric_name and metric_value is None and "metric_value" not in errors:
        errors["metric_value"] = "Give the number for this metric."
    return metric_name, metric_value


def _win_date(text: str | None, today: date, errors: dict[str, str]) -> date:
    """The win's day (today when left empty), never in the future; what is wrong goes into `errors`."""
    local_date = today
    if text:
        try:
            local_date = date.fromisoformat(text)
        except ValueError:
            errors["local_date"] = "Pick a date."
        else:
            if local_date > today:
                errors["local_date"] = f"Wins can't be in the future: today is {today:%a %-d %b}."
    return local_date


def too_long(length: int) -> str:
    """Why a win's text is refused, the same whichever way it came in (slash command, DM, form)."""
    return f"a win is at most {MAX_TEXT} characters, and this one is {length}."


def is_web_address(link: str) -> bool:
    """A well-formed http(s) address: nothing Slack's markup reads (`|` ends a link's address and starts
    its label, `<` and `>` delimit it), no spaces or control characters, a host, within `MAX_LINK`."""
    if len(link) > MAX_LINK or any(c in '|<>\\"`' or c.isspace() or not c.isprintable() for c in link):
        return False
    try:
        parts = urlsplit(link)
        parts.port  # noqa: B018  (raises for a port that isn't a number)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class SavedWin:
    """A win as stored: what renderers and jobs receive."""

    id: int
    member_id: int
    text: str
    local_date: date
    category: str
    metric_name: str | None
    metric_value: float | None
    link: str | None
    day_kind: str
    private: bool
    source: str

    def as_draft(self) -> WinDraft:
        return WinDraft(
            self.text,
            self.local_date,
            self.category,
            self.metric_name,
            self.metric_value,
            self.link,
            self.day_kind,
            self.private,
        )


def plain_number(value: float) -> str:
    """The number as a member would type it: every digit Python's shortest round-trip keeps, no exponent
    and no trailing ".0" (a number input's initial value, so editing a win never changes its metric)."""
    text = format(Decimal(repr(float(value) + 0.0)), "f")  # + 0.0 turns -0.0 into 0.0
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown_number(value: float) -> str:
    """The number for reading: `plain_number` with thousands separators ("1,234,567.5")."""
    whole, dot, fraction = plain_number(value).partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}{dot}{fraction}"
