"""The organisation's settings (org.yaml): who owns which item, who is admin, where and when to post.

Pure: no Slack, no database. `parse_org` collects every problem as `file:line: message` and never
raises on any input; it returns a config only when there is no error. `org_to_yaml` writes the same
format back, so `shishin org import` and an export round-trip.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from knowledge.yamlio import LineDict, LineList, Problem, parse_yaml

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
GUIDELINES = ("v3",)
LANGUAGES = ("en", "ja")
ITEMS = range(1, 11)
MAX_DEADLINE_HOURS = 144  # a prompt must close inside the week it was sent in
USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,20}")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_ITEM_KEY = re.compile(r"[0-9]{1,3}")
# A YAML 1.1 sexagesimal integer, as PyYAML resolves it: unquoted 10:00 is read as 600.
_SEXAGESIMAL = re.compile(r"(?<![\w.:'\"])[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+(?![\w.:'\"])")
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_USER = "a Slack user id (like U0123ABCD)"
_CHANNEL = "a Slack channel id (like C0123ABCD)"

TOP_KEYS = ("guideline", "timezone", "language", "admins", "leadership_channels", "checkins", "digest", "owners")
CHECKIN_KEYS = ("weekday", "time", "reminder_after_hours", "deadline_hours")
DIGEST_KEYS = ("weekday", "time")


@dataclass(frozen=True)
class Schedule:
    weekday: int  # 0 = Monday
    at: time


@dataclass(frozen=True)
class CheckinSchedule(Schedule):
    reminder_after_hours: int = 24
    deadline_hours: int = 72


DEFAULT_CHECKINS = CheckinSchedule(1, time(10, 0), 24, 72)
DEFAULT_DIGEST = Schedule(0, time(9, 0))


@dataclass(frozen=True)
class OrgConfig:
    guideline: str = "v3"
    timezone: str = "Asia/Tokyo"
    language: str = "en"
    admins: tuple[str, ...] = ()
    leadership_channels: tuple[str, ...] = ()
    checkins: CheckinSchedule = DEFAULT_CHECKINS
    digest: Schedule = DEFAULT_DIGEST
    # item number -> owners; unowned items are absent. Read-only, sorted by item; not part of the hash.
    owners: Mapping[int, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        owners = {item: tuple(users) for item, users in sorted(self.owners.items()) if users}
        object.__setattr__(self, "owners", MappingProxyType(owners))
        object.__setattr__(self, "admins", tuple(self.admins))
        object.__setattr__(self, "leadership_channels", tuple(self.leadership_channels))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def owners_of(self, item: int) -> tuple[str, ...]:
        return self.owners.get(item, ())

    def items_of(self, user_id: str) -> tuple[int, ...]:
        return tuple(item for item, users in self.owners.items() if user_id in users)


# ---------------------------------------------------------------------------------------------------
# Friendly parsers shared with the admin commands


def parse_weekday(text: str) -> int:
    """'mon'..'sun' or 'monday'..'sunday', any case; 0 = Monday. Raises ValueError with a friendly message."""
    word = unicodedata.normalize("NFKC", text).strip().lower() if isinstance(text, str) else ""
    if word in WEEKDAYS:
        return WEEKDAYS.index(word)
    if word in _WEEKDAY_NAMES:
        return _WEEKDAY_NAMES.index(word)
    raise ValueError(f"{_show(text)} is not a weekday; use one of {', '.join(WEEKDAYS)}")


def parse_time(text: str) -> time:
    """'HH:MM', 24-hour ('9:30' works too). Raises ValueError with a friendly message."""
    clean = unicodedata.normalize("NFKC", text).strip() if isinstance(text, str) else ""
    match = _TIME.fullmatch(clean)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
    raise ValueError(f"{_show(text)} is not a time; use HH:MM, 24-hour, from 00:00 to 23:59 (e.g. 09:30)")


# ---------------------------------------------------------------------------------------------------
# Validation


def _show(value: object, limit: int = 60) -> str:
    """A short repr for messages: the file may hold anything, including megabytes of text."""
    if value is None:
        return "(empty)"
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _sexagesimal(text: str) -> dict[int, str]:
    """The sexagesimal integers written on a line of YAML, by value: {600: '10:00'}."""
    found: dict[int, str] = {}
    for match in _SEXAGESIMAL.finditer(text):
        token = match.group(0)
        digits = token.lstrip("+-").replace("_", "")
        value = 0
        for part in digits.split(":"):
            value = value * 60 + int(part)
        found.setdefault(-value if token.startswith("-") else value, token)
    return found


class _Validator:
    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines = _LINE_BREAK.split(text)  # YAML's line breaks, so that line numbers agree with the parser's
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.name, max(line, 1), message))

    @staticmethod
    def line(node: Any, key: str | int, default: int) -> int:
        if isinstance(node, LineDict) and isinstance(key, str):
            return node.key_lines.get(key, default)
        if isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node.item_lines):
            return node.item_lines[key]
        return default

    def unknown_keys(self, node: LineDict, allowed: tuple[str, ...], where: str) -> None:
        for key in node:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(allowed)})"
                self.error(node.line_of(key), f"{where}unknown key {_show(key)}{hint}")

    # -- top level --------------------------------------------------------------------------------

    def org(self, data: Any) -> OrgConfig | None:
        if not isinstance(data, LineDict):
            line = getattr(data, "line", 1)
            self.error(line, f"expected a mapping of settings ({', '.join(TOP_KEYS)})")
            return None
        self.unknown_keys(data, TOP_KEYS, "")
        guideline = self.guideline(data)
        timezone = self.timezone(data)
        language = self.language(data)
        admins = self.ids(data, "admins", USER_ID, _USER)
        channels = self.ids(data, "leadership_channels", CHANNEL_ID, _CHANNEL)
        checkins = self.checkins(data)
        digest = self.digest(data)
        owners = self.owners(data)
        if self.problems:
            return None
        assert guideline and timezone and language and checkins and digest  # noqa: PT018
        assert admins is not None and channels is not None and owners is not None  # noqa: PT018
        return OrgConfig(
            guideline=guideline,
            timezone=timezone,
            language=language,
            admins=admins,
            leadership_channels=channels,
            checkins=checkins,
            digest=digest,
            owners=owners,
        )

    def guideline(self, data: LineDict) -> str | None:
        if "guideline" not in data:
            return "v3"
        value, line = data["guideline"], data.line_of("guideline")
        word = str(value).strip().lower() if isinstance(value, str) or _is_int(value) else None
        if word is not None and not word.startswith("v"):
            word = "v" + word
        if word in GUIDELINES:
            return word
        if word in ("v1", "v2"):
            self.error(
                line,
                f"guideline: {word} is not supported: check-ins use the Appendix A-2 check sheet, "
                "which exists only in Ver 3.0 (use guideline: v3)",
            )
        else:
            self.error(line, f"guideline: unknown guideline {_show(value)} (use v3)")
        return None

    def timezone(self, data: LineDict) -> str | None:
        if "timezone" not in data:
            return "Asia/Tokyo"
        value, line = data["timezone"], data.line_of("timezone")
        if isinstance(value, str) and value and value not in ("localtime", "posixrules"):
            try:
                return ZoneInfo(value).key
            except (ValueError, KeyError, OSError):
                pass
        self.error(line, f"timezone: {_show(value)} is not an IANA time zone (like Asia/Tokyo or UTC)")
        return None

    def language(self, data: LineDict) -> str | None:
        if "language" not in data:
            return "en"
        value = data["language"]
        word = value.strip().lower() if isinstance(value, str) else None
        if word in LANGUAGES:
            return word
        self.error(data.line_of("language"), f"language: {_show(value)} is not supported (use en or ja)")
        return None

    def ids(self, data: LineDict, key: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...] | None:
        value = data.get(key)
        if value is None:
            return ()
        line = data.line_of(key)
        if not isinstance(value, list):
            self.error(line, f"{key}: expected a list, each {what}")
            return None
        return self.id_list(value, key, pattern, what, line)

    def id_list(
        self, items: list[Any], where: str, pattern: re.Pattern[str], what: str, line: int
    ) -> tuple[str, ...] | None:
        ok = True
        seen: list[str] = []
        for index, item in enumerate(items):
            item_line = self.line(items, index, line)
            if not isinstance(item, str) or not pattern.fullmatch(item):
                self.error(item_line, f"{where}[{index}]: {_show(item)} is not {what}")
                ok = False
            elif item in seen:
                self.error(item_line, f"{where}[{index}]: {item} is listed twice")
                ok = False
            else:
                seen.append(item)
        return tuple(seen) if ok else None

    # -- schedules --------------------------------------------------------------------------------

    def section(self, data: LineDict, key: str, keys: tuple[str, ...]) -> LineDict | None:
        """The `checkins`/`digest` mapping; an empty one when absent; None (reported) when not a mapping."""
        value = data.get(key)
        if value is None:
            empty = LineDict()
            empty.line, empty.key_lines = data.line_of(key), {}
            return empty
        if not isinstance(value, LineDict):
            self.error(data.line_of(key), f"{key}: expected a mapping with {', '.join(keys)}")
            return None
        self.unknown_keys(value, keys, f"{key}: ")
        return value

    def schedule(self, node: LineDict, where: str, default: Schedule) -> tuple[int | None, time | None]:
        weekday: int | None = default.weekday
        at: time | None = default.at
        if "weekday" in node:
            try:
                weekday = parse_weekday(node["weekday"])
            except ValueError as error:
                self.error(node.line_of("weekday"), f"{where}.weekday: {error}")
                weekday = None
        if "time" in node:
            at = self.time_of(node["time"], node.line_of("time"), f"{where}.time")
        return weekday, at

    def time_of(self, value: Any, line: int, where: str) -> time | None:
        if _is_int(value):
            # YAML 1.1 reads an unquoted 10:00 as the sexagesimal integer 600 (10 * 60 + 0). Accept it only
            # when the line really says 10:00: a bare `time: 900` is not a time, and is never guessed at.
            written = _sexagesimal(self.lines[line - 1]) if 0 < line <= len(self.lines) else {}
            if value in written:
                if 0 <= value < 24 * 60:
                    return time(value // 60, value % 60)
                self.error(line, f'{where}: {written[value]} is not a time; use "HH:MM", 24-hour, from 00:00 to 23:59')
            else:
                self.error(line, f'{where}: {_show(value)} is not a time; write it in quotes as "HH:MM", e.g. "09:30"')
            return None
        if isinstance(value, str):
            try:
                return parse_time(value)
            except ValueError as error:
                self.error(line, f"{where}: {error}")
                return None
        self.error(line, f'{where}: expected a time "HH:MM" (in quotes), not {_show(value)}')
        return None

    def hours(self, node: LineDict, key: str, default: int, where: str) -> int | None:
        if key not in node:
            return default
        value = node[key]
        if not _is_int(value) or value < 1:
            self.error(
                node.line_of(key), f"{where}.{key}: expected a whole number of hours (1 or more), not {_show(value)}"
            )
            return None
        return int(value)

    def checkins(self, data: LineDict) -> CheckinSchedule | None:
        node = self.section(data, "checkins", CHECKIN_KEYS)
        if node is None:
            return None
        weekday, at = self.schedule(node, "checkins", DEFAULT_CHECKINS)
        reminder = self.hours(node, "reminder_after_hours", DEFAULT_CHECKINS.reminder_after_hours, "checkins")
        deadline = self.hours(node, "deadline_hours", DEFAULT_CHECKINS.deadline_hours, "checkins")
        if deadline is not None and deadline > MAX_DEADLINE_HOURS:
            self.error(
                node.line_of("deadline_hours"),
                f"checkins.deadline_hours: {deadline} is more than {MAX_DEADLINE_HOURS} "
                "(a prompt must close inside the week it was sent in)",
            )
            deadline = None
        if reminder is not None and deadline is not None and deadline <= reminder:
            if "deadline_hours" in node:
                self.error(
                    node.line_of("deadline_hours"),
                    f"checkins.deadline_hours ({deadline}) must be greater than reminder_after_hours ({reminder})",
                )
            else:
                self.error(
                    node.line_of("reminder_after_hours"),
                    f"checkins.reminder_after_hours ({reminder}) must be less than deadline_hours "
                    f"({deadline}, the default)",
                )
            deadline = None
        if weekday is None or at is None or reminder is None or deadline is None:
            return None
        return CheckinSchedule(weekday, at, reminder, deadline)

    def digest(self, data: LineDict) -> Schedule | None:
        node = self.section(data, "digest", DIGEST_KEYS)
        if node is None:
            return None
        weekday, at = self.schedule(node, "digest", DEFAULT_DIGEST)
        if weekday is None or at is None:
            return None
        return Schedule(weekday, at)

    # -- owners -----------------------------------------------------------------------------------

    def owners(self, data: LineDict) -> dict[int, tuple[str, ...]] | None:
        value = data.get("owners")
        if value is None:
            return {}
        if not isinstance(value, LineDict):
            self.error(data.line_of("owners"), "owners: expected a mapping of item number (1-10) to a list of user ids")
            return None
        owners: dict[int, tuple[str, ...]] = {}
        ok = True
        for key, users in value.items():
            line = value.line_of(key)
            item = int(key) if isinstance(key, str) and _ITEM_KEY.fullmatch(key.strip()) else None
            if item is None or item not in ITEMS:
                self.error(line, f"owners: unknown item {_show(key)} (items are 1 to 10)")
                ok = False
                continue
            if item in owners:
                self.error(line, f"owners: item {item} is given twice")
                ok = False
                continue
            if users is None:
                owners[item] = ()
                continue
            if not isinstance(users, list):
                self.error(line, f"owners.{item}: expected a list of Slack user ids, e.g. {item}: [U0123ABCD]")
                ok = False
                continue
            found = self.id_list(users, f"owners.{item}", USER_ID, _USER, line)
            if found is None:
                ok = False
            else:
                owners[item] = found
        return owners if ok else None


# ---------------------------------------------------------------------------------------------------
# Entry points


def parse_org(text: str, name: str) -> tuple[OrgConfig | None, list[Problem]]:
    """Parse org.yaml text; the config is None when there is any error. Never raises."""
    data, problems = parse_yaml(text, name)
    if problems:
        return None, problems
    if data is None:
        return None, [Problem(name, 1, "empty org file")]
    validator = _Validator(name, text)
    org = validator.org(data)
    return (org if not validator.problems else None), sorted(validator.problems, key=lambda p: p.line)


def read_org(path: Path) -> tuple[OrgConfig | None, list[Problem]]:
    """Read and validate an org.yaml file; unreadable or non-UTF-8 files are problems, not exceptions."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Problem(name, 1, f"cannot read file: {error.strerror or error}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(name, raw[: error.start].count(b"\n") + 1, "file is not valid UTF-8")]
    return parse_org(text, name)


def _flow(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(values) + "]"


def _clock(at: time) -> str:
    return f'"{at.hour:02d}:{at.minute:02d}"'


def org_to_yaml(org: OrgConfig) -> str:
    """The config in org.yaml's format; `parse_org` reads it back to an equal config."""
    checkins, digest = org.checkins, org.digest
    lines = [
        "# Shishin organisation settings",
        f"guideline: {org.guideline}",
        f"timezone: {json.dumps(org.timezone)}",
        f"language: {org.language}",
        f"admins: {_flow(org.admins)}",
        f"leadership_channels: {_flow(org.leadership_channels)}",
        f"checkins: {{weekday: {WEEKDAYS[checkins.weekday]}, time: {_clock(checkins.at)}, "
        f"reminder_after_hours: {checkins.reminder_after_hours}, deadline_hours: {checkins.deadline_hours}}}",
        f"digest: {{weekday: {WEEKDAYS[digest.weekday]}, time: {_clock(digest.at)}}}",
    ]
    if org.owners:
        lines.append("owners:")
        lines.extend(f"  {item}: {_flow(users)}" for item, users in org.owners.items())
    else:
        lines.append("owners: {}")
    return "\n".join(lines) + "\n"
