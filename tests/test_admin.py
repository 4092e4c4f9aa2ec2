"""`/shishin admin`, `/shishin checkin`, the Home tab's My items, and `shishin org` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import CHECKIN_TOKYO, World
from tests.slack_emulator import User


def reply_text(world: World, count: int) -> str:
    _, body = world.emulator.wait_for_responses(count)[count - 1]
    return json.dumps(body.get("blocks"), ensure_ascii=False) + str(body.get("text"))


def test_configured_admin_assigns_and_lists_owners(world: World) -> None:
    world.scenario.command("admin assign 3 <@U0NEWHIRE|newhire>", user_id="U0ADMIN1")
    assert "item 3 is owned by <@U0NEWHIRE>" in reply_text(world, 1)
    world.scenario.command("admin owners", user_id="U0ADMIN1")
    text = reply_text(world, 2)
    assert "3. Secure resources" in text or "3. " in text
    assert "<@U0NEWHIRE>" in text
    org = world.services.orgs.load()
    assert org is not None
    assert org.owners_of(3) == ("U0NEWHIRE",)


def test_non_admins_are_refused_and_nothing_changes(world: World) -> None:
    world.emulator.add_user(User("U0BOSS", is_admin=True))  # a workspace admin, but org.yaml lists admins
    before = world.services.orgs.load()
    world.scenario.command("admin assign 3 <@U0BOSS|boss>", user_id="U0BOSS")
    world.scenario.command("admin channel add <#C0RANDOM|random>", user_id="U0TOKYO")
    assert "only Shishin admins" in reply_text(world, 1)
    assert "only Shishin admins" in reply_text(world, 2)
    assert world.services.orgs.load() == before


def test_workspace_admins_are_admins_when_none_are_configured(world: World, tmp_path: Path) -> None:
    path = tmp_path / "no-admins.yaml"
    path.write_text("guideline: v3\nowners: {1: [U0TOKYO]}\n", encoding="utf-8")
    assert world.services.orgs.import_file(path)[0] is not None
    world.emulator.add_user(User("U0OWNER", is_owner=True))
    world.scenario.command("admin channel add <#C0BOARD|board>", user_id="U0OWNER")
    assert "digest goes to <#C0BOARD>" in reply_text(world, 1)
    world.scenario.command("admin channel add <#C0BOARD2|board2>", user_id="U0TOKYO")  # an ordinary member
    assert "only Shishin admins" in reply_text(world, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("admin assign 11 <@U0X|x>", "There is no item '11'"),
        ("admin assign 3 <!channel>", "is not a person"),
        ("admin schedule checkins someday 10:00", "is not a weekday"),
        ("admin schedule deadline 200", "deadline within 144 hours"),
        ("admin frobnicate", "I don't know `admin frobnicate`"),
    ],
)
def test_bad_admin_input_gets_a_clear_message_and_changes_nothing(world: World, text: str, expected: str) -> None:
    before = world.services.orgs.load()
    world.scenario.command(text, user_id="U0ADMIN1")
    reply = reply_text(world, 1)
    assert expected in reply
    assert "<!channel>" not in reply
    assert world.services.orgs.load() == before


def test_schedule_changes_apply(world: World) -> None:
    world.scenario.command("admin schedule checkins wed 09:30", user_id="U0ADMIN1")
    world.emulator.wait_for_responses(1)
    org = world.services.orgs.load()
    assert org is not None
    assert (org.checkins.weekday, f"{org.checkins.at:%H:%M}") == (2, "09:30")


def test_checkin_command_lists_my_open_checkins(world: World) -> None:
    world.scenario.command("checkin", user_id="U0TOKYO")
    assert "no open check-ins" in reply_text(world, 1)
    world.tick(CHECKIN_TOKYO)
    world.scenario.command("checkin", user_id="U0TOKYO")
    text = reply_text(world, 2)
    assert "Direction 1" in text
    assert "Direction 5" in text
    assert "0/1 checks answered" in text or "0/2 checks answered" in text


def test_home_tab_shows_my_items_without_anyone_elses_notes(world: World) -> None:
    world.tick(CHECKIN_TOKYO)
    world.scenario.event("app_home_opened", user="U0TOKYO")
    (call,) = world.emulator.wait_for("views.publish")
    text = json.dumps(call.params["view"], ensure_ascii=False)
    assert "My items" in text
    assert "check-in open" in text


def test_org_import_and_show_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'org.db'}")
    bad = tmp_path / "bad.yaml"
    bad.write_text("guideline: v3\nowners:\n  1: [U0A]\n  11: [U0B]\n", encoding="utf-8")
    assert main(["org", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:4:" in err
    assert "nothing was changed" in err
    assert main(["org", "show"]) == 1
    good = tmp_path / "org.yaml"
    good.write_text("guideline: v3\ntimezone: Asia/Tokyo\nowners: {1: [U0A], 2: [U0B, U0C]}\n", encoding="utf-8")
    assert main(["org", "import", str(good)]) == 0
    assert "3 owner assignments" in capsys.readouterr().out
    assert main(["org", "show"]) == 0
    shown = capsys.readouterr().out
    assert "U0B" in shown
    assert "Asia/Tokyo" in shown
