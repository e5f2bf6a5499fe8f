"""Starts the patched emulator once per test session (free port) and gives tests a boto3 client
plus helpers for the /_emulator/ routes. Every test makes its own pool, so tests are isolated."""

import base64
import hashlib
import hmac
import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

EMULATOR_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "Passw0rd!"


def start_server(*args: str) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        [sys.executable, "-m", "cognito_emulator", "serve", "--port", "0", *args],
        cwd=EMULATOR_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError("emulator exited before it was ready")
    return process, json.loads(line)


def stop_server(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=10)


@contextmanager
def raises(code: str, message: str | None = None):
    """A real AWS error: HTTP 400 whose parsed code (and message part) are as given."""
    with pytest.raises(ClientError) as info:
        yield info
    error = info.value.response["Error"]
    assert error["Code"] == code, error
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if message is not None:
        assert message in error["Message"], error


def secret_hash(pool: dict, username: str) -> str:
    digest = hmac.new(pool["clientSecret"].encode(), (username + pool["clientId"]).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class Emulator:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.idp = boto3.client(
            "cognito-idp",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}),
        )

    def http(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.endpoint + path, data=data, method=method)
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def new_pool(self, **options) -> dict:
        status, pool = self.http("POST", "/_emulator/pools", options)
        assert status == 200, pool
        return pool

    def messages(self, pool: dict, username: str | None = None) -> list[dict]:
        query = f"?userPoolId={pool['userPoolId']}" + (f"&username={username}" if username else "")
        return self.http("GET", "/_emulator/messages" + query)[1]["messages"]

    def last_code(self, pool: dict, username: str, kind: str) -> str:
        return [m for m in self.messages(pool, username) if m["kind"] == kind][-1]["code"]

    def expire_codes(self, pool: dict, username: str) -> None:
        status, body = self.http("POST", "/_emulator/expire-codes", {"userPoolId": pool["userPoolId"], "username": username})
        assert status == 200, body

    def sign_up(self, pool: dict, username: str | None = None, email: str | None = None, **extra) -> str:
        username = username or f"user-{uuid.uuid4().hex[:8]}"
        attributes = [{"Name": "email", "Value": email or f"{username}@example.com"}]
        self.idp.sign_up(ClientId=pool["clientId"], Username=username, Password=PASSWORD, UserAttributes=attributes, **extra)
        return username

    def confirmed_user(self, pool: dict, **kwargs) -> str:
        username = self.sign_up(pool, **kwargs)
        code = self.last_code(pool, username, "SIGN_UP")
        self.idp.confirm_sign_up(ClientId=pool["clientId"], Username=username, ConfirmationCode=code)
        return username

    def login(self, pool: dict, username: str, password: str = PASSWORD) -> dict:
        return self.idp.initiate_auth(
            ClientId=pool["clientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )

    def tokens(self, pool: dict, username: str) -> dict:
        return self.login(pool, username)["AuthenticationResult"]

    def user_auth(self, pool: dict, username: str, session: str | None = None, **parameters) -> dict:
        """InitiateAuth USER_AUTH; keyword arguments are AuthParameters (PREFERRED_CHALLENGE, PASSWORD...)."""
        extra = {"Session": session} if session else {}
        return self.idp.initiate_auth(
            ClientId=pool["clientId"], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username, **parameters}, **extra
        )

    def answer(self, pool: dict, challenge: dict, username: str, **responses) -> dict:
        return self.idp.respond_to_auth_challenge(
            ClientId=pool["clientId"],
            ChallengeName=challenge["ChallengeName"],
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": username, **responses},
        )

    def set_phone(self, pool: dict, username: str, phone: str = "+15555551234") -> None:
        self.idp.admin_update_user_attributes(
            UserPoolId=pool["userPoolId"],
            Username=username,
            UserAttributes=[{"Name": "phone_number", "Value": phone}, {"Name": "phone_number_verified", "Value": "true"}],
        )


@pytest.fixture(scope="session")
def emulator():
    process, ready = start_server()
    yield Emulator(ready["endpoint"])
    assert stop_server(process) == 0


@pytest.fixture(scope="session")
def idp(emulator):
    return emulator.idp


@pytest.fixture
def pool(emulator):
    return emulator.new_pool()
