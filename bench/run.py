"""`make bench`: generate a large school at 1x and 0.1x on PostgreSQL, measure the key pages through
gunicorn with DEBUG off, run the signing surge, and write bench/RESULTS.md.

    make bench                                  # needs PostgreSQL and Redis on this machine
    BENCH_POSTGRES=postgres://user@host:5432 make bench
    .venv/bin/python -m bench.run --keep        # leave the databases for a look afterwards

Each measurement runs in its own process (the database is chosen when Django starts). The bench
databases are bench_portal_* and are dropped at the end unless --keep.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "RESULTS.md"
SCALES = {"full": 1.0, "tenth": 0.1}
TARGET_RATIO, PDF_TARGET_SECONDS = 3.0, 3.0


def production_env(database_url):
    """The production settings (DEBUG off) with harmless values: no mail is sent, tasks are queued."""
    return {**os.environ, "DEBUG": "false", "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-only-secret-key-never-used-in-production-0123456789",
            "ALLOWED_HOSTS": "localhost,testserver", "SITE_URL": "http://localhost",
            "EMAIL_URL": "smtp://127.0.0.1:2525", "SECURE_SSL_REDIRECT": "false",
            # Tasks are queued on a Redis database of the bench's own, never run.
            "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9"),
            # Behind the production proxy: the surge's parents each come from their own address.
            "TRUST_X_FORWARDED_FOR": "true",
            "MEDIA_ROOT": os.environ.get("BENCH_MEDIA", "/tmp/bench-portal-media"),
            "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}


def admin_sql(server, statement):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def python(module, env, *args):
    started = time.monotonic()
    print(f"· {module} {' '.join(args)}", flush=True)
    result = subprocess.run([sys.executable, "-m", module, *args], env=env, cwd=ROOT, check=True,
                            capture_output=True, text=True)
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    return result.stdout


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, check=True, capture_output=True)


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip() or "?"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "postgres": postgres}


def jit_setting(server):
    """JIT compiles any query PostgreSQL guesses is costly, which at this size costs more than it saves."""
    with psycopg.connect(f"{server}/postgres") as connection:
        value = connection.execute("SHOW jit").fetchone()[0]
    source = f" (PGOPTIONS={os.environ['PGOPTIONS']})" if os.environ.get("PGOPTIONS") else ""
    return f"{value}{source}"


def commit():
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return (head.stdout.strip() or "unknown") + (" with uncommitted changes" if dirty else "")


def ms(seconds):
    return f"{seconds * 1000:.0f}"


def results_markdown(info, generated, measured, surge, started):
    full, tenth = measured["full"], measured["tenth"]
    floors = {scale: data["pages"][0]["median"] for scale, data in measured.items()}
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (bench/run.py) on {started:%Y-%m-%d %H:%M} UTC at commit {info['commit']}.",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM; Python {info['python']}; "
        f"{info['postgres']}. gunicorn with 2 sync workers, DEBUG off, on the same machine as PostgreSQL.",
        f"PostgreSQL JIT: {info['jit']}.",
        f"Load average while measuring (1 min): {full['load'][0]:.1f} at 1x, {tenth['load'][0]:.1f} at 0.1x, "
        f"{surge['load'][0]:.1f} after the surge. On a shared machine the times move with the load; the "
        "ratios to the floor and the query counts are what to compare.",
        "",
        "## Data",
        "",
        "| | 1x | 0.1x |",
        "|---|---:|---:|",
    ]
    for key in generated["full"]:
        lines.append(f"| {key} | {generated['full'][key]} | {generated['tenth'][key]} |")
    lines += [
        "",
        "## Key pages",
        "",
        "Server time measured from the client over loopback, 30 requests after 3 warm-up ones. The floor is "
        "the signed-in password-change page: a template rendered through the full middleware (session, "
        "sign-in, two-factor check, CSP) and nothing else. Queries counted in-process on the same request.",
        "",
        "| Page | median ms (1x) | p95 ms (1x) | × floor (1x) | queries (1x) | median ms (0.1x) | × floor (0.1x) "
        "| queries (0.1x) | within 3× and same queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    misses = []
    for big, small in zip(full["pages"], tenth["pages"], strict=True):
        ratio, small_ratio = big["median"] / floors["full"], small["median"] / floors["tenth"]
        ok = ratio <= TARGET_RATIO and big["queries"] == small["queries"]
        if not ok and big is not full["pages"][0]:
            misses.append(big["page"])
        lines.append(f"| {big['page']} | {ms(big['median'])} | {ms(big['p95'])} | {ratio:.1f} | {big['queries']} "
                     f"| {ms(small['median'])} | {small_ratio:.1f} | {small['queries']} | {'yes' if ok else 'NO'} |")
    report, small_report = full["report"], tenth["report"]
    lines += [
        "",
        "## Governor report build (in-process, figures + PDF + storage), 5 runs",
        "",
        "| | 1x | 0.1x |",
        "|---|---:|---:|",
        f"| Term | {report['term']} | {small_report['term']} |",
        f"| Incidents in the term | {report['incidents']} | {small_report['incidents']} |",
        f"| Build median s | {report['build_median']:.2f} | {small_report['build_median']:.2f} |",
        f"| Build p95 s | {report['build_p95']:.2f} | {small_report['build_p95']:.2f} |",
        f"| PDF render alone, median s | {report['pdf_median']:.2f} | {small_report['pdf_median']:.2f} |",
        f"| Queries | {report['queries']} | {small_report['queries']} |",
        "",
        f"Termly PDF for {report['incidents']} incidents: median {report['pdf_median']:.2f} s to render "
        f"(target under {PDF_TARGET_SECONDS:.0f} s: "
        f"{'met' if report['pdf_median'] < PDF_TARGET_SECONDS else 'NOT met'}).",
        "",
        f"## Signing surge ({surge['clients']} concurrent parents for {surge['seconds']} s, 1x database)",
        "",
        "| Signatures recorded (POSTs answered with the done page) | per second | median ms | p95 ms | errors |",
        "|---:|---:|---:|---:|---:|",
        f"| {surge['signed']} | {surge['per_second']:.1f} | {ms(surge['median'] or 0)} | {ms(surge['p95'] or 0)} "
        f"| {surge['errors']} |",
        "",
        f"Database afterwards: {surge['signatures']} signatures through {surge['links_signed']} links (each "
        "signs the parent agreement and the child's key-stage agreement, so two per link); "
        f"{surge['duplicates']} signer-and-version pairs with more than one signature. "
        + ("Exactly one signature per signer and version, no errors."
           if surge["duplicates"] == 0 and surge["errors"] == 0 and surge["links_signed"] == surge["signed"]
           else "CHECK FAILED: " + "; ".join(surge["error_kinds"])),
        "",
        "## Targets",
        "",
        ("Every key page within 3× the floor with the same query count at 1x and 0.1x."
         if not misses else "Missed by: " + ", ".join(misses) + "."),
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the bench databases afterwards")
    parser.add_argument("--surge-seconds", default="60")
    args = parser.parse_args()
    server = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    started = datetime.datetime.now(datetime.UTC)
    names = {scale: f"bench_portal_{scale}" for scale in SCALES}
    template = "bench_portal_template"
    generated, measured = {}, {}
    # Production serves hashed static names, so collectstatic fills var/staticfiles; when the bench
    # made it, it goes again afterwards rather than stand in for the files under static/.
    static_root = ROOT / "var" / "staticfiles"
    static_made = not static_root.exists()
    try:
        for name in [template, *names.values()]:
            admin_sql(server, f"DROP DATABASE IF EXISTS {name}")
        admin_sql(server, f"CREATE DATABASE {template}")
        env = production_env(f"{server}/{template}")
        print("· migrate and collectstatic", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        for scale, factor in SCALES.items():
            admin_sql(server, f"CREATE DATABASE {names[scale]} TEMPLATE {template}")
            env = production_env(f"{server}/{names[scale]}")
            generated[scale] = json.loads(python("bench.generate", env, "--scale", str(factor), "--json"))
            measured[scale] = json.loads(python("bench.measure", env, "--log", f"/tmp/bench-gunicorn-{scale}.log"))
        surge = json.loads(python("bench.surge", production_env(f"{server}/{names['full']}"),
                                  "--seconds", args.surge_seconds))
    except subprocess.CalledProcessError as error:
        sys.exit(f"{' '.join(map(str, error.cmd))} failed:\n{error.stderr}")
    finally:
        if static_made:
            shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep:
            for name in [template, *names.values()]:
                admin_sql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    info = {**machine(), "commit": commit(), "jit": jit_setting(server)}
    RESULTS.write_text(results_markdown(info, generated, measured, surge, started))
    print(f"Wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
