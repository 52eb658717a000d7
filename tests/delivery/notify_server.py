"""A local stand-in for GOV.UK Notify's API, for the real `notifications-python-client` to talk
to (Notify has no local server). It checks what Notify checks and answers as Notify answers,
from its API documentation (docs.notifications.service.gov.uk/rest-api.html: "Authorisation
header", "Send a text message", "Send an email", "Send a letter", "Get the status of multiple
messages", "Error codes"):

- the bearer JWT: HS256, signed with the API key's secret, `iss` the service id, `iat` within
  30 seconds of now; otherwise 403 AuthError;
- the body against the documented request schema (required fields, UUID template ids, a UK
  mobile number, an email address, 3+ address lines); otherwise 400 ValidationError;
- 201 with the documented response (id, reference, content, uri, template);
- GET /v2/notifications?reference=… and /v2/notifications/{id};
- errors on demand, for fault tests: `fail_next(429, 500)` answers the next sends so.

For `make run`: `.venv/bin/python -m tests.delivery.notify_server` serves it on port 8701 and
prints the settings that send Linkwell's texts, emails and letters to it.
"""

import argparse
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jsonschema
import jwt

UUID = {
    "type": "string",
    "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
PERSONALISATION = {"type": "object"}
SCHEMAS = {
    "sms": {
        "type": "object",
        "properties": {
            "phone_number": {"type": "string"},
            "template_id": UUID,
            "personalisation": PERSONALISATION,
            "reference": {"type": "string"},
            "sms_sender_id": UUID,
        },
        "required": ["phone_number", "template_id"],
    },
    "email": {
        "type": "object",
        "properties": {
            "email_address": {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"},
            "template_id": UUID,
            "personalisation": PERSONALISATION,
            "reference": {"type": "string"},
            "email_reply_to_id": UUID,
        },
        "required": ["email_address", "template_id"],
    },
    "letter": {
        "type": "object",
        "properties": {
            "template_id": UUID,
            "personalisation": {
                "type": "object",
                "required": ["address_line_1", "address_line_2", "address_line_3"],
            },
            "reference": {"type": "string"},
        },
        "required": ["template_id", "personalisation"],
    },
}
# A UK mobile: 07…, +447… or 447…, 10 digits after the 7 prefix's 0 (spaces allowed).
UK_MOBILE = re.compile(r"^(?:\+?44|0)7\d{9}$")


def _errors(status: int, kind: str, message: str) -> tuple[int, dict]:
    return status, {"status_code": status, "errors": [{"error": kind, "message": message}]}


FAULTS = {
    429: _errors(
        429,
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    500: _errors(500, "Exception", "Internal server error"),
    403: _errors(403, "AuthError", "Invalid token: API key not found"),
}


class NotifyServer:
    def __init__(self, service_id: str, secret: str, port: int = 0):
        self.service_id, self.secret = service_id, secret
        self.sent: list[dict] = []  # every accepted notification, as Notify keeps it
        self.requests = 0
        self._faults: list[int] = []
        self._lock = threading.Lock()
        self.holding = threading.Event()  # set: sends are taken, then never answered
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def api_key(self) -> str:
        return f"linkwell_test-{self.service_id}-{self.secret}"

    def fail_next(self, *statuses: int) -> None:
        with self._lock:
            self._faults.extend(statuses)

    def faults_pending(self) -> int:
        with self._lock:
            return len(self._faults)

    def reset(self) -> None:
        self.holding.clear()
        with self._lock:
            self.sent.clear()
            self._faults.clear()
            self.requests = 0

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()  # the listening socket, else a ResourceWarning (an error here)

    def authorise(self, header: str) -> tuple[int, dict] | None:
        token = header.removeprefix("Bearer ").strip()
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                options={"require": ["iss", "iat"], "verify_iat": False},
            )
        except jwt.PyJWTError as e:
            return _errors(403, "AuthError", f"Invalid token: {e}")
        if claims["iss"] != self.service_id:
            return _errors(403, "AuthError", "Invalid token: service not found")
        if abs(time.time() - int(claims["iat"])) > 30:
            return _errors(
                403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"
            )
        return None

    def accept(self, kind: str, body: dict) -> tuple[int, dict]:
        try:
            jsonschema.validate(body, SCHEMAS[kind])
        except jsonschema.ValidationError as e:
            return _errors(400, "ValidationError", f"{'/'.join(map(str, e.path))} {e.message}")
        if kind == "sms" and not UK_MOBILE.match(re.sub(r"[\s()-]", "", body["phone_number"])):
            return _errors(400, "ValidationError", "phone_number Not a UK mobile number")
        notification_id = str(uuid.uuid4())
        personalisation = body.get("personalisation") or {}
        with self._lock:
            self.sent.append(
                {
                    "id": notification_id,
                    "type": kind,
                    "status": "created",
                    "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
                    **body,
                }
            )
        content = {"body": personalisation.get("body", "")}
        if kind == "sms":
            content["from_number"] = "Linkwell"
        else:
            content["subject"] = personalisation.get("subject", "")
        if kind == "email":
            content["from_email"] = "linkwell@notifications.service.gov.uk"
        return 201, {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": content,
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": {"id": body["template_id"], "version": 1, "uri": f"{self.url}/t"},
            "scheduled_for": None,
        }

    def _public(self, n: dict) -> dict:
        return {
            "id": n["id"],
            "reference": n.get("reference"),
            "type": n["type"],
            "status": n["status"],
            "phone_number": n.get("phone_number"),
            "email_address": n.get("email_address"),
            "created_at": n["created_at"],
        }

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                server.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                refused = server.authorise(self.headers.get("Authorization", ""))
                if refused:
                    return self._answer(*refused)
                with server._lock:
                    fault = server._faults.pop(0) if server._faults else None
                if fault:
                    return self._answer(*FAULTS[fault])
                kind = self.path.removeprefix("/v2/notifications/")
                if kind not in SCHEMAS:
                    return self._answer(*_errors(404, "NoResultFound", "No result found"))
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self._answer(*_errors(400, "BadRequestError", "Invalid JSON"))
                answer = server.accept(kind, body)
                if server.holding.is_set():  # Notify has it; the answer never comes
                    server.holding.wait(timeout=60) and time.sleep(60)
                return self._answer(*answer)

            def do_GET(self):  # noqa: N802
                server.requests += 1
                refused = server.authorise(self.headers.get("Authorization", ""))
                if refused:
                    return self._answer(*refused)
                url = urlparse(self.path)
                if url.path == "/v2/notifications":
                    reference = parse_qs(url.query).get("reference", [None])[0]
                    found = [
                        server._public(n)
                        for n in server.sent
                        if reference is None or n.get("reference") == reference
                    ]
                    return self._answer(
                        200, {"notifications": found, "links": {"current": self.path}}
                    )
                wanted = url.path.removeprefix("/v2/notifications/")
                for n in server.sent:
                    if n["id"] == wanted:
                        return self._answer(200, server._public(n))
                return self._answer(*_errors(404, "NoResultFound", "No result found"))

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="A local GOV.UK Notify API for development.")
    parser.add_argument("--port", type=int, default=8701)
    port = parser.parse_args().port
    server = NotifyServer(service_id=str(uuid.uuid4()), secret=str(uuid.uuid4()), port=port)
    templates = " ".join(f"NOTIFY_TEMPLATE_{c}={uuid.uuid4()}" for c in ("TEXT", "EMAIL", "LETTER"))
    backend = "linkwell.delivery.notify.NotifyBackend"
    print(
        f"NOTIFY_API_KEY={server.api_key} NOTIFY_BASE_URL={server.url} {templates} "
        f"TEXT_BACKEND={backend} EMAIL_DELIVERY_BACKEND={backend} LETTER_BACKEND={backend}",
        flush=True,
    )
    threading.Event().wait()  # until interrupted; the server runs in its thread


if __name__ == "__main__":
    main()
