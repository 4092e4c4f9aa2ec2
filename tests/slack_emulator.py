"""A Slack Web API emulator on loopback, for tests and for trying the app by hand.

The real `slack_sdk` client talks to it through SLACK_API_URL. It records every call, answers like
Slack (ids, `ok`, errors, `files_upload_v2`'s upload URL and completion), and injects faults on
demand: 429 with Retry-After, 500s, and slow answers (timeouts).

Standalone: `python tests/slack_emulator.py --port 8999`, then point SLACK_API_URL at
http://127.0.0.1:8999/api/ ; `GET /_calls` lists what was called.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import logging
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

BOT_USER_ID = "UBOT0SHISHIN"
BOT_ID = "BBOT0SHISHIN"
TEAM_ID = "T0EMULATED"


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    status: int = 200  # the HTTP status answered: 429 and 5xx calls were refused, not delivered


@dataclass
class Fault:
    status: int = 429
    retry_after: int = 1
    delay: float = 0.0
    error: str | None = None  # an {"ok": false, "error": ...} answer instead of an HTTP fault


@dataclass
class User:
    id: str
    tz: str = "Asia/Tokyo"
    locale: str = "en-US"
    is_admin: bool = False
    is_owner: bool = False
    deleted: bool = False
    is_bot: bool = False


@dataclass
class SlackEmulator:
    server: HTTPServer
    calls: list[Call] = field(default_factory=list)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # response_url posts
    uploads: dict[str, bytes] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))  # per channel
    rate_limits: dict[str, int] = field(default_factory=dict)  # method -> calls allowed per second
    rate_limited: int = 0  # 429s answered because of rate_limits
    _windows: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _changed: threading.Condition = field(init=False)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self._changed = threading.Condition(self._lock)
        self.server.expect_request(re.compile(r"^/api/[\w.]+$")).respond_with_handler(self._api)
        self.server.expect_request(re.compile(r"^/response/.+$")).respond_with_handler(self._response_url)
        self.server.expect_request(re.compile(r"^/upload/.+$")).respond_with_handler(self._upload)
        self.server.expect_request("/_calls").respond_with_handler(self._list_calls)

    # --- what tests use -------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return self.server.url_for("/api/")

    def response_url(self, key: str = "R1") -> str:
        return self.server.url_for(f"/response/{key}")

    def fail(self, method: str, fault: Fault | None = None, times: int = 1) -> None:
        with self._lock:
            self.faults[method].extend([fault or Fault()] * times)

    def limit_rate(self, method: str, per_second: int) -> None:
        """Answer `method` with 429 + Retry-After beyond `per_second` calls in any one second."""
        self.rate_limits[method] = per_second

    def add_user(self, user: User) -> None:
        self.users[user.id] = user

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until `method` was called `count` times (lazy listeners run in other threads)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [call for call in self.calls if call.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    names = [call.method for call in self.calls]
                    raise AssertionError(f"{method} called {len(found)}/{count} times; calls: {names}")
                self._changed.wait(remaining)

    def wait_for_responses(self, count: int = 1, timeout: float = 10.0) -> list[tuple[str, dict[str, Any]]]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.responses) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self.responses)}/{count} response_url posts")
                self._changed.wait(remaining)
            return list(self.responses)

    def settle(self, quiet: float = 0.3) -> None:
        """Wait until no call has arrived for `quiet` seconds (to assert that nothing more happens)."""
        while True:
            before = len(self.calls) + len(self.responses)
            time.sleep(quiet)
            if len(self.calls) + len(self.responses) == before:
                return

    # --- the HTTP side ----------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _api(self, request: Request) -> Response:
        method = request.path.removeprefix("/api/")
        params = _params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else params.get("token")
        with self._lock:
            fault = self.faults[method].popleft() if self.faults.get(method) else None
            if fault is None and method in self.rate_limits:
                fault = self._over_limit(method)
        if fault and fault.delay:
            time.sleep(fault.delay)
        failing = bool(fault and not fault.error and not fault.delay)
        call = Call(method, params, token, time.time(), fault.status if failing and fault else 200)
        if fault and failing:
            self._record(call)
            headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            body = {"ok": False, "error": "ratelimited" if fault.status == 429 else "internal_error"}
            return Response(json.dumps(body), status=fault.status, headers=headers, content_type="application/json")
        if fault and fault.error:
            answer = {"ok": False, "error": fault.error}
        elif not token or not token.startswith("xoxb-"):
            answer = {"ok": False, "error": "not_authed"}
        else:
            answer = self._answer(method, params)
        # Recorded only once its effects (a stored or updated message) are visible, so a test that
        # waits for the call never reads the state from before it.
        self._record(call)
        return _json(answer)

    def _over_limit(self, method: str) -> Fault | None:
        now = time.monotonic()
        window = self._windows[method]
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self.rate_limits[method]:
            self.rate_limited += 1
            return Fault(status=429, retry_after=1)
        window.append(now)
        return None

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911 - one per method
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        channel = params.get("channel")
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://emulated.slack.com/",
                "team": "Emulated",
                "user": "shishin",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            message = {
                "type": "message",
                "text": params.get("text"),
                "ts": ts,
                "bot_id": BOT_ID,
                "blocks": params.get("blocks"),
                "metadata": params.get("metadata"),
                "thread_ts": params.get("thread_ts"),
            }
            with self._lock:
                self.messages[channel].append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            with self._lock:
                found = [m for m in self.messages.get(channel, []) if m["ts"] == params.get("ts")]
                for message in found:
                    message.update(text=params.get("text"), blocks=params.get("blocks"))
            if not found:
                return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": channel, "ts": params.get("ts"), "text": params.get("text")}
        if method == "conversations.history":
            return self._history(str(channel), params)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "views.publish":
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **(params.get("view") or {})}}
        if method == "views.open":
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}"}}
        if method == "conversations.open":
            users = str(params.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",", maxsplit=1)[0][1:]}}
        if method == "users.info":
            return self._user(str(params.get("user", "")))
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "upload_url": self.server.url_for(f"/upload/{file_id}"), "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            shared = [{"id": f["id"], "title": f.get("title")} for f in files]
            missing = [f["id"] for f in shared if f["id"] not in self.uploads]
            if missing:
                return {"ok": False, "error": "file_upload_not_found"}
            if params.get("channel_id"):
                message = {
                    "type": "message",
                    "ts": ts,
                    "text": params.get("initial_comment") or "",
                    "files": shared,
                    "thread_ts": params.get("thread_ts"),
                }
                with self._lock:
                    self.messages[str(params["channel_id"])].append(message)
            return {"ok": True, "files": shared}
        return {"ok": False, "error": "unknown_method"}

    def _history(self, channel: str, params: dict[str, Any]) -> dict[str, Any]:
        oldest = float(params.get("oldest") or 0)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("true", "1")
        with self._lock:
            found = [dict(m) for m in self.messages.get(channel, []) if float(m["ts"]) > oldest]
        found.reverse()  # newest first, as Slack returns them
        if not with_metadata:
            for message in found:
                message.pop("metadata", None)
        limit = int(params.get("limit") or 100)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit}

    def _user(self, user_id: str) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            if not user_id.startswith("U"):
                return {"ok": False, "error": "user_not_found"}
            user = User(user_id)
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "tz": user.tz,
                "locale": user.locale,
                "is_admin": user.is_admin,
                "is_owner": user.is_owner,
                "deleted": user.deleted,
                "is_bot": user.is_bot,
                "name": user.id.lower(),
                "real_name": f"User {user.id}",
            },
        }

    def _response_url(self, request: Request) -> Response:
        with self._changed:
            self.responses.append((request.path.removeprefix("/response/"), _params(request)))
            self._changed.notify_all()
        return Response("ok", content_type="text/plain")

    def _upload(self, request: Request) -> Response:
        self.uploads[request.path.removeprefix("/upload/")] = request.get_data()
        return Response("OK - uploaded", content_type="text/plain")

    def _list_calls(self, _request: Request) -> Response:
        with self._lock:
            calls = [{"method": c.method, "params": c.params, "at": c.at, "status": c.status} for c in self.calls]
            responses = [{"key": k, "body": b} for k, b in self.responses]
        return _json({"calls": calls, "responses": responses, "rate_limited": self.rate_limited})


def _params(request: Request) -> dict[str, Any]:
    if request.mimetype == "application/json":
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    params: dict[str, Any] = dict(request.form.items()) or dict(request.args.items())
    for key in ("blocks", "metadata", "view", "files"):
        if isinstance(params.get(key), str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params


def _json(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), content_type="application/json")


def start_emulator(port: int = 0) -> SlackEmulator:
    server = HTTPServer(host="127.0.0.1", port=port, threaded=True)
    server.start()
    return SlackEmulator(server)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the Slack Web API emulator on loopback.")
    parser.add_argument("--port", type=int, default=8999)
    parser.add_argument("--quiet", action="store_true", help="no access log")
    parser.add_argument(
        "--rate-limit",
        action="append",
        default=[],
        metavar="METHOD=N",
        help="answer METHOD with 429 + Retry-After beyond N calls a second (repeatable)",
    )
    args = parser.parse_args()
    if args.quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    emulator = start_emulator(args.port)
    for rule in args.rate_limit:
        method, _, per_second = rule.partition("=")
        emulator.limit_rate(method, int(per_second))
    calls = emulator.server.url_for("/_calls")
    print(f"Slack emulator: SLACK_API_URL={emulator.api_url}  (calls: {calls})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        emulator.server.stop()


if __name__ == "__main__":
    main()
