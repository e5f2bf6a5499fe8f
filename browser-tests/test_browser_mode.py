"""Browser mode (SESSION_COOKIE=true) in a real headless Chromium: the app on an allowed origin signs up,
confirms, logs in, survives a reload through the HttpOnly `__Host-refresh_token` cookie, calls with a
Bearer token and logs out with the cookie alone; then pages on an origin that is the same site but not
allowed, and on another site, try login, logout and refresh CSRF against the victim's browser.

The tests run in file order and share one browser context (the victim's cookie jar). Each test that needs
a logged-in victim logs in first when the jar does not hold the session the previous test left, so one
failure does not hide the next case.

What Chromium did with the cookie on each API request (sent or not, stored or blocked, and Chromium's
own reasons, read over the DevTools protocol) is written to $BT_ARTIFACTS/cookies.txt.
"""

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import COOKIE, ENV, TIMEOUT_MS, emulator_code

API = ENV["API"]
USER = f"victim{int(time.time() * 1000)}"
PASSWORD = "Corr3ct-Horse!"
EMAIL = "victim@example.com"
STATE: dict = {}  # handed from test to test: the victim's current cookie value and access token
REFUSED = (403, 415)


# ---------------------------------------------------------------------------------------------- helpers

def short(value: str, keep: int = 10) -> str:
    return value if len(value) <= keep + 3 else value[:keep] + "…"


def redact_set_cookie(line: str) -> str:
    pair, _, attributes = line.partition(";")
    name, _, value = pair.partition("=")
    return f"{name}={short(value)};{attributes}"


@dataclass(repr=False)
class Answer:
    """What the API answered one POST, as the browser saw it on the wire."""
    path: str
    status: int | None
    body: object
    set_cookies: list = field(default_factory=list)
    request_headers: dict = field(default_factory=dict)

    @property
    def cookie_sent(self) -> bool:
        return f"{COOKIE}=" in self.request_headers.get("cookie", "")

    @property
    def code(self):
        return self.body.get("code") if isinstance(self.body, dict) else None

    def __str__(self) -> str:
        body = json.dumps(self.body) if not isinstance(self.body, str) else self.body
        sent = {k: self.request_headers.get(k) for k in ("origin", "content-type", "x-requested-with")}
        return (f"POST {self.path} -> {self.status} {short(body, 300)}; Set-Cookie: "
                f"{[redact_set_cookie(c) for c in self.set_cookies] or 'none'}; request {sent}, "
                f"refresh cookie sent: {self.cookie_sent}")

    __repr__ = __str__  # pytest shows an assertion's message with repr()


def answer_of(response, path: str, body=None) -> Answer:
    if body is None:
        try:
            body = response.json()
        except Exception:  # an answer the browser keeps from the page (no-cors) may still be readable here
            try:
                body = response.text()
            except Exception as err:
                body = f"(body unreadable: {err})"
    return Answer(
        path=path,
        status=response.status,
        body=body,
        set_cookies=[h["value"] for h in response.headers_array() if h["name"].lower() == "set-cookie"],
        request_headers=response.request.all_headers(),
    )


def exchange(page, path: str, trigger) -> Answer:
    """Runs trigger() (which makes `page` POST to the API's `path`) and returns the API's answer."""
    holder = {}
    try:
        with page.expect_response(lambda r: r.url == API + path and r.request.method == "POST",
                                  timeout=TIMEOUT_MS) as info:
            holder["result"] = trigger()
        response = info.value
    except PlaywrightTimeout:
        return Answer(path, None, f"no answer to POST {path} reached the browser (result: {holder.get('result')})")
    result = holder.get("result")
    js_body = result["body"] if isinstance(result, dict) and "body" in result else None
    return answer_of(response, path, js_body)


def app_call(app, path: str, body: dict | None = None, bearer=None) -> Answer:
    """The app page's own call(): a credentialed CORS fetch with Content-Type JSON and X-Requested-With."""
    return exchange(app, path, lambda: app.evaluate("([p, b, o]) => call(p, b, o)",
                                                     [path, body or {}, {"bearer": bearer}]))


def app_click(app, button: str, path: str) -> Answer:
    """Clicks one of the app's buttons, like a person, and waits for the call it makes to finish."""
    count = app.evaluate("window.results.length")

    def click():
        app.click(button)
        app.wait_for_function("n => window.results.length > n", arg=count)
        return app.evaluate("window.results[window.results.length - 1]")

    return exchange(app, path, click)


def refresh_cookie(context):
    found = [c for c in context.cookies() if c["name"] == COOKIE]
    assert len(found) <= 1, f"more than one {COOKIE} in the jar: {found}"
    return found[0] if found else None


def clearing(answer: Answer) -> bool:
    return any(c.startswith(f"{COOKIE}=;") and "max-age=0" in c.lower() for c in answer.set_cookies)


def inject_cookie(context, value: str) -> None:
    """Puts a (stale) refresh cookie back in the jar, as a __Host- cookie: host-only (domain without a
    leading dot), Secure, Path=/."""
    context.add_cookies([{"name": COOKIE, "value": value, "domain": "localhost", "path": "/",
                          "secure": True, "httpOnly": True, "sameSite": "Strict"}])
    injected = refresh_cookie(context)
    assert injected and injected["value"] == value, f"Chromium did not take the injected cookie: {injected}"


def login(app, context) -> None:
    """A fresh login of the victim from the app page (used by the cases that need a session)."""
    context.clear_cookies(name=COOKIE)
    answer = app_call(app, "/login", {"username": USER, "password": PASSWORD})
    assert answer.status == 200, f"the victim's login failed: {answer}"
    cookie = refresh_cookie(context)
    assert cookie, f"no {COOKIE} in the jar after the victim's login: {answer}"
    STATE.update(cookie=cookie["value"], access=answer.body["accessToken"])


def login_if_needed(app, context) -> None:
    cookie = refresh_cookie(context)
    if not (cookie and STATE.get("cookie") == cookie["value"] and STATE.get("access")):
        login(app, context)


class CookieWatch:
    """Chromium's own account of the refresh cookie on every request to the API from one page: whether it
    was sent (or why not) and whether a Set-Cookie was accepted (or why not), over the DevTools protocol.
    Its events may come in any order, so lines are put together at the end (lines())."""

    events: list = []  # (watch, request id, what happened), in the order Chromium reported them

    def __init__(self, context, page, label: str):
        self.label, self.requests = label, {}
        session = context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._request)
        session.on("Network.requestWillBeSentExtraInfo", self._sent)
        session.on("Network.responseReceivedExtraInfo", self._received)
        session.send("Network.enable")

    def _request(self, event):
        request = event["request"]
        if request["url"].startswith(API + "/"):
            self.requests[event["requestId"]] = f"{request['method']} {request['url'][len(API):]}"

    def _sent(self, event):
        for item in event.get("associatedCookies", []):
            if item["cookie"]["name"] == COOKIE:
                reasons = item.get("blockedReasons") or []
                verdict = f"NOT sent ({', '.join(reasons)})" if reasons else "sent"
                self.events.append((self, event["requestId"], f": cookie {verdict}"))

    def _received(self, event):
        status = event.get("statusCode")
        blocked = [item for item in event.get("blockedCookies", [])
                   if item.get("cookieLine", "").startswith(COOKIE + "=")]
        for item in blocked:
            self.events.append((self, event["requestId"], f" -> {status}: Set-Cookie "
                                f"{redact_set_cookie(item['cookieLine'])} BLOCKED ({', '.join(item['blockedReasons'])})"))
        headers = {k.lower(): v for k, v in event.get("headers", {}).items()}
        if not blocked and COOKIE + "=" in headers.get("set-cookie", ""):
            lines = [line for line in headers["set-cookie"].split("\n") if line.startswith(COOKIE + "=")]
            self.events.append((self, event["requestId"], f" -> {status}: Set-Cookie "
                                f"{', '.join(redact_set_cookie(line) for line in lines)} accepted"))

    @classmethod
    def lines(cls) -> list[str]:
        return [f"{watch.label}: {watch.requests[rid]}{what}" for watch, rid, what in cls.events
                if rid in watch.requests]


@pytest.fixture(scope="module", autouse=True)
def cookie_log(artifacts):
    yield
    (artifacts / "cookies.txt").write_text("\n".join(CookieWatch.lines()) + "\n")


@pytest.fixture(scope="module")
def watched_app(app, context):
    CookieWatch(context, app, "app " + ENV["APP"])
    return app


# ------------------------------------------------------------------------------------- the app's journey

def test_signup(watched_app, context):
    app = watched_app
    app.fill("#username", USER)
    app.fill("#password", PASSWORD)
    app.fill("#email", EMAIL)
    answer = app_click(app, "#signup", "/signup")
    assert answer.status == 200, answer
    assert answer.body["userConfirmed"] is False and answer.body["userSub"], answer
    assert answer.set_cookies == [], answer
    assert refresh_cookie(context) is None


def test_confirm_with_the_code_from_the_emulator_outbox(watched_app):
    watched_app.fill("#code", emulator_code(USER))
    answer = app_click(watched_app, "#confirm", "/signup/confirm")
    assert (answer.status, answer.body) == (200, {"status": "SUCCESS"}), answer


def test_login_keeps_the_refresh_token_in_a_host_only_httponly_cookie(watched_app, context, artifacts):
    app = watched_app
    context.clear_cookies(name=COOKIE)
    answer = app_click(app, "#login", "/login")
    assert answer.status == 200, answer
    assert "refreshToken" not in answer.body, f"the refresh token is in the JSON body: {answer}"
    assert answer.body.get("accessToken") and answer.body.get("idToken"), answer
    assert answer.body.get("tokenType") == "Bearer", answer

    headers = [c for c in answer.set_cookies if c.startswith(COOKIE + "=")]
    assert len(headers) == 1, answer
    attributes = [a.strip().lower() for a in headers[0].split(";")[1:]]
    for wanted in ("secure", "httponly", "samesite=strict", "path=/"):
        assert wanted in attributes, headers[0]
    assert not any(a.startswith("domain") for a in attributes), f"a __Host- cookie has no Domain: {headers[0]}"

    cookie = refresh_cookie(context)
    assert cookie, f"Chromium did not store the cookie it was sent ({headers[0]}): see cookies.txt"
    assert cookie["value"] == headers[0].split(";")[0].split("=", 1)[1]
    assert cookie["httpOnly"] is True and cookie["secure"] is True, cookie
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/", cookie
    assert cookie["domain"] == "localhost", f"host-only (no leading dot): {cookie}"
    assert cookie["expires"] > time.time() + 29 * 86400, f"persistent, Max-Age = 30 days: {cookie}"
    assert app.evaluate("document.cookie") == "", "an HttpOnly cookie is invisible to the page's scripts"
    STATE.update(cookie=cookie["value"], access=answer.body["accessToken"])
    app.screenshot(path=artifacts / "01-app-after-login.png", full_page=True)


def test_after_a_reload_the_cookie_alone_refreshes_the_session(watched_app, context):
    app = watched_app
    login_if_needed(app, context)
    app.reload()
    assert app.evaluate("accessToken") is None, "the reload dropped the in-memory access token"
    answer = app_call(app, "/session/refresh", {})
    assert answer.status == 200, answer
    assert answer.cookie_sent, f"the browser did not send the cookie with the credentialed fetch: {answer}"
    assert "refreshToken" not in answer.body, f"the refresh token is in the JSON body: {answer}"
    assert answer.body.get("accessToken") and answer.body.get("idToken"), answer
    cookie = refresh_cookie(context)
    assert cookie, f"the cookie is gone after a refresh: {answer}"
    STATE.update(cookie=cookie["value"], access=answer.body["accessToken"])


def test_bearer_calls_with_the_access_token(watched_app, context):
    app = watched_app
    login_if_needed(app, context)
    answer = app_call(app, "/profile/get", {}, bearer=STATE["access"])
    assert answer.status == 200, answer
    assert answer.body["username"] == USER, answer
    assert {"Name": "email", "Value": EMAIL} in answer.body["attributes"], answer
    answer = app_call(app, "/mfa/get", {}, bearer=STATE["access"])
    assert answer.status == 200 and answer.body["enabled"] is False, answer
    assert answer.set_cookies == [], answer


def test_a_call_without_the_csrf_header_is_refused_even_from_the_app(watched_app, context):
    """/login too: in cookie mode every route needs the proof (the app's origin alone is not enough)."""
    app = watched_app
    login_if_needed(app, context)
    before = refresh_cookie(context)
    body = json.dumps({"username": USER, "password": PASSWORD})
    answer = exchange(app, "/login", lambda: app.evaluate(
        "([p, b]) => rawCall(p, b, {'Content-Type': 'application/json'})", ["/login", body]))
    assert (answer.status, answer.code) == (403, "csrf_rejected"), answer
    assert answer.set_cookies == [], f"a refused request carries a Set-Cookie: {answer}"
    after = refresh_cookie(context)
    assert after and after["value"] == before["value"], "the refused login changed the cookie"


def test_a_call_that_is_not_json_is_415_even_from_the_app(watched_app, context):
    app = watched_app
    login_if_needed(app, context)
    before = refresh_cookie(context)
    answer = exchange(app, "/session/refresh", lambda: app.evaluate(
        "([p, b]) => rawCall(p, b, {'Content-Type': 'text/plain', 'X-Requested-With': 'XMLHttpRequest'})",
        ["/session/refresh", "{}"]))
    assert answer.cookie_sent, answer
    assert (answer.status, answer.code) == (415, "unsupported_media_type"), answer
    assert answer.set_cookies == [], f"a refused request carries a Set-Cookie: {answer}"
    after = refresh_cookie(context)
    assert after and after["value"] == before["value"], "the refused refresh changed the cookie"


def test_logout_with_the_cookie_alone(watched_app, context):
    app = watched_app
    login_if_needed(app, context)
    STATE["before_logout"] = dict(cookie=STATE["cookie"], access=STATE["access"])
    answer = app_call(app, "/logout", {})
    STATE["logout_answer"] = str(answer)
    assert answer.cookie_sent, answer
    assert (answer.status, answer.body) == (200, {"status": "SUCCESS"}), answer
    assert clearing(answer), f"the logout does not clear the cookie: {answer}"
    assert refresh_cookie(context) is None, "the cookie is still in the jar after logout"


def test_refresh_without_any_cookie_is_401(watched_app, context):
    context.clear_cookies(name=COOKIE)
    answer = app_call(watched_app, "/session/refresh", {})
    assert not answer.cookie_sent
    assert (answer.status, answer.code) == (401, "not_authorized"), answer


def test_the_old_cookie_no_longer_refreshes_after_logout(watched_app, context):
    old = STATE.get("before_logout")
    assert old, "the logout case did not run"
    inject_cookie(context, old["cookie"])
    try:
        answer = app_call(watched_app, "/session/refresh", {})
    finally:
        context.clear_cookies(name=COOKIE)
    assert answer.cookie_sent, answer
    assert (answer.status, answer.code) == (401, "not_authorized"), \
        f"{answer} (the logout had answered: {STATE.get('logout_answer')})"


def test_the_old_access_token_is_revoked_after_logout(watched_app):
    old = STATE.get("before_logout")
    assert old, "the logout case did not run"
    answer = app_call(watched_app, "/profile/get", {}, bearer=old["access"])
    assert (answer.status, answer.code) == (401, "not_authorized"), \
        f"{answer} (the logout had answered: {STATE.get('logout_answer')})"


# ----------------------------------------------------------------------------------------------- attacks

ORIGINS = {"same-site": "SAME_SITE", "cross-site": "CROSS_SITE"}
ATTACKS = {  # name: (the API route, how the attacker's page fires it)
    "login-form": ("/login", lambda page: page.click("#login-form button")),
    "login-no-cors-fetch": ("/login", lambda page: page.evaluate("noCorsLogin()")),
    "logout-form": ("/logout", lambda page: page.click("#logout-form button")),
    "refresh-form": ("/session/refresh", lambda page: page.click("#refresh-form button")),
}


def attacker_page(context, origin: str, label: str):
    page = context.new_page()
    CookieWatch(context, page, label)
    page.goto(f"{ENV[ORIGINS[origin]]}/attacker.html?api={API}")
    shot = Path(ENV["ARTIFACTS"]) / f"attacker-page-{origin}.png"
    if not shot.exists():
        page.screenshot(path=shot)
    return page


@pytest.mark.parametrize("origin", list(ORIGINS))
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_attack_leaves_the_victims_cookie_alone(attack, origin, watched_app, context, attacker_account, artifacts):
    login(watched_app, context)  # a fresh victim session for each attack
    before = refresh_cookie(context)
    path, fire = ATTACKS[attack]
    page = attacker_page(context, origin, f"attacker {origin} {ENV[ORIGINS[origin]]} {attack}")
    try:
        answer = exchange(page, path, lambda: fire(page))
        page.wait_for_load_state("load")
        page.screenshot(path=artifacts / f"attack-{origin}-{attack}.png")  # the API's answer, as navigated to
    finally:
        page.close()
    after = refresh_cookie(context)

    problems = []
    if after is None:
        problems.append("the victim's cookie is GONE (logged out by the attacker)")
    elif after["value"] != before["value"]:
        problems.append("the victim's cookie was REPLACED by another session (login CSRF)")
    if answer.status not in REFUSED:
        problems.append(f"not refused: answered {answer.status}")
    if answer.set_cookies:
        problems.append("the answer carries a Set-Cookie")
    if isinstance(answer.body, dict) and "refreshToken" in answer.body:
        problems.append("a refresh token in the body")
    assert not problems, f"{attack} from the {origin} origin: {'; '.join(problems)}. The answer: {answer}"


@pytest.mark.parametrize("origin", list(ORIGINS))
def test_attacker_script_with_the_csrf_header_is_stopped_by_the_preflight(origin, watched_app, context):
    login(watched_app, context)
    before = refresh_cookie(context)
    page = attacker_page(context, origin, f"attacker {origin} cors-fetch-with-header")
    answered = []
    page.on("response", lambda r: answered.append(r) if r.url == API + "/session/refresh"
            and r.request.method == "POST" else None)
    try:
        result = page.evaluate("corsRefreshWithHeader()")
    finally:
        page.close()
    assert result.startswith("blocked"), f"the attacker's script read an answer: {result}"
    assert not answered, f"the POST reached the API and was answered {answered[0].status}"
    after = refresh_cookie(context)
    assert after and after["value"] == before["value"], "the victim's cookie changed"


# ------------------------------------------------------------------------------ ending a session, the rest

def test_session_revoke_with_the_cookie_alone_clears_it(watched_app, context):
    app = watched_app
    login(app, context)
    old = STATE["cookie"]
    answer = app_call(app, "/session/revoke", {})
    assert answer.cookie_sent, answer
    assert (answer.status, answer.body) == (200, {"status": "SUCCESS"}), answer
    assert clearing(answer), f"the revoke does not clear the cookie: {answer}"
    assert refresh_cookie(context) is None, "the cookie is still in the jar after the revoke"
    inject_cookie(context, old)
    try:
        again = app_call(app, "/session/refresh", {})
    finally:
        context.clear_cookies(name=COOKIE)
    assert (again.status, again.code) == (401, "not_authorized"), f"the revoked cookie still refreshes: {again}"


def test_account_delete_clears_the_cookie(watched_app, context, artifacts):
    app = watched_app
    login(app, context)
    answer = app_call(app, "/account/delete", {"password": PASSWORD}, bearer=STATE["access"])
    assert (answer.status, answer.body) == (200, {"status": "SUCCESS"}), answer
    assert clearing(answer), f"the deletion does not clear the cookie: {answer}"
    assert refresh_cookie(context) is None, "the cookie is still in the jar after the account was deleted"
    gone = app_call(app, "/login", {"username": USER, "password": PASSWORD})
    assert (gone.status, gone.code) == (401, "not_authorized"), gone
    app.screenshot(path=artifacts / "02-app-at-the-end.png", full_page=True)


def test_no_answer_in_this_run_carried_a_refresh_token_in_its_body(context):
    offenders, read = [], 0
    for response in context.api_responses:
        try:
            body = response.json()
        except Exception:
            continue
        read += 1
        if isinstance(body, dict) and "refreshToken" in body:
            offenders.append(f"{response.request.method} {response.url[len(API):]} -> {response.status}")
    assert read > 10, f"only {read} answers could be read back"
    assert not offenders, offenders
