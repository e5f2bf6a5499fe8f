"""Peer for scripts/bench.sh: POST /login as a competent developer would write it on Python 3 with boto3.

The client is built once at import (region, credentials and AWS_ENDPOINT_URL come from the environment, as on
Lambda); each invocation is one InitiateAuth USER_PASSWORD_AUTH.
"""

import base64
import json
import os

import boto3

client = boto3.client("cognito-idp")
CLIENT_ID = os.environ["USER_POOL_CLIENT_ID"]


def _json(status, value):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(value),
    }


def handler(event, context):
    try:
        raw = event.get("body") or "{}"
        if event.get("isBase64Encoded"):
            raw = base64.b64decode(raw).decode("utf-8")
        body = json.loads(raw)
    except ValueError:
        return _json(400, {"code": "invalid_json", "message": "The body is not JSON."})
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return _json(400, {"code": "invalid_request", "message": "username and password are required."})
    try:
        out = client.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=CLIENT_ID,
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    except client.exceptions.NotAuthorizedException:
        return _json(401, {"code": "invalid_credentials", "message": "Incorrect username or password."})
    except client.exceptions.UserNotFoundException:
        return _json(401, {"code": "invalid_credentials", "message": "Incorrect username or password."})
    except client.exceptions.TooManyRequestsException as err:
        return _json(429, {"code": "too_many_requests", "message": str(err)})
    if out.get("ChallengeName"):
        return _json(200, {"challenge": out["ChallengeName"], "session": out.get("Session"),
                           "parameters": out.get("ChallengeParameters")})
    r = out["AuthenticationResult"]
    return _json(200, {
        "accessToken": r["AccessToken"],
        "idToken": r["IdToken"],
        "refreshToken": r.get("RefreshToken"),
        "expiresIn": r["ExpiresIn"],
        "tokenType": r["TokenType"],
    })
