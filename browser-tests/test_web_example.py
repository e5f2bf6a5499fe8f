"""The example page (examples/web) in a real headless Chromium with a virtual WebAuthn authenticator
(the DevTools protocol's WebAuthn domain: CTAP2, internal transport, resident keys, user verification),
against the API in cookie mode with passkeys on (scripts/browser-test.sh starts both).

Like a person at the page, in order: passwordless sign-up with the code from the emulator's outbox,
confirmation (signed in at once); the CSRF rule on the way; a passkey registered and listed; a reload
(the cookie alone restores the session); sign-out; sign-in with the passkey (the refresh token in the
`__Host-refresh_token` cookie, never in a body); the passkey deleted, the list empty; a passkey sign-in
then fails: the browser finds no passkey for the step (it names none the authenticator holds), and the
deleted passkey's signature forced onto the step is refused (401, no cookie); sign-in with an email code
(a wrong code first). Then once more on a page without the browser's WebAuthn JSON helpers, which takes
the page's own base64url path. Last, no answer of the run held a refreshToken.

The tests share one page and run in file order; each says which earlier step it needs.
Screenshots: $BT_ARTIFACTS/passkeys.png (signed in with a passkey, listed) and web-*.png.
"""

import base64
import json
import time
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import COOKIE, TIMEOUT_MS, WEB, emulator_code

API, APP, POOL = WEB["API"], WEB["APP"], WEB["POOL"]
USER = f"pk{int(time.time() * 1000)}"
EMAIL = "passkey.user@example.com"
STATE: dict = {}  # handed from test to test: the registered credential id, the last access token
AUTHENTICATOR = {  # WebAuthn.VirtualAuthenticatorOptions: a platform authenticator (like Touch ID)
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}
ALL_ANSWERS: list = []  # every answer of the example's API in this module, for the last check


# ---------------------------------------------------------------------------------------------- helpers

def short(value: str, keep: int = 12) -> str:
    return value if len(value) <= keep + 3 else value[:keep] + "…"


@dataclass(repr=False)
class Answer:
    """One POST to the example's API, as the browser saw it."""
    path: str
    status: int
    body: object
    set_cookies: list = field(default_factory=list)
    request_headers: dict = field(default_factory=dict)
    request_body: object = None

    @property
    def code(self):
        return self.body.get("code") if isinstance(self.body, dict) else None

    def __str__(self) -> str:
        body = json.dumps(self.body, default=str)
        cookies = [c.split(";")[0].split("=")[0] + "=" + short(c.split(";")[0].split("=", 1)[1]) + ";"
                   + c.split(";", 1)[-1] for c in self.set_cookies]
        sent = {k: self.request_headers.get(k) for k in ("origin", "x-requested-with", "content-type")}
        return f"POST {self.path} -> {self.status} {short(body, 400)}; Set-Cookie: {cookies or 'none'}; request {sent}"

    __repr__ = __str__


class Recorder:
    """Every POST answer of the example's API in one browser context. Bodies are read as soon as the step
    that caused them is over (collect()), while the page that made them is still there."""

    def __init__(self, context):
        self.unread = []
        context.on("response", lambda r: self.unread.append(r)
                   if r.url.startswith(API + "/") and r.request.method == "POST" else None)

    def collect(self) -> list[Answer]:
        answers, self.unread = [self._read(r) for r in self.unread], []
        ALL_ANSWERS.extend(answers)
        return answers

    @staticmethod
    def _read(response) -> Answer:
        try:
            body = response.json()
        except Exception as err:
            body = f"(unreadable body: {err})"
        return Answer(
            path=response.url[len(API):],
            status=response.status,
            body=body,
            set_cookies=[h["value"] for h in response.headers_array() if h["name"].lower() == "set-cookie"],
            request_headers=response.request.all_headers(),
            request_body=response.request.post_data_json,
        )


@dataclass
class Browser:
    """One person's browser: a context (cookie jar), the example page, its virtual authenticator."""
    context: object
    page: object
    recorder: Recorder
    cdp: object
    authenticator: str

    def credentials(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator})["credentials"]

    def cookie(self):
        found = [c for c in self.context.cookies() if c["name"] == COOKIE]
        assert len(found) <= 1, f"more than one {COOKIE} in the jar: {found}"
        return found[0] if found else None

    def message(self) -> str:
        return self.page.text_content("#message") or ""

    def visible(self, selector: str) -> bool:
        return self.page.is_visible(selector)


def open_browser(browser, init_script: str | None = None) -> Browser:
    context = browser.new_context(viewport={"width": 900, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    if init_script:
        context.add_init_script(init_script)
    recorder = Recorder(context)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]
    return Browser(context, page, recorder, cdp, authenticator)


def wait_until_idle(page) -> None:
    page.wait_for_function("() => !document.querySelector('main').hasAttribute('aria-busy')")


def act(b: Browser, action, last_path: str) -> dict[str, Answer]:
    """Does `action` (a click, a reload) and waits for the page's answer to POST `last_path` and for the
    page to finish. Returns the API's answers of that step by path (the last one of each path)."""
    try:
        with b.page.expect_response(lambda r: r.url == API + last_path and r.request.method == "POST"):
            action()
        wait_until_idle(b.page)
    except PlaywrightTimeout:
        answers = b.recorder.collect()
        raise AssertionError(f"the page never got an answer to POST {last_path}; it shows {b.message()!r}; "
                             f"the API answered: {answers}") from None
    return {a.path: a for a in b.recorder.collect()}


def page_fetch(b: Browser, path: str, body: dict, headers: dict) -> Answer:
    """A fetch from the example page's origin with exactly these headers (credentials included)."""
    with b.page.expect_response(lambda r: r.url == API + path and r.request.method == "POST"):
        b.page.evaluate("""async ([url, body, headers]) => {
            const r = await fetch(url, {method: "POST", credentials: "include", headers, body: JSON.stringify(body)});
            return [r.status, await r.text()];  // read to the end: an unread body keeps its response open
        }""", [API + path, body, headers])
    answers = [a for a in b.recorder.collect() if a.path == path]
    assert len(answers) == 1, answers
    return answers[0]


def session_cookie_set(answer: Answer, b: Browser) -> dict:
    """The answer put the refresh token in the __Host- cookie (and not in its body); returns the jar's cookie."""
    assert "refreshToken" not in answer.body, f"the refresh token is in the JSON body: {answer}"
    assert answer.body.get("accessToken") and answer.body.get("idToken"), answer
    headers = [c for c in answer.set_cookies if c.startswith(COOKIE + "=")]
    assert len(headers) == 1, f"no (or more than one) {COOKIE} Set-Cookie: {answer}"
    attributes = [a.strip().lower() for a in headers[0].split(";")[1:]]
    for wanted in ("secure", "httponly", "samesite=strict", "path=/"):
        assert wanted in attributes, headers[0]
    cookie = b.cookie()
    assert cookie and cookie["value"] == headers[0].split(";")[0].split("=", 1)[1], \
        f"Chromium did not store the cookie the API set: {cookie}"
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict", cookie
    assert b.page.evaluate("document.cookie") == "", "the page's scripts can read a cookie"
    return cookie


def base64url(cdp_binary: str) -> str:
    """DevTools gives binary fields in standard base64; WebAuthn JSON (and the API) use base64url."""
    return base64.urlsafe_b64encode(base64.b64decode(cdp_binary)).decode().rstrip("=")


def signed_in_as(b: Browser, username: str) -> None:
    assert b.visible("#signed-in") and not b.visible("#signed-out"), f"not signed in; the page says {b.message()!r}"
    assert b.page.text_content("#who") == username


def signed_out(b: Browser) -> None:
    assert b.visible("#signed-out") and not b.visible("#signed-in"), f"not signed out; the page says {b.message()!r}"


def rows(b: Browser) -> list[str]:
    return b.page.eval_on_selector_all("#passkeys button[data-credential-id]", "bs => bs.map(b => b.dataset.credentialId)")


def open_page(b: Browser) -> dict[str, Answer]:
    """Opens the example (served on its own origin, the API's ALLOWED_ORIGINS) with ?api=."""
    return act(b, lambda: b.page.goto(f"{APP}/index.html?api={API}"), "/session/refresh")


def sign_up_and_confirm(b: Browser, username: str, email: str) -> dict[str, Answer]:
    b.page.fill("#signup-username", username)
    b.page.fill("#signup-email", email)
    answers = act(b, lambda: b.page.click("#signup"), "/signup")
    signup = answers["/signup"]
    assert signup.status == 200, signup
    assert signup.body["userConfirmed"] is False and signup.body.get("loginSession"), signup
    assert signup.set_cookies == [] and b.cookie() is None, signup
    assert b.visible("#code-step"), f"the page asks for no code: {b.message()!r}"
    b.page.fill("#code", emulator_code(username, "SIGN_UP", POOL))
    return act(b, lambda: b.page.click("#code-submit"), "/passkeys/list")


def add_passkey(b: Browser) -> dict[str, Answer]:
    return act(b, lambda: b.page.click("#add-passkey"), "/passkeys/list")


def sign_out(b: Browser) -> Answer:
    answer = act(b, lambda: b.page.click("#sign-out"), "/logout")["/logout"]
    assert (answer.status, answer.body) == (200, {"status": "SUCCESS"}), answer
    assert any(c.startswith(f"{COOKIE}=;") and "max-age=0" in c.lower() for c in answer.set_cookies), \
        f"the sign-out does not clear the cookie: {answer}"
    assert b.cookie() is None, "the cookie is still in the jar after signing out"
    signed_out(b)
    return answer


def passkey_sign_in(b: Browser, username: str, last_path: str = "/passkeys/list") -> dict[str, Answer]:
    b.page.fill("#login-username", username)
    return act(b, lambda: b.page.click("#passkey-login"), last_path)


@pytest.fixture(scope="module")
def web(browser):
    b = open_browser(browser)
    yield b
    b.context.close()


# ------------------------------------------------------------------------------------------ the journey

def test_the_page_opens_signed_out(web):
    answers = open_page(web)
    refresh = answers["/session/refresh"]
    assert (refresh.status, refresh.code) == (401, "not_authorized"), refresh
    assert refresh.request_headers.get("origin") == APP, refresh
    assert refresh.request_headers.get("x-requested-with") == "XMLHttpRequest", refresh
    signed_out(web)
    assert "Sign up" in web.message(), web.message()
    # This Chromium converts WebAuthn JSON itself: the page's own base64url path is tested further down.
    assert web.page.evaluate("typeof PublicKeyCredential.parseRequestOptionsFromJSON") == "function"


def test_passwordless_sign_up_then_confirm_signs_in(web):
    answers = sign_up_and_confirm(web, USER, EMAIL)
    confirm = answers["/signup/confirm"]
    assert confirm.status == 200, confirm
    session_cookie_set(confirm, web)
    STATE["access"] = confirm.body["accessToken"]
    listed = answers["/passkeys/list"]
    assert (listed.status, listed.body) == (200, {"passkeys": [], "nextToken": None}), listed
    signed_in_as(web, USER)
    assert web.visible("#no-passkeys"), "the page does not say there is no passkey yet"


def test_csrf_register_start_without_the_header_is_403_and_sets_no_cookie(web):
    assert STATE.get("access"), "needs the sign-in of the sign-up test"
    before = web.cookie()
    answer = page_fetch(web, "/passkeys/register/start", {},
                        {"Content-Type": "application/json", "Authorization": f"Bearer {STATE['access']}"})
    assert (answer.status, answer.code) == (403, "csrf_rejected"), answer
    assert answer.set_cookies == [], answer
    after = web.cookie()
    assert before and after and after["value"] == before["value"], "the refused request changed the cookie"


def test_register_a_passkey(web):
    signed_in_as(web, USER)
    answers = add_passkey(web)
    start, complete, listed = (answers.get(p) for p in
                               ("/passkeys/register/start", "/passkeys/register/complete", "/passkeys/list"))
    assert start and start.status == 200, (start, web.message())
    options = start.body["credentialCreationOptions"]
    assert options["rp"]["id"] == "localhost" and options["user"]["name"] == USER, start
    assert complete and (complete.status, complete.body) == (200, {"status": "SUCCESS"}), (complete, web.message())
    credential = complete.request_body["credential"]
    assert set(credential) >= {"id", "rawId", "type", "response", "clientExtensionResults"}, complete.request_body
    assert set(credential["response"]) >= {"clientDataJSON", "attestationObject"}, credential
    assert listed.status == 200 and len(listed.body["passkeys"]) == 1, listed
    assert all(a.set_cookies == [] for a in answers.values()), answers

    held = web.credentials()
    assert len(held) == 1 and held[0]["isResidentCredential"] and held[0]["rpId"] == "localhost", held
    passkey = listed.body["passkeys"][0]
    assert passkey["credentialId"] == base64url(held[0]["credentialId"]), (passkey, held)
    STATE["credential_id"] = passkey["credentialId"]
    assert rows(web) == [passkey["credentialId"]], "the page does not list the passkey"
    assert "Passkey added" in web.message(), web.message()


def test_after_a_reload_the_cookie_restores_the_session_and_the_list(web):
    assert STATE.get("credential_id"), "needs the passkey of the registration test"
    answers = act(web, web.page.reload, "/passkeys/list")
    refresh = answers["/session/refresh"]
    assert refresh.status == 200 and f"{COOKIE}=" in refresh.request_headers.get("cookie", ""), refresh
    assert "refreshToken" not in refresh.body, refresh
    signed_in_as(web, USER)
    listed = answers["/passkeys/list"]
    assert listed.status == 200 and listed.body["nextToken"] is None, listed
    (passkey,) = listed.body["passkeys"]
    assert passkey["credentialId"] == STATE["credential_id"], passkey
    assert passkey["relyingPartyId"] == "localhost", passkey
    assert passkey["friendlyName"], passkey
    assert passkey["authenticatorAttachment"] == "platform", passkey
    assert "internal" in passkey["transports"], passkey
    assert abs(passkey["createdAt"] - time.time()) < 600, passkey
    assert rows(web) == [STATE["credential_id"]]


def test_sign_out(web):
    signed_in_as(web, USER)
    sign_out(web)


def test_sign_in_with_the_passkey(web, artifacts):
    assert STATE.get("credential_id"), "needs the passkey of the registration test"
    count_before = web.credentials()[0]["signCount"]
    answers = passkey_sign_in(web, USER)
    step, done = answers["/login"], answers.get("/login/passkey")
    assert step.status == 200 and step.body["nextStep"] == "PASSKEY", step
    options = step.body["credentialRequestOptions"]
    assert options["rpId"] == "localhost", step
    assert STATE["credential_id"] in [c["id"] for c in options["allowCredentials"]], step
    assert step.set_cookies == [], step
    assert done and done.status == 200, (done, web.message())
    assert done.request_body["loginSession"] == step.body["loginSession"], done
    assert set(done.request_body["credential"]["response"]) >= {"clientDataJSON", "authenticatorData", "signature"}
    session_cookie_set(done, web)
    STATE["access"] = done.body["accessToken"]
    signed_in_as(web, USER)
    assert rows(web) == [STATE["credential_id"]]
    assert web.credentials()[0]["signCount"] > count_before, "the authenticator was not used"
    web.page.evaluate("document.querySelector('details').open = true")  # the requests, in the shot
    web.page.screenshot(path=artifacts / "passkeys.png", full_page=True)
    web.page.evaluate("document.querySelector('details').open = false")


def test_delete_the_passkey_and_the_list_is_empty(web):
    assert STATE.get("credential_id"), "needs the passkey of the registration test"
    signed_in_as(web, USER)
    button = f'#passkeys button[data-credential-id="{STATE["credential_id"]}"]'
    answers = act(web, lambda: web.page.click(button), "/passkeys/list")
    deleted = answers["/passkeys/delete"]
    assert (deleted.status, deleted.body) == (200, {"status": "SUCCESS"}), deleted
    assert deleted.request_body == {"credentialId": STATE["credential_id"]}, deleted
    listed = answers["/passkeys/list"]
    assert (listed.status, listed.body) == (200, {"passkeys": [], "nextToken": None}), listed
    assert rows(web) == [] and web.visible("#no-passkeys")
    again = page_fetch(web, "/passkeys/delete", {"credentialId": STATE["credential_id"]},
                       {"Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest",
                        "Authorization": f"Bearer {STATE['access']}"})
    assert (again.status, again.code) == (404, "passkey_not_found"), again


def test_after_the_deletion_the_browser_finds_no_passkey_for_the_step(web, artifacts):
    """The PASSKEY step now names no credential the authenticator holds (a decoy: the user has no passkey,
    and the step must not show it), so the browser has nothing to sign and the page says so."""
    sign_out(web)
    assert len(web.credentials()) == 1, "the authenticator should still hold the (deleted) passkey"
    answers = passkey_sign_in(web, USER, last_path="/login")
    step = answers["/login"]
    assert step.status == 200 and step.body["nextStep"] == "PASSKEY", step
    assert set(step.body) == {"nextStep", "loginSession", "credentialRequestOptions"}, step
    named = [c["id"] for c in step.body["credentialRequestOptions"]["allowCredentials"]]
    assert STATE["credential_id"] not in named, step
    assert "/login/passkey" not in answers, answers
    assert web.cookie() is None
    signed_out(web)
    assert web.page.get_attribute("#message", "class") == "error", web.message()
    assert "No passkey was used" in web.message(), web.message()
    web.page.screenshot(path=artifacts / "web-no-passkey-after-deletion.png", full_page=True)


def test_a_passkey_sign_in_with_the_deleted_passkey_is_401(web):
    """The server side of the same: the deleted passkey's signature over the step's challenge (the browser
    made to use that credential, as a stale or tampered client would) is refused, and no cookie is set."""
    assert STATE.get("credential_id"), "needs the passkey of the registration test"
    with web.page.expect_response(lambda r: r.url == API + "/login/passkey" and r.request.method == "POST"):
        outcome = web.page.evaluate("""async ([username, credentialId]) => {
            // The page's own helpers (app.js); only allowCredentials is replaced.
            const step = await api("/login", {username, method: "WEB_AUTHN"});
            const options = {...step.credentialRequestOptions, allowCredentials: [{type: "public-key", id: credentialId}]};
            const credential = await navigator.credentials.get({publicKey: requestOptions(options)});
            try {
                await api("/login/passkey", {username, loginSession: step.loginSession, credential: credentialJSON(credential)});
                return "signed in";
            } catch (err) {
                return [err.status, err.code];
            }
        }""", [USER, STATE["credential_id"]])
    answers = {a.path: a for a in web.recorder.collect()}
    refused = answers["/login/passkey"]
    assert refused.request_body["credential"]["id"] == STATE["credential_id"], refused.request_body
    assert (refused.status, refused.code) == (401, "not_authorized"), refused
    assert outcome == [401, "not_authorized"], outcome
    assert refused.set_cookies == [] and web.cookie() is None, refused


def test_sign_in_with_an_email_code(web, artifacts):
    signed_out(web)
    web.page.fill("#login-username", USER)
    step = act(web, lambda: web.page.click("#email-login"), "/login")["/login"]
    assert step.status == 200, step
    assert (step.body["nextStep"], step.body["method"]) == ("OTP_CODE", "EMAIL_OTP"), step
    assert web.visible("#code-step"), web.message()
    code = emulator_code(USER, "EMAIL_OTP", POOL)

    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")
    web.page.fill("#code", wrong)
    mismatch = act(web, lambda: web.page.click("#code-submit"), "/login/otp")["/login/otp"]
    assert (mismatch.status, mismatch.code) == (400, "code_mismatch"), mismatch
    assert mismatch.set_cookies == [] and web.cookie() is None, mismatch
    assert "not right" in web.message(), web.message()

    web.page.fill("#code", code)  # the same loginSession: a wrong code leaves it usable
    answers = act(web, lambda: web.page.click("#code-submit"), "/passkeys/list")
    done = answers["/login/otp"]
    assert done.status == 200, done
    session_cookie_set(done, web)
    signed_in_as(web, USER)
    assert answers["/passkeys/list"].body == {"passkeys": [], "nextToken": None}
    web.page.screenshot(path=artifacts / "web-signed-in-by-email-code.png", full_page=True)


# Browsers without PublicKeyCredential.parse*FromJSON and credential.toJSON() (older Safari, Firefox before
# 119): the page decodes and encodes base64url itself. This removes them before the page runs.
WITHOUT_JSON_HELPERS = """
delete PublicKeyCredential.parseCreationOptionsFromJSON;
delete PublicKeyCredential.parseRequestOptionsFromJSON;
delete PublicKeyCredential.prototype.toJSON;
"""


def test_the_pages_own_base64url_path_registers_and_signs_in(browser, artifacts):
    b = open_browser(browser, WITHOUT_JSON_HELPERS)
    try:
        open_page(b)
        assert b.page.evaluate("""[typeof PublicKeyCredential.parseCreationOptionsFromJSON,
            typeof PublicKeyCredential.parseRequestOptionsFromJSON,
            typeof PublicKeyCredential.prototype.toJSON]""") == ["undefined"] * 3
        username = USER + "b"
        confirm = sign_up_and_confirm(b, username, "second.user@example.com")["/signup/confirm"]
        assert confirm.status == 200, confirm
        registered = add_passkey(b)
        complete = registered.get("/passkeys/register/complete")
        assert complete and complete.status == 200, (complete, b.message())
        credential = complete.request_body["credential"]  # made by the page's own toBase64url path
        assert set(credential) >= {"id", "rawId", "type", "response", "clientExtensionResults"}, credential
        assert credential["rawId"] == credential["id"], credential
        assert set(credential["response"]) >= {"clientDataJSON", "attestationObject", "transports"}, credential
        (passkey,) = registered["/passkeys/list"].body["passkeys"]
        sign_out(b)
        answers = passkey_sign_in(b, username)
        done = answers.get("/login/passkey")
        assert done and done.status == 200, (done, b.message())
        response = done.request_body["credential"]["response"]
        assert set(response) >= {"clientDataJSON", "authenticatorData", "signature", "userHandle"}, response
        session_cookie_set(done, b)
        signed_in_as(b, username)
        assert rows(b) == [passkey["credentialId"]]
    finally:
        b.context.close()


def test_no_answer_carried_a_refresh_token_in_its_body():
    read = [a for a in ALL_ANSWERS if isinstance(a.body, dict)]
    assert len(read) > 25, f"only {len(read)} answers were read: {ALL_ANSWERS}"
    offenders = [str(a) for a in read if "refreshToken" in a.body]
    assert not offenders, offenders
    assert len(read) == len(ALL_ANSWERS), [str(a) for a in ALL_ANSWERS if not isinstance(a.body, dict)]
