//! Prints the OpenAPI document the code generates, as YAML: `cargo run -p local --bin openapi > openapi.yaml`
//! rewrites the committed copy (shared/tests/it/contract.rs fails while it differs).

fn main() {
    print!("{}", shared::openapi::yaml());
}
