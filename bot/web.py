"""HTTP front door: Bolt's Flask adapter on POST /slack/events, and GET /healthz. Served by gunicorn."""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any
from urllib.parse import parse_qs

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.exc import SQLAlchemyError

from bot.app import build_app
from bot.container import Services, build_services
from bot.settings import Settings, configure_logging

logger = logging.getLogger(__name__)
ACK_SWITCH_INTERVAL = 0.0002
MAX_BODY_BYTES = 512 * 1024  # Slack's payloads are far smaller; anything bigger is refused unread


def create_web_app(
    settings: Settings | None = None, services: Services | None = None, bolt: App | None = None
) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    # Answers are computed in background threads of this process. Python hands the GIL between threads
    # every 5 ms by default, which an ack waiting behind an answer would pay in full; 0.2 ms keeps acks quick.
    sys.setswitchinterval(ACK_SWITCH_INTERVAL)
    services = services or build_services(settings)
    bolt = bolt or build_app(settings, services=services)
    slack = SlackRequestHandler(bolt)
    web = Flask("shishin")
    web.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    verifier = SignatureVerifier(settings.slack_signing_secret or "")

    @web.post("/slack/events")
    def slack_events() -> ResponseReturnValue:
        body = request.get_data(as_text=True)
        # Verify before anything reads the body, so a forged request is 401 whatever it holds; then
        # refuse a body that isn't what Slack sends, instead of letting it fail deep inside.
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not timestamp.isdigit() or not verifier.is_valid(body, timestamp, signature):
            return jsonify(error="invalid request signature"), 401
        if not _well_formed(body, request.mimetype):
            return jsonify(error="malformed request body"), 400
        return slack.handle(request)

    @web.errorhandler(413)
    def too_large(_error: Exception) -> ResponseReturnValue:
        return jsonify(error=f"request body over {MAX_BODY_BYTES:,} bytes"), 400

    @web.get("/healthz")
    def healthz() -> ResponseReturnValue:
        status: dict[str, Any] = {"status": "ok", "knowledge_entries": len(services.kb.entries)}
        try:
            if services.db is not None:
                services.db.ping()
            status["database"] = "ok"
        except SQLAlchemyError as error:
            logger.warning("health check: database unreachable (%s)", error.__class__.__name__)
            status.update(status="degraded", database="unreachable")
            return jsonify(status), 503
        return jsonify(status), 200

    return web


def _well_formed(body: str, mimetype: str) -> bool:
    """JSON bodies parse as objects; form bodies' `payload` (interactivity) parses as a JSON object."""
    try:
        if mimetype == "application/json":
            return isinstance(json.loads(body), dict)
        form = parse_qs(body)
        return "payload" not in form or isinstance(json.loads(form["payload"][0]), dict)
    except ValueError:
        return False


def gunicorn_options(port: int, workers: int | None = None, threads: int | None = None) -> dict[str, Any]:
    """The same settings the Procfile's web process uses (see gunicorn.conf.py)."""
    return {
        "bind": f"0.0.0.0:{port}",
        "workers": workers or int(os.environ.get("WEB_CONCURRENCY", "2")),
        "worker_class": "gthread",
        "threads": threads or int(os.environ.get("GUNICORN_THREADS", "8")),
        "timeout": 30,
        "accesslog": None,
    }


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_web_app(self.settings)


def serve(settings: Settings, port: int, workers: int | None = None) -> None:
    """`shishin run --http`: the production server (gunicorn + Flask adapter), not Bolt's dev server."""
    _Gunicorn(settings, gunicorn_options(port, workers)).run()
