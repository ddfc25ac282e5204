"""Answers about a member's own metrics: the list, a metric added, changed or removed, a value logged, and
a name that is not one of theirs (always with the list: a typo never becomes a new metric)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.blocks.escape import mrkdwn, shown
from bot.blocks.kit import context, section
from bot.blocks.wins import Message
from rules.calendar import describe_day
from rules.metrics import MAX_METRICS, METRIC_HELP, MetricDef, value_words

NAME_SHOWN = 100


def _line(metric: MetricDef) -> str:
    better = "higher is better" if metric.direction == "higher" else "lower is better"
    target = metric.target_words()
    unit = shown(metric.unit, 40)
    return f"• *{shown(metric.name, NAME_SHOWN)}* ({unit}, {better}" + (
        f"; target {mrkdwn(target)})" if target else ")"
    )


def _list_lines(metrics: Sequence[MetricDef]) -> str:
    return "\n".join(_line(m) for m in metrics)


def metrics_message(metrics: Sequence[MetricDef]) -> Message:
    if not metrics:
        text = "You have no metrics yet."
        return {"text": text, "blocks": [section(f"{text} {METRIC_HELP}")]}
    title = f"Your metrics ({len(metrics)} of at most {MAX_METRICS}):"
    return {
        "text": title,
        "blocks": [section(f"*{title}*\n{_list_lines(metrics)}"), context(METRIC_HELP)],
    }


def defined_message(outcome: str, metric: MetricDef, metrics: Sequence[MetricDef]) -> Message:
    """Added or updated; or refused because the member has the most already."""
    if outcome == "too_many":
        text = (
            f"You have {len(metrics)} metrics already, the most there can be, so "
            f"*{shown(metric.name, NAME_SHOWN)}* wasn't added. Remove one first (`metric remove <name>`), "
            "or change one by adding it again under the same name."
        )
        return {
            "text": "Not added: you have the most metrics already",
            "blocks": [section(text), section(_list_lines(metrics))],
        }
    verb = "Added" if outcome == "added" else "Updated"
    return {
        "text": f"{verb} a metric",
        "blocks": [
            section(f":white_check_mark: {verb}:\n{_line(metric)}"),
            context(f"Log a value with `metric {mrkdwn(metric.name)} <number>`; `metrics` lists yours."),
        ],
    }


def removed_metric_message(metric: MetricDef | None, name: str, metrics: Sequence[MetricDef]) -> Message:
    if metric is None:
        return unknown_metric_message(name, metrics)
    text = (
        f"Removed *{shown(metric.name, NAME_SHOWN)}* from your list. The values you logged stay in your "
        "record; add it again to bring it back."
    )
    return {"text": "Removed a metric", "blocks": [section(text)]}


def unknown_metric_message(name: str, metrics: Sequence[MetricDef], value: float | None = None) -> Message:
    """The name is not one of the member's metrics: their list, and how to add it if they meant to."""
    typed = shown(name, NAME_SHOWN)
    blocks = []
    if metrics:
        blocks.append(section(f"“{typed}” isn't one of your metrics, so nothing was logged. Yours:"))
        blocks.append(section(_list_lines(metrics)))
        example = metrics[0].name
        blocks.append(
            context(
                f"Log one like `metric {shown(example, NAME_SHOWN)} {value:g}`"
                if value is not None
                else f"Log one like `metric {shown(example, NAME_SHOWN)} 4`"
            )
        )
    else:
        blocks.append(
            section(f"“{typed}” isn't one of your metrics: you have none yet, so nothing was logged.")
        )
    if len(metrics) < MAX_METRICS:
        blocks.append(context(f"To track “{typed}”, add it first: `metric add {typed}, count, higher`."))
    return {"text": "Not one of your metrics; nothing was logged", "blocks": blocks}


def logged_message(
    metric: MetricDef, value: float, day: date, today: date, day_kind: str, progress: str | None
) -> Message:
    when = describe_day(day, today)
    kind = {"remote": " (a remote day)", "office": " (an office day)"}.get(day_kind, "")
    amount = mrkdwn(value_words(value, metric.unit))
    text = f"Logged *{shown(metric.name, NAME_SHOWN)}*: {amount} for *{when}*{kind}."
    blocks = [section(f":white_check_mark: {text}")]
    if progress:
        blocks.append(context(mrkdwn(progress)))
    return {"text": f"Logged {metric.name[:NAME_SHOWN]}", "blocks": blocks}


def problem_message(problem: str, typed: str) -> Message:
    return {
        "text": problem[:200],
        "blocks": [
            section(f":thinking_face: {shown(problem, 2000)}"),
            context(f"You typed: {shown(typed, 2500)}"),
        ],
    }


def progress_words(metric: MetricDef, total: float, period: str) -> str | None:
    """ "This week so far: 9 (target at least 12 a week)." for the period of the metric's target."""
    target = metric.target_words()
    if target is None:
        return None
    so_far = value_words(total, metric.unit)
    # "at least" reached stays reached; "at most" can still be passed before the period ends.
    met = " Target met." if metric.direction == "higher" and metric.met(total) else ""
    return f"{period} so far: {so_far} (target {target}).{met}"
