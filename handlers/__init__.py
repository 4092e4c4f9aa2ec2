"""Slack listeners. Each module unpacks a payload, calls a service, renders blocks and replies.

Each module declares what it subscribes to (EVENTS, COMMANDS, ACTIONS) and has `register(app, services)`.
"""

from handlers import actions, checkins, commands, fallback, home, qa

MODULES = (qa, commands, actions, checkins, home, fallback)  # fallback last: it takes what no one else did
EVENTS = tuple(event for module in MODULES for event in getattr(module, "EVENTS", ()))
COMMANDS = tuple(command for module in MODULES for command in getattr(module, "COMMANDS", ()))
ACTIONS = tuple(action for module in MODULES for action in getattr(module, "ACTIONS", ()))
VIEWS = tuple(view for module in MODULES for view in getattr(module, "VIEWS", ()))

__all__ = ["ACTIONS", "COMMANDS", "EVENTS", "MODULES", "VIEWS"]
