import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from mesh_client import MeshClient

from linkwell.delivery.backends import MemoryBackend
from scripts import run_mesh_sandbox
from tests.delivery.notify_server import NotifyServer

NOTIFY = "linkwell.delivery.notify.NotifyBackend"


@pytest.fixture(scope="session")
def notify_server():
    server = NotifyServer(service_id=str(uuid.uuid4()), secret=str(uuid.uuid4()))
    yield server
    server.stop()


@pytest.fixture
def notify(notify_server, settings):
    """Texts, emails and letters go through the real Notify client to the local server."""
    notify_server.reset()
    settings.NOTIFY_API_KEY = notify_server.api_key
    settings.NOTIFY_BASE_URL = notify_server.url
    settings.NOTIFY_TEMPLATES = {c: str(uuid.uuid4()) for c in ("text", "email", "letter")}
    settings.DELIVERY_BACKENDS = {**settings.DELIVERY_BACKENDS, "text": NOTIFY, "email": NOTIFY}
    settings.DELIVERY_BACKENDS["letter"] = NOTIFY
    return notify_server


@pytest.fixture
def database_tasks(settings):
    """Tasks wait in the database for `linkwell worker`, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def memory_outbox():
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


# MESH: NHS England's mesh-sandbox, run by scripts/run_mesh_sandbox.py as a subprocess.
GP_PRACTICE = "B86010"  # a real practice code; its sandbox mailbox is B86010GP1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def mesh_sandbox(tmp_path_factory):
    script = Path(__file__).resolve().parents[2] / "scripts" / "run_mesh_sandbox.py"
    data, port = tmp_path_factory.mktemp("mesh"), _free_port()
    log = (data / "sandbox.log").open("w")
    process = subprocess.Popen(  # noqa: S603 — our own script, fixed arguments
        [sys.executable, str(script), "--port", str(port), "--data", str(data), GP_PRACTICE],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError((data / "sandbox.log").read_text())
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


def gp_client(url: str) -> MeshClient:
    mailbox = run_mesh_sandbox.practice_mailbox(GP_PRACTICE)
    password, key = run_mesh_sandbox.PASSWORD, run_mesh_sandbox.SHARED_KEY.encode()
    return MeshClient(url, mailbox, password, shared_key=key, max_retries=0)


@pytest.fixture
def mesh(mesh_sandbox, settings):
    """Linkwell's MESH settings pointing at the sandbox, the GP practice's inbox emptied."""
    settings.MESH_URL = mesh_sandbox
    settings.MESH_MAILBOX = run_mesh_sandbox.LINKWELL_MAILBOX
    settings.MESH_PASSWORD = run_mesh_sandbox.PASSWORD
    settings.MESH_SHARED_KEY = run_mesh_sandbox.SHARED_KEY
    settings.MESH_WORKFLOW_ID = run_mesh_sandbox.WORKFLOW
    with gp_client(mesh_sandbox) as gp:
        for message_id in gp.list_messages():
            gp.acknowledge_message(message_id)
    return mesh_sandbox
