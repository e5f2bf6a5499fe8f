"""moto's WSGI app plus the emulator's /_emulator/ routes, served by werkzeug."""

import io
import json
import logging
import signal
import threading
import time
import urllib.request

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from . import codes, contexts, passkeys, patches, pools
from .errors import CognitoError, ResourceNotFoundException
from .lookup import find_pool, find_user

log = logging.getLogger("cognito_emulator")


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _body(request: Request) -> dict:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise BadRequest(400, "Body must be JSON") from None
    if not isinstance(body, dict):
        raise BadRequest(400, "Body must be a JSON object")
    return body


def _create_pool(request: Request) -> dict:
    body = _body(request)
    try:
        return pools.create_pool(
            body.get("name"),
            body.get("mfa", "OPTIONAL"),
            bool(body.get("clientSecret", False)),
            first_factors=body.get("firstFactors"),
            email_mfa=None if body.get("emailMfa") is None else bool(body["emailMfa"]),
            tier=body.get("tier"),
            web_authn=body.get("webAuthn"),
        )
    except ValueError as error:  # a bad "mfa", "firstFactors", "tier" or "webAuthn"
        raise BadRequest(400, str(error)) from None
    except CognitoError as error:  # what CreateUserPool itself refuses (e.g. SOFTWARE_TOKEN first)
        raise BadRequest(400, f"{error.error_type}: {error.message}") from None


def _messages(request: Request) -> dict:
    pool_id, username = request.args.get("userPoolId"), request.args.get("username")
    if pool_id and username:
        # Messages are filed under the internal username; accept an email/sub/alias as well.
        try:
            user = find_user(find_pool(pool_id)[1], username)
        except ResourceNotFoundException:
            user = None
        username = user.username if user else username
    return {"messages": codes.messages(pool_id, username)}


def _expire_codes(request: Request) -> dict:
    body = _body(request)
    try:
        _, pool = find_pool(body.get("userPoolId") or "")
    except ResourceNotFoundException as error:
        raise BadRequest(404, error.message) from None
    user = find_user(pool, body.get("username"))
    if user is None:
        raise BadRequest(404, "User does not exist.")
    return {"expired": codes.expire_user_codes(pool.id, user.id) + passkeys.expire_registration(pool.id, user.id)}


def _user_context(request: Request) -> dict:
    return {"calls": contexts.calls(request.args.get("clientId"))}


ROUTES = {
    ("GET", "/_emulator/user-context"): _user_context,
    ("POST", "/_emulator/pools"): _create_pool,
    ("GET", "/_emulator/messages"): _messages,
    ("POST", "/_emulator/expire-codes"): _expire_codes,
}


class EmulatorApp:
    """One request at a time: moto's in-memory state is not thread-safe, and neither is ours.

    `delay_ms` makes every AWS call (not the /_emulator/ test routes) answer that much later, the way a
    call to a remote AWS endpoint costs a round trip: it lets a test measure whether two code paths make
    the same calls (a path that skips a call is faster by the delay). The wait happens before the lock,
    like network latency, so concurrent callers are not serialised by it."""

    def __init__(self, delay_ms: int = 0):
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.lock = threading.Lock()
        self.delay = delay_ms / 1000

    def __call__(self, environ, start_response):
        emulator_route = environ.get("PATH_INFO", "").startswith("/_emulator/")
        if self.delay and not emulator_route:
            time.sleep(self.delay)
        with self.lock:
            if emulator_route:
                return self._emulator_route(Request(environ))(environ, start_response)
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            if target.startswith("AWSCognitoIdentityProviderService."):
                # Read the body once for the record, and hand moto an unread copy.
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length) if length else b""
                environ["wsgi.input"] = io.BytesIO(body)
                contexts.record(target, body)
            return self.moto(environ, start_response)

    @staticmethod
    def _emulator_route(request: Request) -> Response:
        handler = ROUTES.get((request.method, request.path))
        try:
            if handler is None:
                raise BadRequest(404, f"No route {request.method} {request.path}")
            status, body = 200, handler(request)
        except BadRequest as error:
            status, body = error.status, {"__type": "BadRequest", "message": str(error)}
        return Response(json.dumps(body), status=status, mimetype="application/json")


def _warm_up(endpoint: str) -> None:
    """The first Cognito call builds moto's Flask app; pay for it before announcing readiness."""
    request = urllib.request.Request(
        endpoint + "/",
        data=b'{"MaxResults": 1}',
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
        },
    )
    urllib.request.urlopen(request, timeout=30).read()


def serve(host: str, port: int, seed: bool, delay_ms: int = 0) -> None:
    # Handlers first: a caller may send SIGTERM as soon as it reads the readiness line.
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    patches.install()
    announcement = {}
    if seed:
        pool = pools.create_pool(stable=True, web_authn=pools.SEED_WEB_AUTHN)
        announcement = {"userPoolId": pool["userPoolId"], "clientId": pool["clientId"], "region": pool["region"]}

    server = make_server(host, port, EmulatorApp(delay_ms), threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://{f'[{host}]' if ':' in host else host}:{server.server_port}"
    _warm_up(endpoint)
    print(json.dumps({"endpoint": endpoint, **announcement}), flush=True)
    log.info("serving on %s", endpoint)
    stop.wait()
    server.shutdown()
