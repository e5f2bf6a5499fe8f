//! The session after sign-in: `/session/refresh`, `/session/revoke` (one session) and `/logout` (all of
//! them, by access token or by refresh token), and every authenticated route refusing revoked tokens.

use crate::support::*;
use serde_json::json;

#[test]
fn refresh_then_logout_revokes_everything() {
    let api = Api::start();
    let user = unique("carl");
    api.confirmed_user(&user, json!([]));
    let tokens = api.login(&user, PASSWORD);
    let refresh = tokens["refreshToken"].as_str().unwrap();

    let refreshed = api
        .post(
            "/session/refresh",
            json!({"username": user, "refreshToken": refresh}),
        )
        .expect(200)
        .clone();
    assert_eq!(
        refreshed["refreshToken"], refresh,
        "not rotated: the one sent comes back"
    );
    assert!(refreshed["accessToken"].as_str().is_some());
    assert_eq!(refreshed.as_object().unwrap().len(), 7);

    let access = refreshed["accessToken"].as_str().unwrap();
    api.post_bearer("/logout", access, json!({})).expect(200);
    api.post(
        "/session/refresh",
        json!({"username": user, "refreshToken": refresh}),
    )
    .expect_error(401, "not_authorized");
    api.post_bearer("/logout", access, json!({}))
        .expect_error(401, "not_authorized");
}

#[test]
fn logout_by_refresh_token_and_username() {
    let api = Api::start();
    let user = unique("dora");
    api.confirmed_user(&user, json!([]));
    let tokens = api.login(&user, PASSWORD);
    api.post(
        "/logout",
        json!({"refreshToken": tokens["refreshToken"], "username": user}),
    )
    .expect(200);
    api.post_bearer(
        "/profile/get",
        tokens["accessToken"].as_str().unwrap(),
        json!({}),
    )
    .expect_error(401, "not_authorized");
    // Without a client secret Cognito needs no username: the refresh token alone signs out.
    let tokens = api.login(&user, PASSWORD);
    api.post("/logout", json!({"refreshToken": tokens["refreshToken"]}))
        .expect(200);
    api.post("/logout", json!({"refreshToken": tokens["refreshToken"]}))
        .expect_error(401, "not_authorized");
    // With one, SECRET_HASH needs it: a 400 naming it.
    let api = Api::start_with(json!({"clientSecret": true}), &[]);
    api.confirmed_user(&user, json!([]));
    let tokens = api.login(&user, PASSWORD);
    let missing = api.post("/logout", json!({"refreshToken": tokens["refreshToken"]}));
    missing.expect_error(400, "invalid_request");
    assert!(missing.body["message"]
        .as_str()
        .unwrap()
        .contains("username"));
}

#[test]
fn revoking_one_session_leaves_the_others() {
    let api = Api::start();
    let (user, first) = signed_in(&api, "xena");
    let second = api.login(&user, PASSWORD);
    api.post("/session/revoke", json!({}))
        .expect_error(400, "invalid_request");
    api.post(
        "/session/revoke",
        json!({"refreshToken": first["refreshToken"]}),
    )
    .expect(200);
    api.post(
        "/session/refresh",
        json!({"username": user, "refreshToken": first["refreshToken"]}),
    )
    .expect_error(401, "not_authorized");
    api.post(
        "/session/refresh",
        json!({"username": user, "refreshToken": second["refreshToken"]}),
    )
    .expect(200);
}

#[test]
fn every_authenticated_route_is_401_after_logout() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "mona");
    let access = tokens["accessToken"].as_str().unwrap();
    api.post_bearer("/logout", access, json!({})).expect(200);
    let routes = [
        ("/mfa/get", json!({})),
        ("/mfa/set", json!({"enableMfa": false})),
        ("/profile/get", json!({})),
        (
            "/profile/edit",
            json!({"attributes": [{"Name": "name", "Value": "x"}]}),
        ),
        ("/profile/phone", json!({"phone_number": "+14155550100"})),
        (
            "/profile/attribute/confirm",
            json!({"attribute": "email", "confirmationCode": "123456"}),
        ),
        (
            "/password/change",
            json!({"oldPassword": PASSWORD, "newPassword": "An0ther-Passw0rd!"}),
        ),
        ("/logout", json!({})),
    ];
    for (route, body) in &routes {
        api.post_bearer(route, access, body.clone())
            .expect_error(401, "not_authorized");
        let mut with_refresh = body.clone();
        with_refresh["refreshToken"] = tokens["refreshToken"].clone();
        with_refresh["username"] = json!(user);
        api.post(route, with_refresh)
            .expect_error(401, "not_authorized");
        // A revoked token with a wrong body is still 401: credentials are checked first.
        api.post_bearer(route, access, json!({"unexpected": 1}))
            .expect_error(401, "not_authorized");
    }
    // No credentials at all, and a header that is not a bearer token.
    api.post("/profile/get", json!({}))
        .expect_error(401, "not_authorized");
    api.post_with(
        "/profile/get",
        json!({"accessToken": access}),
        &[("authorization", "Basic Zm9vOmJhcg==")],
    )
    .expect_error(401, "not_authorized");
}
