"""Signing surge: 50 parents at once signing from their personal links for 60 seconds, against gunicorn.

Each client works through its own links: open the page (GET: the CSRF cookie and the form's
hidden `shown` value), then sign (POST; a redirect to the done page is a signature recorded).
Each link comes from its own address (X-Forwarded-For, with TRUST_X_FORWARDED_FOR on as behind
the production proxy): parents sign from their own phones, and the per-address limit on link
pages must not turn the benchmark into a rate-limit test. Afterwards the database must hold
exactly one signature per signer and version. Run by bench/run.py; prints one JSON object.
"""

import argparse
import json
import os
import re
import statistics
import threading
import time
import urllib.parse

from bench.generate import setup_django
from bench.measure import fetch, free_port, gunicorn_start, gunicorn_stop, percentile

CLIENTS, SECONDS = 50, 60
LINKS_PER_CLIENT = 100  # more than a client can use in the time, so none runs out
PACK_TITLE = "Bench: signing surge"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
SHOWN_INPUT = re.compile(rb'name="shown" value="([^"]*)"')


def families_create(count):
    """`count` new families (one pupil, one guardian with parental responsibility), each with a link."""
    from django.db import transaction
    from django.utils import timezone

    from agreements.models import SigningLink, SigningPack, link_expiry_from
    from safety_portal.school.models import Guardian, Pupil, PupilGuardian

    expires = link_expiry_from(timezone.now())
    with transaction.atomic():
        pack = SigningPack.objects.create(title=PACK_TITLE)
        pupils = Pupil.objects.bulk_create([
            Pupil(mis_id=f"SURGE{n:06d}", first_name="Surge", last_name=f"Pupil{n}", year_group=7 + n % 7,
                  reg_class="Surge") for n in range(count)])
        guardians = Guardian.objects.bulk_create([
            Guardian(mis_id=f"SURGEG{n:06d}", first_name="Surge", last_name=f"Parent{n}",
                     email=f"surge{n}@families.example") for n in range(count)])
        PupilGuardian.objects.bulk_create([
            PupilGuardian(pupil=pupil, guardian=guardian, relationship="Mother", parental_responsibility=True)
            for pupil, guardian in zip(pupils, guardians, strict=True)])
        tokens = [f"surge-{n:06d}-{os.urandom(12).hex()}" for n in range(count)]
        SigningLink.objects.bulk_create([
            SigningLink(pack=pack, guardian=guardian, pupil=pupil, token_hash=SigningLink.hash_token(token),
                        expires_at=expires)
            for pupil, guardian, token in zip(pupils, guardians, tokens, strict=True)])
    return pack, tokens


def sign(port, token, address):
    """One parent: open the page, then sign. (status of the POST, its seconds, error text or '')."""
    headers = {"X-Forwarded-For": address, "User-Agent": "bench-surge"}
    path = f"/p/{token}/"
    status, body, _seconds = fetch(port, path, headers=headers)
    if status != 200:
        return None, 0.0, f"GET {status}"
    shown = SHOWN_INPUT.search(body)
    if not CSRF_INPUT.search(body) or not shown:
        return None, 0.0, "no signing form"
    # A CSRF secret of our own in both cookie and form: Django accepts it unmasked, and it saves
    # parsing Set-Cookie; the check itself still runs on every POST.
    cookie_token = os.urandom(16).hex()
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": cookie_token, "discussed": "on", "agree": "on",
                                   "typed_name": "Surge Parent", "drawing": "",
                                   "shown": shown.group(1).decode()})
    status, _body, seconds = fetch(port, path, cookie=f"csrftoken={cookie_token}", method="POST", body=form,
                                   headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    return status, seconds, "" if status == 302 else f"POST {status}"


def run_clients(port, tokens, clients, seconds):
    latencies, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number):
        mine = tokens[number::clients]
        for index, token in enumerate(mine):
            if time.monotonic() >= deadline:
                return
            try:
                _status, took, error = sign(port, token, f"10.{number}.{index // 250}.{index % 250 + 1}")
            except OSError as problem:
                _status, took, error = None, 0.0, f"connection: {problem}"
            with lock:
                if error:
                    errors.append(error)
                else:
                    latencies.append(took)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.monotonic() - started


def database_check(pack):
    """Signatures made through the surge's links, and any signer with two on one version."""
    from django.db.models import Count

    from agreements.models import Signature

    surge = Signature.objects.filter(link__pack=pack)
    duplicates = (Signature.objects.filter(guardian__isnull=False).values("version", "guardian", "pupil")
                  .annotate(copies=Count("pk")).filter(copies__gt=1).count())
    signed_links = surge.values("link").distinct().count()
    return {"signatures": surge.count(), "links_signed": signed_links, "duplicates": duplicates}


def surge(clients, seconds, log_path):
    setup_django()
    pack, tokens = families_create(clients * LINKS_PER_CLIENT)
    port = free_port()
    pid_file = f"/tmp/bench-gunicorn-{port}.pid"
    with open(log_path, "w") as log_file:
        process = gunicorn_start(port, pid_file, log_file)
        try:
            latencies, errors, elapsed = run_clients(port, tokens, clients, seconds)
        finally:
            gunicorn_stop(process, pid_file)
    check = database_check(pack)
    return {"clients": clients, "seconds": round(elapsed, 1), "signed": len(latencies),
            "per_second": len(latencies) / elapsed, "p95": percentile(latencies, 0.95) if latencies else None,
            "median": statistics.median(latencies) if latencies else None, "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5], **check, "load": os.getloadavg()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--log", default="/tmp/bench-gunicorn-surge.log")
    args = parser.parse_args()
    print(json.dumps(surge(args.clients, args.seconds, args.log)))


if __name__ == "__main__":
    main()
