"""The rule that says a plan item repeats a win: one sentence a member can check by eye."""

from __future__ import annotations

import pytest

from rules.plans import repeats


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
