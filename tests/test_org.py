"""org.yaml: every broken fixture is reported at its line, valid files round-trip, nothing ever raises."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.org import (
    WEEKDAYS,
    CheckinSchedule,
    OrgConfig,
    Schedule,
    org_to_yaml,
    parse_org,
    parse_time,
    parse_weekday,
    read_org,
)
from knowledge.yamlio import Problem

BROKEN = sorted((Path(__file__).parent / "fixtures" / "org_broken").glob("*.yaml"))

FULL = """\
guideline: v3                 # the version tracked
timezone: Europe/Paris
language: ja
admins: [U0ADMIN1, W0ADMIN2]
leadership_channels: [C0LEAD1, G0PRIVATE]
checkins: {weekday: Thu, time: "14:30", reminder_after_hours: 12, deadline_hours: 144}
digest: {weekday: fri, time: "08:05"}
owners:
  1: [U0001]
  2: [U0002, U0003]
  "3": [U0004]
  7: []
  10: [U0001]
"""


def expectation(path: Path) -> tuple[int, str]:
    match = re.match(r"# expect: (\d+): (.+)", path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} needs a '# expect: LINE: message' first line"
    return int(match.group(1)), match.group(2)


def errors(text: str) -> list[str]:
    org, problems = parse_org(text, "org.yaml")
    assert org is None
    assert problems
    return [str(p) for p in problems]


def parsed(text: str) -> OrgConfig:
    org, problems = parse_org(text, "org.yaml")
    assert problems == []
    assert org is not None
    return org


# --- broken fixtures ---------------------------------------------------------------------------------


def test_there_is_a_fixture_for_each_kind_of_mistake() -> None:
    assert len(BROKEN) >= 12


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_each_broken_file_is_reported_at_its_line(path: Path) -> None:
    line, message = expectation(path)
    org, problems = read_org(path)
    assert org is None
    assert all(p.file == str(path) and p.severity == "error" for p in problems)
    assert any(p.line == line and message in p.message for p in problems), [str(p) for p in problems]
    assert any(str(p).startswith(f"{path}:{line}: ") for p in problems)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_parse_org_agrees_with_read_org(path: Path) -> None:
    org, problems = parse_org(path.read_text(encoding="utf-8"), str(path))
    assert org is None
    assert problems == read_org(path)[1]


# --- valid files --------------------------------------------------------------------------------------


def test_full_file_is_read() -> None:
    org = parsed(FULL)
    assert org.guideline == "v3"
    assert org.timezone == "Europe/Paris"
    assert str(org.tz) == "Europe/Paris"
    assert org.language == "ja"
    assert org.admins == ("U0ADMIN1", "W0ADMIN2")
    assert org.leadership_channels == ("C0LEAD1", "G0PRIVATE")
    assert org.checkins == CheckinSchedule(3, time(14, 30), 12, 144)
    assert org.digest == Schedule(4, time(8, 5))
    assert dict(org.owners) == {1: ("U0001",), 2: ("U0002", "U0003"), 3: ("U0004",), 10: ("U0001",)}
    assert org.owners_of(2) == ("U0002", "U0003")
    assert org.owners_of(7) == ()
    assert org.owners_of(99) == ()
    assert org.items_of("U0001") == (1, 10)
    assert org.items_of("U9999") == ()


def test_full_file_round_trips_through_org_to_yaml() -> None:
    org = parsed(FULL)
    written = org_to_yaml(org)
    again = parsed(written)
    assert again == org
    assert org_to_yaml(again) == written
    assert hash(again) == hash(org)


def test_defaults_round_trip() -> None:
    written = org_to_yaml(OrgConfig())
    assert "owners: {}" in written
    assert parsed(written) == OrgConfig()


@pytest.mark.parametrize("text", ["guideline: v3\n", "# just the defaults\n{}\n", "checkins:\ndigest:\nowners:\n"])
def test_minimal_file_gets_the_defaults(text: str) -> None:
    org = parsed(text)
    assert org == OrgConfig()
    assert org.guideline == "v3"
    assert org.timezone == "Asia/Tokyo"
    assert org.language == "en"
    assert org.admins == ()
    assert org.leadership_channels == ()
    assert org.checkins == CheckinSchedule(1, time(10, 0), 24, 72)
    assert org.digest == Schedule(0, time(9, 0))
    assert dict(org.owners) == {}


def test_partial_sections_keep_the_other_defaults() -> None:
    org = parsed("checkins: {deadline_hours: 48}\ndigest: {weekday: SUN}\n")
    assert org.checkins == CheckinSchedule(1, time(10, 0), 24, 48)
    assert org.digest == Schedule(6, time(9, 0))


def test_read_org_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(FULL, encoding="utf-8")
    assert read_org(path) == parse_org(FULL, str(path))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("guideline: V3", "v3"),
        ("guideline: 3", "v3"),
        ("language: JA", "ja"),
        ("timezone: UTC", "UTC"),
    ],
)
def test_spellings_are_normalised(text: str, expected: str) -> None:
    org = parsed(text)
    assert expected in (org.guideline, org.language, org.timezone)


# --- times, including YAML 1.1 sexagesimal numbers -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("checkins: {time: 10:00}", time(10, 0)),  # PyYAML reads this as the integer 600
        ("checkins:\n  time: 10:00\n", time(10, 0)),
        ("checkins: {time: 23:59}", time(23, 59)),
        ("checkins: {time: 1:30}", time(1, 30)),
        ("checkins: {time: 09:00}", time(9, 0)),  # a leading zero makes it a string
        ("checkins: {time: 0:05}", time(0, 5)),
        ("checkins: {time: '7:15'}", time(7, 15)),
    ],
)
def test_unquoted_times_are_read_as_times(text: str, expected: time) -> None:
    assert yaml.safe_load("t: 10:00") == {"t": 600}
    assert parsed(text).checkins.at == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("digest: {time: 24:00}", "digest.time: 24:00 is not a time"),
        ("digest: {time: 25:00}", "digest.time: 25:00 is not a time"),
        ("digest: {time: -10:00}", "digest.time: -10:00 is not a time"),
        ("digest: {time: 10:00:00}", "digest.time: 10:00:00 is not a time"),
        ("digest: {time: 900}", 'digest.time: 900 is not a time; write it in quotes as "HH:MM"'),
        ("digest: {time: 7}", "digest.time: 7 is not a time"),
        ("digest: {time: 10:00.5}", "digest.time: expected a time"),
        ("digest: {time: '10:60'}", "digest.time: '10:60' is not a time"),
        ("digest: {time: '1000'}", "digest.time: '1000' is not a time"),
        ("digest: {time: ''}", "digest.time: '' is not a time"),
        ("digest: {time: }", "digest.time: expected a time"),
    ],
)
def test_bad_times_are_errors(text: str, message: str) -> None:
    assert any(f"org.yaml:1: {message}" in e for e in errors(text)), errors(text)


# --- guideline -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1", "v2", "1", "V2"])
def test_older_guidelines_are_refused_with_the_reason(version: str) -> None:
    (message,) = errors(f"guideline: {version}")
    assert "Appendix A-2" in message
    assert "only in Ver 3.0" in message


@pytest.mark.parametrize("version", ["v4", "3.0", "latest", "[v3]", "true", "''"])
def test_other_guidelines_are_unknown(version: str) -> None:
    (message,) = errors(f"guideline: {version}")
    assert "unknown guideline" in message


# --- every kind of mistake is an error at its line, never an exception -----------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[1, 2]", 1, "expected a mapping of settings"),
        ("just text", 1, "expected a mapping of settings"),
        ("timezone: 9", 1, "timezone: 9 is not an IANA time zone"),
        ("timezone:", 1, "timezone: (empty) is not an IANA time zone"),
        ("timezone: America", 1, "is not an IANA time zone"),
        ("timezone: ../../etc/passwd", 1, "is not an IANA time zone"),
        ("timezone: localtime", 1, "is not an IANA time zone"),
        ("timezone: " + "x" * 5000, 1, "is not an IANA time zone"),
        ('timezone: "Asia/Tokyo\\0"', 1, "is not an IANA time zone"),
        ("language: fr", 1, "language: 'fr' is not supported (use en or ja)"),
        ("language: [en]", 1, "language: ['en'] is not supported"),
        ("admins: U0ADMIN1", 1, "admins: expected a list"),
        ("admins: [U0A, u0b]", 1, "admins[1]: 'u0b' is not a Slack user id"),
        ("admins:\n  - U0A\n  - 42\n", 3, "admins[1]: 42 is not a Slack user id"),
        ("admins: [U0A, U0A]", 1, "admins[1]: U0A is listed twice"),
        ("admins: [C0LEAD1]", 1, "is not a Slack user id"),
        ("leadership_channels: [U0001]", 1, "leadership_channels[0]: 'U0001' is not a Slack channel id"),
        ("leadership_channels: {C0LEAD1: 1}", 1, "leadership_channels: expected a list"),
        ("checkins: weekly", 1, "checkins: expected a mapping"),
        ("digest: [mon]", 1, "digest: expected a mapping"),
        ("checkins:\n  weekday: 2\n", 2, "checkins.weekday: 2 is not a weekday"),
        ("checkins:\n  weekday: tuesday\n  remind: 3\n", 3, "checkins: unknown key 'remind'"),
        ("digest:\n  reminder_after_hours: 3\n", 2, "digest: unknown key 'reminder_after_hours'"),
        ("checkins: {reminder_after_hours: 0}", 1, "reminder_after_hours: expected a whole number of hours"),
        ("checkins: {reminder_after_hours: '24'}", 1, "reminder_after_hours: expected a whole number"),
        ("checkins: {reminder_after_hours: true}", 1, "reminder_after_hours: expected a whole number"),
        ("checkins: {deadline_hours: 48.0}", 1, "deadline_hours: expected a whole number"),
        ("checkins: {deadline_hours: 145}", 1, "deadline_hours: 145 is more than 144"),
        ("checkins: {deadline_hours: 20}", 1, "deadline_hours (20) must be greater than reminder_after_hours (24)"),
        ("checkins:\n  reminder_after_hours: 100\n", 2, "reminder_after_hours (100) must be less than deadline_hours"),
        ("owners: [U0001]", 1, "owners: expected a mapping of item number"),
        ("owners: U0001", 1, "owners: expected a mapping of item number"),
        ("owners:\n  0: [U0001]\n", 2, "owners: unknown item '0'"),
        ("owners:\n  1: [U0001]\n  x: [U0002]\n", 3, "owners: unknown item 'x'"),
        ("owners:\n  -1: [U0001]\n", 2, "owners: unknown item '-1'"),
        ("owners:\n  1: [U0001]\n  '01': [U0002]\n", 3, "owners: item 1 is given twice"),
        ("owners:\n  4: U0001\n", 2, "owners.4: expected a list of Slack user ids"),
        ("owners:\n  4: {U0001: yes}\n", 2, "owners.4: expected a list"),
        ("owners:\n  4:\n    - [U0001]\n", 3, "owners.4[0]: ['U0001'] is not a Slack user id"),
        ("owners:\n  4: [U0001, U0001]\n", 2, "owners.4[1]: U0001 is listed twice"),
        ("owners:\n  1.5: [U0001]\n", 2, "keys must be text or numbers"),
        ("guideline: v3\nguideline: v3\n", 2, "duplicate key 'guideline'"),
        ("base: &b {a: 1}\ndigest:\n  <<: *b\n", 3, "aliases (*name) are not allowed"),
        ("digest: {weekday: mon", 2, "invalid YAML"),
        ("timezone: !!python/name:os.system UTC", 1, "invalid YAML"),
        ("timezone: UTC\0", 1, "NUL byte"),
        ("Timezone: UTC", 1, "unknown key 'Timezone' (did you mean 'timezone'?)"),
        ("owner: {}", 1, "unknown key 'owner' (did you mean 'owners'?)"),
        ("7: seven", 1, "unknown key '7' (known: guideline"),
    ],
)
def test_mistakes_are_reported_at_their_line(text: str, line: int, message: str) -> None:
    found = errors(text)
    assert any(e.startswith(f"org.yaml:{line}: ") and message in e for e in found), found


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file_is_an_error(text: str) -> None:
    assert errors(text) == ["org.yaml:1: empty org file"]


def test_every_problem_is_collected() -> None:
    text = """\
guideline: v2
timezone: Mars/Olympus
language: de
admins: [nobody]
admin: []
checkins: {weekday: xyz, time: "25:00", reminder_after_hours: 0, deadline_hours: 500}
digest: {weekday: mon, time: noon}
owners:
  11: [U0001]
  2: [bad]
"""
    found = errors(text)
    lines = [int(e.split(":")[1]) for e in found]
    assert lines == [1, 2, 3, 4, 5, 6, 6, 6, 6, 7, 9, 10]  # in file order


def test_read_org_reports_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    org, problems = read_org(missing)
    assert org is None
    assert [str(p) for p in problems] == [f"{missing}:1: cannot read file: No such file or directory"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"timezone: UTC\nlanguage: fr\xe9\n")
    assert [str(p) for p in read_org(latin)[1]] == [f"{latin}:2: file is not valid UTF-8"]
    assert read_org(tmp_path)[0] is None


# --- the config object ------------------------------------------------------------------------------------


def test_config_is_frozen_hashable_and_read_only() -> None:
    org = OrgConfig(owners={3: ("U1",), 1: ("U2",), 5: ()}, admins=("U0A",))
    assert list(org.owners) == [1, 3]
    assert org.items_of("U1") == (3,)
    assert hash(org) == hash(OrgConfig(owners={1: ("U2",)}, admins=("U0A",)))
    with pytest.raises(TypeError):
        org.owners[2] = ("U3",)  # type: ignore[index]
    with pytest.raises(AttributeError):
        org.language = "ja"  # type: ignore[misc]
    assert OrgConfig().owners_of(1) == ()


# --- the friendly parsers used by admin commands -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("mon", 0), ("Tue", 1), (" WED ", 2), ("thursday", 3), ("Friday", 4), ("sat", 5), ("ｓｕｎ", 6)],
)
def test_parse_weekday(text: str, expected: int) -> None:
    assert parse_weekday(text) == expected
    assert WEEKDAYS[expected] == WEEKDAYS[parse_weekday(WEEKDAYS[expected])]


@pytest.mark.parametrize("text", ["", "mo", "monday!", "1", "月", "tues"])
def test_parse_weekday_refuses_with_a_friendly_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a weekday; use one of mon, tue, wed, thu, fri, sat, sun"):
        parse_weekday(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("00:00", time(0, 0)), ("9:05", time(9, 5)), (" 23:59 ", time(23, 59)), ("１０：３０", time(10, 30))],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "24:00", "25:00", "10:60", "10", "10:5", "10:00:00", "ten", "-1:00", "٣:00"])
def test_parse_time_refuses_with_a_friendly_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a time; use HH:MM, 24-hour"):
        parse_time(text)


# --- never raises, whatever the file holds -----------------------------------------------------------------

TOP_KEYS = ["guideline", "timezone", "language", "admins", "leadership_channels", "checkins", "digest", "owners"]
INNER_KEYS = ["weekday", "time", "reminder_after_hours", "deadline_hours", "1", "3", "10", "11"]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.sampled_from(["v1", "v3", "UTC", "Asia/Tokyo", "en", "ja", "tue", "10:00", "U0001", "C0LEAD1", "25:00"])
)
KEYS = st.sampled_from(TOP_KEYS + INNER_KEYS) | st.text(max_size=10) | st.integers(min_value=-20, max_value=20)
YAMLISH = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=25,
)
PROBLEM = re.compile(r"org\.yaml:(\d+): .+", re.DOTALL)


def check_outcome(org: OrgConfig | None, problems: list[Problem]) -> None:
    assert (org is None) == bool(problems)
    for problem in problems:
        assert problem.line >= 1
        match = PROBLEM.fullmatch(str(problem))
        assert match, str(problem)
        assert int(match.group(1)) == problem.line
    if org is not None:
        assert parse_org(org_to_yaml(org), "again.yaml") == (org, [])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_parse_org_never_raises_on_any_text(text: str) -> None:
    check_outcome(*parse_org(text, "org.yaml"))


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_parse_org_never_raises_on_any_yaml_structure(data: Any) -> None:
    check_outcome(*parse_org(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "org.yaml"))


@settings(max_examples=300, deadline=None)
@given(data=st.dictionaries(st.sampled_from(TOP_KEYS), YAMLISH, max_size=8), flow=st.booleans())
def test_parse_org_never_raises_on_org_shaped_structures(*, data: dict[str, Any], flow: bool) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=flow)
    check_outcome(*parse_org(text, "org.yaml"))
