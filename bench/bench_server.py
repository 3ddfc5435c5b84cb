"""Server benchmarks on loopback only (bounded in requests and time; they stop by themselves).

    python bench/bench_server.py load    [--clients 50] [--requests 3000] [--seconds 60]
    python bench/bench_server.py sigkill [--runs 20]

``load``: starts ``nutrispine serve`` on 127.0.0.1 and drives ``POST /api/v1/assess`` (a
two-day diet) and the trivial ``GET /api/v1/health`` at the same concurrency; prints throughput,
p50/p99 latency and errors, and fails unless assess holds at least half the trivial throughput
with zero errors.

``sigkill``: starts the server, writes diary entries from several clients, kills the server
with SIGKILL at a random moment, restarts it and checks that every acknowledged (committed)
entry is there and that the database integrity check passes; repeated ``--runs`` times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"  # loopback only, always
ROOT = Path(__file__).resolve().parents[1]
TWO_DAY_PROFILE = {
    "person": {"age": 58, "sex": "female", "weight_kg": 70, "height_cm": 165},
    "pain": {"regions": ["neck", "lower_back"], "duration_weeks": 12, "severity": 6},
    "symptoms": ["fatigue", "muscle_cramps", "tingling"],
    "risk_factors": ["limited_sun_exposure"],
    "medications": ["metformin", "omeprazole"],
    "supplements": [{"nutrient": "vitamin_d", "amount": 1000, "unit": "IU"}],
    "diet": {"days": [["1 cup 2% milk", "2 large eggs", "3 oz cooked Atlantic salmon",
                       "2 slices whole wheat bread", "1 medium banana"],
                      ["1 oz almonds", {"food": "spinach, cooked", "amount": 1, "unit": "cup"},
                       "1 cup cooked brown rice", "6 oz plain yogurt", "1 cup orange juice"]]},
    "labs": [{"test": "vitamin_d_25oh", "value": 18, "unit": "ng/mL", "date": "2026-10-01"}],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """``nutrispine serve`` in a child process on a loopback port."""

    def __init__(self, home: Path, port: int, workers: int = 1) -> None:
        self.home, self.port, self.workers = home, port, workers
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, "NUTRISPINE_HOME": str(self.home)}
        env.pop("NUTRISPINE_DATABASE_URL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from nutrispine.cli import main; main()", "serve",
             "--host", HOST, "--port", str(self.port), "--workers", str(self.workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server exited with {self.proc.returncode}: {err[-2000:]}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in time")

    def kill(self) -> None:
        """SIGKILL, the way a crash or an OOM kill ends a process (no clean-up runs)."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


# --- load --------------------------------------------------------------------------------

class _Conn:
    """One keep-alive HTTP/1.1 connection on asyncio streams.

    A lean client on purpose: at 50 connections httpx's pool costs more CPU than the server's
    trivial endpoint, so it would measure the client (both share this machine's two cores).
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, head: bytes, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _head(method: str, path: str, body: bytes) -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()


async def _drive(port: int, method: str, path: str, bodies: list[bytes], clients: int,
                 total: int, seconds: float) -> dict[str, Any]:
    """``total`` requests (or ``seconds``, whichever ends first) over ``clients`` connections."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal issued, errors
        conn = _Conn(port)
        try:
            while issued < total and time.perf_counter() < deadline:
                body = bodies[issued % len(bodies)]
                issued += 1
                t0 = time.perf_counter()
                try:
                    if await conn.request(_head(method, path, body), body) != 200:
                        errors += 1
                except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    conn.close()
                    conn = _Conn(port)
                latencies.append(time.perf_counter() - t0)
        finally:
            conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"requests": len(latencies), "errors": errors, "seconds": elapsed,
            "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
            if latencies else 0.0}


def _import_foods(home: Path) -> str:
    sr28 = os.environ.get("NUTRISPINE_SR28")
    source = Path(sr28) if sr28 and (Path(sr28) / "FOOD_DES.txt").is_file() else (
        ROOT / "tests" / "web" / "fixtures" / "sr-mini")
    os.environ["NUTRISPINE_HOME"] = str(home)
    from nutrispine.foods import import_path

    import_path(source)
    return source.name


def load(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="nutrispine-bench-") as tmp:
        home = Path(tmp)
        foods = _import_foods(home)
        server = Server(home, free_port(), workers=args.workers)
        server.start()
        try:
            body = json.dumps(TWO_DAY_PROFILE).encode()
            check = httpx.post(server.url + "/api/v1/assess", content=body,
                               headers={"content-type": "application/json"})
            assert check.status_code == 200, check.text
            port, n, c, t = server.port, args.requests, args.clients, args.seconds
            asyncio.run(_drive(port, "GET", "/api/v1/health", [b""], c, min(500, n), t))
            asyncio.run(_drive(port, "POST", "/api/v1/assess", [body], c, min(500, n), t))
            trivial = asyncio.run(_drive(port, "GET", "/api/v1/health", [b""], c, n, t))
            assess = asyncio.run(_drive(port, "POST", "/api/v1/assess", [body], c, n, t))
            # Every body different (weight varies): no cached result, the engine runs each time.
            cold_bodies = [json.dumps({**TWO_DAY_PROFILE, "person": {
                **TWO_DAY_PROFILE["person"], "weight_kg": 50 + i / 100}}).encode()
                for i in range(args.cold)]
            cold = asyncio.run(_drive(port, "POST", "/api/v1/assess", cold_bodies, c,
                                      args.cold, t))
        finally:
            server.stop()
    ratio = assess["rps"] / trivial["rps"] if trivial["rps"] else 0.0
    print(f"food database: {foods}; server workers: {args.workers}; "
          f"{args.clients} concurrent clients on {HOST}")
    for name, r in (("GET /api/v1/health (trivial)", trivial),
                    ("POST /api/v1/assess (two-day diet)", assess),
                    ("  same, every profile different", cold)):
        print(f"{name:36s} {r['requests']:6d} req in {r['seconds']:6.2f} s = "
              f"{r['rps']:8.1f} req/s  p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
              f"errors {r['errors']}")
    ok = ratio >= 0.5 and assess["errors"] == 0 and trivial["errors"] == 0
    print(f"assess / trivial throughput ratio: {ratio:.2f} (needs >= 0.50, zero errors): "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


# --- sigkill -----------------------------------------------------------------------------

def sigkill_round(home: Path, round_no: int, writers: int = 6,
                  kill_after: tuple[float, float] = (0.4, 1.5)) -> dict[str, int]:
    """One crash: write until a random SIGKILL, restart, check every acknowledged entry."""
    server = Server(home, free_port())
    server.start()
    acked: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def writer(w: int) -> None:
        n = 0
        with httpx.Client(base_url=server.url, timeout=10) as client:
            while not stop.is_set():
                note = f"r{round_no}-w{w}-n{n}"
                n += 1
                try:
                    if n % 3 == 0:
                        r = client.post("/api/v1/me/labs", json={
                            "test": "magnesium", "value": round(0.5 + n % 50 / 100, 2),
                            "unit": "mmol/L", "day": "2026-11-20"})
                        key = f"lab:{r.json()['id']}" if r.status_code == 201 else None
                    else:
                        r = client.post("/api/v1/me/pain", json={
                            "day": "2026-11-20", "region": "neck", "score": n % 11,
                            "notes": note})
                        key = note if r.status_code == 201 else None
                except (httpx.HTTPError, ValueError):
                    return  # the server is gone
                if key is not None:
                    with lock:
                        acked.append(key)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    time.sleep(random.uniform(*kill_after))
    server.kill()
    stop.set()
    for t in threads:
        t.join(15)

    server = Server(home, free_port())
    server.start()  # ``serve`` refuses to start when the integrity check fails
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            notes = {p["notes"] for p in client.get("/api/v1/me/pain").json()}
            labs = {f"lab:{lab['id']}" for lab in client.get("/api/v1/me/labs").json()}
    finally:
        server.stop()
    stored = notes | labs
    lost = [k for k in acked if k not in stored]
    os.environ["NUTRISPINE_HOME"] = str(home)
    from nutrispine.store import Store

    store = Store.open(f"sqlite:///{home / 'nutrispine.db'}")
    problems = store.integrity_problems()
    store.close()
    return {"acknowledged": len(acked), "lost": len(lost), "stored": len(stored),
            "integrity_problems": len(problems)}


def sigkill(args: argparse.Namespace) -> int:
    failures = 0
    total_acked = 0
    with tempfile.TemporaryDirectory(prefix="nutrispine-kill-") as tmp:
        for i in range(args.runs):
            r = sigkill_round(Path(tmp), i)
            total_acked += r["acknowledged"]
            bad = r["lost"] or r["integrity_problems"]
            failures += bool(bad)
            print(f"run {i + 1:2d}: {r['acknowledged']:5d} acknowledged writes, "
                  f"{r['stored']:6d} entries stored, lost {r['lost']}, "
                  f"integrity problems {r['integrity_problems']}")
    print(f"{args.runs} SIGKILL runs, {total_acked} acknowledged writes, "
          f"{failures} runs with loss or corruption: {'PASS' if failures == 0 else 'FAIL'}")
    return 0 if failures == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p_load = sub.add_parser("load")
    p_load.add_argument("--clients", type=int, default=50)
    p_load.add_argument("--requests", type=int, default=3000)
    p_load.add_argument("--seconds", type=float, default=60.0)
    p_load.add_argument("--workers", type=int, default=1)
    p_load.add_argument("--cold", type=int, default=300,
                        help="requests with distinct profiles (never cached), reported apart")
    p_kill = sub.add_parser("sigkill")
    p_kill.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    return load(args) if args.what == "load" else sigkill(args)


if __name__ == "__main__":
    sys.exit(main())
