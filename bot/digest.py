"""The weekly readiness digest: what it covers, the data it shows, and how it reads (Markdown, Block
Kit). Gathering is a fixed number of SQL statements whatever the number of owners or weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.blocks import Block, Message, context, section
from bot.org import OrgConfig
from bot.periods import period_of, shift, weekday_in
from bot.readiness import Readiness, overall_of, readiness
from bot.services import Clock, utc_now
from bot.slack_text import clip, escape
from knowledge import KnowledgeBase
from storage import Database
from storage.repositories import Questions, ReadinessQueries, Users

TREND_WEEKS = 12
NOTE_SHOWN = 300
QUESTION_SHOWN = 120
ATTENTION = ("blocked", "at_risk")
STATUS_EMOJI = {"blocked": "🔴", "at_risk": "🟡", "on_track": "🟢", "done": "✅", None: "⚪"}


@dataclass(frozen=True)
class Attention:
    item: int
    status: str
    notes: tuple[tuple[str, str], ...]  # (owner's name, note)


@dataclass(frozen=True)
class Digest:
    period: str
    readiness: Readiness
    previous: Readiness
    trend: tuple[tuple[str, float | None], ...]
    attention: tuple[Attention, ...]
    silent: tuple[tuple[str, int], ...]  # (owner's name, item)
    most_asked: tuple[tuple[str, int], ...]  # (entry id, times)
    unanswered: tuple[tuple[str, int], ...]  # (question, times)
    names: dict[str, str]
    late: bool = False

    def name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)


def week_end(period: str, org: OrgConfig) -> datetime:
    """The cutoff for a week's answers: Monday 00:00 after it, in the org's timezone."""
    return weekday_in(shift(period, 1), 0, datetime.min.time(), org.tz)


def covered_period(org: OrgConfig, now: datetime) -> str:
    """The last check-in period that has closed at `now` (the one a digest posted now reports)."""
    current = period_of(now, org.tz)
    closes = weekday_in(current, org.checkins.weekday, org.checkins.at, org.tz) + timedelta(
        hours=org.checkins.deadline_hours
    )
    return current if now >= closes else shift(current, -1)


def digest_due(org: OrgConfig, now: datetime) -> datetime:
    """This week's digest time (org timezone)."""
    return weekday_in(period_of(now, org.tz), org.digest.weekday, org.digest.at, org.tz)


class DigestService:
    def __init__(self, db: Database, kb: KnowledgeBase, clock: Clock = utc_now) -> None:
        self.db = db
        self.kb = kb
        self.clock = clock

    def build(self, org: OrgConfig, period: str, *, late: bool = False) -> Digest:
        framework = self.kb.frameworks[org.guideline]
        refs = [check.ref for check in framework.checks]
        items = [item.number for item in framework.items]
        cutoff = week_end(period, org)
        with self.db.session() as session:
            queries = ReadinessQueries(session)
            weeks = [shift(period, -back) for back in range(TREND_WEEKS - 1, -1, -1)]
            maturities = {week: queries.latest_maturities(refs, week_end(week, org)) for week in weeks}
            statuses = queries.worst_statuses(period)
            updates = queries.last_updates(items, cutoff)
            flagged = [item for item, status in statuses.items() if status in ATTENTION]
            notes = queries.notes(period, flagged)
            silent = queries.silent(period)
            start = weekday_in(period, 0, datetime.min.time(), org.tz)
            asked = Questions(session).most_asked(start, cutoff, limit=5)
            unanswered = Questions(session).unanswered(start, limit=5, until=cutoff)
            people = sorted({n.owner_id for n in notes} | {owner for owner, _ in silent})
            people += [u for users in org.owners.values() for u in users]
            names = Users(session).names(sorted(set(people)))
        this = readiness(
            framework,
            period,
            maturities[period],
            maturities[weeks[-2]],
            statuses=statuses,
            owners=dict(org.owners),
            last_updates=updates,
        )
        previous = readiness(framework, weeks[-2], maturities[weeks[-2]], maturities[weeks[-3]])
        trend = tuple((week, overall_of(framework, maturities[week])) for week in weeks)
        attention = tuple(
            Attention(
                item,
                statuses[item],
                tuple((names.get(n.owner_id, n.owner_id), n.note) for n in notes if n.item == item),
            )
            for item in sorted(flagged, key=lambda i: (statuses[i] != "blocked", i))
        )
        return Digest(
            period=period,
            readiness=this,
            previous=previous,
            trend=trend,
            attention=attention,
            silent=tuple((names.get(owner, owner), item) for owner, item in silent),
            most_asked=tuple(asked),
            unanswered=tuple((q.text, q.count) for q in unanswered),
            names=names,
            late=late,
        )

    def history(self, org: OrgConfig, weeks: list[str]) -> list[tuple[str, float | None, list[float | None]]]:
        """(week, overall, item scores 1-10) for each week: one statement per week."""
        framework = self.kb.frameworks[org.guideline]
        refs = [check.ref for check in framework.checks]
        rows = []
        with self.db.session() as session:
            queries = ReadinessQueries(session)
            for week in weeks:
                r = readiness(framework, week, queries.latest_maturities(refs, week_end(week, org)), [])
                rows.append((week, r.overall, [item.score for item in r.items]))
        return rows

    def current(self, org: OrgConfig) -> Readiness:
        """Readiness as of the last closed week, for anyone: scores only, so four statements, not the
        whole digest (no trend, notes, names or questions)."""
        framework = self.kb.frameworks[org.guideline]
        refs = [check.ref for check in framework.checks]
        period = covered_period(org, self.clock())
        with self.db.session() as session:
            queries = ReadinessQueries(session)
            this = queries.latest_maturities(refs, week_end(period, org))
            last = queries.latest_maturities(refs, week_end(shift(period, -1), org))
            statuses = queries.worst_statuses(period)
            updates = queries.last_updates([item.number for item in framework.items], week_end(period, org))
        return readiness(
            framework, period, this, last, statuses=statuses, owners=dict(org.owners), last_updates=updates
        )


# --- rendering ---------------------------------------------------------------------------------------

LABELS = {
    "en": {
        "title": "Cybersecurity readiness · week {period}",
        "late": " (posted late)",
        "overall": "Overall readiness: *{score}*",
        "no_data": "no data yet",
        "vs": "{arrow} {delta:+.0f} vs last week",
        "same": "→ same as last week",
        "attention": "Needs attention",
        "silent": "No response this week",
        "none_silent": "Everyone answered.",
        "asked": "Most asked this week",
        "unanswered": "Asked but not answered",
        "item": "Direction {n}",
        "owners": "owner",
        "unowned": "unowned",
        "updated": "updated {when}",
        "coverage": "{covered}/{checks} checks",
        "chart": "Chart: readiness by item, this week vs last, and the last 12 weeks.",
        "fallback": "Readiness {score} for {period}; {attention} item(s) need attention.",
    },
    "ja": {
        "title": "サイバーセキュリティ対応状況 · {period}",
        "late": "（遅れて投稿）",
        "overall": "全体の対応度：*{score}*",
        "no_data": "データなし",
        "vs": "前週比 {arrow} {delta:+.0f}",
        "same": "→ 前週と同じ",
        "attention": "要対応",
        "silent": "今週の未回答",
        "none_silent": "全員が回答しました。",
        "asked": "今週よく聞かれた質問",
        "unanswered": "回答できなかった質問",
        "item": "指示{n}",
        "owners": "担当",
        "unowned": "担当者なし",
        "updated": "更新 {when}",
        "coverage": "{covered}/{checks}チェック",
        "chart": "グラフ：項目別の対応度（今週と前週）と直近12週の推移。",
        "fallback": "{period}の対応度 {score}、要対応 {attention}件。",
    },
}


def _score(value: float | None, lang: str) -> str:
    return LABELS[lang]["no_data"] if value is None else f"{value:.0f}/100"


def _delta(change: float | None, lang: str) -> str:
    if change is None:
        return ""
    if abs(change) < 0.5:  # below what the rounded scores can show
        return LABELS[lang]["same"]
    arrow = "▲" if change > 0 else "▼"
    return LABELS[lang]["vs"].format(arrow=arrow, delta=change)


def _lines(digest: Digest, kb: KnowledgeBase, lang: str, *, bold: str) -> dict[str, list[str]]:
    """The digest's content as lines per part, in mrkdwn (bold="*") or Markdown (bold="**").
    Every piece of user text (names, notes, questions) is escaped."""
    text = LABELS[lang]
    framework = kb.frameworks["v3"]
    r = digest.readiness
    overall = text["overall"].replace("*", bold).format(score=_score(r.overall, lang))
    head = [f"{overall}  {_delta(r.change, lang)}".rstrip()]
    items = []
    for item in r.items:
        title = framework.item(item.number).title.get(lang)
        owners = ", ".join(escape(digest.name(u)) for u in item.owners) or text["unowned"]
        parts = [
            f"{STATUS_EMOJI[item.status]} {bold}{item.number}.{bold} {escape(clip(title, 60))}",
            _score(item.score, lang) + (f" ({_delta(item.change, lang)})" if item.change is not None else ""),
            text["coverage"].format(covered=item.covered, checks=item.checks),
            f"{text['owners']}: {owners}",
        ]
        if item.last_update:
            parts.append(text["updated"].format(when=f"{item.last_update:%Y-%m-%d}"))
        items.append(" · ".join(parts))
    attention = []
    for flag in digest.attention:
        title = framework.item(flag.item).title.get(lang)
        attention.append(f"{STATUS_EMOJI[flag.status]} {bold}{escape(clip(title, 80))}{bold}")
        attention += [f"    › {escape(name)}: “{escape(clip(note, NOTE_SHOWN))}”" for name, note in flag.notes]
    silent = [
        ", ".join(f"{escape(name)} ({text['item'].format(n=item)})" for name, item in digest.silent)
        or text["none_silent"]
    ]
    asked = []
    for rank, (entry_id, count) in enumerate(digest.most_asked, 1):
        entry = kb.find(entry_id)
        asked.append(f"{rank}. {escape(entry.title.get(lang) if entry else entry_id)} ({count})")
    unanswered = [f"• “{escape(clip(q, QUESTION_SHOWN))}” ({count})" for q, count in digest.unanswered]
    return {
        "head": head,
        "items": items,
        "attention": attention,
        "silent": silent,
        "asked": asked,
        "unanswered": unanswered,
    }


def digest_markdown(digest: Digest, kb: KnowledgeBase, lang: str) -> str:
    text = LABELS[lang]
    parts = _lines(digest, kb, lang, bold="**")
    title = text["title"].format(period=digest.period) + (text["late"] if digest.late else "")
    out = [f"# {title}", "", *parts["head"], "", *(f"- {line}" for line in parts["items"])]
    if parts["attention"]:
        out += ["", f"## {text['attention']}", *parts["attention"]]
    out += ["", f"## {text['silent']}", *parts["silent"]]
    if parts["asked"]:
        out += ["", f"## {text['asked']}", *parts["asked"]]
    if parts["unanswered"]:
        out += ["", f"## {text['unanswered']}", *parts["unanswered"]]
    out += ["", f"_{text['chart']}_", ""]
    return "\n".join(out)


def _sections(lines: list[str], heading: str | None = None) -> list[Block]:
    """Lines as sections, split so each stays inside Block Kit's 3,000-character limit."""
    blocks, chunk = [], f"*{heading}*" if heading else ""
    for line in lines:
        if len(chunk) + len(line) + 1 > 2900:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    return blocks


def digest_message(digest: Digest, kb: KnowledgeBase, lang: str) -> Message:
    text = LABELS[lang]
    parts = _lines(digest, kb, lang, bold="*")
    title = text["title"].format(period=digest.period) + (text["late"] if digest.late else "")
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(title, 150), "emoji": True}},
        *_sections(parts["head"]),
        *_sections(parts["items"]),
        {"type": "divider"},
    ]
    if parts["attention"]:
        blocks += _sections(parts["attention"], text["attention"])
    blocks += _sections(parts["silent"], text["silent"])
    if parts["asked"]:
        blocks += _sections(parts["asked"], text["asked"])
    if parts["unanswered"]:
        blocks += _sections(parts["unanswered"], text["unanswered"])
    blocks.append(context(text["chart"]))
    fallback = text["fallback"].format(
        score=_score(digest.readiness.overall, lang), period=digest.period, attention=len(digest.attention)
    )
    return Message(fallback, blocks[:50])


def status_text(r: Readiness, kb: KnowledgeBase, lang: str = "en") -> str:
    """`/shishin status`: overall and per-item scores for anyone; no notes, no names."""
    framework = kb.frameworks["v3"]
    lines = [f"{LABELS[lang]['overall'].format(score=_score(r.overall, lang))} ({r.period}) {_delta(r.change, lang)}"]
    for item in r.items:
        title = framework.item(item.number).title.get(lang)
        lines.append(
            f"{STATUS_EMOJI[item.status]} {item.number}. {escape(clip(title, 70))} — {_score(item.score, lang)}"
        )
    return "\n".join(lines)
