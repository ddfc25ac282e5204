"""The win modal: built prefilled from a draft, and read back into a `WinForm` for the rules to check."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks.kit import input_block, option, plain_text
from rules.wins import CATEGORIES, MAX_METRIC_NAME, MAX_TEXT, WinDraft, WinForm, plain_number

CALLBACK_ID = "win_form"
OPTION_LABEL = 75  # Slack's most characters in an option's text
DAY_KIND_LABELS = {"remote": "Remote day", "office": "Office day"}


def win_form(
    *,
    draft: WinDraft | None = None,
    today: date | None = None,
    metadata: dict[str, Any] | None = None,
    editing: bool = False,
    metrics: Sequence[str] = (),
) -> dict[str, Any]:
    """The modal; `today` (the member's date) bounds the date picker's default, `metadata` rides along.

    With `metrics` (the names of the member's metrics, rules/metrics.py) the metric is picked from them,
    never typed: a typo can't start a metric of its own. A win already carrying another name keeps it."""
    text = {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": MAX_TEXT}
    category: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "options": [option(c, c.title()) for c in CATEGORIES],
    }
    metric_name: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "max_length": MAX_METRIC_NAME,
    }
    names = list(
        dict.fromkeys([*metrics, *([draft.metric_name] if metrics and draft and draft.metric_name else [])])
    )
    if names:
        metric_name = {
            "type": "static_select",
            "action_id": "value",
            "placeholder": plain_text("Pick one of your metrics"),
            "options": [_metric_option(name) for name in names],
        }
    metric_value = {"type": "number_input", "action_id": "value", "is_decimal_allowed": True}
    link = {"type": "url_text_input", "action_id": "value"}
    picker = {"type": "datepicker", "action_id": "value"}
    day_kind: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": "value",
        "options": [option(k, label) for k, label in DAY_KIND_LABELS.items()],
    }
    private = {"type": "checkboxes", "action_id": "value", "options": [option("private", "Keep it private")]}
    if draft is not None:
        text["initial_value"] = draft.text[:MAX_TEXT]
        category["initial_option"] = option(draft.category, draft.category.title())
        if draft.metric_name and names:
            metric_name["initial_option"] = _metric_option(draft.metric_name)
        elif draft.metric_name:
            metric_name["initial_value"] = draft.metric_name
        if draft.metric_value is not None:
            metric_value["initial_value"] = plain_number(draft.metric_value)
        if draft.link:
            link["initial_value"] = draft.link
        if draft.day_kind in DAY_KIND_LABELS:
            day_kind["initial_option"] = option(draft.day_kind, DAY_KIND_LABELS[draft.day_kind])
        if draft.private:
            private["initial_options"] = [option("private", "Keep it private")]
        picker["initial_date"] = draft.local_date.isoformat()
    elif today is not None:
        picker["initial_date"] = today.isoformat()
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain_text("Edit win" if editing else "Log a remote win"),
        "submit": plain_text("Save"),
        "close": plain_text("Cancel"),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": [
            input_block("text", "What did you get done?", text),
            input_block("category", "Category", category, optional=True),
            input_block(
                "metric_name",
                "Metric",
                metric_name,
                optional=True,
                hint="Yours; “/remote-win metric add” adds one" if names else "Like “tickets closed”",
            ),
            input_block("metric_value", "Number", metric_value, optional=True),
            input_block("link", "Link", link, optional=True),
            input_block("local_date", "Date", picker, optional=True, hint="Today unless you pick a day"),
            input_block("day_kind", "Where did you work?", day_kind, optional=True),
            input_block(
                "private", "Privacy", private, optional=True, hint="Private wins never reach your manager"
            ),
        ],
    }


def _metric_option(name: str) -> dict[str, Any]:
    label = name if len(name) <= OPTION_LABEL else name[: OPTION_LABEL - 1] + "…"
    return option(name, label)


def read_form(view: dict[str, Any]) -> WinForm:
    """The submitted values, each None when left empty."""
    values = view["state"]["values"]

    def raw(block_id: str) -> dict[str, Any]:
        return values.get(block_id, {}).get("value", {})

    def selected(block_id: str) -> str | None:
        selected = raw(block_id).get("selected_option")
        return selected["value"] if selected else None

    return WinForm(
        text=raw("text").get("value"),
        category=selected("category"),
        metric_name=raw("metric_name").get("value") or selected("metric_name"),
        metric_value=raw("metric_value").get("value"),
        link=raw("link").get("value"),
        local_date=raw("local_date").get("selected_date"),
        day_kind=selected("day_kind"),
        private=bool(raw("private").get("selected_options")),
    )


def form_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}
