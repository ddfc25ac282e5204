"""When a plan item repeats a win: the rule the sign-off form uses to offer linking the two.

A member who logs "unblocked QA" at noon and ticks the plan item "Unblocked QA!" at the end of the day
did one thing, not two. The rule is meant to be explained in a sentence: an item repeats a win when,
ignoring case and punctuation, they have the same words, or the words of one appear in the other in the
same order and side by side (at least two of them, so a one-word item like "review" doesn't match every
win that mentions a review). It only offers a link; the member decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rules.wins import SavedWin

WORD = re.compile(r"[^\W_]+")  # letters and digits, in any script
MIN_CONTAINED = 2  # words the shorter text needs for "one inside the other" to count


def words(text: str) -> tuple[str, ...]:
    """The text's words, case folded, without punctuation."""
    return tuple(WORD.findall(text.casefold()))


def repeats(item: str, win: str) -> bool:
    """Whether a plan item and a win say the same thing (see the module doc)."""
    a, b = words(item), words(win)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < MIN_CONTAINED:
        return False
    return any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


def linkable(wins: Sequence[SavedWin]) -> list[SavedWin]:
    """The day's wins an item may be linked to: logged by the member (not made from an item at sign-off),
    and not private (the summary that shows the link may go to the team or the manager)."""
    return [w for w in wins if w.source != "summary" and not w.private]


def repeated_wins(items: Sequence[str], wins: Sequence[SavedWin]) -> dict[int, SavedWin]:
    """Item index → the first linkable win of the day that it repeats."""
    candidates = linkable(wins)
    found = {}
    for i, item in enumerate(items):
        match = next((w for w in candidates if repeats(item, w.text)), None)
        if match is not None:
            found[i] = match
    return found
