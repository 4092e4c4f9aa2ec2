"""Docs and manifest stay honest: they list exactly what the code does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

import handlers
from bot.cli import build_parser
from handlers.commands import HELP, SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MANIFEST: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))

# The bot scope each subscription needs (Slack's event and scope reference).
EVENT_SCOPES = {"app_mention": "app_mentions:read", "message.im": "im:history", "app_home_opened": None}
ALLOWED_KEYS = {
    "": {"_metadata", "display_information", "features", "oauth_config", "settings", "outgoing_domains"},
    "display_information": {"name", "description", "long_description", "background_color"},
    "features": {"app_home", "bot_user", "shortcuts", "slash_commands", "unfurl_domains", "workflow_steps"},
    "features.app_home": {"home_tab_enabled", "messages_tab_enabled", "messages_tab_read_only_enabled"},
    "features.bot_user": {"display_name", "always_online"},
    "oauth_config": {"redirect_urls", "scopes", "token_management_enabled"},
    "oauth_config.scopes": {"bot", "user"},
    "settings": {
        "allowed_ip_address_ranges",
        "event_subscriptions",
        "interactivity",
        "org_deploy_enabled",
        "socket_mode_enabled",
        "token_rotation_enabled",
        "is_hosted",
        "function_runtime",
    },
    "settings.event_subscriptions": {"request_url", "bot_events", "user_events", "metadata_subscriptions"},
    "settings.interactivity": {"is_enabled", "request_url", "message_menu_options_url"},
}
COMMAND_KEYS = {"command", "description", "usage_hint", "should_escape", "url"}


def test_manifest_has_no_unknown_keys() -> None:
    for path, allowed in ALLOWED_KEYS.items():
        node = MANIFEST
        for part in filter(None, path.split(".")):
            node = node[part]
        assert set(node) <= allowed, (path, set(node) - allowed)
    for command in MANIFEST["features"]["slash_commands"]:
        assert set(command) <= COMMAND_KEYS


def test_manifest_follows_slack_format_rules() -> None:
    info = MANIFEST["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", info["background_color"])
    display_name = MANIFEST["features"]["bot_user"]["display_name"]
    assert re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,79}", display_name)
    for command in MANIFEST["features"]["slash_commands"]:
        assert command["command"].startswith("/")
        assert len(command["command"]) <= 32
        assert len(command["description"]) <= 2000


def test_manifest_subscribes_to_exactly_what_the_code_handles() -> None:
    settings = MANIFEST["settings"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == sorted(handlers.EVENTS)
    assert sorted(c["command"] for c in MANIFEST["features"]["slash_commands"]) == sorted(handlers.COMMANDS)
    assert settings["interactivity"]["is_enabled"] is bool(handlers.ACTIONS)


def test_manifest_asks_for_the_minimal_scopes() -> None:
    needed = {"chat:write"} | {scope for e in handlers.EVENTS if (scope := EVENT_SCOPES[e])}
    if handlers.checkins.ACTIONS:  # check-ins open DMs (im:write) and read people's zone and locale (users:read)
        needed |= {"im:write", "users:read"}
    # The digest uploads its chart (files:write) and, after a crash, looks in the leadership channel
    # (public or private) for a post that happened (channels:history, groups:history).
    needed |= {"files:write", "channels:history", "groups:history"}
    if handlers.COMMANDS:
        needed.add("commands")
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed
    for scope in needed:
        assert f"`{scope}`" in README, f"README must justify the {scope} scope"


def test_every_slash_subcommand_is_in_help_readme_and_manifest() -> None:
    manifest_text = (ROOT / "manifest.yml").read_text(encoding="utf-8")
    for name in SUBCOMMANDS:
        assert f"/shishin {name}" in HELP
        assert f"/shishin {name}" in README, name
        assert name in manifest_text, name


def test_every_cli_command_is_in_the_readme() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse has no public listing
    for name, sub in commands.items():
        nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]  # noqa: SLF001
        names = [f"{name} {child}" for action in nested for child in action.choices] or [name]
        for full in names:
            assert f"shishin {full}" in README, full


def test_procfile_has_release_web_and_clock() -> None:
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines() if line.strip()
    )
    assert lines["release"].strip() == "shishin db upgrade"
    assert "gunicorn" in lines["web"]
    assert "bot.web:create_web_app()" in lines["web"]
    assert lines["clock"].strip() == "shishin run --scheduler-only"
