"""Read settings from environment variables, failing loudly on bad values.

django-environ parses the URLs; the wrappers here make every failure name the
variable that caused it, so a school's IT technician knows what to fix.
"""

import os
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class Config:
    def __init__(self, environ_mapping=None):
        self.env = os.environ if environ_mapping is None else environ_mapping

    def _fail(self, name, reason):
        raise ImproperlyConfigured(f"Environment variable {name}: {reason}")

    def str(self, name, default=None):
        value = self.env.get(name)
        if value is None or value == "":
            return default
        return value

    def bool(self, name, default=False):
        value = self.env.get(name)
        if value is None:
            return default
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self._fail(name, f"expected true or false, got {value!r}")

    def list(self, name, default=()):
        value = self.env.get(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def secret(self, name, *, required):
        """A secret from NAME, or from the file named by NAME_FILE (Docker secrets)."""
        file_name = f"{name}_FILE"
        value = self.env.get(name)
        path = self.env.get(file_name)
        if value and path:
            self._fail(name, f"set either {name} or {file_name}, not both")
        if path:
            try:
                value = Path(path).read_text().strip()
            except OSError as exc:
                self._fail(file_name, f"cannot read {path}: {exc.strerror}")
        if not value:
            if required:
                self._fail(name, f"is required when DEBUG is off (or set {name}_FILE)")
            return None
        return value

    def database(self, name, default):
        value = self.env.get(name) or default
        try:
            config = environ.Env.db_url_config(value)
        except Exception as exc:  # django-environ raises several types
            self._fail(name, f"not a database URL ({exc})")
        if config.get("ENGINE") not in (
            "django.db.backends.postgresql",
            "django.db.backends.sqlite3",
        ):
            self._fail(name, "only postgres:// and sqlite:/// URLs are supported")
        if "postgresql" in config["ENGINE"] and not config.get("NAME"):
            self._fail(name, "the URL must name a database, e.g. postgres://user@host/portal")
        return config

    def url(self, name, default=None, schemes=("http", "https")):
        value = self.env.get(name) or default
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.netloc:
            self._fail(name, f"expected a {' or '.join(schemes)} URL, got {value!r}")
        return value.rstrip("/")

    def email(self, name, default):
        value = self.env.get(name) or default
        try:
            return environ.Env.email_url_config(value)
        except Exception as exc:
            self._fail(name, f"not an email URL ({exc})")

    def email_address(self, name, default):
        value = self.env.get(name) or default
        address = value.rsplit("<", 1)[-1].rstrip(">").strip()
        if "@" not in address or " " in address:
            self._fail(name, f"not an email address: {value!r}")
        return value

    def choice(self, name, default, choices):
        """One of `choices`, whatever case the value is written in; returned as spelt in `choices`."""
        value = self.env.get(name)
        if value is None or value.strip() == "":
            return default
        by_lower = {choice.lower(): choice for choice in choices}
        word = value.strip().lower()
        if word not in by_lower:
            self._fail(name, f"expected one of {', '.join(choices)}, got {value!r}")
        return by_lower[word]

    def time_zone(self, name, default):
        value = self.env.get(name) or default
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self._fail(name, f"not a time zone name such as Europe/London: {value!r}")
        return value

    def int(self, name, default):
        value = self.env.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            self._fail(name, f"expected a whole number, got {value!r}")
