//! The abuse limits over HTTP, against the emulator and its DynamoDB (each test its own pool and its own
//! counters table): every rule, real and made-up accounts alike, a refused request changing nothing,
//! concurrency, a restart, the store down or hanging, and the client's IP on its way to Cognito.

use crate::support::*;
use serde_json::{json, Value};
use std::io::Read;
use std::time::{Duration, Instant};

const KEY: (&str, &str) = ("LOGIN_SESSION_KEY", "rate-limit-test-key");

/// A pool, an API without limits on it (to set users up) and one with limits on a fresh table.
fn limited(pool_options: Value, env: &[(&str, &str)]) -> (Api, Api, String) {
    let pool = create_pool(pool_options);
    let table = create_limits_table(emulator_url());
    let setup = Api::on_pool(pool.clone(), &[KEY]);
    let mut all = vec![KEY, ("RATE_LIMIT_TABLE", table.as_str())];
    all.extend_from_slice(env);
    let api = Api::on_pool(pool, &all);
    (setup, api, table)
}

fn assert_limited(answer: &Answer, window: u32) {
    answer.expect_error(429, "too_many_requests");
    let wait: u32 = answer
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=window).contains(&wait), "Retry-After {wait}");
}

fn count(api: &Api, user: &str, kind: &str) -> usize {
    api.messages(user)
        .iter()
        .filter(|m| m["kind"] == kind)
        .count()
}

#[test]
fn one_code_a_minute_per_account_alike_for_real_and_made_up_accounts() {
    let (setup, api, _) = limited(json!({}), &[]);
    let real = unique("coded");
    setup.confirmed_user(&real, json!([]));
    let ghost = unique("ghost");
    let mut refusals = Vec::new();
    for user in [&real, &ghost] {
        let first = api.post("/password/forgot", json!({"username": user}));
        first.expect(200);
        let second = api.post("/password/forgot", json!({"username": user}));
        assert_limited(&second, 60);
        refusals.push(second.body);
    }
    assert_eq!(refusals[0], refusals[1], "the same answer for both");
    // The refused request made no Cognito call: one code only.
    assert_eq!(count(&api, &real, "FORGOT_PASSWORD"), 1);
    // Another account is not affected.
    api.post("/password/forgot", json!({"username": unique("other")}))
        .expect(200);
}

#[test]
fn five_codes_an_hour_per_account_under_concurrency_exactly() {
    // The emulator answers one call at a time: under 20 concurrent requests its queue, not the store,
    // would otherwise hit the default 300 ms bound (and fail closed, as it should).
    let (_, api, table) = limited(
        json!({}),
        &[
            ("RATE_LIMIT_CODE_SENDS_PER_ACCOUNT_MINUTE", "0"),
            ("RATE_LIMIT_TIMEOUT_MS", "5000"),
        ],
    );
    let user = unique("flood");
    let base = api.base.clone();
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let (base, user) = (base.clone(), user.clone());
            std::thread::spawn(move || {
                ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .new_agent()
                    .post(format!("{base}/signup/resend"))
                    .send_json(json!({"username": user}))
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        15,
        "{statuses:?}"
    );
    // The table agrees: the hour's counter of this account is at its limit, no further.
    let counts: Vec<String> = limits_items(emulator_url(), &table)
        .iter()
        .filter(|item| {
            item["pk"]["S"]
                .as_str()
                .unwrap()
                .starts_with("account-sends-1h#")
        })
        .map(|item| item["n"]["N"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(counts, ["5"]);
}

#[test]
fn guesses_per_account_alike_for_real_and_made_up_accounts() {
    let (setup, api, _) = limited(json!({}), &[("RATE_LIMIT_GUESSES_PER_ACCOUNT", "3")]);
    let real = unique("guessed");
    setup.confirmed_user(&real, json!([]));
    let ghost = unique("ghost");
    let mut refusals = Vec::new();
    for user in [&real, &ghost] {
        for _ in 0..3 {
            api.post(
                "/login",
                json!({"username": user, "password": "Wr0ng-Passw0rd!"}),
            )
            .expect_error(401, "not_authorized");
        }
        // Even the right password: the account's guesses are used up.
        let refused = api.post("/login", json!({"username": user, "password": PASSWORD}));
        assert_limited(&refused, 300);
        refusals.push(refused.body);
    }
    assert_eq!(refusals[0], refusals[1]);
    // Other routes that check a secret of the account share the allowance.
    assert_limited(
        &api.post(
            "/password/reset",
            json!({"username": real, "passwordResetCode": "123456", "newPassword": PASSWORD}),
        ),
        300,
    );
    // Any spelling of the username is the same account.
    assert_limited(
        &api.post(
            "/login",
            json!({"username": real.to_uppercase(), "password": PASSWORD}),
        ),
        300,
    );
}

#[test]
fn a_refused_request_gives_back_what_it_took_from_other_rules() {
    let (_, api, table) = limited(
        json!({}),
        &[
            ("RATE_LIMIT_GUESSES_PER_ACCOUNT", "2"),
            ("RATE_LIMIT_GUESSES_PER_IP", "4"),
        ],
    );
    let wrong = |user: &str| {
        api.post(
            "/login",
            json!({"username": user, "password": "Wr0ng-Passw0rd!"}),
        )
    };
    let (first, second, third) = (unique("a"), unique("b"), unique("c"));
    wrong(&first).expect_error(401, "not_authorized");
    wrong(&first).expect_error(401, "not_authorized");
    // Refused by the account rule: the IP's count it took is given back...
    assert_limited(&wrong(&first), 300);
    // ...so the IP still has two guesses left.
    wrong(&second).expect_error(401, "not_authorized");
    wrong(&second).expect_error(401, "not_authorized");
    assert_limited(&wrong(&third), 300);
    let ip_counts: Vec<String> = limits_items(emulator_url(), &table)
        .iter()
        .filter(|item| {
            item["pk"]["S"]
                .as_str()
                .unwrap()
                .starts_with("ip-guesses-5m#")
        })
        .map(|item| item["n"]["N"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ip_counts, ["4"]);
    // Nothing readable about anyone is stored.
    for item in limits_items(emulator_url(), &table) {
        let text = item.to_string();
        assert!(
            !text.contains(&first) && !text.contains("127.0.0.1"),
            "{text}"
        );
    }
}

#[test]
fn the_deployment_sends_at_most_its_sms_cap() {
    let (_, api, _) = limited(
        json!({"firstFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}),
        &[
            ("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP,SMS_OTP"),
            ("RATE_LIMIT_SMS_PER_HOUR", "1"),
        ],
    );
    api.post(
        "/login",
        json!({"username": unique("sms"), "method": "SMS_OTP"}),
    )
    .expect(200);
    assert_limited(
        &api.post(
            "/login",
            json!({"username": unique("sms"), "method": "SMS_OTP"}),
        ),
        3600,
    );
    // Email codes are not SMS.
    api.post(
        "/login",
        json!({"username": unique("mail"), "method": "EMAIL_OTP"}),
    )
    .expect(200);
}

#[test]
fn code_sends_per_ip() {
    let (_, api, _) = limited(json!({}), &[("RATE_LIMIT_CODE_SENDS_PER_IP", "2")]);
    for _ in 0..2 {
        api.post("/signup/resend", json!({"username": unique("u")}))
            .expect(200);
    }
    assert_limited(
        &api.post("/signup/resend", json!({"username": unique("u")})),
        300,
    );
}

#[test]
fn counters_survive_a_restart() {
    let (_, api, table) = limited(json!({}), &[]);
    let user = unique("restart");
    api.post("/password/forgot", json!({"username": user}))
        .expect(200);
    let pool = api.pool.clone();
    drop(api);
    let again = Api::on_pool(pool, &[KEY, ("RATE_LIMIT_TABLE", &table)]);
    assert_limited(
        &again.post("/password/forgot", json!({"username": user})),
        60,
    );
}

/// A server that accepts connections and never answers: a store that hangs.
fn hanging_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    format!("http://{address}")
}

fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

#[test]
fn with_the_store_down_or_hanging_codes_fail_closed_and_guesses_fail_open() {
    for (what, endpoint) in [("down", closed_endpoint()), ("hanging", hanging_endpoint())] {
        let pool = create_pool(json!({}));
        let setup = Api::on_pool(pool.clone(), &[KEY]);
        let user = unique("fault");
        setup.confirmed_user(&user, json!([]));
        let api = Api::on_pool(
            pool,
            &[
                KEY,
                ("RATE_LIMIT_TABLE", "limits"),
                ("AWS_ENDPOINT_URL_DYNAMODB", &endpoint),
            ],
        );
        let started = Instant::now();
        let answer = api.post("/password/forgot", json!({"username": user}));
        answer.expect_error(503, "upstream_unavailable");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{what}: {:?}",
            started.elapsed()
        );
        assert_eq!(
            count(&api, &user, "FORGOT_PASSWORD"),
            0,
            "{what}: no code sent"
        );
        let started = Instant::now();
        api.login(&user, PASSWORD);
        assert!(started.elapsed() < Duration::from_secs(2), "{what}");
        let logs = api.logs();
        assert!(
            logs.contains("fail closed") && logs.contains("fail open"),
            "{what}: {logs}"
        );
    }
}

fn user_context(api: &Api) -> Vec<Value> {
    let mut answer = ureq::get(format!(
        "{}/_emulator/user-context?clientId={}",
        api.emulator, api.pool.client_id
    ))
    .call()
    .unwrap();
    let mut text = String::new();
    answer
        .body_mut()
        .as_reader()
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["calls"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn the_clients_ip_reaches_cognito_and_keys_the_ip_rules() {
    let (setup, api, _) = limited(
        json!({}),
        &[
            ("PASS_CLIENT_IP_TO_COGNITO", "true"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
            ("RATE_LIMIT_GUESSES_PER_IP", "1"),
        ],
    );
    let user = unique("traveller");
    setup.confirmed_user(&user, json!([]));
    let from = |ip: &str| {
        api.post_with(
            "/login",
            json!({"username": user, "password": PASSWORD}),
            &[
                ("x-forwarded-for", ip),
                ("x-cognito-context-data", "device-fingerprint"),
            ],
        )
    };
    from("203.0.113.9").expect(200);
    // The same forwarded address has used its one guess; another one has its own.
    assert_limited(&from("203.0.113.9"), 300);
    from("198.51.100.4").expect(200);
    let calls: Vec<Value> = user_context(&api)
        .into_iter()
        .filter(|c| c["operation"] == "InitiateAuth")
        .collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0]["ipAddress"], "203.0.113.9");
    assert_eq!(calls[1]["ipAddress"], "198.51.100.4");
    assert_eq!(calls[0]["encodedData"], "device-fingerprint");

    // Without the setting, the IP stays here (the encoded data still goes).
    let plain = Api::on_pool(api.pool.clone(), &[KEY]);
    plain
        .post_with(
            "/login",
            json!({"username": user, "password": PASSWORD}),
            &[("x-cognito-context-data", "fp2")],
        )
        .expect(200);
    let last = user_context(&api).last().cloned().unwrap();
    assert_eq!(
        (last["ipAddress"].clone(), last["encodedData"].clone()),
        (Value::Null, json!("fp2"))
    );
}

#[test]
fn a_sign_up_code_never_blocks_the_sign_in_that_follows() {
    let (_, api, _) = limited(json!({}), &[]);
    let user = unique("newcomer");
    // Sign-up (a code sent), confirmation, sign-in: all within the minute, all allowed.
    api.confirmed_user(&user, json!([]));
    api.login(&user, PASSWORD);
    // A second code within the minute is what the rule refuses.
    assert_limited(&api.post("/signup/resend", json!({"username": user})), 60);
}

#[test]
fn mfa_codes_a_password_sign_in_sends_are_counted() {
    let (setup, api, _) = limited(json!({}), &[]);
    let user = unique("smsmfa");
    setup.confirmed_user(&user, json!([]));
    let access = setup.login(&user, PASSWORD)["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    setup
        .post_bearer(
            "/profile/phone",
            &access,
            json!({"phone_number": "+14155550142"}),
        )
        .expect(200);
    let code = setup.last_code(&user, "VERIFY_ATTRIBUTE");
    setup
        .post_bearer(
            "/profile/attribute/confirm",
            &access,
            json!({"attribute": "phone_number", "confirmationCode": code}),
        )
        .expect(200);
    setup
        .post_bearer(
            "/mfa/set",
            &access,
            json!({"enableMfa": true, "method": "SMS_MFA"}),
        )
        .expect(200);
    let step = api
        .post("/login", json!({"username": user, "password": PASSWORD}))
        .expect(200)
        .clone();
    assert_eq!(step["nextStep"], "MFA_AUTH");
    // The SMS it made Cognito send used the account's minute: the next sign-in would send another.
    let before = count(&api, &user, "SMS_MFA");
    assert_limited(
        &api.post("/login", json!({"username": user, "password": PASSWORD})),
        60,
    );
    assert_eq!(count(&api, &user, "SMS_MFA"), before, "no second SMS");
    // The code already sent still signs in.
    let sms = api.last_code(&user, "SMS_MFA");
    api.post(
        "/login/mfa",
        json!({"username": user, "loginSession": step["loginSession"], "mfaCode": sms}),
    )
    .expect(200);
}
