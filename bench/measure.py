"""Measure one generated database: server time of each key page through gunicorn, its query count,
and the termly report build. Run by bench/run.py, once per database, with the production settings
(DEBUG off) in the environment; prints one JSON object.

Server time is measured from the client over loopback (a new connection per request, as gunicorn's
sync workers close each one): the same small overhead is in the floor, so ratios are fair.
Query counts come from the same requests made in-process with Django's test client, since gunicorn
cannot report them.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time

from bench.generate import setup_django

WARM_UP, REQUESTS = 3, 30
REPORT_RUNS = 5
PARENT_TOKEN = "bench-parent-link-token-for-measuring-the-page-0001"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port():
    """A port nobody listens on now: other servers may run on this machine at the same time."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(port, pid_file, log_file):
    """gunicorn as production runs it (two workers here), stopped later by the pid it writes."""
    command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "safety_portal.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", "2", "--pid", pid_file, "--timeout", "120",
               "--worker-tmp-dir", "/dev/shm", "--no-control-socket"]
    process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    for _attempt in range(100):
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting; see its log")
        try:
            status, _body, _seconds = fetch(port, "/healthz")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not answer /healthz")


def gunicorn_stop(process, pid_file):
    process.terminate()  # our own child: the master stops its workers
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    if os.path.exists(pid_file):
        os.remove(pid_file)


def fetch(port, path, cookie="", method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    all_headers = {"Host": "localhost", **(headers or {})}
    if cookie:
        all_headers["Cookie"] = cookie
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    content = response.read()
    seconds = time.perf_counter() - started
    connection.close()
    return response.status, content, seconds


def session_for(user):
    """A signed-in session with the second factor done, as the code page would leave it."""
    from django.test import Client

    from safety_portal.signin.services import session_sign_in_complete

    client = Client()
    client.force_login(user)
    session = client.session
    session_sign_in_complete(session)
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client, f"sessionid={session.session_key}"


def parent_link():
    """A link for a family that has not yet signed the current parent agreement (the form shows)."""
    from django.utils import timezone

    from agreements.models import Signature, SigningLink, SigningPack, link_expiry_from
    from safety_portal.school.models import PupilGuardian

    signed = Signature.objects.filter(version__agreement__audience="parent",
                                      version__status="published").values("guardian_id", "pupil_id")
    pair = (PupilGuardian.objects.filter(parental_responsibility=True).exclude(
        guardian_id__in=signed.values("guardian_id")).order_by("pk").first()
            or PupilGuardian.objects.order_by("pk").first())
    pack, _created = SigningPack.objects.get_or_create(title="Bench: page measurement")
    SigningLink.objects.get_or_create(token_hash=SigningLink.hash_token(PARENT_TOKEN), defaults={
        "pack": pack, "guardian_id": pair.guardian_id, "pupil_id": pair.pupil_id,
        "expires_at": link_expiry_from(timezone.now())})
    return f"/p/{PARENT_TOKEN}/"


def pages():
    """(label, path, who) for each key page; the floor first."""
    from django.db.models import Count

    from incidents.models import ChronologyEntry

    busiest = (ChronologyEntry.objects.values("incident").annotate(entries=Count("pk"))
               .order_by("-entries", "incident").first()["incident"])
    return [
        ("Floor: password change page (signed in, template only)", "/accounts/password/change/", "dsl"),
        ("Login page (anonymous)", "/accounts/login/", None),
        ("DSL dashboard", "/", "dsl"),
        ("Incident list, first page", "/incidents/", "dsl"),
        ("Incident list, last page", "/incidents/?page=last", "dsl"),
        ("Incident detail", f"/incidents/{busiest}/", "dsl"),
        ("Compliance page", "/agreements/compliance/", "dsl"),
        ("Do-not-photograph list", "/consent/do-not-photograph/", "dsl"),
        ("Policy register", "/policies/", "dsl"),
        ("Parent link page", parent_link(), None),
    ]


def query_count(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # the first request may write the session's activity time
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code} in-process")
    return len(queries)


def report_build(dsl):
    """The governor report for the last finished term: figures, PDF and storage, as the task does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from incidents.models import Incident
    from safety_portal.reports import document, figures
    from safety_portal.reports.models import Report, State
    from safety_portal.reports.services import report_generate
    from safety_portal.school.models import Term

    today = timezone.localdate()
    term = [term for term in Term.objects.order_by("start_date") if term.reporting_end < today][-1]
    incidents = Incident.objects.filter(reported_at__date__gte=term.reporting_start,
                                        reported_at__date__lte=term.reporting_end).count()
    build_times, pdf_times, queries = [], [], None
    for _run in range(REPORT_RUNS):
        report = Report.objects.create(term=term, state=State.GENERATING, requested_by=dsl)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            done = report_generate(report.pk)
            build_times.append(time.perf_counter() - started)
        if done.state != State.DRAFT:
            raise RuntimeError(f"the report could not be prepared: {done.error}")
        queries = len(captured)
        data = figures.term_figures(term)
        started = time.perf_counter()
        document.document_pdf(data)
        pdf_times.append(time.perf_counter() - started)
    return {"term": str(term), "incidents": incidents, "build_median": statistics.median(build_times),
            "build_p95": percentile(build_times, 0.95), "pdf_median": statistics.median(pdf_times),
            "queries": queries}


def measure(port, log_path):
    setup_django()
    from safety_portal.school.models import User

    users = {"dsl": User.objects.get(email="dsl@bench.school")}
    sessions = {key: session_for(user) for key, user in users.items()}
    results = []
    pid_file = f"/tmp/bench-gunicorn-{port}.pid"
    with open(log_path, "w") as log_file:
        process = gunicorn_start(port, pid_file, log_file)
        try:
            for label, path, who in pages():
                client, cookie = sessions[who] if who else (None, "")
                if client is None:
                    from django.test import Client
                    client = Client()
                print(f"  {label}", file=sys.stderr, flush=True)
                queries = query_count(client, path)
                times = []
                for attempt in range(WARM_UP + REQUESTS):
                    status, _body, seconds = fetch(port, path, cookie)
                    if status != 200:
                        raise RuntimeError(f"{path} answered {status} through gunicorn")
                    if attempt >= WARM_UP:
                        times.append(seconds)
                results.append({"page": label, "path": path, "median": statistics.median(times),
                                "p95": percentile(times, 0.95), "queries": queries})
        finally:
            gunicorn_stop(process, pid_file)
    report = report_build(users["dsl"])
    return {"pages": results, "report": report, "load": os.getloadavg()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--log", default="/tmp/bench-gunicorn.log")
    args = parser.parse_args()
    print(json.dumps(measure(args.port or free_port(), args.log)))


if __name__ == "__main__":
    main()
