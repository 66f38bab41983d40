"""Parse the date formats found in scraped pages and imported files into ISO 8601."""
from __future__ import annotations

import email.utils
import functools
import re
from datetime import date, datetime, timezone

__all__ = ["parse_date", "DateParseError", "FUTURE_MARGIN_DAYS", "future_date_problem"]

#: Days a publication date may lie after today (time zones, a post scheduled for tomorrow) before it is taken
#: for a mistake (``2999-01-01``, a day and month swapped into the next decade).
FUTURE_MARGIN_DAYS = 2


class DateParseError(ValueError):
    """A date string in none of the understood formats."""


# Day-first (British) formats come before month-first ones: "03/04/2019" is 3 April.
_STRPTIME_FORMATS = (
    "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y",
    "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y",
    "%A %d %B %Y", "%A, %d %B %Y", "%a %d %b %Y", "%a, %d %b %Y",
    "%d %B %Y %H:%M", "%B %Y", "%b %Y", "%Y/%m/%d", "%Y%m%d",
)
_ORDINAL = re.compile(r"(\d{1,2})(st|nd|rd|th)\b", re.I)
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_YEAR_MONTH = re.compile(r"^(1[89]\d\d|20\d\d)-(\d\d)$")


def parse_date(value: object) -> tuple[str, str]:
    """Return ``(iso, precision)`` for a date in a common format.

    Parameters
    ----------
    value : str, int, date or datetime
        ISO 8601 (with or without time and offset), RFC 2822 (feeds), British day-first numeric dates,
        written-out dates ("12 December 2019", "Dec 12, 2019", "Thursday 12th December 2019"),
        a year alone (``1997``) or year and month.

    Returns
    -------
    iso : str
        ``YYYY-MM-DD`` for a date, a full ISO datetime (with offset when known) for a datetime.
        Years alone become ``YYYY-01-01`` and months ``YYYY-MM-01``; ``precision`` says so.
    precision : {"datetime", "day", "month", "year"}

    Raises
    ------
    DateParseError
    """
    if isinstance(value, datetime):
        return value.isoformat(), "datetime"
    if isinstance(value, date):
        return value.isoformat(), "day"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    if not isinstance(value, str) or not value.strip():
        raise DateParseError(f"not a date: {value!r}")
    s = value.strip()
    if _YEAR.match(s):
        return f"{s}-01-01", "year"
    m = _YEAR_MONTH.match(s)
    if m:
        return f"{s}-01", "month"
    try:
        iso = s[:-1] + "+00:00" if s.endswith("Z") else s
        dt = datetime.fromisoformat(iso)
    except ValueError:
        pass
    else:
        if len(s) <= 10:
            return dt.date().isoformat(), "day"
        return dt.isoformat(), "datetime"
    try:
        dt = email.utils.parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        pass
    else:
        if dt is not None:
            return dt.isoformat(), "datetime"
    cleaned = _ORDINAL.sub(r"\1", s).replace(",", ", ").replace("  ", " ").strip()
    for candidate in (cleaned, cleaned.replace(", ", " ")):
        for fmt in _STRPTIME_FORMATS:
            try:
                dt = datetime.strptime(candidate, fmt)
            except ValueError:
                continue
            if fmt in ("%B %Y", "%b %Y"):
                return dt.date().isoformat(), "month"
            if "%H" in fmt:
                return dt.isoformat(), "datetime"
            return dt.date().isoformat(), "day"
    raise DateParseError(f"unrecognised date {value!r}; use ISO 8601 such as 2019-12-12")


def now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def future_date_problem(iso: str, today: date | None = None) -> str | None:
    """Why ``iso`` (from :func:`parse_date`) cannot be a publication date, or None when it can.

    A date more than :data:`FUTURE_MARGIN_DAYS` days after ``today`` (default: today in UTC) is refused:
    nothing has been published in the future, and a trend chart would stretch to reach it.
    """
    limit = _latest_date(today or datetime.now(timezone.utc).date())
    if iso[:10] <= limit:  # ISO dates compare as strings: no parsing on the usual path
        return None
    try:
        date.fromisoformat(iso[:10])
    except ValueError:
        return None
    return (f"the date {iso[:10]} is in the future (after {limit}, today plus {FUTURE_MARGIN_DAYS} days); fix the "
            "date or leave it out")


@functools.lru_cache(maxsize=4)
def _latest_date(today: date) -> str:
    """The latest publication date taken on ``today`` (ISO)."""
    from datetime import timedelta

    return (today + timedelta(days=FUTURE_MARGIN_DAYS)).isoformat()
