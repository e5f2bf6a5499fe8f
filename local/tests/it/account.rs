//! The account itself: `/account/delete`, which re-checks the password. (`/account/factors` is covered
//! with the factors it lists, in `mfa` and `passkeys`.)

use crate::support::*;
use serde_json::json;

#[test]
fn account_deletion_needs_the_password() {
    let api = Api::start();
    let (user, tokens) = signed_in(&api, "walt");
    let access = tokens["accessToken"].as_str().unwrap();
    api.post_bearer("/account/delete", access, json!({}))
        .expect_error(400, "invalid_request");
    api.post_bearer(
        "/account/delete",
        access,
        json!({"password": "Wr0ng-Passw0rd!"}),
    )
    .expect_error(401, "not_authorized");
    assert!(
        api.login(&user, PASSWORD)["accessToken"].is_string(),
        "nothing was deleted"
    );
    api.post_bearer("/account/delete", access, json!({"password": PASSWORD}))
        .expect(200);
    api.post("/login", json!({"username": user, "password": PASSWORD}))
        .expect_error(401, "not_authorized");
    api.post_bearer("/profile/get", access, json!({}))
        .expect_error(401, "not_authorized");
}
