//! Abuse limits: how many codes an account and a client IP may make Cognito send, how many SMS the whole
//! deployment may send, and how many secrets (passwords, codes) an account and a client IP may try, per
//! window of time. Counters live in DynamoDB (RATE_LIMIT_TABLE), so they hold across containers and
//! restarts.
//!
//! - **Keys.** An account is a keyed HMAC (LOGIN_SESSION_KEY) of the normalised identifier the request
//!   names, computed the same way whether or not the account exists; a client IP is an HMAC too. Nothing
//!   readable about a person is stored: an item is `pk` = `<rule>#<hmac>#<window>`, `n` (the count) and
//!   `expires_at` (DynamoDB's TTL: gone after its window).
//! - **Atomic.** Each counter moves by one conditional UpdateItem (`n < limit`), so no window's count
//!   ever passes its limit, whatever the concurrency. A request's counters are updated concurrently (one
//!   round trip); when one refuses, the others are given back, so a refused request leaves every counter
//!   as it was.
//! - **Faults.** Each store call is bounded (RATE_LIMIT_TIMEOUT_MS). A route that sends a code fails
//!   closed (503: no code is sent blind); a route that checks a secret fails open (one error line: sign-in
//!   stays up).
//!
//! A building block: it imports no operation.

use crate::config::RateLimits;
use crate::error::ApiError;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::task::JoinSet;

/// One rule: what is counted, per what, over which window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Codes sent for one account, per 60 s.
    AccountSendsPerMinute,
    /// Codes sent for one account, per hour.
    AccountSendsPerHour,
    /// MFA codes a password sign-in made Cognito send for one account, per 60 s (the code-send
    /// allowance, counted apart so that a sign-up's or a reset's code never blocks a sign-in).
    AccountMfaSendsPerMinute,
    /// The same, per hour.
    AccountMfaSendsPerHour,
    /// Codes sent at the request of one client IP, per 5 minutes.
    IpSends,
    /// SMS sent by the whole deployment, per hour (the toll-fraud cap).
    SmsSends,
    /// Secrets tried for one account, per 5 minutes.
    AccountGuesses,
    /// Secrets tried from one client IP, per 5 minutes.
    IpGuesses,
}

impl Rule {
    fn id(self) -> &'static str {
        match self {
            Rule::AccountSendsPerMinute => "account-sends-60s",
            Rule::AccountSendsPerHour => "account-sends-1h",
            Rule::AccountMfaSendsPerMinute => "account-mfa-sends-60s",
            Rule::AccountMfaSendsPerHour => "account-mfa-sends-1h",
            Rule::IpSends => "ip-sends-5m",
            Rule::SmsSends => "sms-1h",
            Rule::AccountGuesses => "account-guesses-5m",
            Rule::IpGuesses => "ip-guesses-5m",
        }
    }

    fn window_seconds(self) -> u64 {
        match self {
            Rule::AccountSendsPerMinute | Rule::AccountMfaSendsPerMinute => 60,
            Rule::AccountSendsPerHour | Rule::AccountMfaSendsPerHour | Rule::SmsSends => 3600,
            Rule::IpSends | Rule::AccountGuesses | Rule::IpGuesses => 300,
        }
    }

    fn allowance(self, limits: &RateLimits) -> u32 {
        match self {
            Rule::AccountSendsPerMinute | Rule::AccountMfaSendsPerMinute => {
                limits.code_sends_per_account_minute
            }
            Rule::AccountSendsPerHour | Rule::AccountMfaSendsPerHour => {
                limits.code_sends_per_account_hour
            }
            Rule::IpSends => limits.code_sends_per_ip,
            Rule::SmsSends => limits.sms_per_hour,
            Rule::AccountGuesses => limits.guesses_per_account,
            Rule::IpGuesses => limits.guesses_per_ip,
        }
    }
}

/// How a code will travel, as far as the API knows before Cognito sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    Sms,
    Email,
    /// Cognito chooses (the user's verified attributes): the SMS cap is checked before, counted after.
    Unknown,
}

/// Who is asking: the client's IP, and the encoded device data the browser sent (for Cognito).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientContext {
    pub ip: Option<IpAddr>,
    /// `X-Cognito-Context-Data`: the `EncodedData` of AWS's advanced-security script.
    pub encoded_data: Option<String>,
}

/// The header that carries the browser's `EncodedData` (amazon-cognito-advanced-security-data.js).
pub const CONTEXT_DATA_HEADER: &str = "x-cognito-context-data";

/// The client's IP: the front door's peer (API Gateway's `sourceIp`, the local socket's peer), or,
/// where that peer is a trusted proxy, the last address of `X-Forwarded-For` that is not one.
pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &http::HeaderMap,
    trusted_proxies: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    // A header the proxy did not write well: the proxy itself is the client we know.
    let forwarded: Option<Vec<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|value| value.to_str().ok())
        .collect::<Option<Vec<&str>>>()
        .and_then(|values| {
            values
                .iter()
                .flat_map(|v| v.split(','))
                .map(|item| item.trim().parse().ok())
                .collect()
        });
    Some(
        forwarded
            .unwrap_or_default()
            .into_iter()
            .rev()
            .find(|ip| !trusted_proxies.contains(ip))
            .unwrap_or(peer),
    )
}

/// The per-container limiter: its settings, the store and the key of the counters' names.
pub struct Limits {
    settings: RateLimits,
    store: aws_sdk_dynamodb::Client,
    key: Vec<u8>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("table", &self.settings.table)
            .finish_non_exhaustive()
    }
}

/// What a route does, which decides what a store fault means for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteKind {
    /// Sends a code: fail closed.
    SendsCode,
    /// Checks a secret: fail open.
    ChecksSecret,
}

/// One counter of one request.
#[derive(Debug, Clone)]
struct Counter {
    rule: Rule,
    pk: String,
    allowance: u32,
    expires_at: u64,
    seconds_left: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// +1 if under the allowance, else refused.
    Take,
    /// Refused if the allowance is used up; nothing changes.
    Check,
    /// -1 (a refused request gives back what it took).
    GiveBack,
}

enum Outcome {
    Done,
    Refused,
    Failed,
}

impl Limits {
    pub fn new(settings: RateLimits, store: aws_sdk_dynamodb::Client, key: &str) -> Limits {
        let mut derived =
            Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
        derived.update(b"cognito-user-pool-rs rate limit keys");
        Limits {
            settings,
            store,
            key: derived.finalize().into_bytes().to_vec(),
        }
    }

    /// Before a route sends a code for `account` by `medium`: takes from the account's and the IP's
    /// allowances (and the deployment's SMS cap for an SMS; checks it for an unknown medium). Over a
    /// limit: 429; the store unreachable: 503 (fail closed).
    pub async fn before_code(
        &self,
        client: &ClientContext,
        account: &str,
        medium: Medium,
    ) -> Result<(), ApiError> {
        let mut take = vec![
            self.counter(Rule::AccountSendsPerMinute, Some(account), None),
            self.counter(Rule::AccountSendsPerHour, Some(account), None),
            self.counter(Rule::IpSends, None, client.ip),
        ];
        let mut check = Vec::new();
        match medium {
            Medium::Sms => take.push(self.counter(Rule::SmsSends, None, None)),
            Medium::Unknown => check.push(self.counter(Rule::SmsSends, None, None)),
            Medium::Email => {}
        }
        self.charge(RouteKind::SendsCode, take, check).await
    }

    /// Before a route checks a secret of `account`: takes from the account's and the IP's guesses.
    /// Over a limit: 429; the store unreachable: allowed, with one error line (fail open).
    pub async fn before_guess(
        &self,
        client: &ClientContext,
        account: &str,
    ) -> Result<(), ApiError> {
        let take = vec![
            self.counter(Rule::AccountGuesses, Some(account), None),
            self.counter(Rule::IpGuesses, None, client.ip),
        ];
        self.charge(RouteKind::ChecksSecret, take, Vec::new()).await
    }

    /// Before a password sign-in, which may make Cognito send an MFA code: a guess, and the account's MFA
    /// code allowances checked (a code sent is counted after, by `after_code`).
    pub async fn before_password(
        &self,
        client: &ClientContext,
        account: &str,
    ) -> Result<(), ApiError> {
        let take = vec![
            self.counter(Rule::AccountGuesses, Some(account), None),
            self.counter(Rule::IpGuesses, None, client.ip),
        ];
        // The account's MFA code allowances: counted only when a sign-in made Cognito send a code, so
        // that a sign-up's or a reset's code a moment ago never blocks the sign-in that follows. The IP
        // and SMS rules count the code after (an MFA code needs the right password).
        let check = vec![
            self.counter(Rule::AccountMfaSendsPerMinute, Some(account), None),
            self.counter(Rule::AccountMfaSendsPerHour, Some(account), None),
        ];
        self.charge(RouteKind::ChecksSecret, take, check).await
    }

    /// After Cognito sent a code the API could not foresee: an MFA code after a password (`whole`:
    /// count it against every code allowance), or the SMS of a route whose medium was unknown.
    pub async fn after_code(&self, client: &ClientContext, account: &str, sms: bool, whole: bool) {
        let mut count = Vec::new();
        if whole {
            count.push(self.counter(Rule::AccountMfaSendsPerMinute, Some(account), None));
            count.push(self.counter(Rule::AccountMfaSendsPerHour, Some(account), None));
            count.push(self.counter(Rule::AccountSendsPerMinute, Some(account), None));
            count.push(self.counter(Rule::AccountSendsPerHour, Some(account), None));
            count.push(self.counter(Rule::IpSends, None, client.ip));
        }
        if sms {
            count.push(self.counter(Rule::SmsSends, None, None));
        }
        // Taken like any other send, so that no count passes its limit (one already at it refuses
        // the next request anyway).
        let count: Vec<Counter> = count.into_iter().filter(|c| c.allowance > 0).collect();
        let results = self.run(Step::Take, count).await;
        if results
            .iter()
            .any(|(_, outcome)| matches!(outcome, Outcome::Failed))
        {
            tracing::error!("the rate limits' store failed: a code sent was not counted");
        }
    }

    /// The counter of `rule` for this moment: the account's, the IP's or the deployment's.
    fn counter(&self, rule: Rule, account: Option<&str>, ip: Option<IpAddr>) -> Counter {
        let subject = match (account, ip) {
            (Some(account), _) => self.hash(&format!("account:{}", normalise(account))),
            (None, Some(ip)) => self.hash(&format!("ip:{ip}")),
            // No IP (a test request): the counter of requests without one.
            (None, None) if matches!(rule, Rule::IpSends | Rule::IpGuesses) => self.hash("ip:none"),
            (None, None) => "deployment".to_owned(),
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let window = rule.window_seconds();
        let index = now / window;
        let ends = (index + 1) * window;
        Counter {
            rule,
            pk: format!("{}#{subject}#{index}", rule.id()),
            allowance: rule.allowance(&self.settings),
            expires_at: ends + 60,
            seconds_left: (ends - now).max(1),
        }
    }

    fn hash(&self, text: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(text.as_bytes());
        URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16])
    }

    /// Takes `take` and checks `check`, all at once; on a refusal gives back what was taken.
    async fn charge(
        &self,
        kind: RouteKind,
        take: Vec<Counter>,
        check: Vec<Counter>,
    ) -> Result<(), ApiError> {
        // A rule at 0 is off.
        let take: Vec<Counter> = take.into_iter().filter(|c| c.allowance > 0).collect();
        let check: Vec<Counter> = check.into_iter().filter(|c| c.allowance > 0).collect();
        let (taken, checked) =
            tokio::join!(self.run(Step::Take, take), self.run(Step::Check, check));
        let mut refused_for = 0u64;
        let mut failed = false;
        let mut to_give_back = Vec::new();
        for ((counter, outcome), step) in taken
            .into_iter()
            .map(|r| (r, Step::Take))
            .chain(checked.into_iter().map(|r| (r, Step::Check)))
        {
            match outcome {
                Outcome::Done if step == Step::Take => to_give_back.push(counter),
                Outcome::Done => {}
                Outcome::Refused => {
                    tracing::info!(rule = counter.rule.id(), "rate limit reached");
                    refused_for = refused_for.max(counter.seconds_left);
                }
                Outcome::Failed => failed = true,
            }
        }
        let refusal = match (refused_for, failed, kind) {
            (0, false, _) => return Ok(()),
            (0, true, RouteKind::ChecksSecret) => {
                // It goes on, and keeps what it could take: it was tried.
                tracing::error!(
                    "the rate limits' store failed: the request goes on unlimited (fail open)"
                );
                return Ok(());
            }
            (0, true, RouteKind::SendsCode) => {
                tracing::error!("the rate limits' store failed: no code is sent (fail closed)");
                ApiError::UpstreamUnavailable
            }
            (seconds, _, _) => ApiError::TooManyRequests {
                retry_after: u32::try_from(seconds).unwrap_or(u32::MAX),
            },
        };
        // A refused request changes nothing: give back what it took.
        let given_back = self.run(Step::GiveBack, to_give_back).await;
        if given_back.iter().any(|(_, o)| matches!(o, Outcome::Failed)) {
            tracing::error!(
                "the rate limits' store failed: a refused request's count was not given back"
            );
        }
        Err(refusal)
    }

    /// One UpdateItem per counter, concurrently.
    async fn run(&self, step: Step, counters: Vec<Counter>) -> Vec<(Counter, Outcome)> {
        let mut tasks = JoinSet::new();
        for counter in counters {
            let call = self.update(step, &counter);
            tasks.spawn(async move {
                let outcome = match call.send().await {
                    Ok(_) => Outcome::Done,
                    Err(SdkError::ServiceError(err))
                        if matches!(
                            err.err(),
                            UpdateItemError::ConditionalCheckFailedException(_)
                        ) =>
                    {
                        Outcome::Refused
                    }
                    Err(err) => {
                        tracing::warn!(failure = %aws_sdk_dynamodb::error::DisplayErrorContext(&err), "rate limit store call failed");
                        Outcome::Failed
                    }
                };
                (counter, outcome)
            });
        }
        let mut results = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            if let Ok(result) = joined {
                results.push(result);
            }
        }
        results
    }

    fn update(
        &self,
        step: Step,
        counter: &Counter,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        let delta = match step {
            Step::Take => "1",
            Step::Check => "0",
            Step::GiveBack => "-1",
        };
        let call = self
            .store
            .update_item()
            .table_name(&self.settings.table)
            .key("pk", AttributeValue::S(counter.pk.clone()))
            .update_expression("ADD #n :delta SET #x = :expires")
            .expression_attribute_names("#n", "n")
            .expression_attribute_names("#x", "expires_at")
            .expression_attribute_values(":delta", AttributeValue::N(delta.to_owned()))
            .expression_attribute_values(
                ":expires",
                AttributeValue::N(counter.expires_at.to_string()),
            );
        match step {
            Step::Take | Step::Check => call
                .condition_expression("attribute_not_exists(#n) OR #n < :allowance")
                .expression_attribute_values(
                    ":allowance",
                    AttributeValue::N(counter.allowance.to_string()),
                ),
            Step::GiveBack => call,
        }
    }
}

/// The store's client, bounded by RATE_LIMIT_TIMEOUT_MS (all attempts of a call included).
pub fn store_client(settings: &RateLimits) -> aws_sdk_dynamodb::Client {
    use aws_sdk_dynamodb::config::retry::RetryConfig;
    use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
    use aws_sdk_dynamodb::config::{BehaviorVersion, Region};
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(settings.timeout)
        .read_timeout(settings.timeout)
        .operation_attempt_timeout(settings.timeout)
        .operation_timeout(settings.timeout)
        .build();
    let mut builder = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(crate::aws::http_client(settings.endpoint_url.as_deref()))
        .region(Region::new(settings.region.clone()))
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(2));
    if let Some(endpoint) = &settings.endpoint_url {
        builder = builder.endpoint_url(endpoint);
    }
    if let Some(credentials) = crate::aws::environment_credentials() {
        builder = builder.credentials_provider(credentials);
    }
    aws_sdk_dynamodb::Client::from_conf(builder.build())
}

/// The identifier as Cognito would match it: usernames and emails are case-insensitive.
fn normalise(identifier: &str) -> String {
    identifier.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits() -> Limits {
        let settings = RateLimits {
            table: "t".into(),
            region: "us-east-1".into(),
            endpoint_url: Some("http://127.0.0.1:1".into()),
            code_sends_per_account_minute: 1,
            code_sends_per_account_hour: 5,
            code_sends_per_ip: 30,
            sms_per_hour: 100,
            guesses_per_account: 10,
            guesses_per_ip: 100,
            timeout: Duration::from_millis(100),
        };
        let store = store_client(&settings);
        Limits::new(settings, store, "k")
    }

    #[test]
    fn counter_names_hold_nothing_readable_and_are_the_same_for_any_spelling() {
        let limits = limits();
        let a = limits.counter(Rule::AccountGuesses, Some("Alice@Example.com "), None);
        let b = limits.counter(Rule::AccountGuesses, Some("alice@example.com"), None);
        assert_eq!(a.pk, b.pk);
        assert!(!a.pk.to_lowercase().contains("alice"), "{}", a.pk);
        assert!(a.pk.starts_with("account-guesses-5m#"));
        let ip = limits.counter(Rule::IpGuesses, None, Some("192.0.2.7".parse().unwrap()));
        assert!(!ip.pk.contains("192.0.2.7"), "{}", ip.pk);
        let sms = limits.counter(Rule::SmsSends, None, None);
        assert!(sms.pk.starts_with("sms-1h#deployment#"));
        assert!((1..=3600).contains(&sms.seconds_left));
        // Another key, other names.
        let other = Limits::new(limits.settings.clone(), limits.store.clone(), "k2");
        assert_ne!(
            other.counter(Rule::AccountGuesses, Some("alice"), None).pk,
            limits.counter(Rule::AccountGuesses, Some("alice"), None).pk
        );
    }

    #[test]
    fn the_client_ip_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "198.51.100.9, 203.0.113.5, 10.0.0.2".parse().unwrap(),
        );
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(client_ip(Some(peer), &headers, &[]), Some(peer));
        let proxies: Vec<IpAddr> = vec!["10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap()];
        assert_eq!(
            client_ip(Some(peer), &headers, &proxies),
            Some("203.0.113.5".parse().unwrap())
        );
        // A forged header from an untrusted peer is ignored; a malformed one from a proxy gives nothing.
        assert_eq!(
            client_ip(Some("192.0.2.1".parse().unwrap()), &headers, &proxies),
            Some("192.0.2.1".parse().unwrap())
        );
        headers.insert("x-forwarded-for", "not-an-ip".parse().unwrap());
        assert_eq!(client_ip(Some(peer), &headers, &proxies), Some(peer));
        assert_eq!(client_ip(None, &headers, &proxies), None);
    }
}
