"""Fixtures for the real-browser test: one headless Chromium (Debian's, through Playwright), one browser
context (the victim's browser: its cookie jar), the app page, and the services' URLs.

scripts/browser-test.sh starts everything and passes it in the environment:
  BT_API         the API, as the app calls it: http://localhost:PORT (cookie mode)
  BT_APP         the app's origin, the one in ALLOWED_ORIGINS: http://localhost:PORT
  BT_SAME_SITE   an attacker origin, same site as the API but not allowed: http://localhost:PORT
  BT_CROSS_SITE  an attacker origin on another site: http://127.0.0.1:PORT
  BT_EMULATOR    the Cognito emulator (its outbox), BT_POOL its user pool
  BT_CHROMIUM    the Chromium binary, BT_ARTIFACTS where screenshots go
and for the example page (examples/web, test_web_example.py), its own API and pool:
  BT_WEB_API     the API it calls (cookie mode, passkeys on), BT_WEB_APP the page's origin (its only
                 ALLOWED_ORIGINS and WebAuthn origin), BT_WEB_POOL its pool (on the same emulator)
"""

import json
import os
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ENV = {name: os.environ[f"BT_{name}"] for name in
       ("API", "APP", "SAME_SITE", "CROSS_SITE", "EMULATOR", "POOL", "CHROMIUM", "ARTIFACTS")}
WEB = {name: os.environ[f"BT_WEB_{name}"] for name in ("API", "APP", "POOL")}
COOKIE = "__Host-refresh_token"
TIMEOUT_MS = 15_000


def emulator_code(username: str, kind: str = "SIGN_UP", pool: str | None = None) -> str:
    """The newest code the emulator 'sent' to this user (of ENV's pool unless told another)."""
    url = f"{ENV['EMULATOR']}/_emulator/messages?userPoolId={pool or ENV['POOL']}&username={username}"
    with urllib.request.urlopen(url, timeout=10) as response:
        messages = json.load(response)["messages"]
    codes = [m["code"] for m in messages if m["kind"] == kind]
    assert codes, f"the emulator recorded no {kind} code for {username}: {messages}"
    return codes[-1]


def direct_post(path: str, body: dict) -> tuple[int, dict]:
    """A server-side call (not a browser): with the CSRF proof a legitimate app would send."""
    request = urllib.request.Request(
        ENV["API"] + path, json.dumps(body).encode(),
        {"Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest", "Origin": ENV["APP"]},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(ENV["ARTIFACTS"])
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=ENV["CHROMIUM"], headless=True, timeout=60_000)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def context(browser):
    """The victim's browser profile. Every answer from the API is recorded (for the body check at the end)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.api_responses = []
    context.on("response", lambda r: context.api_responses.append(r) if r.url.startswith(ENV["API"] + "/") else None)
    yield context
    context.close()


@pytest.fixture(scope="session")
def app(context):
    page = context.new_page()
    page.goto(f"{ENV['APP']}/app.html?api={ENV['API']}")
    return page


@pytest.fixture(scope="session")
def attacker_account():
    """An account of the attacker's own, for the login-CSRF attacks (its password is in attacker.html)."""
    username, password = "attacker", "Att4cker=Passw0rd!"  # the emulator is new for every run
    status, body = direct_post("/signup", {"username": username, "password": password,
                                           "attributes": [{"Name": "email", "Value": "attacker@example.com"}]})
    assert status == 200, (status, body)
    status, body = direct_post("/signup/confirm", {"username": username,
                                                   "confirmationCode": emulator_code(username)})
    assert status == 200, (status, body)
    return username, password
