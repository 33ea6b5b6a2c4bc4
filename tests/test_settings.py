"""Settings come from environment variables; a bad value stops start-up naming the variable."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from safety_portal.config import Config

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

REPO_ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portal.school.example",
    "SITE_URL": "https://portal.school.example",
    "DATABASE_URL": "postgres://portal:secret@db.school.example:5432/portal",
    "REDIS_URL": "redis://redis.school.example:6379/0",
    "EMAIL_URL": "smtp+tls://portal:secret@mail.school.example:587",
    "DEFAULT_FROM_EMAIL": "Safety Portal <portal@school.example>",
}


def fails_naming(name):
    return pytest.raises(ImproperlyConfigured, match=rf"^Environment variable {name}: ")


# Config, read from a plain dict so each test states its whole environment.


@pytest.mark.parametrize("word", ["maybe", "2", "enabled"])
def test_debug_that_is_not_true_or_false_is_refused(word):
    with fails_naming("DEBUG") as failure:
        Config({"DEBUG": word}).bool("DEBUG", False)
    assert repr(word) in str(failure.value)


@pytest.mark.parametrize(("word", "expected"), [("true", True), ("1", True), ("Yes", True),
                                                ("false", False), ("0", False), ("off", False)])
def test_debug_accepts_common_spellings(word, expected):
    assert Config({"DEBUG": word}).bool("DEBUG", False) is expected


@pytest.mark.filterwarnings("ignore:Engine not recognized:UserWarning")
@pytest.mark.parametrize("url", ["mysql://portal@db.school.example/portal",
                                 "redis://127.0.0.1:6379/0",
                                 "not a url"])
def test_database_url_other_than_postgres_or_sqlite_is_refused(url):
    with fails_naming("DATABASE_URL"):
        Config({"DATABASE_URL": url}).database("DATABASE_URL", "sqlite:///portal.sqlite3")


@pytest.mark.parametrize("url", ["postgres://postgres@127.0.0.1:5432",
                                 "postgres://postgres@127.0.0.1:5432/"])
def test_postgres_url_without_a_database_name_is_refused(url):
    with fails_naming("DATABASE_URL") as failure:
        Config({"DATABASE_URL": url}).database("DATABASE_URL", "sqlite:///portal.sqlite3")
    assert "must name a database" in str(failure.value)


def test_postgres_url_with_a_bad_port_is_refused():
    with fails_naming("DATABASE_URL"):
        Config({"DATABASE_URL": "postgres://postgres@127.0.0.1:port/portal"}).database(
            "DATABASE_URL", "sqlite:///portal.sqlite3")


def test_postgres_url_is_parsed():
    db = Config({"DATABASE_URL": "postgres://portal:s3cret@db.school.example:5433/portal"}).database(
        "DATABASE_URL", "sqlite:///portal.sqlite3")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "portal", "portal", "s3cret", "db.school.example", 5433)


def test_database_url_defaults_to_sqlite():
    db = Config({}).database("DATABASE_URL", "sqlite:////srv/portal.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/srv/portal.sqlite3"


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/0", "127.0.0.1:6379", "redis://"])
def test_redis_url_that_is_not_a_redis_url_is_refused(url):
    with fails_naming("REDIS_URL"):
        Config({"REDIS_URL": url}).url("REDIS_URL", None, schemes=("redis", "rediss"))


def test_redis_url_is_optional():
    assert Config({}).url("REDIS_URL", None, schemes=("redis", "rediss")) is None
    assert Config({"REDIS_URL": "rediss://cache.example:6380/1"}).url(
        "REDIS_URL", None, schemes=("redis", "rediss")) == "rediss://cache.example:6380/1"


@pytest.mark.parametrize("url", ["portal.school.example", "ftp://portal.school.example", "https://"])
def test_site_url_must_be_an_http_url(url):
    with fails_naming("SITE_URL"):
        Config({"SITE_URL": url}).url("SITE_URL", "http://127.0.0.1:8000")


def test_site_url_loses_its_trailing_slash_so_links_join_cleanly():
    assert Config({"SITE_URL": "https://portal.school.example/"}).url("SITE_URL") == (
        "https://portal.school.example")


def test_secret_key_is_required_in_production():
    with fails_naming("SECRET_KEY") as failure:
        Config({}).secret("SECRET_KEY", required=True)
    assert "SECRET_KEY_FILE" in str(failure.value)


def test_secret_key_may_be_missing_when_debugging():
    assert Config({}).secret("SECRET_KEY", required=False) is None


def test_secret_key_is_read_from_the_file_named_by_secret_key_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 60 + "\n")
    assert Config({"SECRET_KEY_FILE": str(key_file)}).secret("SECRET_KEY", required=True) == "k" * 60


def test_secret_key_and_secret_key_file_together_are_refused(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-the-file")
    with fails_naming("SECRET_KEY") as failure:
        Config({"SECRET_KEY": "from-the-variable", "SECRET_KEY_FILE": str(key_file)}).secret(
            "SECRET_KEY", required=True)
    assert "not both" in str(failure.value)


@pytest.mark.parametrize("make_path", [lambda tmp: tmp / "missing", lambda tmp: tmp],
                         ids=["missing file", "a directory"])
def test_unreadable_secret_key_file_is_refused(tmp_path, make_path):
    path = make_path(tmp_path)
    with fails_naming("SECRET_KEY_FILE") as failure:
        Config({"SECRET_KEY_FILE": str(path)}).secret("SECRET_KEY", required=True)
    assert str(path) in str(failure.value)


@pytest.mark.parametrize("value", ["portal", "Safety Portal", "Safety Portal <portal school.example>",
                                   "Safety Portal <>"])
def test_default_from_email_that_is_not_an_address_is_refused(value):
    with fails_naming("DEFAULT_FROM_EMAIL"):
        Config({"DEFAULT_FROM_EMAIL": value}).email_address("DEFAULT_FROM_EMAIL", "portal@localhost")


@pytest.mark.parametrize("value", ["portal@school.example", "Safety Portal <portal@school.example>"])
def test_default_from_email_accepts_an_address_with_or_without_a_name(value):
    assert Config({"DEFAULT_FROM_EMAIL": value}).email_address("DEFAULT_FROM_EMAIL", "x@y") == value


@pytest.mark.parametrize("url", ["mail.school.example", "carrier-pigeon://loft.example",
                                 "smtp://mail.school.example:port"])
def test_email_url_that_is_not_an_email_url_is_refused(url):
    with fails_naming("EMAIL_URL"):
        Config({"EMAIL_URL": url}).email("EMAIL_URL", "consolemail://")


def test_email_url_defaults_to_the_console():
    email = Config({}).email("EMAIL_URL", "consolemail://")
    assert email["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_email_url_with_starttls_is_parsed():
    email = Config({"EMAIL_URL": "smtp+tls://portal:s3cret@mail.school.example:587"}).email(
        "EMAIL_URL", "consolemail://")
    assert email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (email["EMAIL_HOST"], email["EMAIL_PORT"], email["EMAIL_USE_TLS"]) == (
        "mail.school.example", 587, True)
    assert (email["EMAIL_HOST_USER"], email["EMAIL_HOST_PASSWORD"]) == ("portal", "s3cret")


def test_whole_number_settings_refuse_words():
    with fails_naming("SECURE_HSTS_SECONDS"):
        Config({"SECURE_HSTS_SECONDS": "a year"}).int("SECURE_HSTS_SECONDS", 31536000)


def test_log_level_that_is_not_a_level_is_refused():
    with fails_naming("LOG_LEVEL") as failure:
        Config({"LOG_LEVEL": "verbose"}).choice("LOG_LEVEL", "INFO", LOG_LEVELS)
    assert "'verbose'" in str(failure.value)


def test_log_level_is_not_case_sensitive():
    assert Config({"LOG_LEVEL": "debug"}).choice("LOG_LEVEL", "INFO", LOG_LEVELS) == "DEBUG"
    assert Config({}).choice("LOG_LEVEL", "INFO", LOG_LEVELS) == "INFO"


def test_allowed_hosts_is_a_comma_separated_list():
    assert Config({"ALLOWED_HOSTS": " portal.school.example, .school.example ,"}).list(
        "ALLOWED_HOSTS") == ["portal.school.example", ".school.example"]


# The loaded settings.


def test_portal_runs_on_uk_time_and_english():
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.USE_TZ is True


# End to end: manage.py in a fresh process, with only the environment given here (no pytest,
# so the settings take the production path when DEBUG is off).


def manage(*args, **env):
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
            "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=base | env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(("env", "name"), [
    ({"DEBUG": "maybe"}, "DEBUG"),
    ({"DEBUG": "false"}, "SECRET_KEY"),
    ({"DEBUG": "true", "LOG_LEVEL": "verbose"}, "LOG_LEVEL"),
    (PRODUCTION_ENV | {"DATABASE_URL": "postgres://portal@db.school.example:5432"}, "DATABASE_URL"),
    ({k: v for k, v in PRODUCTION_ENV.items() if k != "SITE_URL"}, "SITE_URL"),
    ({k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_URL"}, "EMAIL_URL"),
    ({"DEBUG": "true", "TIME_ZONE": "London"}, "TIME_ZONE"),
    ({"DEBUG": "true", "LANGUAGE_CODE": "fr"}, "LANGUAGE_CODE"),
], ids=["bad DEBUG", "production without SECRET_KEY", "bad LOG_LEVEL",
    "DATABASE_URL without a database", "production without SITE_URL", "production without EMAIL_URL",
    "unknown time zone",
    "unsupported language"])
def test_manage_py_refuses_to_start_with_a_bad_setting(env, name):
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"Environment variable {name}:" in result.stderr


def test_production_environment_passes_the_deployment_checks_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_time_zone_and_language_can_be_set_and_are_checked():
    assert Config({"TIME_ZONE": "Europe/Belfast"}).time_zone("TIME_ZONE", "Europe/London") == "Europe/Belfast"
    assert Config({}).time_zone("TIME_ZONE", "Europe/London") == "Europe/London"
    with fails_naming("TIME_ZONE"):
        Config({"TIME_ZONE": "GMT+1 please"}).time_zone("TIME_ZONE", "Europe/London")
    assert Config({"LANGUAGE_CODE": "EN-GB"}).choice("LANGUAGE_CODE", "en-gb", ["en-gb"]) == "en-gb"


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (set DATABASE_URL=postgres://...)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"  # bench/README.md: compiling cost more than it saved
