"""Cleaning of the values users write in chain files: countries, languages, dates, domains, lists.

Each cleaner returns the canonical value or raises ``ValueError`` with a message for the user; the
importer adds the file, row and field. Countries follow FollowTheMoney (lower-case ISO 3166 alpha-2),
so the FtM export and sanctions data speak the same codes.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from importlib import resources

#: Separator for several values in one spreadsheet cell.
LIST_SEPARATOR = ";"
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_DATE_FORMATS = (("%Y-%m-%d", 10), ("%Y/%m/%d", 10), ("%Y.%m.%d", 10), ("%Y-%m", 7), ("%Y", 4))


def country(text: str) -> str:
    """``"South Korea"``, ``"KOR"`` or ``"kr"`` → ``"kr"``."""
    from followthemoney.types import registry

    code = registry.country.clean_text(text.strip())
    if code is None:
        raise ValueError(f"unknown country {text!r} (use a name or an ISO 3166 code)")
    return code


def language(text: str) -> str:
    """``"Korean"``, ``"kor"``, ``"ko"`` or ``"한국어"`` → ``"ko"`` (ISO 639-1 where one exists)."""
    import pycountry

    value = text.strip()
    lowered = value.lower()
    if lowered in _language_names():
        return _language_names()[lowered]
    # Look codes up by the right field: a fuzzy lookup takes "ko" for the Ko language (ISO 639-3 "fuj").
    found = None
    if len(lowered) == 2:
        found = pycountry.languages.get(alpha_2=lowered)
    elif len(lowered) == 3:
        found = pycountry.languages.get(alpha_3=lowered) or pycountry.languages.get(bibliographic=lowered)
    if found is None:
        try:
            found = pycountry.languages.lookup(value)
        except LookupError:
            raise ValueError(f"unknown language {text!r} (use a name or an ISO 639 code)") from None
    return str(getattr(found, "alpha_2", None) or found.alpha_3)


@cache
def _language_names() -> dict[str, str]:
    data = json.loads(resources.files("celtrace.data").joinpath("languages.json").read_text("utf-8"))
    return {name.lower(): code for name, code in data["names"].items()}


def partial_date(text: str) -> str:
    """A birth date as ISO 8601, possibly partial: ``"1985"``, ``"1985-03"``, ``"1985/03/02"``."""
    value = text.strip()
    for fmt, length in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return f"{parsed.year:04d}-{parsed.month:02d}-{parsed.day:02d}"[:length]
    raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD, YYYY-MM or YYYY)")


def domain(text: str) -> str:
    """An e-mail domain from ``"ops@example.kr"``, ``"@example.kr"`` or ``"Example.KR"``."""
    value = text.strip().lower().rsplit("@", 1)[-1].rstrip(".")
    try:
        value = value.encode("idna").decode("ascii").rstrip(".")
    except UnicodeError:
        raise ValueError(f"not a domain name: {text!r}") from None
    while value.startswith("www.") and value.count(".") >= 2:
        value = value[4:]
    if not _DOMAIN.match(value):
        raise ValueError(f"not a domain name: {text!r}")
    return value


def text_list(value: object) -> list[str]:
    """A cell or JSON value as a list of non-empty strings (cells split on ``;``)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(LIST_SEPARATOR)
    return [str(item).strip() for item in items if item is not None and str(item).strip()]
