"""Public holidays: which calendar applies to a member, and the days it names.

The days come from the `holidays` package (python-holidays), never from a list of our own; this module
only checks the codes a member types against what that package supports, and caches each calendar's
year. Pure: no Slack, no database (the package computes the dates, it reads nothing).

A member's calendar is their own choice (`/remote-win holidays DE BY`, or `holidays none`), else the
workspace's default (set by an operator: `remote-wins workspace holidays <team> DE BY`), else none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays

NONE = "none"  # stored as a member's country: they chose no holiday calendar, whatever the workspace says
CODES_URL = "https://holidays.readthedocs.io/en/latest/#available-countries"


@dataclass(frozen=True)
class HolidayCalendar:
    """A country (ISO 3166-1 alpha-2, as python-holidays spells it) and optionally one of its regions."""

    country: str
    region: str | None = None

    def describe(self) -> str:
        """ "DE (BY)": how settings and the Home name it."""
        return f"{self.country} ({self.region})" if self.region else self.country


class UnknownCalendar(ValueError):
    """A country or region python-holidays doesn't know; the message says how to find valid codes."""


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, ...]]:
    return {code: tuple(regions) for code, regions in holidays.list_supported_countries().items()}


def calendar_for(country: str, region: str | None = None) -> HolidayCalendar:
    """The calendar for typed codes (any case), spelled as python-holidays spells them; raises
    UnknownCalendar, naming the country's regions when only the region is wrong."""
    countries = _countries()
    code = country.strip().upper()
    if code not in countries:
        raise UnknownCalendar(
            f"“{country.strip()}” isn't a country code I have holidays for. Use the two-letter code "
            f"(ISO 3166-1), like `DE` or `US`; the list is at {CODES_URL}."
        )
    if not region:
        return HolidayCalendar(code)
    regions = {name.casefold(): name for name in countries[code]}
    found = regions.get(region.strip().casefold())
    if found is None:
        known = ", ".join(countries[code]) or "none: leave the region out"
        raise UnknownCalendar(
            f"{code} has no region “{region.strip()}”. Its regions are: {known}. "
            f"(The codes are listed at {CODES_URL}.)"
        )
    return HolidayCalendar(code, found)


@lru_cache(maxsize=512)
def _year(calendar: HolidayCalendar, year: int) -> dict[date, str]:
    try:
        days = holidays.country_holidays(calendar.country, subdiv=calendar.region, years=year)
    except NotImplementedError:  # a code a later python-holidays dropped: no holidays, rather than no clock
        return {}
    return dict(days.items())


def holidays_between(calendar: HolidayCalendar | None, first: date, last: date) -> dict[date, str]:
    """The calendar's public holidays from `first` to `last` (inclusive), each with its name; a holiday
    that falls on a weekend is listed too (it is a day off either way)."""
    if calendar is None or first > last:
        return {}
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        found.update({day: name for day, name in _year(calendar, year).items() if first <= day <= last})
    return dict(sorted(found.items()))


def holiday_name(calendar: HolidayCalendar | None, day: date) -> str | None:
    """The holiday on `day`, or None."""
    return None if calendar is None else _year(calendar, day.year).get(day)
