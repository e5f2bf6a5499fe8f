"""The command line, the /_emulator/ routes and error shapes."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

from conftest import EMULATOR_DIR, raises, start_server, stop_server


def test_ready_line_seed_is_stable_across_restarts_and_sigterm_exits_cleanly():
    started = time.monotonic()
    first, ready = start_server("--seed")
    ready_seconds = time.monotonic() - started
    assert set(ready) == {"endpoint", "userPoolId", "clientId", "region"}
    assert ready["region"] == "us-east-1" and ready["endpoint"].startswith("http://127.0.0.1:")
    assert stop_server(first) == 0
    second, again = start_server("--seed")
    assert stop_server(second) == 0
    assert (again["userPoolId"], again["clientId"]) == (ready["userPoolId"], ready["clientId"])
    assert ready_seconds < 10


def test_without_seed_only_the_endpoint_is_announced(emulator):
    process, ready = start_server()
    assert list(ready) == ["endpoint"]
    assert stop_server(process) == 0


def test_pool_route_makes_a_production_like_pool(emulator, idp):
    pool = emulator.new_pool(name="shop")
    assert pool["clientSecret"] is None and pool["region"] == "us-east-1"
    described = idp.describe_user_pool(UserPoolId=pool["userPoolId"])["UserPool"]
    assert described["Name"] == "shop"
    assert described["MfaConfiguration"] == "OPTIONAL"
    assert described["AutoVerifiedAttributes"] == ["email"]
    policy = described["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 8
    assert all(policy[k] for k in ("RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols"))
    attributes = {a["Name"]: a for a in described["SchemaAttributes"]}
    assert {"email", "phone_number", "name", "given_name", "family_name"} <= set(attributes)
    assert attributes["custom:team"]["Mutable"] is True
    client = idp.describe_user_pool_client(UserPoolId=pool["userPoolId"], ClientId=pool["clientId"])["UserPoolClient"]
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert client["PreventUserExistenceErrors"] == "ENABLED" and client["EnableTokenRevocation"] is True
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}  # AWS's default
    assert described["UserPoolTier"] == "ESSENTIALS"
    assert described["EmailConfiguration"]["EmailSendingAccount"] == "DEVELOPER"
    mfa = idp.get_user_pool_mfa_config(UserPoolId=pool["userPoolId"])
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True} and mfa["SmsMfaConfiguration"]
    assert "{####}" in mfa["EmailMfaConfiguration"]["Message"]


def test_pool_route_options_and_same_name_never_collides(emulator, idp):
    first = emulator.new_pool(name="same", mfa="ON", clientSecret=True)
    second = emulator.new_pool(name="same", mfa="ON", clientSecret=True)
    assert first["userPoolId"] != second["userPoolId"]
    assert isinstance(first["clientSecret"], str) and first["clientSecret"]
    assert idp.describe_user_pool(UserPoolId=first["userPoolId"])["UserPool"]["MfaConfiguration"] == "ON"


def test_pool_route_rejects_bad_input(emulator):
    assert emulator.http("POST", "/_emulator/pools", {"mfa": "SOMETIMES"})[0] == 400
    assert emulator.http("POST", "/_emulator/expire-codes", {"userPoolId": "us-east-1_nope", "username": "x"})[0] == 404
    assert emulator.http("GET", "/_emulator/nothing")[0] == 404


def test_messages_are_filtered_and_in_order(emulator, pool):
    alice = emulator.sign_up(pool)
    bob = emulator.sign_up(pool)
    emulator.idp.resend_confirmation_code(ClientId=pool["clientId"], Username=alice)
    assert [m["username"] for m in emulator.messages(pool)] == [alice, bob, alice]
    mine = emulator.messages(pool, alice)
    assert len(mine) == 2 and mine[0]["code"] != mine[1]["code"]
    assert set(mine[0]) == {"userPoolId", "username", "kind", "code", "destination", "deliveryMedium", "attributeName", "sentAt"}
    assert emulator.messages(emulator.new_pool()) == []


def test_unimplemented_operation_is_a_json_error(idp, emulator, pool):
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    with raises("UnsupportedOperationException"):
        idp.set_user_settings(AccessToken=token, MFAOptions=[])


def test_jwks_is_served(emulator, pool):
    with urllib.request.urlopen(f"{emulator.endpoint}/{pool['userPoolId']}/.well-known/jwks.json") as response:
        assert json.loads(response.read())["keys"][0]["alg"] == "RS256"


def raw_call(emulator, operation: str, body: dict):
    request = urllib.request.Request(
        emulator.endpoint + "/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}"},
    )
    try:
        urllib.request.urlopen(request)
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())
    raise AssertionError("expected an error")


def test_errors_have_the_aws_wire_shape(emulator):
    for operation in ("GetUser", "SetUserSettings"):
        status, headers, body = raw_call(emulator, operation, {"AccessToken": "garbage", "MFAOptions": []})
        assert status == 400
        assert headers["X-Amzn-ErrorType"] == body["__type"] and set(body) == {"__type", "message"}
    assert raw_call(emulator, "GetUser", {"AccessToken": "garbage"})[2]["__type"] == "NotAuthorizedException"


def _timed(request: urllib.request.Request) -> float:
    started = time.monotonic()
    urllib.request.urlopen(request, timeout=10).read()
    return time.monotonic() - started


def test_delay_ms_slows_every_aws_call_but_not_the_test_routes():
    process, ready = start_server("--delay-ms", "600")
    try:
        aws_call = _timed(
            urllib.request.Request(
                ready["endpoint"] + "/",
                data=b'{"MaxResults": 1}',
                headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
                },
            )
        )
        test_route = _timed(urllib.request.Request(ready["endpoint"] + "/_emulator/messages"))
    finally:
        assert stop_server(process) == 0
    assert aws_call >= 0.6
    assert test_route < 0.6


def test_a_negative_delay_is_refused():
    process = subprocess.run(
        [sys.executable, "-m", "cognito_emulator", "serve", "--delay-ms", "-1"],
        cwd=EMULATOR_DIR,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert process.returncode == 2 and "--delay-ms" in process.stderr


def test_user_context_data_is_accepted_and_recorded(emulator, idp):
    pool = emulator.new_pool()
    idp.sign_up(
        ClientId=pool["clientId"],
        Username="ctx-user",
        Password="Corr3ct-Horse!",
        UserAttributes=[{"Name": "email", "Value": "ctx@example.com"}],
        UserContextData={"IpAddress": "198.51.100.7", "EncodedData": "opaque"},
    )
    with urllib.request.urlopen(f"{emulator.endpoint}/_emulator/user-context?clientId={pool['clientId']}") as answer:
        calls = json.load(answer)["calls"]
    assert calls == [
        {"operation": "SignUp", "clientId": pool["clientId"], "ipAddress": "198.51.100.7", "encodedData": "opaque"}
    ]
