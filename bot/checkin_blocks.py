"""Block Kit for check-ins: the prompt DM (answering, answered, skipped, closed), the reminder and the
note modal. Pure functions of PromptState."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks import Block, Message, button, context, plain, section
from bot.checkins import NOTE_LIMIT, STATUSES, CheckState, PromptState
from bot.slack_text import clip, escape
from knowledge.model import MaturityLevel

STATUS_ACTION = "checkin_status_"  # + status
MATURITY_ACTION = "checkin_maturity"
NOTE_ACTION = "checkin_note"
SNOOZE_ACTION = "checkin_snooze"
SKIP_ACTION = "checkin_skip"
UNSKIP_ACTION = "checkin_unskip"
CHANGE_ACTION = "checkin_change"
NOTE_MODAL = "checkin_note_modal"
NOTE_INPUT_BLOCK, NOTE_INPUT_ACTION = "note", "note_text"
ACTION_IDS = (
    *(STATUS_ACTION + status for status in STATUSES),
    MATURITY_ACTION,
    NOTE_ACTION,
    SNOOZE_ACTION,
    SKIP_ACTION,
    UNSKIP_ACTION,
    CHANGE_ACTION,
)
NOTE_SHOWN = 500

STATUS_LABELS = {
    "en": {"on_track": "🟢 On track", "at_risk": "🟡 At risk", "blocked": "🔴 Blocked", "done": "✅ Done"},
    "ja": {"on_track": "🟢 順調", "at_risk": "🟡 懸念あり", "blocked": "🔴 停滞", "done": "✅ 完了"},
}
TEXT = {
    "en": {
        "title": "Weekly check-in · Direction {n}",
        "when": "Week {period} · answer by {deadline} · for each check, a status and a maturity level",
        "check": "Check {ref}",
        "maturity": "Maturity 0–5",
        "recorded": "Recorded: {status} · maturity {level}",
        "so_far": "Recorded so far: {value}",
        "note": "📝 Note: {note}",
        "add_note": "Add note",
        "edit_note": "Edit note",
        "snooze": "Snooze 1 day",
        "skip": "Skip this week",
        "unskip": "Answer after all",
        "change": "Change",
        "skipped": "⏭ Skipped for this week. Nothing is counted as missing.",
        "closed": "🔒 Closed {deadline}. {summary}",
        "no_response": "No response was recorded.",
        "snoozed": "⏰ I'll remind you tomorrow.",
        "reminder": "⏰ Reminder: your check-in on *Direction {n}* ({title}) is still open until {deadline}. "
        "It's the message just above; one status and one maturity level per check.",
        "modal_title": "Check-in note",
        "modal_label": "Note for Direction {n} (shown to leadership in the weekly digest)",
        "save": "Save",
        "cancel": "Cancel",
        "fallback": "Weekly check-in for Direction {n}: {title}",
    },
    "ja": {
        "title": "週次チェックイン · 指示{n}",
        "when": "{period} · 回答期限 {deadline} · 各チェック項目の状況と成熟度を選んでください",
        "check": "チェック {ref}",
        "maturity": "成熟度 0〜5",
        "recorded": "記録済み：{status} · 成熟度 {level}",
        "so_far": "記録済み：{value}",
        "note": "📝 メモ：{note}",
        "add_note": "メモを追加",
        "edit_note": "メモを編集",
        "snooze": "1日後に再通知",
        "skip": "今週はスキップ",
        "unskip": "やはり回答する",
        "change": "変更",
        "skipped": "⏭ 今週はスキップしました。未回答としては扱いません。",
        "closed": "🔒 {deadline}に締め切りました。{summary}",
        "no_response": "未回答として記録されました。",
        "snoozed": "⏰ 明日あらためてお知らせします。",
        "reminder": "⏰ リマインダー：*指示{n}*（{title}）のチェックインは{deadline}まで回答できます。"
        "すぐ上のメッセージから、各チェック項目の状況と成熟度を選んでください。",
        "modal_title": "チェックインのメモ",
        "modal_label": "指示{n}についてのメモ（週次ダイジェストで経営層に共有されます）",
        "save": "保存",
        "cancel": "キャンセル",
        "fallback": "指示{n}の週次チェックイン：{title}",
    },
}
WEEKDAYS_JA = "月火水木金土日"


def when(instant: datetime, tz: ZoneInfo, lang: str) -> str:
    local = instant.astimezone(tz)
    if lang == "ja":
        return f"{local.month}月{local.day}日({WEEKDAYS_JA[local.weekday()]}) {local:%H:%M}"
    return local.strftime("%a %d %b %H:%M")


def _t(state: PromptState, key: str, **values: Any) -> str:
    return TEXT["ja" if state.lang == "ja" else "en"][key].format(**values)


def _level_label(levels: tuple[MaturityLevel, ...], level: int, lang: str) -> str:
    for candidate in levels:
        if candidate.level == level:
            return f"{level} · {candidate.label.get('ja' if lang == 'ja' else 'en')}"
    return str(level)


def _maturity_select(state: PromptState, check: CheckState, levels: tuple[MaturityLevel, ...]) -> dict[str, Any]:
    lang = "ja" if state.lang == "ja" else "en"
    options = [
        {
            "text": plain(_level_label(levels, level.level, lang)),
            "description": plain(clip(level.description.get(lang), 75)),
            "value": f"{state.delivery_id}|{check.check.ref}|{level.level}",
        }
        for level in levels
    ]
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": MATURITY_ACTION,
        "placeholder": plain(_t(state, "maturity")),
        "options": options,
    }
    if check.maturity is not None:
        select["initial_option"] = options[check.maturity]
    return select


def _check_blocks(state: PromptState, check: CheckState, levels: tuple[MaturityLevel, ...]) -> list[Block]:
    lang = "ja" if state.lang == "ja" else "en"
    ref = check.check.ref.removeprefix("v3.check.")
    blocks = [section(f"*{_t(state, 'check', ref=ref)}* — {escape(check.check.text.get(lang))}")]
    labels = STATUS_LABELS[lang]
    if state.closed or state.skipped:
        if check.status is not None or check.maturity is not None:
            blocks.append(context(_summary(state, check, levels)))
        return blocks
    if check.answered and not check.editing:
        blocks.append(context(_summary(state, check, levels)))
        blocks.append(
            {
                "type": "actions",
                "block_id": f"done-{ref}",
                "elements": [button(CHANGE_ACTION, _t(state, "change"), f"{state.delivery_id}|{check.check.ref}")],
            }
        )
        return blocks
    if check.status is not None or check.maturity is not None:
        blocks.append(context(_summary(state, check, levels, partial=True)))
    elements: list[dict[str, Any]] = [
        button(
            STATUS_ACTION + status,
            labels[status],
            f"{state.delivery_id}|{check.check.ref}",
            style="primary" if status == check.status else None,
        )
        for status in STATUSES
    ]
    elements.append(_maturity_select(state, check, levels))
    blocks.append({"type": "actions", "block_id": f"check-{ref}", "elements": elements})
    return blocks


def _summary(state: PromptState, check: CheckState, levels: tuple[MaturityLevel, ...], *, partial: bool = False) -> str:
    lang = "ja" if state.lang == "ja" else "en"
    status = STATUS_LABELS[lang].get(check.status or "", "–")
    level = _level_label(levels, check.maturity, lang) if check.maturity is not None else "–"
    if partial:
        value = status if check.status else (level if lang == "en" else f"成熟度 {level}")
        return _t(state, "so_far", value=value)
    return _t(state, "recorded", status=status, level=level)


def prompt_message(state: PromptState, levels: tuple[MaturityLevel, ...], tz: ZoneInfo) -> Message:
    """The check-in DM in its current state."""
    lang = "ja" if state.lang == "ja" else "en"
    title = state.item.title.get(lang)
    deadline = when(state.deadline_at, tz, lang)
    blocks: list[Block] = [
        section(f"*{_t(state, 'title', n=state.item.number)}*\n{escape(title)}"),
        context(_t(state, "when", period=state.period, deadline=deadline)),
    ]
    for check in state.checks:
        blocks += _check_blocks(state, check, levels)
    if state.note:
        blocks.append(context(_t(state, "note", note=escape(clip(state.note, NOTE_SHOWN)))))
    if state.closed:
        summary = "" if state.touched or state.skipped else _t(state, "no_response")
        blocks.append(context(_t(state, "closed", deadline=deadline, summary=summary).strip()))
    elif state.skipped:
        blocks.append(section(_t(state, "skipped")))
        blocks.append(
            {
                "type": "actions",
                "block_id": "skipped",
                "elements": [button(UNSKIP_ACTION, _t(state, "unskip"), str(state.delivery_id))],
            }
        )
    else:
        footer = [button(NOTE_ACTION, _t(state, "edit_note" if state.note else "add_note"), str(state.delivery_id))]
        if not state.touched:
            footer += [
                button(SNOOZE_ACTION, _t(state, "snooze"), str(state.delivery_id)),
                button(SKIP_ACTION, _t(state, "skip"), str(state.delivery_id)),
            ]
        blocks.append({"type": "actions", "block_id": "footer", "elements": footer})
    return Message(_t(state, "fallback", n=state.item.number, title=title), blocks)


def reminder_message(state: PromptState, tz: ZoneInfo) -> Message:
    lang = "ja" if state.lang == "ja" else "en"
    text = _t(
        state,
        "reminder",
        n=state.item.number,
        title=state.item.title.get(lang),
        deadline=when(state.deadline_at, tz, lang),
    )
    return Message(text.replace("*", ""), [section(text)])


def snoozed_message(state: PromptState) -> Message:
    text = _t(state, "snoozed")
    return Message(text, [context(text)])


def note_modal(state: PromptState) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": NOTE_INPUT_ACTION,
        "multiline": True,
        "max_length": NOTE_LIMIT,
    }
    if state.note:
        element["initial_value"] = state.note
    return {
        "type": "modal",
        "callback_id": NOTE_MODAL,
        "private_metadata": str(state.delivery_id),
        "title": plain(_t(state, "modal_title")[:24]),
        "submit": plain(_t(state, "save")),
        "close": plain(_t(state, "cancel")),
        "blocks": [
            {
                "type": "input",
                "block_id": NOTE_INPUT_BLOCK,
                "optional": True,
                "label": plain(_t(state, "modal_label", n=state.item.number), 2000),
                "element": element,
            }
        ],
    }
