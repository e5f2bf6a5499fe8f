//! A decoy costs what the truth costs: against an emulator that answers every AWS call 30 ms late (as a
//! remote Cognito does), each decoy step takes as long as its real twin, because it makes the same
//! Cognito calls (auth::passwordless lists the pairs). A decoy answered without its call would be faster
//! by the delay. A test binary of its own, so that no other test competes for the CPU while it measures.

#[path = "../it/support/mod.rs"]
mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::*;

/// Each AWS call's added latency, and how close two medians must be.
const DELAY_MS: u64 = 30;
const TOLERANCE: Duration = Duration::from_millis(5);
const RUNS: usize = 20;
const WRONG_PASSWORD: &str = "Wr0ng-Passw0rd!";

fn timed(request: impl FnOnce() -> Answer) -> (Duration, Answer) {
    let started = Instant::now();
    let answer = request();
    (started.elapsed(), answer)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs `real` and `decoy` `RUNS` times each, alternating which goes first, after one untimed round
/// (which reads the pool's settings into the API's cache); each gives the timed request's duration and
/// checks its answer. Returns the two medians.
fn race(
    mut real: impl FnMut() -> (Duration, Answer),
    mut decoy: impl FnMut() -> (Duration, Answer),
    same_answer: impl Fn(&Answer, &Answer),
) -> (Duration, Duration) {
    let (_, truth) = real();
    same_answer(&truth, &decoy().1);
    let (mut reals, mut decoys) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let (first, second) = if run % 2 == 0 {
            let r = real();
            (r, decoy())
        } else {
            let d = decoy();
            (real(), d)
        };
        same_answer(&truth, &second.1);
        same_answer(&truth, &first.1);
        reals.push(first.0);
        decoys.push(second.0);
    }
    (median(reals), median(decoys))
}

#[track_caller]
fn assert_same_cost(path: &str, (real, decoy): (Duration, Duration)) {
    eprintln!("{path}: real twin {real:?}, decoy {decoy:?} (medians of {RUNS})");
    let gap = real.abs_diff(decoy);
    assert!(
        gap <= TOLERANCE,
        "{path}: the decoy's median {decoy:?} is {gap:?} from its real twin's {real:?}"
    );
    // Both made at least one (delayed) Cognito call: the measurement can tell a skipped call.
    assert!(
        real >= Duration::from_millis(DELAY_MS) && decoy >= Duration::from_millis(DELAY_MS),
        "{path}: {real:?} / {decoy:?}"
    );
}

fn same_status_and_body(truth: &Answer, other: &Answer) {
    assert_eq!((other.status, &other.body), (truth.status, &truth.body));
}

fn same_status_and_keys(truth: &Answer, other: &Answer) {
    let keys = |a: &Answer| {
        let mut k: Vec<String> = a.body.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        (other.status, keys(other)),
        (truth.status, keys(truth)),
        "{}",
        other.body
    );
}

fn wrong_code(code: &str) -> &'static str {
    if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    }
}

#[test]
fn every_decoy_step_costs_what_its_real_twin_costs() {
    let emulator = start_emulator(&["--delay-ms", &DELAY_MS.to_string()]);
    let pool = create_pool_at(
        &emulator,
        json!({"firstFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"],
               "webAuthn": {"relyingPartyId": "localhost", "origins": [ORIGIN]}}),
    );
    let env = [
        ("SIGN_IN_METHODS", "PASSWORD,EMAIL_OTP,SMS_OTP,WEB_AUTHN"),
        ("LOGIN_SESSION_KEY", "timing-test-key"),
        ("HIDE_EXISTING_USERS", "true"),
    ];
    let api = Api::on_pool_at(&emulator, pool, &env);
    // Unknown users under LEGACY get the API's own decoys (under ENABLED, Cognito's simulations).
    let legacy = Api::on_pool_at(&emulator, legacy_client(&api), &env);

    let holder = unique("holder");
    api.confirmed_user(&holder, json!([]));
    let access = api.login(&holder, PASSWORD)["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut authenticator = Authenticator::new();
    register_passkey(&api, &access, &mut authenticator);
    let plain = unique("plain"); // no phone, no passkey
    api.confirmed_user(&plain, json!([]));

    // /login/otp: a wrong code at a real OTP_CODE step vs. any code at a decoy (a user without a
    // phone asking for SMS_OTP). Five failed codes lock a user out: four per user.
    let coders: Vec<(String, Value, String)> = (0..RUNS.div_ceil(4) + 1)
        .map(|_| {
            let user = unique("coder");
            api.confirmed_user(&user, json!([]));
            let step = api
                .post("/login", json!({"username": user, "method": "EMAIL_OTP"}))
                .expect(200)
                .clone();
            let code = api.last_code(&user, "EMAIL_OTP");
            (user, step, code)
        })
        .collect();
    let decoy_otp = api
        .post("/login", json!({"username": plain, "method": "SMS_OTP"}))
        .expect(200)
        .clone();
    let mut attempt = 0;
    let medians = race(
        || {
            let (user, step, code) = &coders[attempt / 4];
            attempt += 1;
            timed(|| {
                api.post(
                    "/login/otp",
                    json!({"username": user, "loginSession": step["loginSession"], "code": wrong_code(code)}),
                )
            })
        },
        || {
            timed(|| {
                api.post(
                    "/login/otp",
                    json!({"username": plain, "loginSession": decoy_otp["loginSession"], "code": "00000000"}),
                )
            })
        },
        same_status_and_body,
    );
    assert_same_cost("/login/otp", medians);

    // /login/passkey: a failed assertion at a real PASSKEY step vs. at a decoy (a user without a
    // passkey). A WEB_AUTHN session is single use: a fresh step each time, untimed.
    let forged = {
        let step = api
            .post("/login", json!({"username": holder, "method": "WEB_AUTHN"}))
            .expect(200)
            .clone();
        authenticator.get(&step["credentialRequestOptions"], true)
    };
    let passkey_attempt = |user: &str| {
        let step = api
            .post("/login", json!({"username": user, "method": "WEB_AUTHN"}))
            .expect(200)
            .clone();
        timed(|| {
            api.post(
                "/login/passkey",
                json!({"username": user, "loginSession": step["loginSession"], "credential": forged}),
            )
        })
    };
    let medians = race(
        || passkey_attempt(&holder),
        || passkey_attempt(&plain),
        same_status_and_body,
    );
    assert_same_cost("/login/passkey", medians);

    // /login/select: a real SELECT_METHOD step vs. a decoy (an unknown user under LEGACY), for each
    // method. The step is single use: a fresh one each time, untimed.
    let ghost = unique("ghost");
    for (method, password, same) in [
        (
            "PASSWORD",
            Some(WRONG_PASSWORD),
            same_status_and_body as fn(&Answer, &Answer),
        ),
        ("EMAIL_OTP", None, same_status_and_keys),
        ("WEB_AUTHN", None, same_status_and_keys),
    ] {
        let select = |user: &str| {
            let step = legacy
                .post("/login", json!({"username": user}))
                .expect(200)
                .clone();
            assert_eq!(step["nextStep"], "SELECT_METHOD");
            let mut body =
                json!({"username": user, "loginSession": step["loginSession"], "method": method});
            if let Some(password) = password {
                body["password"] = json!(password);
            }
            timed(|| legacy.post("/login/select", body))
        };
        let medians = race(|| select(&holder), || select(&ghost), same);
        assert_same_cost(&format!("/login/select {method}"), medians);
    }

    // /signup/confirm: a fresh sign-up's wrong code vs. a hidden duplicate of a confirmed account.
    let email = |user: &str| json!([{"Name": "email", "Value": format!("{user}@example.com")}]);
    let fresh = unique("fresh");
    let real = api
        .post(
            "/signup",
            json!({"username": fresh, "password": PASSWORD, "attributes": email(&fresh)}),
        )
        .expect(200)
        .clone();
    let code = api.last_code(&fresh, "SIGN_UP");
    let hidden = api
        .post(
            "/signup",
            json!({"username": holder, "password": PASSWORD, "attributes": email(&holder)}),
        )
        .expect(200)
        .clone();
    let medians = race(
        || {
            timed(|| {
                api.post(
                    "/signup/confirm",
                    json!({"username": fresh, "confirmationCode": other_than(&code), "loginSession": real["loginSession"]}),
                )
            })
        },
        || {
            timed(|| {
                api.post(
                    "/signup/confirm",
                    json!({"username": holder, "confirmationCode": "123456", "loginSession": hidden["loginSession"]}),
                )
            })
        },
        same_status_and_body,
    );
    assert_same_cost("/signup/confirm", medians);
}
