"""`validate_form`: which values of the win modal make a valid win, and what each error says."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.wins import (
    CATEGORIES,
    DAY_KINDS,
    MAX_TEXT,
    WinDraft,
    WinForm,
    plain_number,
    shown_number,
    validate_form,
)

TODAY = date(2026, 11, 23)


def form(**values: object) -> WinForm:
    """A valid form with only the text filled in, then `values` on top."""
    base = WinForm(
        text="shipped the Q3 report",
        category=None,
        metric_name=None,
        metric_value=None,
        link=None,
        local_date=None,
        day_kind=None,
        private=False,
    )
    return replace(base, **values)


def test_a_form_with_only_text_makes_a_draft_with_defaults() -> None:
    draft, errors = validate_form(form(), TODAY)
    assert errors == {}
    assert draft == WinDraft(text="shipped the Q3 report", local_date=TODAY)
    assert draft.category == "other"
    assert draft.day_kind == "unknown"


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t "])
def test_text_is_required(text: str | None) -> None:
    draft, errors = validate_form(form(text=text), TODAY)
    assert draft is None
    assert set(errors) == {"text"}


def test_text_is_kept_exactly_as_typed() -> None:
    typed = "  Shipped  the *Q3* report\n  with <@U1>  "
    draft, errors = validate_form(form(text=typed), TODAY)
    assert errors == {}
    assert draft is not None
    assert draft.text == typed


def test_text_of_the_maximum_length_passes() -> None:
    draft, errors = validate_form(form(text="x" * MAX_TEXT), TODAY)
    assert errors == {}
    assert draft is not None


def test_text_over_the_maximum_length_fails_and_says_how_long_it_is() -> None:
    draft, errors = validate_form(form(text="x" * (MAX_TEXT + 1)), TODAY)
    assert draft is None
    assert str(MAX_TEXT + 1) in errors["text"]


def test_a_metric_with_name_and_number_is_kept() -> None:
    draft, errors = validate_form(form(metric_name="tickets closed", metric_value="12"), TODAY)
    assert errors == {}
    assert draft is not None
    assert (draft.metric_name, draft.metric_value) == ("tickets closed", 12.0)


def test_a_decimal_metric_value_is_accepted() -> None:
    draft, _ = validate_form(form(metric_name="hours saved", metric_value="3.5"), TODAY)
    assert draft is not None
    assert draft.metric_value == 3.5


def test_a_metric_number_without_a_name_fails_on_the_name() -> None:
    draft, errors = validate_form(form(metric_value="12"), TODAY)
    assert draft is None
    assert set(errors) == {"metric_name"}


def test_a_metric_name_without_a_number_fails_on_the_value() -> None:
    draft, errors = validate_form(form(metric_name="tickets closed"), TODAY)
    assert draft is None
    assert set(errors) == {"metric_value"}


def test_a_metric_value_that_is_not_a_number_fails() -> None:
    draft, errors = validate_form(form(metric_name="tickets closed", metric_value="a dozen"), TODAY)
    assert draft is None
    assert set(errors) == {"metric_value"}


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400"])
def test_a_metric_value_that_is_not_finite_fails(value: str) -> None:
    draft, errors = validate_form(form(metric_name="tickets closed", metric_value=value), TODAY)
    assert draft is None
    assert set(errors) == {"metric_value"}


@pytest.mark.parametrize("link", ["https://example.com/pr/1", "http://example.com", "HTTPS://EXAMPLE.COM"])
def test_a_web_link_is_accepted(link: str) -> None:
    draft, errors = validate_form(form(link=link), TODAY)
    assert errors == {}
    assert draft is not None
    assert draft.link == link


@pytest.mark.parametrize("link", ["ftp://example.com", "javascript:alert(1)", "example.com", "mailto:a@b.c"])
def test_a_link_that_is_not_http_or_https_fails(link: str) -> None:
    draft, errors = validate_form(form(link=link), TODAY)
    assert draft is None
    assert set(errors) == {"link"}


def test_a_blank_link_means_no_link() -> None:
    draft, errors = validate_form(form(link="   "), TODAY)
    assert errors == {}
    assert draft is not None
    assert draft.link is None


def test_the_date_defaults_to_today() -> None:
    draft, _ = validate_form(form(local_date=None), TODAY)
    assert draft is not None
    assert draft.local_date == TODAY


def test_today_is_a_valid_date() -> None:
    draft, errors = validate_form(form(local_date="2026-11-23"), TODAY)
    assert errors == {}
    assert draft is not None
    assert draft.local_date == TODAY


def test_a_past_date_is_valid() -> None:
    draft, errors = validate_form(form(local_date="2025-12-31"), TODAY)
    assert errors == {}
    assert draft is not None
    assert draft.local_date == date(2025, 12, 31)


def test_a_date_after_the_given_today_fails() -> None:
    draft, errors = validate_form(form(local_date="2026-11-24"), TODAY)
    assert draft is None
    assert set(errors) == {"local_date"}


def test_future_is_judged_against_the_given_today_not_the_clock() -> None:
    draft, errors = validate_form(form(local_date="2030-01-02"), date(2030, 1, 2))
    assert errors == {}
    assert draft is not None


def test_a_date_that_does_not_exist_fails() -> None:
    draft, errors = validate_form(form(local_date="2026-02-30"), TODAY)
    assert draft is None
    assert set(errors) == {"local_date"}


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_known_category_is_accepted(category: str) -> None:
    draft, errors = validate_form(form(category=category), TODAY)
    assert errors == {}
    assert draft is not None
    assert draft.category == category


def test_an_unknown_category_fails() -> None:
    draft, errors = validate_form(form(category="bragging"), TODAY)
    assert draft is None
    assert set(errors) == {"category"}


@pytest.mark.parametrize("day_kind", DAY_KINDS)
def test_each_known_day_kind_is_accepted(day_kind: str) -> None:
    draft, errors = validate_form(form(day_kind=day_kind), TODAY)
    assert errors == {}
    assert draft is not None
    assert draft.day_kind == day_kind


def test_an_unknown_day_kind_fails() -> None:
    draft, errors = validate_form(form(day_kind="beach"), TODAY)
    assert draft is None
    assert set(errors) == {"day_kind"}


@pytest.mark.parametrize("private", [True, False])
def test_the_private_flag_is_carried_to_the_draft(private: bool) -> None:
    draft, _ = validate_form(form(private=private), TODAY)
    assert draft is not None
    assert draft.private is private


def test_every_error_is_reported_at_once() -> None:
    bad = form(
        text=" ",
        category="bragging",
        metric_name=None,
        metric_value="12",
        link="ftp://example.com",
        local_date="2026-11-24",
        day_kind="beach",
    )
    draft, errors = validate_form(bad, TODAY)
    assert draft is None
    assert set(errors) == {"text", "category", "metric_name", "link", "local_date", "day_kind"}
    assert all(message.strip() for message in errors.values())


@pytest.mark.parametrize("value", ["1e15", "-1000000000000000", "123456789012345678"])
def test_a_metric_value_too_large_to_keep_exact_fails(value: str) -> None:
    draft, errors = validate_form(form(metric_name="tickets closed", metric_value=value), TODAY)
    assert draft is None
    assert errors["metric_value"] == "Use a number under 1,000,000,000,000,000."


@pytest.mark.parametrize(
    ("value", "plain", "shown"),
    [
        (1234567.0, "1234567", "1,234,567"),
        (12.5, "12.5", "12.5"),
        (-2.25, "-2.25", "-2.25"),
        (0.1, "0.1", "0.1"),
        (1e-7, "0.0000001", "0.0000001"),
        (-0.0, "0", "0"),
        (999999999999999.0, "999999999999999", "999,999,999,999,999"),
    ],
)
def test_metric_numbers_are_written_out_without_exponents(value: float, plain: str, shown: str) -> None:
    assert (plain_number(value), shown_number(value)) == (plain, shown)


@given(st.floats(min_value=-(10**15) + 1, max_value=10**15 - 1, allow_nan=False))
def test_a_metric_value_read_back_from_its_prefill_is_the_same_number(value: float) -> None:
    """What the edit form prefills is what validation reads back: editing never changes a metric."""
    draft, errors = validate_form(form(metric_name="m", metric_value=plain_number(value)), TODAY)
    assert errors == {} and draft is not None and draft.metric_value == value
    assert "e" not in plain_number(value).lower()
