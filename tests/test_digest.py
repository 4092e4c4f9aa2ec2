"""The weekly digest: readiness maths, rendering (golden, escaping), the chart, and posting once."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.chart import HEIGHT_PX, WIDTH_PX, chart_png
from bot.cli import main
from bot.digest import Attention, Digest, digest_markdown, digest_message
from bot.readiness import readiness
from knowledge import KnowledgeBase
from storage import Database
from storage.repositories import Answers, Deliveries, DeliveryKey, MaturityRow
from tests.conftest import CHECKIN_TOKYO, World
from tests.test_blocks_golden import check_golden
from tests.test_checkins_flow import click

AT = datetime(2026, 12, 1, tzinfo=UTC)
DIGEST_TIME = datetime(2026, 12, 7, 9, 0, tzinfo=CHECKIN_TOKYO.tzinfo)  # Monday after the W49 check-in


def row(ref: str, maturity: int) -> MaturityRow:
    return MaturityRow(ref, int(ref.split(".")[2]), maturity, AT)


# --- readiness maths --------------------------------------------------------------------------------


def test_items_without_data_have_no_score_not_zero(kb: KnowledgeBase) -> None:
    r = readiness(kb.frameworks["v3"], "2026-W49", [], [])
    assert r.overall is None
    assert all(item.score is None and item.covered == 0 for item in r.items)


def test_partial_coverage_and_overall_over_items_with_data(kb: KnowledgeBase) -> None:
    this = [row("v3.check.1.1", 5), row("v3.check.1.2", 3), row("v3.check.5.1", 1)]
    last = [row("v3.check.1.1", 2)]
    r = readiness(kb.frameworks["v3"], "2026-W49", this, last)
    assert r.item(1).score == pytest.approx(80.0)  # (5+3)/2 = 4 of 5
    assert (r.item(1).covered, r.item(1).checks) == (2, 3)
    assert r.item(5).score == pytest.approx(20.0)
    assert r.item(2).score is None
    assert r.overall == pytest.approx(50.0)  # mean of items 1 and 5 only
    assert r.item(1).change == pytest.approx(40.0)
    assert r.item(5).change is None  # no score last week: no change to show
    assert r.change == pytest.approx(10.0)


# --- rendering --------------------------------------------------------------------------------------

HOSTILE = "<!channel> <@U0BOSS> see <#C0SECRET|secret> & <https://evil.example|click> > now"


def sample(kb: KnowledgeBase, *, late: bool = False) -> Digest:
    framework = kb.frameworks["v3"]
    this = [row("v3.check.1.1", 4), row("v3.check.7.2", 2), row("v3.check.9.1", 1), row("v3.check.9.2", 2)]
    last = [row("v3.check.1.1", 3), row("v3.check.9.1", 1)]
    statuses = {1: "on_track", 7: "at_risk", 9: "blocked"}
    owners = {1: ("U0CEO",), 7: ("U0SOC",), 9: ("U0PROC", "U0LEGAL")}
    r = readiness(
        framework, "2026-W49", this, last, statuses=statuses, owners=owners, last_updates={1: AT, 7: AT, 9: AT}
    )
    previous = readiness(framework, "2026-W48", last, [])
    trend = tuple((f"2026-W{w}", None if w < 46 else 40.0 + w - 46) for w in range(38, 50))
    return Digest(
        period="2026-W49",
        readiness=r,
        previous=previous,
        trend=trend,
        attention=(Attention(9, "blocked", (("Procurement <lead>", HOSTILE),)), Attention(7, "at_risk", ())),
        silent=(("Legal & Compliance", 9),),
        most_asked=(("v3-item-7", 4), ("topic-legal-status", 2)),
        unanswered=(("How do I <!here> reset my password?", 3),),
        names={"U0CEO": "Aiko (CEO)", "U0SOC": "Ryo", "U0PROC": "Procurement <lead>", "U0LEGAL": "Legal & Compliance"},
        late=late,
    )


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_digest_matches_golden(kb: KnowledgeBase, lang: str) -> None:
    digest = sample(kb)
    check_golden(f"digest_{lang}", digest_message(digest, kb, lang).as_kwargs())
    check_golden(f"digest_{lang}_markdown", digest_markdown(digest, kb, lang).splitlines())


def test_hostile_notes_and_questions_show_but_never_act(kb: KnowledgeBase) -> None:
    rendered = json.dumps(digest_message(sample(kb), kb, "en").as_kwargs(), ensure_ascii=False)
    for raw in ("<!channel>", "<!here>", "<@U0BOSS>", "<#C0SECRET", "<https://evil", "Procurement <lead>"):
        assert raw not in rendered
    assert "&lt;!channel&gt;" in rendered
    assert "&lt;@U0BOSS&gt;" in rendered
    assert "Legal &amp; Compliance" in rendered


def test_late_digest_says_so(kb: KnowledgeBase) -> None:
    assert "(posted late)" in json.dumps(digest_message(sample(kb, late=True), kb, "en").blocks)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_chart_is_a_valid_png_of_the_expected_size(kb: KnowledgeBase) -> None:
    digest = sample(kb)
    assert png_size(chart_png(digest.readiness, digest.previous, list(digest.trend))) == (WIDTH_PX, HEIGHT_PX)
    empty = readiness(kb.frameworks["v3"], "2026-W49", [], [])
    assert png_size(chart_png(empty, None, [("2026-W49", None)])) == (WIDTH_PX, HEIGHT_PX)


# --- posting, through the emulator -----------------------------------------------------------------


def answer_some(world: World) -> None:
    world.tick(CHECKIN_TOKYO)
    first = world.dms("U0TOKYO")[0]
    click(world, first, "checkin_status_blocked", "U0TOKYO")
    world.emulator.wait_for("chat.update")
    refreshed = next(m for m in world.dms("U0TOKYO") if m["ts"] == first["ts"])
    click(world, refreshed, "checkin_maturity", "U0TOKYO", option=1)
    world.emulator.wait_for("chat.update", 2)


def channel_posts(world: World, channel: str) -> list[dict[str, Any]]:
    return world.emulator.messages.get(channel, [])


def test_digest_time_posts_once_to_each_leadership_channel_with_the_chart(world: World) -> None:
    world.services.orgs.add_channel("C0LEAD2")
    answer_some(world)
    report = world.tick(DIGEST_TIME)
    assert report.counts["digests posted"] == 2
    assert report.counts["charts uploaded"] == 2
    for channel in ("C0LEAD1", "C0LEAD2"):
        digest, chart = channel_posts(world, channel)
        assert "week 2026-W49" in json.dumps(digest["blocks"])
        assert chart["files"][0]["title"].startswith("Shishin readiness chart")
    assert len(world.emulator.calls_to("files.getUploadURLExternal")) == 2
    assert len(world.emulator.calls_to("files.completeUploadExternal")) == 2
    assert all(png_size(data) == (WIDTH_PX, HEIGHT_PX) for data in world.emulator.uploads.values())
    again = world.tick(DIGEST_TIME + timedelta(minutes=1))
    assert again.counts["digests posted"] == 0
    assert again.counts["digests already posted"] == 2
    assert len(channel_posts(world, "C0LEAD1")) == 2


def test_a_missed_digest_is_posted_late_within_the_week(world: World) -> None:
    answer_some(world)
    report = world.tick(DIGEST_TIME + timedelta(days=2))
    assert report.counts["digests posted"] == 1
    (digest, _chart) = channel_posts(world, "C0LEAD1")
    assert "(posted late)" in json.dumps(digest["blocks"])


def test_a_digest_claimed_by_a_crashed_process_is_not_posted_twice(world: World) -> None:
    answer_some(world)
    world.tick(DIGEST_TIME)
    database = Database(world.db_url)
    with database.session() as session:  # pretend the process died after posting, before marking
        for kind in ("digest", "chart"):
            delivery = Deliveries(session).find(DeliveryKey("C0LEAD1", 0, "2026-W50", kind))
            assert delivery is not None
            delivery.state, delivery.claim_token = "claimed", "dead-process"
    database.dispose()
    report = world.tick(DIGEST_TIME + timedelta(minutes=10))
    assert report.counts["recovered (had been sent)"] == 2
    assert len(channel_posts(world, "C0LEAD1")) == 2


def test_status_and_home_show_scores_but_never_notes(world: World) -> None:
    answer_some(world)
    first = world.dms("U0TOKYO")[0]
    world.scenario.click(first, "checkin_note", channel="D0TOKYO", user="U0TOKYO")
    world.emulator.wait_for("views.open")
    database = Database(world.db_url)
    with database.session() as session:
        delivery = Deliveries(session).get(1)
        assert delivery is not None
        Answers(session).record(delivery, "", "U0TOKYO", CHECKIN_TOKYO, note="secret vendor name")
    database.dispose()
    world.clock.set(DIGEST_TIME)
    world.scenario.command("status", user_id="U0SOMEONE")
    _, reply = world.emulator.wait_for_responses(1)[0]
    text = json.dumps(reply, ensure_ascii=False)
    assert "/100" in text
    assert "secret vendor name" not in text
    world.scenario.event("app_home_opened", user="U0SOMEONE")
    (home,) = world.emulator.wait_for("views.publish")
    assert "Company readiness" in json.dumps(home.params["view"])
    assert "secret vendor name" not in json.dumps(home.params["view"])


def test_preview_and_export_on_the_command_line(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer_some(world)
    monkeypatch.setenv("DATABASE_URL", world.db_url)
    assert main(["digest", "preview", "--week", "2026-W49", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "# Cybersecurity readiness · week 2026-W49" in out.out
    assert png_size((tmp_path / "readiness-2026-W49.png").read_bytes()) == (WIDTH_PX, HEIGHT_PX)
    with pytest.raises(SystemExit) as refused:
        main(["digest", "preview", "--week", "2026-W99"])
    assert refused.value.code == 2
    assert "not a week that exists" in capsys.readouterr().err
    assert main(["export", "readiness", "--csv", "--weeks", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "week,overall," + ",".join(f"item_{n}" for n in range(1, 11))
    assert len(lines) == 4


def test_status_scores_are_the_digests_scores(world: World) -> None:
    answer_some(world)
    world.clock.set(DIGEST_TIME)
    org = world.services.orgs.load()
    assert org is not None
    digests = world.services.digests
    assert digests.current(org) == digests.build(org, "2026-W49").readiness
