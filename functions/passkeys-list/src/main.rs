//! Lambda function for `POST /passkeys/list`: a front door onto the shared handler.

use lambda_http::{run, service_fn, Error};
use shared::{lambda, telemetry, App, Operation};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_lambda();
    // Built once per container, reused by every invocation.
    let app = App::from_env().await?;
    run(service_fn(|event| {
        lambda::handle(&app, Operation::PasskeysList, event)
    }))
    .await
}
