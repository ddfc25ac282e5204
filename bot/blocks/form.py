"""The win modal: built prefilled from a draft, and read back into a `WinForm` for the rules to check."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from rules.wins import CATEGORIES, MAX_METRIC_NAME, MAX_TEXT, WinDraft, WinForm

CALLBACK_ID = "win_form"
DAY_KIND_LABELS = {"remote": "Remote day", "office": "Office day"}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = ""
) -> dict:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def win_form(
    *,
    draft: WinDraft | None = None,
    today: date | None = None,
    metadata: dict[str, Any] | None = None,
    editing: bool = False,
) -> dict[str, Any]:
    """The modal; `today` (the member's date) bounds the date picker's default, `metadata` rides along."""
    text = {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": MAX_TEXT}
    category = {
        "type": "static_select",
        "action_id": "value",
        "options": [_option(c, c.title()) for c in CATEGORIES],
    }
    metric_name = {"type": "plain_text_input", "action_id": "value", "max_length": MAX_METRIC_NAME}
    metric_value = {"type": "number_input", "action_id": "value", "is_decimal_allowed": True}
    link = {"type": "url_text_input", "action_id": "value"}
    picker = {"type": "datepicker", "action_id": "value"}
    day_kind = {
        "type": "radio_buttons",
        "action_id": "value",
        "options": [_option(k, label) for k, label in DAY_KIND_LABELS.items()],
    }
    private = {"type": "checkboxes", "action_id": "value", "options": [_option("private", "Keep it private")]}
    if draft is not None:
        text["initial_value"] = draft.text[:MAX_TEXT]
        category["initial_option"] = _option(draft.category, draft.category.title())
        if draft.metric_name:
            metric_name["initial_value"] = draft.metric_name
        if draft.metric_value is not None:
            metric_value["initial_value"] = f"{draft.metric_value:g}"
        if draft.link:
            link["initial_value"] = draft.link
        if draft.day_kind in DAY_KIND_LABELS:
            day_kind["initial_option"] = _option(draft.day_kind, DAY_KIND_LABELS[draft.day_kind])
        if draft.private:
            private["initial_options"] = [_option("private", "Keep it private")]
        picker["initial_date"] = draft.local_date.isoformat()
    elif today is not None:
        picker["initial_date"] = today.isoformat()
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain("Edit win" if editing else "Log a remote win"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": [
            _input("text", "What did you get done?", text),
            _input("category", "Category", category, optional=True),
            _input("metric_name", "Metric", metric_name, optional=True, hint="Like “tickets closed”"),
            _input("metric_value", "Number", metric_value, optional=True),
            _input("link", "Link", link, optional=True),
            _input("local_date", "Date", picker, optional=True, hint="Today unless you pick a day"),
            _input("day_kind", "Where did you work?", day_kind, optional=True),
            _input(
                "private", "Privacy", private, optional=True, hint="Private wins never reach your manager"
            ),
        ],
    }


def read_form(view: dict[str, Any]) -> WinForm:
    """The submitted values, each None when left empty."""
    values = view["state"]["values"]

    def raw(block_id: str) -> dict[str, Any]:
        return values.get(block_id, {}).get("value", {})

    def option(block_id: str) -> str | None:
        selected = raw(block_id).get("selected_option")
        return selected["value"] if selected else None

    return WinForm(
        text=raw("text").get("value"),
        category=option("category"),
        metric_name=raw("metric_name").get("value"),
        metric_value=raw("metric_value").get("value"),
        link=raw("link").get("value"),
        local_date=raw("local_date").get("selected_date"),
        day_kind=option("day_kind"),
        private=bool(raw("private").get("selected_options")),
    )


def form_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}
