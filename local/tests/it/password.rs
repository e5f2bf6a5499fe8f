//! Passwords: `/password/change` (signed in), `/password/forgot` and `/password/reset` (with the emailed
//! code: wrong, weak, expired).

use crate::support::*;
use serde_json::{json, Value};

#[test]
fn password_change() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "kate");
    let access = tokens["accessToken"].as_str().unwrap();
    let new_password = "N3w-Passw0rd!!";
    api.post_bearer(
        "/password/change",
        access,
        json!({"oldPassword": "Wr0ng-Passw0rd!", "newPassword": new_password}),
    )
    .expect_error(401, "not_authorized");
    api.post_bearer(
        "/password/change",
        access,
        json!({"oldPassword": PASSWORD, "newPassword": "weak"}),
    )
    .expect_error(400, "invalid_password");
    // Refresh-token credentials work here too.
    api.post(
        "/password/change",
        json!({"refreshToken": tokens["refreshToken"], "username": user, "oldPassword": PASSWORD, "newPassword": new_password}),
    )
    .expect(200);
    api.post("/login", json!({"username": user, "password": PASSWORD}))
        .expect_error(401, "not_authorized");
    assert!(api.login(&user, new_password)["accessToken"].is_string());
}

#[test]
fn forgot_then_reset_password() {
    let api = Api::start();
    let (user, _) = signed_in(&api, "liam");
    let known = api
        .post("/password/forgot", json!({"username": user}))
        .expect(200)
        .clone();
    let unknown = api.post("/password/forgot", json!({"username": unique("nobody")}));
    assert_eq!(unknown.status, 200);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&known), keys(&unknown.body));
    assert_eq!(known["status"], "SUCCESS");
    assert_eq!(known["codeDeliveryDetails"]["deliveryMedium"], "EMAIL");

    let code = api.last_code(&user, "FORGOT_PASSWORD");
    let new_password = "Res3t-Passw0rd!";
    let wrong = if code == "000000" { "111111" } else { "000000" };
    api.post(
        "/password/reset",
        json!({"username": user, "passwordResetCode": wrong, "newPassword": new_password}),
    )
    .expect_error(400, "code_mismatch");
    api.post(
        "/password/reset",
        json!({"username": user, "passwordResetCode": code, "newPassword": "weak"}),
    )
    .expect_error(400, "invalid_password");
    api.post(
        "/password/reset",
        json!({"username": user, "passwordResetCode": code, "newPassword": new_password}),
    )
    .expect(200);
    assert!(api.login(&user, new_password)["accessToken"].is_string());
    api.post("/login", json!({"username": user, "password": PASSWORD}))
        .expect_error(401, "not_authorized");

    api.post("/password/forgot", json!({"username": user}))
        .expect(200);
    let code = api.last_code(&user, "FORGOT_PASSWORD");
    api.expire_codes(&user);
    api.post(
        "/password/reset",
        json!({"username": user, "passwordResetCode": code, "newPassword": "An0ther-Passw0rd!"}),
    )
    .expect_error(400, "expired_code");
}
