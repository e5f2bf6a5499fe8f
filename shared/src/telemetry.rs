//! Logging. On Lambda: lambda_runtime's subscriber, which follows AWS_LAMBDA_LOG_LEVEL / RUST_LOG and
//! AWS_LAMBDA_LOG_FORMAT=JSON (structured logs). Locally: the same, on stderr so stdout stays for the URL.
//! Nothing this crate logs holds a password, code, token, session, secret, username or body.

pub fn init_lambda() {
    lambda_http::tracing::init_default_subscriber();
}

pub fn init_local() {
    lambda_http::tracing::init_default_subscriber_with_writer(std::io::stderr);
}
