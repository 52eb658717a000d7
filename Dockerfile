# Linkwell for operators: see docs/operations.md ("Containers").
# Build: docker build -t linkwell .   (or `make image`)

# --- build: the locked dependencies (hash-checked) into a virtualenv ---------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements-runtime.lock /tmp/
RUN /opt/venv/bin/pip install --require-hashes -r /tmp/requirements-runtime.lock
COPY pyproject.toml README.md /src/
COPY linkwell /src/linkwell
RUN /opt/venv/bin/pip install --no-deps /src

# --- mesh-sandbox: NHS England's MESH sandbox with the demo practices' mailboxes ---------------
# Local and test use only (compose profile "mesh"); production uses the real MESH. It comes
# before the last stage, so a plain `docker build .` still makes the Linkwell image.
FROM python:3.11-slim-bookworm AS mesh-sandbox
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PATH=/opt/venv/bin:$PATH
COPY deploy/mesh-sandbox.lock /tmp/
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --require-hashes -r /tmp/mesh-sandbox.lock
COPY scripts/run_mesh_sandbox.py /app/
RUN useradd --system --uid 10002 --home-dir /data mesh && mkdir /data && chown mesh /data
USER mesh
EXPOSE 8700
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8700/health', timeout=4).status != 200)"
ENTRYPOINT ["python", "/app/run_mesh_sandbox.py", "--host", "0.0.0.0", "--port", "8700", "--data", "/data"]

# --- run: the virtualenv, the gunicorn settings and the collected static files, as non-root ---
FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    LINKWELL_ENV=production GUNICORN_BIND=0.0.0.0:8000
RUN useradd --system --uid 10001 --home-dir /app linkwell && mkdir /app && chown linkwell /app
COPY --from=build /opt/venv /opt/venv
COPY gunicorn.conf.py /app/
WORKDIR /app
# Static files are built into the image (whitenoise serves them); the build-time settings below
# exist only so the settings module loads, and are not kept.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    linkwell collectstatic --no-input && rm -f /tmp/build.sqlite3
USER linkwell
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["gunicorn", "-c", "/app/gunicorn.conf.py"]
