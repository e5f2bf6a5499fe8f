//! The benchmark harness. `scripts/bench.sh` is the documented way to run it; it prints Markdown.
//!
//! ```text
//! bench compare  --emulator URL [--runs 20] [--warm 200] [--bin-dir target/release] [--zip login=PATH]...
//! bench overhead [--local target/release/local] [--seconds 5] [--connections 1,16,64] [--env NAME=VALUE]...
//! bench variants --variant LABEL=PATH... [--env LABEL=NAME=VALUE]... [--runs 20] [--warm 300]
//! bench peers    --emulator URL [--runs 20] [--warm 200] [--bin-dir DIR] [--node node] [--node-dir DIR] [--python PY]
//! ```
//!
//! compare:  our Lambda functions and the original library (Node), cold and warm, through the same local
//!           Runtime API, against the same emulator pool and user; alternating, side by side.
//! overhead: the local server against a canned Cognito stub under a closed-loop load: our own code path.
//! peers:    our `login` vs a Node 20 + AWS SDK v3 handler (unbundled and esbuild-bundled) and a Python boto3
//!           handler, each under the same Runtime API, emulator, user and event: the ratio table.
//! variants: builds of one function (opt-level 3 / s / z...), or one build with other settings (`--env`,
//!           e.g. the rate limits on and off): size, cold start, warm latency (stub).

mod client;
mod load;
mod peers;
mod runtime_api;
mod setup;
mod stats;
mod stub;

use bytes::Bytes;
use client::Error;
use runtime_api::{Function, Launch};
use stats::{cell, cell_p, fmt, ratio, summarize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) struct Args {
    values: HashMap<String, Vec<String>>,
}

impl Args {
    fn parse(raw: &[String]) -> Result<Args, Error> {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        let mut it = raw.iter();
        while let Some(key) = it.next() {
            let key = key
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {key:?}"))?;
            let value = it.next().ok_or_else(|| format!("--{key} needs a value"))?;
            values
                .entry(key.to_owned())
                .or_default()
                .push(value.clone());
        }
        Ok(Args { values })
    }
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .and_then(|v| v.last())
            .map(String::as_str)
    }
    fn all(&self, key: &str) -> Vec<String> {
        self.values.get(key).cloned().unwrap_or_default()
    }
    pub(crate) fn number(&self, key: &str, default: usize) -> Result<usize, Error> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => Ok(v.parse().map_err(|_| format!("--{key} must be a number"))?),
        }
    }
    pub(crate) fn path(&self, key: &str, default: PathBuf) -> PathBuf {
        self.get(key).map(PathBuf::from).unwrap_or(default)
    }
}

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn main() -> Result<(), Error> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = raw.first() else {
        eprintln!("usage: bench compare|overhead|variants|peers [--options]; see scripts/bench.sh");
        std::process::exit(2);
    };
    let args = Args::parse(&raw[1..])?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match command.as_str() {
            "compare" => compare(&args).await,
            "overhead" => overhead(&args).await,
            "variants" => variants(&args).await,
            "peers" => peers::run(&args).await,
            other => Err(format!("unknown command {other:?}").into()),
        }
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Ours,
    Original,
}

const FUNCTIONS: [&str; 2] = ["login", "profile-get"];

/// Our Lambda binary (`lambda/`): every function runs it, its `ROUTE` naming the route.
pub const OUR_BINARY: &str = "lambda-function";

/// The `ROUTE` of one of our functions, by function name (the harness drives the binary from outside, so
/// it keeps its own copy of the two rows of `shared/src/routes.rs` it needs).
pub fn route_of(function: &str) -> (String, String) {
    let path = match function {
        "login" => "/login",
        "profile-get" => "/profile/get",
        other => panic!("bench: no route known for function {other}"),
    };
    ("ROUTE".to_owned(), path.to_owned())
}

struct Sides {
    bin_dir: PathBuf,
    node: String,
    node_modules: PathBuf,
    logs: PathBuf,
}

impl Sides {
    fn launch(&self, side: Side, function: &str, pool: (&str, &str), endpoint: &str) -> Launch {
        let mut env = vec![
            ("USER_POOL_ID".to_owned(), pool.0.to_owned()),
            ("USER_POOL_CLIENT_ID".to_owned(), pool.1.to_owned()),
            ("AWS_ENDPOINT_URL".to_owned(), endpoint.to_owned()),
        ];
        let (program, args, tag) = match side {
            Side::Ours => {
                env.push(route_of(function));
                (self.bin_dir.join(OUR_BINARY), vec![], "ours")
            }
            Side::Original => {
                env.push((
                    "BENCH_NODE_MODULES".to_owned(),
                    self.node_modules.display().to_string(),
                ));
                (
                    PathBuf::from(&self.node),
                    vec![root().join("bench/node/runtime.js").display().to_string()],
                    "original",
                )
            }
        };
        Launch {
            program,
            args,
            env,
            log: Some(self.logs.join(format!("{tag}-{function}.log"))),
        }
    }
}

#[derive(Default)]
struct Samples {
    init: Vec<f64>,
    cold: HashMap<&'static str, Vec<f64>>,
    cold_rss: HashMap<&'static str, Vec<f64>>,
    warm: HashMap<&'static str, Vec<f64>>,
    warm_cpu_ms: HashMap<&'static str, f64>,
    warm_rss: HashMap<&'static str, f64>,
    stub_warm: HashMap<&'static str, Vec<f64>>,
    stub_cpu_ms: HashMap<&'static str, f64>,
}

fn event_for(function: &str, world: &setup::World) -> Bytes {
    match function {
        "login" => setup::login_event(),
        _ => setup::profile_event(&world.access_token, &world.id_token),
    }
}

/// Warm invocations of both sides, interleaved one by one. Returns per side: latencies, CPU ms per
/// invocation, peak RSS (MiB) at the end.
async fn warm_pair(
    sides: &Sides,
    function: &'static str,
    pool: (&str, &str),
    endpoint: &str,
    event: &Bytes,
    count: usize,
) -> Result<[(Vec<f64>, f64, f64); 2], Error> {
    let mut functions = Vec::new();
    for side in [Side::Ours, Side::Original] {
        let launch = sides.launch(side, function, pool, endpoint);
        let (mut f, _, body) = Function::cold(function, &launch, event.clone()).await?;
        setup::check_answer(function, &body).map_err(|e| format!("{side:?}: {e}"))?;
        for _ in 0..10 {
            f.invoke(event.clone()).await?;
        }
        functions.push(f);
    }
    let cpu_before: Vec<f64> = functions
        .iter()
        .map(|f| f.cpu_seconds().unwrap_or(0.0))
        .collect();
    let mut latencies = [Vec::with_capacity(count), Vec::with_capacity(count)];
    for i in 0..count {
        // Alternate who goes first, so neither always follows the other's emulator work.
        let order = if i % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let (ms, body) = functions[which].invoke(event.clone()).await?;
            if i == 0 {
                setup::check_answer(function, &body)?;
            }
            latencies[which].push(ms);
        }
    }
    let mut out = Vec::new();
    for (which, f) in functions.iter().enumerate() {
        let cpu = (f.cpu_seconds().unwrap_or(0.0) - cpu_before[which]) * 1000.0 / count as f64;
        out.push((
            std::mem::take(&mut latencies[which]),
            cpu,
            f.peak_rss_mib().unwrap_or(0.0),
        ));
    }
    let second = out.pop().unwrap();
    let first = out.pop().unwrap();
    Ok([first, second])
}

pub(crate) fn dir_size(path: &Path) -> (u64, u64) {
    let mut bytes = 0;
    let mut files = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                let (b, f) = dir_size(&entry.path());
                bytes += b;
                files += f;
            } else {
                bytes += meta.len();
                files += 1;
            }
        }
    }
    (bytes, files)
}

pub(crate) fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

async fn compare(args: &Args) -> Result<(), Error> {
    let emulator = args.get("emulator").ok_or("--emulator URL is required")?;
    let runs = args.number("runs", 20)?;
    let warm = args.number("warm", 200)?;
    let sides = Sides {
        bin_dir: args.path("bin-dir", root().join("target/release")),
        node: args.get("node").unwrap_or("node").to_owned(),
        node_modules: args.path("node-modules", root().join("bench/.node/node_modules")),
        logs: args.path("logs", root().join("target/bench/logs")),
    };
    std::fs::create_dir_all(&sides.logs)?;
    let world = setup::world(emulator).await?;
    let pool = (world.user_pool_id.as_str(), world.client_id.as_str());
    eprintln!(
        "compare: pool {} on {}; {runs} cold runs per side and function, {warm} warm invocations",
        world.user_pool_id, world.emulator
    );

    let mut samples = [Samples::default(), Samples::default()];
    for round in 0..runs {
        let order = if round % 2 == 0 {
            [Side::Ours, Side::Original]
        } else {
            [Side::Original, Side::Ours]
        };
        for side in order {
            for function in FUNCTIONS {
                let launch = sides.launch(side, function, pool, &world.emulator);
                let (f, cold, body) =
                    Function::cold(function, &launch, event_for(function, &world))
                        .await
                        .map_err(|e| format!("{side:?} {function} cold run {round}: {e}"))?;
                setup::check_answer(function, &body).map_err(|e| format!("{side:?}: {e}"))?;
                let s = &mut samples[side as usize];
                s.init.push(cold.init_ms);
                s.cold
                    .entry(function)
                    .or_default()
                    .push(cold.first_answer_ms);
                s.cold_rss
                    .entry(function)
                    .or_default()
                    .push(f.peak_rss_mib().unwrap_or(0.0));
                drop(f);
            }
        }
        eprint!("\rcold runs: {}/{runs}", round + 1);
    }
    eprintln!();

    let stub = stub::Stub::start().await?;
    for function in FUNCTIONS {
        let event = event_for(function, &world);
        eprintln!("warm {function}: {warm} invocations per side, emulator");
        let [ours, original] =
            warm_pair(&sides, function, pool, &world.emulator, &event, warm).await?;
        for (side, (lat, cpu, rss)) in [(0, ours), (1, original)] {
            samples[side].warm.insert(function, lat);
            samples[side].warm_cpu_ms.insert(function, cpu);
            samples[side].warm_rss.insert(function, rss);
        }
        eprintln!("warm {function}: {warm} invocations per side, canned Cognito stub");
        let stub_event = match function {
            "login" => setup::login_event(),
            _ => setup::profile_event(
                &stub::fake_jwt("access", setup::USERNAME),
                &stub::fake_jwt("id", setup::USERNAME),
            ),
        };
        let [ours, original] = warm_pair(
            &sides,
            function,
            ("us-east-1_bench", "benchclient"),
            &stub.url,
            &stub_event,
            warm,
        )
        .await?;
        for (side, (lat, cpu, _)) in [(0, ours), (1, original)] {
            samples[side].stub_warm.insert(function, lat);
            samples[side].stub_cpu_ms.insert(function, cpu);
        }
    }

    // Package size: our arm64 zip (from scripts/package.sh) when present, else what --zip names.
    let zips: HashMap<String, String> = args
        .all("zip")
        .iter()
        .filter_map(|z| z.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect();
    let (nm_bytes, nm_files) = dir_size(&sides.node_modules);

    let [ours, original] = &samples;
    let mut out = String::from(
        "| metric | ours (min / median / max) | original (min / median / max) | ratio |\n|---|---|---|---|\n",
    );
    let mut row = |metric: &str, a: String, b: String, r: String| {
        out.push_str(&format!("| {metric} | {a} | {b} | {r} |\n"));
    };
    println!(
        "### Ours vs the original (cognito-user-pool@0.2.4 on Node {})\n",
        node_version(&sides.node)
    );
    println!(
        "{runs} cold runs per side and function, alternating; {warm} warm invocations per side, interleaved. \
         Emulator pool `{}`, one user. Times in ms, memory in MiB; ratio = ours / original on the median (p50 for warm rows).\n",
        world.user_pool_id
    );
    let med = |v: &[f64]| summarize(v).map(|s| s.median).unwrap_or(0.0);
    let get = |m: &HashMap<&'static str, Vec<f64>>, k: &str| m.get(k).cloned().unwrap_or_default();
    row(
        "cold start: spawn → first `/next` (init), ms",
        cell(summarize(&ours.init)),
        cell(summarize(&original.init)),
        ratio(med(&ours.init), med(&original.init)),
    );
    for (function, label) in [
        ("login", "cold login: spawn → tokens answered, ms"),
        (
            "profile-get",
            "cold profile read: spawn → profile answered, ms",
        ),
    ] {
        let (a, b) = (get(&ours.cold, function), get(&original.cold, function));
        row(
            label,
            cell(summarize(&a)),
            cell(summarize(&b)),
            ratio(med(&a), med(&b)),
        );
    }
    for (function, label) in [
        ("login", "peak RSS after a cold login, MiB"),
        ("profile-get", "peak RSS after a cold profile read, MiB"),
    ] {
        let (a, b) = (
            get(&ours.cold_rss, function),
            get(&original.cold_rss, function),
        );
        row(
            label,
            cell(summarize(&a)),
            cell(summarize(&b)),
            ratio(med(&a), med(&b)),
        );
    }
    for (function, label) in [
        ("login", "warm login (emulator), p50 / p99 ms"),
        ("profile-get", "warm profile read (emulator), p50 / p99 ms"),
    ] {
        let (a, b) = (get(&ours.warm, function), get(&original.warm, function));
        row(
            label,
            cell_p(summarize(&a)),
            cell_p(summarize(&b)),
            ratio(med(&a), med(&b)),
        );
    }
    for (function, label) in [
        ("login", "warm login (canned stub), p50 / p99 ms"),
        (
            "profile-get",
            "warm profile read (canned stub), p50 / p99 ms",
        ),
    ] {
        let (a, b) = (
            get(&ours.stub_warm, function),
            get(&original.stub_warm, function),
        );
        row(
            label,
            cell_p(summarize(&a)),
            cell_p(summarize(&b)),
            ratio(med(&a), med(&b)),
        );
    }
    for (function, label) in [
        ("login", "CPU per warm login (stub), ms"),
        ("profile-get", "CPU per warm profile read (stub), ms"),
    ] {
        let (a, b) = (ours.stub_cpu_ms[function], original.stub_cpu_ms[function]);
        row(label, fmt(a), fmt(b), ratio(a, b));
    }
    for (function, label) in [
        (
            "login",
            "peak RSS after 10 + {warm} warm logins (emulator), MiB",
        ),
        (
            "profile-get",
            "peak RSS after 10 + {warm} warm profile reads (emulator), MiB",
        ),
    ] {
        let (a, b) = (ours.warm_rss[function], original.warm_rss[function]);
        row(
            &label.replace("{warm}", &warm.to_string()),
            fmt(a),
            fmt(b),
            ratio(a, b),
        );
    }
    for function in FUNCTIONS {
        // scripts/package.sh writes target/lambda/lambda-function.zip (every function's archive); cargo
        // lambda's own --output-format zip writes target/lambda/lambda-function/bootstrap.zip.
        let arm = [
            root().join(format!("target/lambda/{OUR_BINARY}.zip")),
            root().join(format!("target/lambda/{OUR_BINARY}/bootstrap.zip")),
        ]
        .into_iter()
        .find(|p| p.exists());
        let (path, what) = if let Some(arm) = arm {
            (Some(arm.display().to_string()), "arm64 zip")
        } else {
            (
                zips.get(function).cloned(),
                "zip of the x86_64 binary (no arm64 zip found)",
            )
        };
        let ours_size = path
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len());
        match ours_size {
            Some(bytes) => row(
                &format!("package: `{function}` {what} vs `node_modules`, MiB"),
                fmt(mib(bytes)),
                format!("{} ({nm_files} files)", fmt(mib(nm_bytes))),
                ratio(mib(bytes), mib(nm_bytes)),
            ),
            None => row(
                &format!("package: `{function}` zip vs `node_modules`, MiB"),
                "n/a (no zip)".into(),
                format!("{} ({nm_files} files)", fmt(mib(nm_bytes))),
                "n/a".into(),
            ),
        }
    }
    print!("{out}");
    println!();
    println!(
        "Warm CPU per invocation against the emulator: ours login {} ms, profile {} ms; original login {} ms, profile {} ms.",
        fmt(ours.warm_cpu_ms["login"]),
        fmt(ours.warm_cpu_ms["profile-get"]),
        fmt(original.warm_cpu_ms["login"]),
        fmt(original.warm_cpu_ms["profile-get"]),
    );
    println!();
    Ok(())
}

fn node_version(node: &str) -> String {
    std::process::Command::new(node)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".into())
}

async fn overhead(args: &Args) -> Result<(), Error> {
    let local = args.path("local", root().join("target/release/local"));
    let seconds = args.number("seconds", 5)?;
    let levels: Vec<usize> = args
        .get("connections")
        .unwrap_or("1,16,64")
        .split(',')
        .map(|c| c.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(|_| "--connections must be a list of numbers")?;
    let logs = args.path("logs", root().join("target/bench/logs"));
    std::fs::create_dir_all(&logs)?;
    let stub = stub::Stub::start().await?;

    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(logs.join("overhead-local.log"))?;
    let mut child = std::process::Command::new(&local)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", "0")
        .env("USER_POOL_ID", "us-east-1_bench")
        .env("USER_POOL_CLIENT_ID", "benchclient")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &stub.url)
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        // More settings for the server (e.g. the rate limits on: RATE_LIMIT_TABLE, LOGIN_SESSION_KEY).
        .envs(
            args.all("env")
                .iter()
                .filter_map(|item| item.split_once('=')),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", local.display()))?;
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )?;
    let base = line
        .trim()
        .strip_prefix("API listening on ")
        .ok_or_else(|| format!("the local server did not start: {line:?}"))?
        .to_owned();
    let (authority, _) = client::split_url(&base)?;
    let pid = child.id();
    let access = stub::fake_jwt("access", setup::USERNAME);
    // (path, body, headers) of each measured route.
    type Route<'a> = (&'a str, String, Vec<(String, String)>);
    let routes: [Route; 2] = [
        (
            "/login",
            serde_json::json!({"username": setup::USERNAME, "password": setup::PASSWORD})
                .to_string(),
            vec![("content-type".into(), "application/json".into())],
        ),
        (
            "/profile/get",
            String::new(),
            vec![
                ("content-type".into(), "application/json".into()),
                ("authorization".into(), format!("Bearer {access}")),
            ],
        ),
    ];

    println!("### Warm overhead of our code path (local server, canned Cognito stub)\n");
    println!(
        "`target/release/local` against an in-harness stub answering InitiateAuth/GetUser with fixed JSON; a closed-loop \
         Rust load generator on keep-alive connections, {seconds} s per row after a 1 s warm-up. Server CPU is the server \
         process's own user+system time (/proc/<pid>/stat), so \"req/s per core\" and \"CPU per request\" hold only our \
         process, not the load generator or the stub that share this {}-core machine.\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    println!("| route | connections | requests | req/s (wall) | server CPU per request, µs | req/s per core | p50 / p99 latency, ms | errors |");
    println!("|---|---|---|---|---|---|---|---|");
    for (path, body, headers) in &routes {
        for &connections in &levels {
            load::run(
                &authority,
                path,
                headers,
                Bytes::from(body.clone()),
                connections,
                Duration::from_secs(1),
            )
            .await?;
            let cpu_before = runtime_api::cpu_seconds(pid).unwrap_or(0.0);
            let result = load::run(
                &authority,
                path,
                headers,
                Bytes::from(body.clone()),
                connections,
                Duration::from_secs(seconds as u64),
            )
            .await?;
            let cpu = runtime_api::cpu_seconds(pid).unwrap_or(0.0) - cpu_before;
            let wall = result.elapsed.as_secs_f64();
            let n = result.requests.max(1) as f64;
            println!(
                "| `{path}` | {connections} | {} | {} | {} | {} | {} | {} |",
                result.requests,
                fmt(n / wall),
                fmt(cpu * 1e6 / n),
                if cpu > 0.0 {
                    fmt(n / cpu)
                } else {
                    "n/a".into()
                },
                cell_p(summarize(&result.latencies_ms)),
                result.errors,
            );
        }
    }
    let rss = runtime_api::proc_status_kib(pid, "VmHWM:").map(|k| k as f64 / 1024.0);
    println!(
        "\nLocal server peak RSS after the load: {} MiB. Stub calls answered: {}.\n",
        rss.map(fmt).unwrap_or_else(|| "n/a".into()),
        stub.calls.load(std::sync::atomic::Ordering::Relaxed)
    );
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}

async fn variants(args: &Args) -> Result<(), Error> {
    let runs = args.number("runs", 20)?;
    let warm = args.number("warm", 300)?;
    let logs = args.path("logs", root().join("target/bench/logs"));
    std::fs::create_dir_all(&logs)?;
    let variants: Vec<(String, PathBuf)> = args
        .all("variant")
        .iter()
        .map(|v| {
            v.split_once('=')
                .map(|(l, p)| (l.to_owned(), PathBuf::from(p)))
                .ok_or_else(|| format!("--variant must be LABEL=PATH, got {v:?}"))
        })
        .collect::<Result<_, _>>()?;
    if variants.is_empty() {
        return Err("no --variant LABEL=PATH given".into());
    }
    // Settings of one variant only: LABEL=NAME=VALUE.
    let mut extra_env: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for item in args.all("env") {
        let (label, setting) = item
            .split_once('=')
            .ok_or_else(|| format!("--env must be LABEL=NAME=VALUE, got {item:?}"))?;
        let (name, value) = setting
            .split_once('=')
            .ok_or_else(|| format!("--env must be LABEL=NAME=VALUE, got {item:?}"))?;
        extra_env
            .entry(label.to_owned())
            .or_default()
            .push((name.to_owned(), value.to_owned()));
    }
    let function = args.get("function").unwrap_or("login").to_owned();
    let stub = stub::Stub::start().await?;
    let event = if function == "login" {
        setup::login_event()
    } else {
        setup::profile_event(
            &stub::fake_jwt("access", setup::USERNAME),
            &stub::fake_jwt("id", setup::USERNAME),
        )
    };
    let launch = |label: &str, path: &Path| Launch {
        program: path.to_path_buf(),
        args: vec![],
        env: [
            ("USER_POOL_ID".into(), "us-east-1_bench".into()),
            ("USER_POOL_CLIENT_ID".into(), "benchclient".into()),
            ("AWS_ENDPOINT_URL".into(), stub.url.clone()),
            route_of(&function),
        ]
        .into_iter()
        .chain(extra_env.get(label).cloned().unwrap_or_default())
        .collect(),
        log: Some(logs.join(format!("variant-{label}.log"))),
    };
    let n = variants.len();
    let mut init = vec![Vec::new(); n];
    let mut cold = vec![Vec::new(); n];
    let mut rss = vec![Vec::new(); n];
    for round in 0..runs {
        for k in 0..n {
            let i = (k + round) % n; // rotate who goes first
            let (label, path) = &variants[i];
            let (f, c, body) =
                Function::cold(&function, &launch(label, path), event.clone()).await?;
            setup::check_answer(&function, &body)?;
            init[i].push(c.init_ms);
            cold[i].push(c.first_answer_ms);
            rss[i].push(f.peak_rss_mib().unwrap_or(0.0));
        }
    }
    let mut warm_lat = vec![Vec::new(); n];
    let mut warm_cpu = vec![0.0; n];
    let mut functions = Vec::new();
    for (label, path) in &variants {
        let (mut f, _, _) = Function::cold(&function, &launch(label, path), event.clone()).await?;
        for _ in 0..20 {
            f.invoke(event.clone()).await?;
        }
        functions.push(f);
    }
    let cpu_before: Vec<f64> = functions
        .iter()
        .map(|f| f.cpu_seconds().unwrap_or(0.0))
        .collect();
    for round in 0..warm {
        for k in 0..n {
            let i = (k + round) % n;
            let (ms, _) = functions[i].invoke(event.clone()).await?;
            warm_lat[i].push(ms);
        }
    }
    for (i, f) in functions.iter().enumerate() {
        warm_cpu[i] = (f.cpu_seconds().unwrap_or(0.0) - cpu_before[i]) * 1000.0 / warm as f64;
    }
    println!("### Release-profile variants of `{function}` (canned Cognito stub)\n");
    println!("{runs} cold runs each (rotating order), {warm} warm invocations each (interleaved). Times in ms.\n");
    println!("| variant | binary, bytes | cold start (init) min / median / max | cold {function} min / median / max | warm p50 / p99 | CPU per warm invocation, ms | peak RSS (cold), MiB |");
    println!("|---|---|---|---|---|---|---|");
    for (i, (label, path)) in variants.iter().enumerate() {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!(
            "| {label} | {size} | {} | {} | {} | {} | {} |",
            cell(summarize(&init[i])),
            cell(summarize(&cold[i])),
            cell_p(summarize(&warm_lat[i])),
            fmt(warm_cpu[i]),
            summarize(&rss[i])
                .map(|s| fmt(s.median))
                .unwrap_or_default(),
        );
    }
    println!();
    Ok(())
}
