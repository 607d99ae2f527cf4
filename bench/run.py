"""scripts/bench: build a data set, serve the app as in production, measure with wrk.

One run: the data set of ``--plans`` plans (built through the services, reused
from ``bench/data/`` when already built; with ``--clone-from N`` only N are built
and the rest copied from them, bench/clone.py, and the output says so), the app
under gunicorn with the production settings next to a bare Flask endpoint under the same gunicorn
settings, three people signed in, and wrk against each page in turn. Every page
is reported as a ratio to the bare endpoint, because machines differ.

How people are signed in: passkeys cannot be used without a browser, so the
benchmark makes each person's session the way a passkey sign-in does, by calling
the app's own ``sign_in(person, passkey)`` in a request context and saving the
session to the app's session store (the database, or Redis with
``--redis-url``); wrk sends the cookie. Every measured request then takes the
production path: session lookup, the person, the session version, the sign-in
not ended, the passkey still there, the idle timeout, and the session written
back. No development sign-in is switched on (the app runs with
``FAMILY_APP_ENV=production``, which refuses it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

PLAN_PAGE_RPS = 0.25  # plan page: at least this share of bare-Flask requests/s
PLAN_PAGE_P99 = 5.0  # and p99 at most this many times bare's
FAMILY_RPS = 0.15  # every family page
SCALING_P95 = 0.20  # 1,000 → 100,000 plans changes no page's p95 by more


@dataclass
class Target:
    """One row of the table: a request as one of the signed-in people makes it."""

    name: str
    who: str  # guardian | child | coordinator | none
    path: str
    method: str = "GET"
    body: str = ""
    budget: str = "family"  # plan | family | none
    result: dict[str, Any] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model or platform.processor(), "python": sys.version}


def _environment(args: argparse.Namespace, database_url: str, port: int) -> dict[str, str]:
    """The app's settings: production, as the Docker image runs it, on loopback http."""
    env = {
        "FAMILY_APP_ENV": "production",
        "FAMILY_APP_SECRET_KEY": secrets.token_urlsafe(48),
        "FAMILY_APP_INVITATION_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "FAMILY_APP_PORT": str(port),
        "FAMILY_APP_ORIGIN": f"http://localhost:{port}",
        "FAMILY_APP_TRUSTED_PROXIES": "1",
        "FAMILY_APP_QUEUE_URL": "",
    }
    if args.redis_url:
        env["FAMILY_APP_REDIS_URL"] = args.redis_url
    return env


def _prepare(args: argparse.Namespace, database_url: str) -> tuple[dict, dict[str, dict]]:
    """Schema, data set, and a signed-in session for each person (in this process,
    with the same settings the server gets)."""
    from alembic import command
    from flask import session
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import select

    from family_app import create_app
    from family_app.auth.session import sign_in
    from family_app.cli import alembic_config
    from family_app.extensions import db
    from family_app.models import Credential, Person

    from . import dataset

    app = create_app()
    sessions: dict[str, dict] = {}
    with app.app_context():
        command.upgrade(alembic_config(), "head")
        started = time.monotonic()
        if args.clone_from:
            source = Path(str(db.engine.url.database)).with_name(f"plans-{args.clone_from}.sqlite")
            personas = dataset.build_cloned(db.session, args.plans, source, args.clone_from)
        else:
            personas = dataset.build(db.session, args.plans, workers=args.build_workers)
        build_seconds = time.monotonic() - started
        db.session.close()
        for who, person_id in (
            ("guardian", personas.guardian_id),
            ("child", personas.child_id),
            ("coordinator", personas.coordinator_id),
        ):
            # A fresh app context each: Flask-WTF keeps the token in ``g``.
            with (
                app.app_context(),
                app.test_request_context("/", base_url=app.config["WEBAUTHN_ORIGIN"]),
            ):
                person = db.session.get(Person, person_id)
                credential = db.session.scalar(
                    select(Credential).where(
                        Credential.person_id == person_id, Credential.name == "bench"
                    )
                )
                sign_in(person, credential)
                token = generate_csrf()
                response = app.response_class()
                app.session_interface.save_session(app, session, response)
                db.session.commit()
                cookie = response.headers["Set-Cookie"].split(";", 1)[0]
                sessions[who] = {"cookie": cookie, "csrf": token}
    built = args.clone_from or args.plans
    info = asdict(personas) | {
        "build_seconds": round(build_seconds, 1),
        "built_through_services": built,
        "copied": args.plans - built,
        "made": _made(args),
    }
    return info, sessions


def _made(args: argparse.Namespace) -> str:
    """How the data set was made, for the table and the JSON."""
    if not args.clone_from:
        return f"built through services: {args.plans:,}; copied: 0"
    return (
        f"built through services: {args.clone_from:,}; copied: {args.plans - args.clone_from:,} "
        f"(copies of those plans' rows, new people and ids; bench/clone.py)"
    )


def _build_source(args: argparse.Namespace, source: Path) -> None:
    """The plans a --clone-from data set copies: plans-N.sqlite, built through the
    services as a plain run of that size builds it (reused when there)."""
    from alembic import command

    from family_app import create_app
    from family_app.cli import alembic_config
    from family_app.extensions import db

    from . import dataset

    saved = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = f"sqlite:///{source}"
    try:
        app = create_app()
        with app.app_context():
            command.upgrade(alembic_config(), "head")
            dataset.build(db.session, args.clone_from, workers=args.build_workers)
            db.session.close()
            assert db.engine is not None
            db.engine.dispose()
    finally:
        os.environ["DATABASE_URL"] = saved


def _serve(
    module: str, port: int, workers: int, env: dict[str, str], log: Path
) -> subprocess.Popen:
    """gunicorn as scripts/start.sh starts it (sync workers, no access log)."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        module,
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=os.environ | env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within 60 s:\n{log.read_text()[-3000:]}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _check(base: str, target: Target, session: dict | None) -> None:
    """One request before measuring: it must be the page itself (200), not the
    sign-in page or an error, or the numbers would measure the wrong thing."""
    headers = {"X-Forwarded-For": "10.255.0.1"}
    data = None
    if session:
        headers["Cookie"] = session["cookie"]
    if target.method == "POST":
        headers |= {
            "X-CSRFToken": session["csrf"] if session else "",
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        data = target.body.encode()
    request = urllib.request.Request(base + target.path, data, headers, method=target.method)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(
            f"{target.method} {target.path} as {target.who} answered {status}, not 200"
        )


def _wrk(args: argparse.Namespace, base: str, target: Target, session: dict | None) -> dict:
    env = os.environ | {
        "BENCH_COOKIE": session["cookie"] if session else "",
        "BENCH_METHOD": target.method,
        "BENCH_BODY": target.body,
        "BENCH_CSRF": session["csrf"] if session and target.method == "POST" else "",
    }
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}",
        "--timeout",
        "30s",
        "-s",
        str(BENCH / "wrk.lua"),
        base + target.path,
    ]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result for {target.path}:\n{out}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(raw["errors"].values())
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": errors,
    }


def _judge(target: Target, bare: dict) -> None:
    r = target.result
    r["rps_ratio"] = r["rps"] / bare["rps"]
    r["p99_ratio"] = r["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else None
    checks = []
    if target.budget == "plan":
        checks.append(r["rps_ratio"] >= PLAN_PAGE_RPS)
        checks.append(r["p99_ratio"] is not None and r["p99_ratio"] <= PLAN_PAGE_P99)
    elif target.budget == "family":
        checks.append(r["rps_ratio"] >= FAMILY_RPS)
    if r["errors"]:
        checks.append(False)
    r["budget_met"] = all(checks) if checks else None


def _compare(rows: list[Target], other: Path) -> dict[str, float]:
    """p95 change against another run (another size), per page."""
    earlier = {row["name"]: row for row in json.loads(other.read_text())["rows"]}
    change = {}
    for target in rows:
        before = earlier.get(target.name)
        if before and before["p95_ms"]:
            change[target.name] = target.result["p95_ms"] / before["p95_ms"] - 1
    return change


def _table(rows: list[Target], bare: dict, change: dict[str, float] | None) -> str:
    head = f"{'page':<22}{'who':<12}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    head += f"{'× req/s':>9}{'× p99':>7}  budget"
    if change is not None:
        head += "   p95 vs other size"
    lines = [head, "-" * len(head)]
    b = bare
    lines.append(
        f"{'bare Flask':<22}{'':<12}{b['rps']:>8.0f}{b['p50_ms']:>8.1f}{b['p95_ms']:>8.1f}"
        f"{b['p99_ms']:>8.1f}{1:>9.2f}{1:>7.1f}  (yardstick)"
    )
    for t in rows:
        r = t.result
        if t.budget == "plan":
            rule = f"≥{PLAN_PAGE_RPS:.0%}, p99≤{PLAN_PAGE_P99:.0f}×"
        elif t.budget == "family":
            rule = f"≥{FAMILY_RPS:.0%}"
        else:
            rule = "none"
        verdict = {True: "met", False: "MISSED", None: "-"}[r["budget_met"]]
        if r["errors"]:
            verdict += f" ({r['errors']} errors)"
        p99_ratio = f"{r['p99_ratio']:>7.1f}" if r["p99_ratio"] is not None else f"{'-':>7}"
        line = (
            f"{t.name:<22}{t.who:<12}{r['rps']:>8.0f}{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f}"
            f"{r['p99_ms']:>8.1f}{r['rps_ratio']:>9.2f}{p99_ratio}  {verdict} {rule}"
        )
        if change is not None and t.name in change:
            mark = "met" if abs(change[t.name]) <= SCALING_P95 else "MISSED"
            line += f"   {change[t.name]:+.0%} {mark}"
        lines.append(line)
    return "\n".join(lines)


def _targets(info: dict) -> list[Target]:
    from family_app.views.prompts import PROMPTS

    plan, meeting = info["plan_id"], info["meeting_id"]
    prompt = next(p.key for p in PROMPTS if p.kind == "text")
    body = urllib.parse.urlencode({"text": "Det går bättre i skolan nu.", "audience": "everyone"})
    return [
        Target("plan page", "guardian", f"/plans/{plan}", budget="plan"),
        Target("next steps", "guardian", f"/plans/{plan}/next"),
        Target("meetings", "guardian", f"/plans/{plan}/meetings"),
        Target("consent", "guardian", f"/plans/{plan}/consent"),
        Target("who can see", "guardian", f"/plans/{plan}/who-can-see"),
        Target("views step", "child", f"/meetings/{meeting}/my-views/{prompt}"),
        Target(
            "autosave POST",
            "child",
            f"/meetings/{meeting}/my-views/{prompt}/autosave",
            "POST",
            body,
        ),
        Target(
            "workspace plan",
            "coordinator",
            f"/workspace/plans/{info.get('coordinator_plan_id', plan)}",
            budget="none",
        ),
        Target("workspace home", "coordinator", "/workspace/", budget="none"),
    ]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run everything, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=1000, help="data set size (default 1000)")
    parser.add_argument(
        "--database-url", help="e.g. postgresql://postgres@127.0.0.1:5432/bench (default: SQLite)"
    )
    parser.add_argument("--redis-url", help="keep sessions and rate limits in Redis")
    parser.add_argument("--duration", default="10s", help="wrk duration per page (default 10s)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "2")),
        help="gunicorn workers for both servers (WEB_CONCURRENCY, default 2, as start.sh)",
    )
    parser.add_argument(
        "--build-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes that build the SQLite data set (default: one per CPU; bench/shards.py)",
    )
    parser.add_argument(
        "--clone-from",
        type=int,
        metavar="N",
        help="SQLite only: build N plans through the services, make the rest of --plans "
        "by copying their rows (bench/clone.py; README: when to use it)",
    )
    parser.add_argument("--out", type=Path, help="JSON file (default bench/results/plans-N.json)")
    parser.add_argument("--compare", type=Path, help="a JSON of another size: p95 change per page")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (scripts/bench installs it).")

    data = BENCH / "data"
    data.mkdir(exist_ok=True)
    name = f"plans-{args.plans}"
    if args.clone_from:
        if args.database_url:
            raise SystemExit("--clone-from works on SQLite only; PostgreSQL keeps the plain build.")
        if not 0 < args.clone_from < args.plans or args.plans % args.clone_from:
            raise SystemExit("--clone-from must be below --plans and divide it")
        name += f"-clone-{args.clone_from}"  # never mixed up with a service-built data set
    database_url = args.database_url or f"sqlite:///{data / f'{name}.sqlite'}"
    port, bare_port = _free_port(), _free_port()
    env = _environment(args, database_url, port)
    os.environ.update(env)
    print(f"Data set: {args.plans:,} plans in {database_url.split('@')[-1]}")
    print(f"  {_made(args)}")
    if args.clone_from:
        from . import clone

        source = data / f"plans-{args.clone_from}.sqlite"
        _build_source(args, source)
        target = data / f"{name}.sqlite"
        if not target.exists():
            clone.clean_copy(source, target)
    info, sessions = _prepare(args, database_url)
    print(f"  ready ({info['build_seconds']} s to build or check)")

    logs = data / "logs"
    logs.mkdir(exist_ok=True)
    app_server = _serve("family_app.wsgi:app", port, args.workers, env, logs / "app.log")
    bare_server = _serve("bench.bare:app", bare_port, args.workers, {}, logs / "bare.log")
    try:
        base, bare_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
        _wait(base + "/healthz", app_server, logs / "app.log")
        _wait(bare_base + "/", bare_server, logs / "bare.log")
        targets = _targets(info)
        for target in targets:
            _check(base, target, sessions.get(target.who))
        print(f"Measuring: wrk -t{args.threads} -c{args.connections} -d{args.duration} per page")
        bare_target = Target("bare Flask", "none", "/", budget="none")
        bare_runs = [_wrk(args, bare_base, bare_target, None)]
        for target in targets:
            target.result = _wrk(args, base, target, sessions.get(target.who))
            print(f"  {target.name}: {target.result['rps']:.0f} req/s", flush=True)
        bare_runs.append(_wrk(args, bare_base, bare_target, None))
    finally:
        _stop(app_server)
        _stop(bare_server)

    # The yardstick is measured before and after the pages; their mean evens out
    # other load on a shared machine (both runs are in the JSON).
    bare = {k: sum(r[k] for r in bare_runs) / len(bare_runs) for k in bare_runs[0]}
    for target in targets:
        _judge(target, bare)
    change = _compare(targets, args.compare) if args.compare else None
    table = _table(targets, bare, change)
    print()
    table += f"\nData set: {args.plans:,} plans; {_made(args)}"
    print(table)
    out = args.out or BENCH / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "plans": args.plans,
        "made": _made(args),
        "database": database_url.split(":", 1)[0],
        "sessions": "redis" if args.redis_url else "database",
        "machine": _machine(),
        "settings": {
            "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}",
            "gunicorn_workers": args.workers,
        },
        "data_set": info,
        "bare": bare,
        "bare_runs": bare_runs,
        "rows": [{"name": t.name, "who": t.who, "method": t.method, **t.result} for t in targets],
        "p95_change": change,
        "table": table,
    }
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWritten: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0
