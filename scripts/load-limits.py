"""A bounded load test of the abuse limits, on loopback, run on demand (scripts/load-limits.sh builds and
runs it; BENCHMARKS.md has a summary): 10,000 requests at concurrency 50, over limited and unlimited
routes, against the local server (release build) on its own emulator with its DynamoDB.

Checked: no answer is 5xx, and for every key the number of requests let through equals its limit
exactly, counted from the answers and from the counters' table (whose item names are recomputed here
from the key, as the API computes them). Then the cost: the latency a limited route adds (p50, p99,
limits on vs off, sequential) and the server's CPU per request.

The client IP of each request is set with X-Forwarded-For (the server trusts 127.0.0.1 as a proxy), so
one machine plays thousands of clients. All rules used have 5-minute windows; the run starts in a
window with enough time left, and fails if it ever crosses into the next one.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import pathlib
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv/bin/python")
KEY = "load-test-key"
WINDOW = 300
LIMITS = {
    "RATE_LIMIT_CODE_SENDS_PER_ACCOUNT_MINUTE": "0",
    "RATE_LIMIT_CODE_SENDS_PER_ACCOUNT_HOUR": "0",
    "RATE_LIMIT_CODE_SENDS_PER_IP": "5",
    "RATE_LIMIT_SMS_PER_HOUR": "0",
    "RATE_LIMIT_GUESSES_PER_ACCOUNT": "10",
    "RATE_LIMIT_GUESSES_PER_IP": "40",
}


def start_emulator() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [PYTHON, "-m", "cognito_emulator", "serve", "--port", "0", "--exit-with-parent"],
        cwd=ROOT / "emulator",
        stdout=subprocess.PIPE,
        text=True,
    )
    return process, json.loads(process.stdout.readline())["endpoint"]


def new_pool(emulator: str) -> dict:
    request = urllib.request.Request(emulator + "/_emulator/pools", b"{}", {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request, timeout=30))


def start_api(local: str, emulator: str, pool: dict, env: dict) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [local],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PORT": "0",
            "USER_POOL_ID": pool["userPoolId"],
            "USER_POOL_CLIENT_ID": pool["clientId"],
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": emulator,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "LOGIN_SESSION_KEY": KEY,
            "TRUSTED_PROXIES": "127.0.0.1",
            # The emulator answers one call at a time: under 50 concurrent clients its queue, not a
            # store or a Cognito, sets the latency. AWS's own bounds stay the defaults elsewhere.
            "RATE_LIMIT_TIMEOUT_MS": "20000",
            "COGNITO_ATTEMPT_TIMEOUT_MS": "20000",
            "COGNITO_OPERATION_TIMEOUT_MS": "30000",
            "RUST_LOG": "warn",
            **env,
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    return process, int(line.strip().rsplit(":", 1)[1])


_local = threading.local()


def post(port: int, path: str, body: dict, ip: str) -> int:
    """One request on this thread's keep-alive connection to `port`."""
    connections = _local.__dict__.setdefault("connections", {})
    connection = connections.get(port)
    if connection is None:
        connection = connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(
        "POST", path, json.dumps(body), {"content-type": "application/json", "x-forwarded-for": ip}
    )
    answer = connection.getresponse()
    answer.read()
    return answer.status


def subject(text: str) -> str:
    derived = hmac.new(KEY.encode(), b"cognito-user-pool-rs rate limit keys", hashlib.sha256).digest()
    digest = hmac.new(derived, text.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def table_counts(emulator: str, table: str) -> dict[str, int]:
    """Counter name (without its window) -> count, summed over the table."""
    import boto3

    dynamodb = boto3.client(
        "dynamodb", endpoint_url=emulator, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    counts: dict[str, int] = {}
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            name = item["pk"]["S"].rsplit("#", 1)[0]
            counts[name] = counts.get(name, 0) + int(item["n"]["N"])
    return counts


def workload(run: str) -> list[tuple[str, str, dict, str, str]]:
    """(group, path, body, ip, key): 2,500 requests in each of four groups, shuffled."""
    requests = []
    # Code sends per IP (5 per 5 minutes): 50 client IPs, 50 sends each, every one for a new username.
    for i in range(50):
        ip = f"10.1.{i // 250}.{i % 250 + 1}"
        for j in range(50):
            requests.append(("sends/ip", "/signup/resend", {"username": f"{run}-s{i}-{j}"}, ip, f"ip-sends-5m#{subject('ip:' + ip)}"))
    # Guesses per account (10 per 5 minutes): 50 accounts, 50 wrong passwords each, each from a new IP.
    for i in range(50):
        user = f"{run}-g{i}"
        for j in range(50):
            ip = f"10.2.{(i * 50 + j) // 250}.{(i * 50 + j) % 250 + 1}"
            body = {"username": user, "password": "Wr0ng-Passw0rd!"}
            requests.append(("guesses/account", "/login", body, ip, f"account-guesses-5m#{subject('account:' + user)}"))
    # Guesses per IP (40 per 5 minutes): 25 IPs, 100 reset codes each, every one for a new username.
    for i in range(25):
        ip = f"10.3.0.{i + 1}"
        for j in range(100):
            body = {"username": f"{run}-r{i}-{j}", "passwordResetCode": "123456", "newPassword": "Corr3ct-Horse!"}
            requests.append(("guesses/ip", "/password/reset", body, ip, f"ip-guesses-5m#{subject('ip:' + ip)}"))
    # Unlimited: credentials missing, 401 before any store or Cognito call.
    for i in range(2500):
        requests.append(("unlimited", "/mfa/get", {}, f"10.4.{i // 250}.{i % 250 + 1}", ""))
    random.Random(7).shuffle(requests)
    return requests


def percentile(samples: list[float], p: float) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(round(p / 100 * (len(samples) - 1))))]


def cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cost(local: str, emulator: str, pool: dict, table: str, runs: int) -> list[str]:
    """Sequential /signup/resend of new usernames, limits on vs off, alternating: latency and CPU."""
    results = {}
    servers = {
        "off": start_api(local, emulator, pool, {}),
        # The defaults: each send takes from the account's minute and hour and the IP's allowance, and
        # checks the SMS cap (four counters; new usernames and IPs, so none refuses).
        "on": start_api(local, emulator, pool, {"RATE_LIMIT_TABLE": table}),
    }
    for label, (_, port) in servers.items():
        post(port, "/signup/resend", {"username": "warm-up"}, "10.9.0.1")
    latency = {label: [] for label in servers}
    cpu_before = {label: cpu_seconds(p.pid) for label, (p, _) in servers.items()}
    for i in range(runs):
        for label, (_, port) in servers.items():
            started = time.perf_counter()
            status = post(port, "/signup/resend", {"username": f"cost-{label}-{i}"}, f"10.9.{i // 250}.{i % 250 + 1}")
            latency[label].append((time.perf_counter() - started) * 1000)
            assert status == 200, status
    for label, (process, _) in servers.items():
        results[label] = (cpu_seconds(process.pid) - cpu_before[label]) / runs * 1000
        process.terminate()
    lines = ["| limits | p50 | p99 | server CPU per request |", "|---|---|---|---|"]
    for label in ("off", "on"):
        lines.append(
            f"| {label} | {statistics.median(latency[label]):.2f} ms | {percentile(latency[label], 99):.2f} ms | {results[label]:.3f} ms |"
        )
    added = statistics.median(latency["on"]) - statistics.median(latency["off"])
    lines.append(f"\nAdded by the limits (p50): {added:.2f} ms, {runs} sequential requests each.")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--local", default=str(ROOT / "target/release/local"))
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--cost-runs", type=int, default=300)
    parser.add_argument("--cost-only", action="store_true", help="only the cost of a limited route")
    args = parser.parse_args()

    emulator_process, emulator = start_emulator()
    pool = new_pool(emulator)
    table = "load-limits"
    subprocess.run([PYTHON, str(ROOT / "scripts/limits-table.py"), emulator, table], check=True)
    if args.cost_only:
        print("\n".join(cost(args.local, emulator, pool, table, args.cost_runs)))
        emulator_process.terminate()
        return 0
    api, port = start_api(args.local, emulator, pool, {"RATE_LIMIT_TABLE": table, **LIMITS})
    run = f"load{int(time.time())}"
    requests = workload(run)

    # Start with at least 200 s left in the 5-minute window: every counter then lives in one window.
    left = WINDOW - time.time() % WINDOW
    if left < 200:
        print(f"waiting {left:.0f} s for a fresh 5-minute window", file=sys.stderr)
        time.sleep(left + 1)
    window = int(time.time() // WINDOW)
    started = time.perf_counter()
    cpu_before = cpu_seconds(api.pid)
    with ThreadPoolExecutor(args.concurrency) as pool_of_clients:
        statuses = list(pool_of_clients.map(lambda r: post(port, r[1], r[2], r[3]), requests))
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(api.pid) - cpu_before
    if int(time.time() // WINDOW) != window:
        print("the run crossed into the next 5-minute window: run it again", file=sys.stderr)
        return 1
    api.terminate()

    failures = []
    through: dict[str, int] = {}
    groups: dict[str, dict[int, int]] = {}
    for (group, _, _, _, key), status in zip(requests, statuses):
        groups.setdefault(group, {}).setdefault(status, 0)
        groups[group][status] += 1
        if key and status != 429:
            through[key] = through.get(key, 0) + 1
    fives = sum(1 for s in statuses if s >= 500)
    if fives:
        failures.append(f"{fives} answers were 5xx")
    counts = table_counts(emulator, table)
    limits = {"ip-sends-5m": 5, "account-guesses-5m": 10, "ip-guesses-5m": 40}
    keys = {key for (_, _, _, _, key) in requests if key}
    for key in sorted(keys):
        limit = limits[key.split("#")[0]]
        if through.get(key, 0) != limit or counts.get(key, 0) != limit:
            failures.append(f"{key}: {through.get(key, 0)} let through, {counts.get(key, 0)} counted, limit {limit}")

    print(f"## Rate limits under load ({len(requests)} requests, concurrency {args.concurrency})\n")
    print(f"{elapsed:.1f} s, {len(requests) / elapsed:.0f} requests/s, server CPU {cpu / len(requests) * 1000:.3f} ms per request\n")
    print("| group | answers |\n|---|---|")
    for group in sorted(groups):
        print(f"| {group} | {', '.join(f'{n} x {s}' for s, n in sorted(groups[group].items()))} |")
    print(f"\n{len(keys)} limited keys: each let through exactly its limit (answers and table agree): {'yes' if not failures else 'NO'}")
    print(f"5xx answers: {fives}\n")
    print("### Cost of a limited route (/signup/resend, emulator on loopback)\n")
    print("\n".join(cost(args.local, emulator, pool, table, args.cost_runs)))
    emulator_process.terminate()
    for failure in failures[:20]:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
