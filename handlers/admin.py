"""`/shishin admin …`: live edits of the org, for admins only (configured ids, else workspace admins)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.blocks import Message, rich_message
from bot.container import Services
from bot.digest import covered_period, digest_message
from bot.org import CHANNEL_ID, USER_ID, WEEKDAYS, OrgConfig
from bot.orgs import OrgEditError, item_number, slack_id
from bot.slack_text import clip, escape

USAGE = "\n".join(
    [
        "*Admin commands*",
        "• `/shishin admin assign <item> @person` — make someone an owner of an item",
        "• `/shishin admin unassign <item> @person` — remove an owner",
        "• `/shishin admin owners` — who owns which item",
        "• `/shishin admin channel add|remove #channel` — where the weekly digest goes",
        "• `/shishin admin schedule checkins <weekday> <HH:MM>` (also `digest <weekday> <HH:MM>`,"
        " `reminder <hours>`, `deadline <hours>`) — when check-ins and the digest go out",
        "• `/shishin admin digest preview` — this week's digest, shown only to you",
    ]
)
REFUSAL = (
    "Sorry, only Shishin admins can change the set-up. Admins are listed in org.yaml (`admins:`); "
    "if none are listed, workspace admins and owners are."
)


def owners_text(org: OrgConfig, services: Services) -> str:
    framework = services.kb.frameworks[org.guideline]
    lines = ["*Owners of the ten items*"]
    for item in framework.items:
        owners = ", ".join(f"<@{user}>" for user in org.owners_of(item.number)) or "_unowned_"
        lines.append(f"{item.number}. {item.title.en} — {owners}")
    lines.append(f"Leadership channels: {', '.join(f'<#{c}>' for c in org.leadership_channels) or '_none_'}")
    checkins, digest = org.checkins, org.digest
    lines.append(
        f"Check-ins: {WEEKDAYS[checkins.weekday]} {checkins.at:%H:%M} (each owner's time), reminder after "
        f"{checkins.reminder_after_hours} h, closes after {checkins.deadline_hours} h. "
        f"Digest: {WEEKDAYS[digest.weekday]} {digest.at:%H:%M} {org.timezone}."
    )
    return "\n".join(lines)


PERSON = "a person (mention them with @)"


def _assign(services: Services, args: list[str]) -> str:
    item, user = item_number(args[0]), slack_id(args[1], USER_ID, PERSON)
    return f"Done: item {item} is owned by {_people(services.orgs.assign(item, user).owners_of(item))}."


def _unassign(services: Services, args: list[str]) -> str:
    item, user = item_number(args[0]), slack_id(args[1], USER_ID, PERSON)
    owners = _people(services.orgs.unassign(item, user).owners_of(item))
    return f"Done: item {item} is owned by {owners or 'nobody now'}."


def _owners(services: Services, _args: list[str]) -> str:
    return owners_text(services.orgs.load_or_default(), services)


def _channel(services: Services, args: list[str]) -> str:
    if args[0] not in ("add", "remove"):
        raise OrgEditError("Use `channel add #channel` or `channel remove #channel`.")
    channel = slack_id(args[1], CHANNEL_ID, "a channel (pick it with #)")
    orgs = services.orgs
    org = orgs.add_channel(channel) if args[0] == "add" else orgs.remove_channel(channel)
    listed = ", ".join(f"<#{c}>" for c in org.leadership_channels) or "none"
    return f"Done: the weekly digest goes to {listed}."


def _digest(services: Services, args: list[str]) -> Message:
    if args != ["preview"]:
        raise OrgEditError("Use `digest preview`.")
    org = services.orgs.load_or_default()
    digest = services.digests.build(org, covered_period(org, services.clock()))
    return digest_message(digest, services.kb, org.language)


def _schedule(services: Services, args: list[str]) -> str:
    org = services.orgs.schedule(args[0].lower(), args[1:])
    return "Done. " + owners_text(org, services).splitlines()[-1]


# name -> (handler, how many words it takes after the name: an exact count, or None for "at least one")
ROUTES: dict[str, tuple[Callable[[Services, list[str]], str | Message], int | None]] = {
    "assign": (_assign, 2),
    "unassign": (_unassign, 2),
    "owners": (_owners, 0),
    "channel": (_channel, 2),
    "schedule": (_schedule, None),
    "digest": (_digest, 1),
}


def admin_command(argument: str, command: dict[str, Any], services: Services) -> Message:
    """The reply to `/shishin admin <argument>`; changes the org only for an admin."""
    user_id = str(command.get("user_id", ""))
    person = services.directory.person(user_id) if services.directory else None
    if person is None or not services.orgs.is_admin(user_id, person):
        return rich_message(REFUSAL)
    words = argument.split()
    name, args = (words[0].lower(), words[1:]) if words else ("", [])
    route = ROUTES.get(name)
    if route is None or (len(args) != route[1] if route[1] is not None else not args):
        note = f"I don't know `admin {escape(clip(argument, 60))}`.\n\n" if argument else ""
        return rich_message(note + USAGE)
    try:
        reply = route[0](services, args)
        return reply if isinstance(reply, Message) else rich_message(reply)
    except OrgEditError as error:
        return rich_message(f"{error}\n\n{USAGE}")


def _people(users: tuple[str, ...]) -> str:
    return ", ".join(f"<@{user}>" for user in users)
