//! What every AWS client of the API shares (Cognito's, and the rate limits' store): the HTTP client and
//! the credentials Lambda puts in the environment. A building block below `cognito` and `limits`.

use aws_sdk_cognitoidentityprovider::config::Credentials;
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// The HTTP client of an AWS client: TLS (rustls on ring) unless the endpoint is plain `http` (see
/// `cognito::client`). Shared by the Cognito client and the rate limits' store.
pub fn http_client(endpoint_url: Option<&str>) -> SharedHttpClient {
    let plain_http = endpoint_url
        .and_then(|url| url.get(..7))
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
    if plain_http {
        aws_smithy_http_client::Builder::new().build_http()
    } else {
        aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https()
    }
}

/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, as Lambda sets them.
pub fn environment_credentials() -> Option<Credentials> {
    let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
    Some(Credentials::new(
        var("AWS_ACCESS_KEY_ID")?,
        var("AWS_SECRET_ACCESS_KEY")?,
        var("AWS_SESSION_TOKEN"),
        None,
        "environment",
    ))
}
