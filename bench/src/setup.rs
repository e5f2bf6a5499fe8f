//! The benchmark's world: a pool and a user on the Cognito emulator, tokens for the profile reads, and
//! API Gateway HTTP API (payload 2.0) events.

use crate::client::{request, Error};
use bytes::Bytes;
use http::Method;
use serde_json::{json, Value};

pub const USERNAME: &str = "bench-user";
pub const PASSWORD: &str = "Corr3ct-Horse!";

#[derive(Clone, Debug)]
pub struct World {
    pub emulator: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub access_token: String,
    pub id_token: String,
}

async fn call(emulator: &str, operation: &str, body: Value) -> Result<Value, Error> {
    let target = format!("AWSCognitoIdentityProviderService.{operation}");
    let (status, body) = request(
        Method::POST,
        emulator,
        &[
            ("x-amz-target", target.as_str()),
            ("content-type", "application/x-amz-json-1.1"),
            ("authorization", "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00"),
        ],
        body.to_string(),
    )
    .await?;
    if status != 200 {
        return Err(format!(
            "{operation} failed ({status}): {}",
            String::from_utf8_lossy(&body)
        )
        .into());
    }
    Ok(serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// A fresh pool (no client secret, USER_PASSWORD_AUTH and USER_SRP_AUTH allowed) with one confirmed user.
pub async fn world(emulator: &str) -> Result<World, Error> {
    let emulator = emulator.trim_end_matches('/').to_owned();
    let (status, body) = request(
        Method::POST,
        &format!("{emulator}/_emulator/pools"),
        &[("content-type", "application/json")],
        json!({"name": "bench"}).to_string(),
    )
    .await?;
    if status != 200 {
        return Err(format!(
            "creating a pool failed ({status}): {}",
            String::from_utf8_lossy(&body)
        )
        .into());
    }
    let pool: Value = serde_json::from_slice(&body)?;
    let user_pool_id = pool["userPoolId"]
        .as_str()
        .ok_or("no userPoolId")?
        .to_owned();
    let client_id = pool["clientId"].as_str().ok_or("no clientId")?.to_owned();
    call(
        &emulator,
        "AdminCreateUser",
        json!({
            "UserPoolId": user_pool_id,
            "Username": USERNAME,
            "MessageAction": "SUPPRESS",
            "TemporaryPassword": "Temp-Passw0rd!",
            "UserAttributes": [
                {"Name": "email", "Value": "bench-user@example.com"},
                {"Name": "email_verified", "Value": "true"}
            ]
        }),
    )
    .await?;
    call(
        &emulator,
        "AdminSetUserPassword",
        json!({"UserPoolId": user_pool_id, "Username": USERNAME, "Password": PASSWORD, "Permanent": true}),
    )
    .await?;
    let auth = call(
        &emulator,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": client_id,
            "AuthParameters": {"USERNAME": USERNAME, "PASSWORD": PASSWORD}
        }),
    )
    .await?;
    let result = &auth["AuthenticationResult"];
    Ok(World {
        emulator,
        user_pool_id,
        client_id,
        access_token: result["AccessToken"]
            .as_str()
            .ok_or("no AccessToken")?
            .to_owned(),
        id_token: result["IdToken"].as_str().ok_or("no IdToken")?.to_owned(),
    })
}

/// An API Gateway HTTP API (payload format 2.0) event for `POST <path>` with a JSON body.
pub fn apigw_event(path: &str, body: &Value) -> Bytes {
    json!({
        "version": "2.0",
        "routeKey": format!("POST {path}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "accept": "*/*",
            "content-type": "application/json",
            "host": "bench.execute-api.us-east-1.amazonaws.com",
            "user-agent": "bench",
            "x-forwarded-for": "127.0.0.1",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https"
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "bench.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "bench",
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "bench"
            },
            "requestId": "bench-request",
            "routeKey": format!("POST {path}"),
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": 1_767_225_600_000u64
        },
        "body": body.to_string(),
        "isBase64Encoded": false
    })
    .to_string()
    .into()
}

/// The login event both implementations get: the original's body shape, which ours accepts as is.
pub fn login_event() -> Bytes {
    apigw_event(
        "/login",
        &json!({"username": USERNAME, "password": PASSWORD}),
    )
}

/// The profile-read event: the original's `{username, accessToken, idToken}` body, which ours accepts.
pub fn profile_event(access_token: &str, id_token: &str) -> Bytes {
    apigw_event(
        "/profile/get",
        &json!({"username": USERNAME, "accessToken": access_token, "idToken": id_token}),
    )
}

/// Checks that an API Gateway v2 response answered 200 with what the route promises.
pub fn check_answer(function: &str, payload: &[u8]) -> Result<(), Error> {
    let response: Value = serde_json::from_slice(payload)?;
    let body = response["body"].as_str().unwrap_or("");
    let ok = response["statusCode"] == 200
        && match function {
            "login" => body.contains("\"accessToken\""),
            _ => body.contains("\"Name\""),
        };
    if ok {
        Ok(())
    } else {
        let shown: String = String::from_utf8_lossy(payload).chars().take(400).collect();
        Err(format!("{function} did not answer as expected: {shown}").into())
    }
}
