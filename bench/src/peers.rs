//! `bench peers`: our `login` against what a developer would write today for POST /login: a Node 20
//! handler on the modular AWS SDK v3 (unbundled, and bundled with esbuild as `sam build` does) and a
//! Python 3 handler on boto3 (bytecode compiled). Every side is a process under the same local Runtime API,
//! spawned fresh per cold run, given the same API Gateway event, the same emulator pool and user; every
//! answer is checked for tokens. Sides rotate (and rotate who goes first) for every run.

use crate::client::Error;
use crate::runtime_api::{Function, Launch};
use crate::setup;
use crate::stats::{cell, cell_p, fmt, summarize};
use crate::stub;
use crate::Args;
use bytes::Bytes;
use std::path::PathBuf;

struct Peer {
    label: String,
    tag: &'static str,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// What is deployed: (bytes, files, what).
    package: Option<(u64, u64, String)>,
}

/// One sample of a side, for a table row.
type SamplePick = fn(&Samples) -> &Vec<f64>;

#[derive(Default)]
struct Samples {
    init: Vec<f64>,
    cold: Vec<f64>,
    cold_rss: Vec<f64>,
    warm: Vec<f64>,
    warm_cpu_ms: f64,
    warm_rss: f64,
    stub_warm: Vec<f64>,
    stub_cpu_ms: f64,
}

fn launch(peer: &Peer, pool: (&str, &str), endpoint: &str, logs: &std::path::Path) -> Launch {
    let mut env = vec![
        ("USER_POOL_ID".to_owned(), pool.0.to_owned()),
        ("USER_POOL_CLIENT_ID".to_owned(), pool.1.to_owned()),
        ("AWS_ENDPOINT_URL".to_owned(), endpoint.to_owned()),
    ];
    env.extend(peer.env.iter().cloned());
    Launch {
        program: peer.program.clone(),
        args: peer.args.clone(),
        env,
        log: Some(logs.join(format!("peer-{}.log", peer.tag))),
    }
}

fn version(program: &str) -> String {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .ok()
        .map(|o| {
            let mut s = String::from_utf8_lossy(&o.stdout).trim().to_owned();
            if s.is_empty() {
                s = String::from_utf8_lossy(&o.stderr).trim().to_owned();
            }
            s
        })
        .unwrap_or_else(|| "?".into())
}

fn file_size(path: &std::path::Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.len(), 1))
}

/// What the boto3 handler needs: the venv's site-packages without the venv's own pip and setuptools.
fn site_packages_size(lib: &std::path::Path) -> (u64, u64) {
    let mut total = (0, 0);
    let Ok(pythons) = std::fs::read_dir(lib) else {
        return total;
    };
    for python in pythons.flatten() {
        let Ok(entries) = std::fs::read_dir(python.path().join("site-packages")) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if [
                "pip",
                "setuptools",
                "_distutils_hack",
                "pkg_resources",
                "distutils-precedence.pth",
            ]
            .iter()
            .any(|skip| name == *skip || name.starts_with(&format!("{skip}-")))
            {
                continue;
            }
            let (bytes, files) = if entry.path().is_dir() {
                crate::dir_size(&entry.path())
            } else {
                (entry.metadata().map(|m| m.len()).unwrap_or(0), 1)
            };
            total.0 += bytes;
            total.1 += files;
        }
    }
    total
}

/// ours / theirs as a decimal factor ("0.034x"): how the issue states its targets.
fn factor(ours: f64, theirs: f64) -> String {
    if ours <= 0.0 || theirs <= 0.0 {
        return "n/a".into();
    }
    let r = ours / theirs;
    if r >= 0.1 {
        format!("{r:.2}x")
    } else {
        format!("{r:.3}x")
    }
}

/// Warm invocations of every side, interleaved one by one (rotating who goes first). Returns per side:
/// latencies, CPU ms per invocation, peak RSS (MiB) at the end.
async fn warm_all(
    peers: &[Peer],
    pool: (&str, &str),
    endpoint: &str,
    logs: &std::path::Path,
    event: &Bytes,
    count: usize,
) -> Result<Vec<(Vec<f64>, f64, f64)>, Error> {
    let mut functions = Vec::new();
    for peer in peers {
        let (mut f, _, body) =
            Function::cold("login", &launch(peer, pool, endpoint, logs), event.clone()).await?;
        setup::check_answer("login", &body).map_err(|e| format!("{}: {e}", peer.label))?;
        for _ in 0..10 {
            f.invoke(event.clone()).await?;
        }
        functions.push(f);
    }
    let before: Vec<f64> = functions
        .iter()
        .map(|f| f.cpu_seconds().unwrap_or(0.0))
        .collect();
    let n = peers.len();
    let mut latencies = vec![Vec::with_capacity(count); n];
    for i in 0..count {
        for k in 0..n {
            let which = (k + i) % n;
            let (ms, body) = functions[which].invoke(event.clone()).await?;
            if i < n {
                setup::check_answer("login", &body)
                    .map_err(|e| format!("{}: {e}", peers[which].label))?;
            }
            latencies[which].push(ms);
        }
    }
    Ok(functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let cpu = (f.cpu_seconds().unwrap_or(0.0) - before[i]) * 1000.0 / count as f64;
            (
                std::mem::take(&mut latencies[i]),
                cpu,
                f.peak_rss_mib().unwrap_or(0.0),
            )
        })
        .collect())
}

pub async fn run(args: &Args) -> Result<(), Error> {
    let emulator = args.get("emulator").ok_or("--emulator URL is required")?;
    let runs = args.number("runs", 20)?;
    let warm = args.number("warm", 200)?;
    let root = crate::root();
    let bin_dir = args.path("bin-dir", root.join("target/release"));
    let node = args.get("node").unwrap_or("node").to_owned();
    let node_dir = args.path("node-dir", root.join("bench/.node/peers"));
    let python = args.path("python", root.join("target/bench/peers/python/bin/python"));
    let logs = args.path("logs", root.join("target/bench/logs"));
    std::fs::create_dir_all(&logs)?;
    // Absolute, since Node resolves a relative `require` against the bootstrap's directory.
    let absolute = |p: PathBuf| std::fs::canonicalize(&p).unwrap_or(p);
    let (node_dir, python, bin_dir) = (absolute(node_dir), absolute(python), absolute(bin_dir));
    let bootstrap_js = root
        .join("bench/peers/node/bootstrap.js")
        .display()
        .to_string();
    let node_version = version(&node);
    let python_version = version(&python.display().to_string());
    // Our package: the arm64 zip of scripts/package.sh when present, else the zip --zip names (x86_64).
    let ours_zip = [
        root.join(format!("target/lambda/{}.zip", crate::OUR_BINARY)),
        root.join(format!("target/lambda/{}/bootstrap.zip", crate::OUR_BINARY)),
    ]
    .into_iter()
    .find(|p| p.exists())
    .map(|p| (p, "arm64 zip"))
    .or_else(|| {
        args.get("zip")
            .map(|p| (PathBuf::from(p), "zip of the x86_64 binary"))
    });
    let sdk_modules = node_dir.join("node_modules/@aws-sdk");
    let smithy_modules = node_dir.join("node_modules/@smithy");
    let (sdk_bytes, sdk_files) = {
        let (a, b) = crate::dir_size(&sdk_modules);
        let (c, d) = crate::dir_size(&smithy_modules);
        let (e, f) = crate::dir_size(&node_dir.join("node_modules/tslib"));
        let (g, h) = crate::dir_size(&node_dir.join("node_modules/bowser"));
        (a + c + e + g, b + d + f + h)
    };
    let bundle = node_dir.join("dist/index.js");
    let site = args.path("python-site", root.join("target/bench/peers/python/lib"));
    let (py_bytes, py_files) = site_packages_size(&site);
    let peers = vec![
        Peer {
            label: "ours (`login`, Rust)".into(),
            tag: "ours",
            program: bin_dir.join(crate::OUR_BINARY),
            args: vec![],
            env: vec![crate::route_of("login")],
            package: ours_zip
                .as_ref()
                .and_then(|(p, what)| file_size(p).map(|(b, f)| (b, f, what.to_string()))),
        },
        Peer {
            label: format!("Node {node_version} + SDK v3, unbundled"),
            tag: "node-sdk",
            program: PathBuf::from(&node),
            args: vec![bootstrap_js.clone()],
            env: vec![(
                "BENCH_HANDLER".into(),
                node_dir.join("handler.js").display().to_string(),
            )],
            package: Some((
                sdk_bytes,
                sdk_files,
                "handler + its node_modules (unzipped)".into(),
            )),
        },
        Peer {
            label: format!("Node {node_version} + SDK v3, esbuild bundle"),
            tag: "node-sdk-bundled",
            program: PathBuf::from(&node),
            args: vec![bootstrap_js],
            env: vec![("BENCH_HANDLER".into(), bundle.display().to_string())],
            package: file_size(&bundle).map(|(b, f)| (b, f, "bundle (unzipped)".into())),
        },
        Peer {
            label: format!(
                "{} + boto3 {}, bytecode",
                python_version,
                args.get("boto3").unwrap_or("")
            ),
            tag: "python-boto3",
            program: python.clone(),
            args: vec![root
                .join("bench/peers/python/bootstrap.py")
                .display()
                .to_string()],
            env: vec![],
            package: Some((
                py_bytes,
                py_files,
                "site-packages with .pyc (unzipped)".into(),
            )),
        },
    ];
    let world = setup::world(emulator).await?;
    let pool = (world.user_pool_id.as_str(), world.client_id.as_str());
    eprintln!(
        "peers: pool {} on {}; {runs} cold runs per side, {warm} warm invocations",
        world.user_pool_id, world.emulator
    );
    let n = peers.len();
    let mut samples: Vec<Samples> = (0..n).map(|_| Samples::default()).collect();
    let event = setup::login_event();
    for round in 0..runs {
        for k in 0..n {
            let i = (k + round) % n;
            let (f, cold, body) = Function::cold(
                "login",
                &launch(&peers[i], pool, &world.emulator, &logs),
                event.clone(),
            )
            .await
            .map_err(|e| format!("{} cold run {round}: {e}", peers[i].label))?;
            setup::check_answer("login", &body).map_err(|e| format!("{}: {e}", peers[i].label))?;
            samples[i].init.push(cold.init_ms);
            samples[i].cold.push(cold.first_answer_ms);
            samples[i].cold_rss.push(f.peak_rss_mib().unwrap_or(0.0));
        }
        eprint!("\rpeers cold runs: {}/{runs}", round + 1);
    }
    eprintln!();
    eprintln!("peers warm: {warm} invocations per side, emulator");
    for (i, (lat, cpu, rss)) in warm_all(&peers, pool, &world.emulator, &logs, &event, warm)
        .await?
        .into_iter()
        .enumerate()
    {
        samples[i].warm = lat;
        samples[i].warm_cpu_ms = cpu;
        samples[i].warm_rss = rss;
    }
    eprintln!("peers warm: {warm} invocations per side, canned Cognito stub");
    let stub = stub::Stub::start().await?;
    for (i, (lat, cpu, _)) in warm_all(
        &peers,
        ("us-east-1_bench", "benchclient"),
        &stub.url,
        &logs,
        &event,
        warm,
    )
    .await?
    .into_iter()
    .enumerate()
    {
        samples[i].stub_warm = lat;
        samples[i].stub_cpu_ms = cpu;
    }

    let med = |v: &[f64]| summarize(v).map(|s| s.median).unwrap_or(0.0);
    println!("### Ours vs today's peers: POST /login\n");
    println!(
        "{runs} cold runs per side (rotating order), {warm} warm invocations per side (interleaved). Emulator pool `{}`, \
         one user, the same event for every side. Times in ms, memory in MiB. Each cell of a peer column is \
         \"value (ours / peer)\" on the median (p50 for warm rows): 0.05x means ours takes 1/20 of the peer's.\n",
        world.user_pool_id
    );
    let mut header = String::from("| metric |");
    let mut rule = String::from("|---|");
    for p in &peers {
        header.push_str(&format!(" {} |", p.label));
        rule.push_str("---|");
    }
    println!("{header}\n{rule}");
    type Pick = fn(&Samples) -> f64;
    let pick_row =
        |label: &str, cells: Vec<String>| println!("| {label} | {} |", cells.join(" | "));
    let ours = &samples[0];
    let cold_rows: [(&str, SamplePick); 3] = [
        ("cold start: spawn → first `/next` (init), ms", |s| {
            &s.init
        }),
        ("cold login: spawn → tokens answered, ms", |s| &s.cold),
        ("peak RSS after a cold login, MiB", |s| &s.cold_rss),
    ];
    for (label, pick) in cold_rows {
        let cells = samples
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let c = cell(summarize(pick(s)));
                if i == 0 {
                    c
                } else {
                    format!("{c} ({})", factor(med(pick(ours)), med(pick(s))))
                }
            })
            .collect();
        pick_row(&format!("{label} (min / median / max)"), cells);
    }
    let warm_rows: [(&str, SamplePick); 2] = [
        ("warm login (emulator), p50 / p99 ms", |s| &s.warm),
        ("warm login (canned stub), p50 / p99 ms", |s| &s.stub_warm),
    ];
    for (label, pick) in warm_rows {
        let cells = samples
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let c = cell_p(summarize(pick(s)));
                if i == 0 {
                    c
                } else {
                    format!("{c} ({})", factor(med(pick(ours)), med(pick(s))))
                }
            })
            .collect();
        pick_row(label, cells);
    }
    let scalar_rows: [(&str, Pick); 3] = [
        ("CPU per warm login (canned stub), ms", |s| s.stub_cpu_ms),
        ("CPU per warm login (emulator), ms", |s| s.warm_cpu_ms),
        ("peak RSS after 10 + N warm logins (emulator), MiB", |s| {
            s.warm_rss
        }),
    ];
    for (label, pick) in scalar_rows {
        let cells = samples
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if i == 0 {
                    fmt(pick(s))
                } else {
                    format!("{} ({})", fmt(pick(s)), factor(pick(ours), pick(s)))
                }
            })
            .collect();
        pick_row(&label.replace('N', &warm.to_string()), cells);
    }
    let cells = peers
        .iter()
        .map(|p| match &p.package {
            Some((bytes, files, what)) => format!(
                "{} MiB, {files} file{} ({what})",
                fmt(crate::mib(*bytes)),
                if *files == 1 { "" } else { "s" }
            ),
            None => "n/a".into(),
        })
        .collect();
    pick_row("what is deployed", cells);
    println!();
    Ok(())
}
