"""Plans' rules: when an item repeats a win (one sentence a member can check by eye), the two forms'
checks, and what a sign-off does with the day."""

from __future__ import annotations

import pytest

from rules.plans import (
    AVAILABILITY_LENGTH,
    Picked,
    PlanForm,
    PlanStatus,
    SummaryForm,
    SummaryInput,
    day_end,
    item_wins,
    repeats,
    unanswered_items,
    validate_plan,
    validate_summary,
)


@pytest.mark.parametrize(
    ("item", "win"),
    [
        ("Unblocked QA", "unblocked qa!"),  # case and punctuation don't count
        ("ship the v2 API", "Shipped: ship the v2 API, at last"),  # the item inside the win
        ("fixed the flaky CI job on main", "flaky CI job"),  # the win inside the item
        ("Überprüfung der Doku", "überprüfung der doku."),  # any script
    ],
)
def test_an_item_repeats_a_win_with_the_same_words_or_one_inside_the_other(item: str, win: str) -> None:
    assert repeats(item, win) and repeats(win, item)


@pytest.mark.parametrize(
    ("item", "win"),
    [
        ("review", "review the onboarding doc"),  # one word inside another text is too little
        ("write the report", "wrote the report"),  # other words
        ("the report written", "written the report"),  # the same words in another order
        ("!!!", "!!!"),  # no words at all
        ("call the vendor", "call the other vendor"),  # not side by side
    ],
)
def test_other_words_or_a_single_shared_word_are_not_a_repeat(item: str, win: str) -> None:
    assert not repeats(item, win)


def summary_form(**changes: object) -> SummaryForm:
    values: dict[str, object] = {
        "done": ("0", "2"),
        "wins": (),
        "links": (),
        "blockers": "",
        "signed_off": "17:30",
        "tomorrow": "",
        "carry": True,
        "metric_name": None,
        "metric_value": None,
    }
    return SummaryForm(**(values | changes))  # type: ignore[arg-type]


def test_a_plan_is_its_lines_without_bullets_and_its_availability_within_the_columns() -> None:
    plan, errors = validate_plan(PlanForm("- write the report\n\n2. ship it\n", " 9-17 ", ""))
    assert errors == {} and plan is not None
    assert (plan.items, plan.reachable, plan.reach_via) == (["write the report", "ship it"], "9-17", None)
    assert validate_plan(PlanForm(" \n", "", "x" * (AVAILABILITY_LENGTH + 1)))[1].keys() == {
        "items",
        "reach_via",
    }


def test_an_item_logged_or_linked_as_a_win_must_be_done_and_not_both() -> None:
    form = summary_form(
        wins=(Picked("wins_0", "1", "review the doc"), Picked("wins_0", "2", "ship it")),
        links=(Picked("link_0", "2:7", "ship it"),),
    )
    summary, errors = validate_summary(form)
    assert summary is None
    assert errors == {
        "wins_0": "Tick “review the doc” as done above, or leave it out here.",
        "link_0": "“ship it” is already win #7: link it here, or log it again above, not both.",
    }


def test_a_valid_sign_off_keeps_what_the_member_said() -> None:
    form = summary_form(
        wins=(Picked("wins_0", "0", "a"),),
        links=(Picked("link_0", "2:7", "c"), Picked("link_0", "junk", "d")),
        blockers="  ",
        tomorrow="• later",
    )
    assert validate_summary(form) == (
        SummaryInput(frozenset({0, 2}), None, "17:30", True, ("later",), frozenset({0}), ((2, 7),)),
        {},
    )
    assert validate_summary(summary_form(signed_off="25:00", metric_value="3"))[1].keys() == {
        "signed_off",
        "metric_name",
    }


def test_a_sign_off_makes_wins_only_of_picked_done_items_and_carries_the_rest_once() -> None:
    items = ("a", "b", "c")
    said = SummaryInput(frozenset({0, 2, 9}), None, "17:30", True, ("d", "b"), wins=frozenset({2, 1}))
    end = day_end(PlanStatus.POSTED, items, False, said)
    assert (end.items, end.done, end.as_wins, end.carried) == (items, (0, 2), (2,), ("b", "d"))
    assert day_end(PlanStatus.POSTED, items, True, said).carried == ("d", "b")  # already carried on
    draft = day_end(PlanStatus.DRAFT, items, False, said)  # never sent: nothing done, all of it goes on
    assert (draft.items, draft.done, draft.carried) == ((), (), ("a", "b", "c", "d"))


def test_a_link_holds_only_from_a_done_item_not_made_a_win_to_a_win_of_the_day() -> None:
    links = [(0, 7), (1, 8), (2, 9), (3, 5)]
    assert item_wins({0: 40}, links, done={0, 1, 3}, logged={7, 8, 9}) == {0: 40, 1: 8}


def test_an_unanswered_day_carries_what_was_not_ticked_or_all_of_a_plan_never_sent() -> None:
    assert unanswered_items(PlanStatus.POSTED, ("a", "b"), {0}) == ["b"]
    assert unanswered_items(PlanStatus.SKIPPED, ("a", "b"), {0}) == ["a", "b"]
