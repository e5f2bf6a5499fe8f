//! The Lambda front door: the `bootstrap` of every function in `template.yaml`. Each function sets
//! `ROUTE` (its route's path, like `/login`) and serves that route only.
//!
//! One binary, not one per route: the thirty would be the same program but for one constant, and each
//! costs a full fat-LTO link (40-90 s on 2 cores), so `sam build` took tens of minutes. Every function
//! has the same build metadata, so `sam build` builds this once and copies it to each (BENCHMARKS.md,
//! "Build time").

use lambda_http::{run, service_fn, Error};
use shared::{lambda, telemetry, App};

// One thread: an invocation is three HTTP exchanges in sequence (the next event, the Cognito call, the
// response), and on the multi-thread runtime each woke a task on the other worker thread: about ten
// context switches per invocation, half the warm CPU (BENCHMARKS.md, "Warm CPU").
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    telemetry::init_lambda();
    // Read first: a function without a valid ROUTE fails its init with that message, before any client.
    let operation = lambda::operation_from_env()?;
    // Built once per container, reused by every invocation.
    let app = App::from_env().await?;
    run(service_fn(|event| lambda::handle(&app, operation, event))).await
}
