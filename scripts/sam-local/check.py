"""The checks scripts/sam-local.sh runs once the functions are built and the emulator is up.

    check.py invoke  --sam "<sam command>" --template T --emulator URL --endpoint URL --work DIR
    check.py api     --url http://127.0.0.1:PORT --emulator URL --pool P
    check.py pool    --emulator URL                (prints a fresh pool and app client, as JSON)

`invoke` runs `sam local invoke <Function> -e <event>` for every events/<function>.json, each in a fresh
Lambda container, and checks each answer against what that event should get. The events are used as
shipped, except that each run writes a copy with its own username, password and email (so the login
event logs in a real user); made-up tokens, sessions and codes stay made up.

`api` drives `sam local start-api` over HTTP through whole flows, reading the codes the emulator "sent"
from its outbox (GET /_emulator/messages).
"""

import argparse
import json
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKENS = sorted(
    ["accessToken", "accessTokenExpiresAt", "expiresIn", "idToken", "idTokenExpiresAt", "refreshToken", "tokenType"]
)

# What each event, as shipped (with this run's user), must answer, and why. A new event fails the check
# until it is given its expectation here. (status, error code) for errors, (200, top-level keys) for
# successes, where "key?" is a key the answer may leave out.
# /signup also answers loginSession when the pool can sign the user in at confirmation (README, /signup).
SIGNUP = ["codeDeliveryDetails", "loginSession?", "userConfirmed", "userSub", "username"]
MADE_UP_TOKEN = "its access token is made up (unsigned): Cognito refuses it"
# Adding a passkey needs a recent sign-in: the made-up token's auth_time (2026-01-01) is refused first.
OLD_SIGN_IN = "its made-up token signed in long ago (auth_time): a passkey needs a fresh sign-in"
EXPECT = {
    "signup": (200, SIGNUP, "a new username"),
    "signup-resend": (200, ["codeDeliveryDetails"], "the user is not confirmed yet"),
    "signup-confirm": (400, "code_mismatch", "its code 123456 is made up (the real one is used next)"),
    "login": (200, TOKENS, "the run's user, confirmed, with its password"),
    "login-mfa": (401, "not_authorized", "its loginSession is made up"),
    "login-new-password": (401, "not_authorized", "its loginSession is made up"),
    "session-refresh": (401, "not_authorized", "its refresh token is made up"),
    "session-revoke": (200, ["status"], "an unknown refresh token: RevokeToken answers success, as Cognito does"),
    "logout": (401, "not_authorized", MADE_UP_TOKEN),
    "mfa-get": (401, "not_authorized", MADE_UP_TOKEN),
    "mfa-set": (401, "not_authorized", MADE_UP_TOKEN),
    "mfa-totp-setup": (401, "not_authorized", MADE_UP_TOKEN),
    "mfa-totp-verify": (401, "not_authorized", MADE_UP_TOKEN),
    "profile-get": (401, "not_authorized", MADE_UP_TOKEN),
    "profile-edit": (401, "not_authorized", MADE_UP_TOKEN),
    "profile-phone": (401, "not_authorized", MADE_UP_TOKEN),
    "profile-attribute-send-code": (401, "not_authorized", MADE_UP_TOKEN),
    "profile-attribute-confirm": (401, "not_authorized", MADE_UP_TOKEN),
    "password-change": (401, "not_authorized", MADE_UP_TOKEN),
    "password-forgot": (200, ["codeDeliveryDetails", "status"], "the run's user has a verified email"),
    "password-reset": (400, "code_mismatch", "its code 123456 is made up"),
    "account-delete": (401, "not_authorized", MADE_UP_TOKEN),
    "account-factors": (401, "not_authorized", MADE_UP_TOKEN),
    "login-otp": (401, "not_authorized", "its loginSession is made up"),
    "login-select": (401, "not_authorized", "its loginSession is made up"),
    "login-passkey": (401, "not_authorized", "its loginSession is made up"),
    "passkeys-register-start": (403, "reauthentication_required", OLD_SIGN_IN),
    "passkeys-register-complete": (403, "reauthentication_required", OLD_SIGN_IN),
    "passkeys-list": (401, "not_authorized", MADE_UP_TOKEN),
    "passkeys-delete": (401, "not_authorized", MADE_UP_TOKEN),
}
# The user's state moves forward, so the order matters: sign up, resend, confirm, then everything else.
ORDER = ["signup", "signup-resend", "signup-confirm", "login"]


class CheckFailed(Exception):
    pass


def http(method, url, body=None, headers=None, timeout=30):
    """(status, headers, parsed JSON body or raw text)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), error.headers
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return status, answer_headers, parsed


def new_pool(emulator):
    status, _, pool = http("POST", f"{emulator}/_emulator/pools", {})
    if status != 200:
        raise CheckFailed(f"the emulator did not create a pool: {status} {pool}")
    return pool


def latest_code(emulator, pool_id, username, kind):
    query = urllib.parse.urlencode({"userPoolId": pool_id, "username": username})
    _, _, answer = http("GET", f"{emulator}/_emulator/messages?{query}")
    codes = [m["code"] for m in answer["messages"] if m["kind"] == kind]
    if not codes:
        raise CheckFailed(f"the emulator's outbox holds no {kind} code for {username}")
    return codes[-1]


def new_user():
    tag = uuid.uuid4().hex[:10]
    return {"username": f"sam-{tag}", "password": f"Pw-{tag}-9a!", "email": f"sam-{tag}@example.com"}


def check_answer(label, status, body, headers, expected_status, expected):
    """expected: an error code (str) or the top-level keys of a success (list; "key?" = optional)."""
    problems = []
    if status != expected_status:
        problems.append(f"status {status}, expected {expected_status}")
    if not isinstance(body, dict):
        problems.append(f"body is not a JSON object: {body!r}")
    elif isinstance(expected, str):
        if body.get("code") != expected or not body.get("message"):
            problems.append(f"body {body}, expected code {expected!r} with a message")
    else:
        required = {k for k in expected if not k.endswith("?")}
        allowed = required | {k[:-1] for k in expected if k.endswith("?")}
        if not required <= set(body) <= allowed:
            problems.append(f"body keys {sorted(body)}, expected {expected}")
    if (headers.get("cache-control") or "").lower() != "no-store":
        problems.append(f"cache-control {headers.get('cache-control')!r}, expected no-store")
    if problems:
        raise CheckFailed(f"{label}: " + "; ".join(problems))


# --- sam local invoke, every function ----------------------------------------------------------------


def logical_id(function):
    return "".join(part.capitalize() for part in function.split("-")) + "Function"


def event_copy(function, user, work, override=None):
    """events/<function>.json with this run's user (and `override` body fields), written under work/."""
    event = json.loads((ROOT / "events" / f"{function}.json").read_text())
    body = json.loads(event.get("body") or "{}")
    for key in ("username", "password"):
        if key in body:
            body[key] = user[key]
    if "oldPassword" in body:
        body["oldPassword"] = user["password"]
    for attribute in body.get("attributes") or []:
        if isinstance(attribute, dict) and attribute.get("Name") == "email":
            attribute["Value"] = user["email"]
    body.update(override or {})
    event["body"] = json.dumps(body, separators=(",", ":"))
    event.setdefault("headers", {})["content-length"] = str(len(event["body"].encode()))
    path = Path(work) / f"{function}{'-' + '-'.join(sorted(override)) if override else ''}.json"
    path.write_text(json.dumps(event, indent=2))
    return path


def invoke(args, function, event_path):
    command = shlex.split(args.sam) + [
        "local", "invoke", logical_id(function),
        "-t", args.template,
        "-e", str(event_path),
        "--parameter-overrides", args.overrides,
        "--region", "us-east-1",
    ] + shlex.split(args.sam_options)  # fmt: skip
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, timeout=180)
    elapsed = time.monotonic() - started
    if run.returncode != 0:
        raise CheckFailed(f"{function}: sam local invoke exited {run.returncode}\n{run.stderr[-3000:]}")
    try:
        answer = json.loads(run.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise CheckFailed(f"{function}: no JSON answer on stdout: {run.stdout!r}\n{run.stderr[-3000:]}") from None
    if "statusCode" not in answer:
        raise CheckFailed(f"{function}: not an HTTP answer (the function failed?): {answer}\n{run.stderr[-3000:]}")
    body = answer.get("body") or ""
    try:
        body = json.loads(body)
    except ValueError:
        pass
    headers = {k.lower(): v for k, v in (answer.get("headers") or {}).items()}
    return answer["statusCode"], body, headers, elapsed


def run_invokes(args):
    functions = sorted(p.stem for p in (ROOT / "events").glob("*.json"))
    missing, extra = set(functions) - set(EXPECT), set(EXPECT) - set(functions)
    if missing or extra:
        raise CheckFailed(f"events/ and check.py disagree: no expectation for {sorted(missing)}, no event for {sorted(extra)}")
    Path(args.work).mkdir(parents=True, exist_ok=True)
    pool = json.loads(args.pool)
    user = new_user()
    plan = [(f, None) for f in ORDER] + [(f, None) for f in functions if f not in ORDER]
    # After the made-up confirmation code, confirm with the real one: the login event then logs in.
    plan.insert(ORDER.index("signup-confirm") + 1, ("signup-confirm", "real code"))
    results = []
    for function, variant in plan:
        if variant == "real code":
            code = latest_code(args.emulator, pool["userPoolId"], user["username"], "SIGN_UP")
            path = event_copy(function, user, args.work, {"confirmationCode": code})
            expected_status, expected, why = 200, ["status"], "the code the emulator sent"
        else:
            path = event_copy(function, user, args.work)
            expected_status, expected, why = EXPECT[function]
            if function == "signup-confirm" and latest_code(
                args.emulator, pool["userPoolId"], user["username"], "SIGN_UP"
            ) == "123456":  # one chance in a million: the made-up code is the real one
                expected_status, expected, why = 200, ["status"], "the real code happens to be 123456"
        status, body, headers, elapsed = invoke(args, function, path)
        check_answer(f"sam local invoke {logical_id(function)} -e {path.name}", status, body, headers, expected_status, expected)
        shown = body.get("code") if status != 200 else "tokens" if expected == TOKENS else ",".join(sorted(body))
        label = function + (f" ({variant})" if variant else "")
        results.append((label, status, shown, elapsed))
        print(f"sam-local: invoke {label:<34} {status} {shown:<58} {elapsed:5.1f}s  ({why})", flush=True)
    total = sum(r[3] for r in results)
    print(f"sam-local: {len(results)} invokes of {len(functions)} functions answered as expected "
          f"in {total:.0f}s ({total / len(results):.1f}s each)", flush=True)  # fmt: skip


# --- sam local start-api, whole flows -----------------------------------------------------------------


def run_flows(args):
    base, emulator, pool = args.url.rstrip("/"), args.emulator, json.loads(args.pool)["userPoolId"]
    user = new_user()
    steps = []

    def call(route, body, expected_status, expected, token=None, label=None):
        headers = {"authorization": f"Bearer {token}"} if token else {}
        started = time.monotonic()
        status, answer_headers, answer = http("POST", f"{base}{route}", body, headers)
        elapsed = time.monotonic() - started
        label = label or route
        check_answer(f"POST {label}", status, answer, answer_headers, expected_status, expected)
        steps.append((label, status, elapsed))
        print(f"sam-local: api {label:<44} {status} {elapsed:5.2f}s", flush=True)
        return answer

    credentials = {"username": user["username"], "password": user["password"]}
    signup = call("/signup", {**credentials, "attributes": [{"Name": "email", "Value": user["email"]}]}, 200, SIGNUP)
    if signup["userConfirmed"] is not False:
        raise CheckFailed(f"/signup: a new user is not confirmed yet: {signup}")
    call("/login", credentials, 403, "user_not_confirmed", label="/login (not confirmed)")
    code = latest_code(emulator, pool, user["username"], "SIGN_UP")
    call("/signup/confirm", {"username": user["username"], "confirmationCode": code}, 200, ["status"])
    call("/login", {}, 400, "invalid_request", label="/login (empty body)")
    call("/login", {**credentials, "password": "Wrong-pass-1!"}, 401, "not_authorized", label="/login (wrong password)")
    tokens = call("/login", credentials, 200, TOKENS)
    profile = call("/profile/get", None, 200, ["attributes", "username"], token=tokens["accessToken"])
    emails = [a["Value"] for a in profile["attributes"] if a["Name"] == "email"]
    if profile["username"] != user["username"] or emails != [user["email"]]:
        raise CheckFailed(f"/profile/get: not this user's profile: {profile}")
    call("/profile/edit", {"attributes": [{"Name": "name", "Value": "Sam Local"}]}, 200,
         ["codeDeliveryDetails", "status"], token=tokens["accessToken"])  # fmt: skip
    call("/mfa/get", None, 200, ["enabled", "methods", "preferred"], token=tokens["accessToken"])
    refreshed = call("/session/refresh", {"username": user["username"], "refreshToken": tokens["refreshToken"]},
                     200, TOKENS)  # fmt: skip
    profile = call("/profile/get", {}, 200, ["attributes", "username"], token=refreshed["accessToken"],
                   label="/profile/get (refreshed token)")  # fmt: skip
    if {"Name": "name", "Value": "Sam Local"} not in profile["attributes"]:
        raise CheckFailed(f"/profile/get: the edit did not stick: {profile}")
    call("/logout", None, 200, ["status"], token=refreshed["accessToken"])
    call("/profile/get", None, 401, "not_authorized", token=tokens["accessToken"], label="/profile/get (after logout)")
    call("/session/refresh", {"username": user["username"], "refreshToken": tokens["refreshToken"]}, 401,
         "not_authorized", label="/session/refresh (after logout)")  # fmt: skip
    call("/password/forgot", {"username": user["username"]}, 200, ["codeDeliveryDetails", "status"])
    code = latest_code(emulator, pool, user["username"], "FORGOT_PASSWORD")
    new_password = user["password"] + "X"
    call("/password/reset", {"username": user["username"], "passwordResetCode": code, "newPassword": new_password},
         200, ["status"])  # fmt: skip
    call("/login", credentials, 401, "not_authorized", label="/login (old password)")
    tokens = call("/login", {**credentials, "password": new_password}, 200, TOKENS, label="/login (new password)")
    call("/account/delete", {"password": new_password}, 200, ["status"], token=tokens["accessToken"])
    call("/login", {**credentials, "password": new_password}, 401, "not_authorized", label="/login (deleted)")
    total = sum(s[2] for s in steps)
    print(f"sam-local: {len(steps)} requests through sam local start-api answered as expected "
          f"in {total:.1f}s ({total / len(steps):.2f}s each)", flush=True)  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    pool = sub.add_parser("pool")
    pool.add_argument("--emulator", required=True)
    inv = sub.add_parser("invoke")
    inv.add_argument("--sam", required=True, help="the sam command, e.g. '.venv/bin/sam'")
    inv.add_argument("--sam-options", default="", help="more options for every sam local invoke")
    inv.add_argument("--template", required=True)
    inv.add_argument("--emulator", required=True, help="the emulator as this script reaches it")
    inv.add_argument("--overrides", required=True, help="--parameter-overrides value")
    inv.add_argument("--pool", required=True, help="the pool JSON from `check.py pool`")
    inv.add_argument("--work", required=True)
    api = sub.add_parser("api")
    api.add_argument("--url", required=True)
    api.add_argument("--emulator", required=True)
    api.add_argument("--pool", required=True)
    args = parser.parse_args()
    try:
        if args.command == "pool":
            print(json.dumps(new_pool(args.emulator)))
        elif args.command == "invoke":
            run_invokes(args)
        else:
            run_flows(args)
    except CheckFailed as failure:
        print(f"sam-local: FAILED: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
