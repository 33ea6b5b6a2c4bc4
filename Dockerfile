# Safety Portal image: one image for web (gunicorn), worker and beat (Celery) and migrate.
# Built and run by docker-compose.yml; see README.md, "Running it in production".
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=safety_portal.settings

# Pango, HarfBuzz and a font for WeasyPrint, which renders the termly governor report PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# The pinned runtime dependencies from pyproject.toml first (not the dev extras), so that
# a change to the code does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# Editable, so the code runs from /app next to templates/ and static/ (settings.BASE_DIR).
# Static files are collected into the image; the secret here is a throwaway used only
# to load the settings, never at run time.
RUN pip install --no-deps -e . \
    && DEBUG=false SECRET_KEY=build-only-collectstatic-not-a-secret ALLOWED_HOSTS=build \
        SITE_URL=https://build.invalid EMAIL_URL=consolemail:// \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media /app/var/celery \
    && chown -R portal:portal /app/var

USER portal
EXPOSE 8000

# Host header from the first ALLOWED_HOSTS name, so Django accepts the request; /healthz is
# exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT). Anything but 200 fails it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, http.client as c; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; k = c.HTTPConnection('127.0.0.1', 8000, timeout=4); k.request('GET', '/healthz', headers={'Host': h}); raise SystemExit(k.getresponse().status != 200)"

CMD ["gunicorn", "safety_portal.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-", "--timeout", "60"]
