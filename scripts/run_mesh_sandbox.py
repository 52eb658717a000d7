"""Run NHS England's MESH sandbox (`mesh-sandbox`, PyPI) on this machine, with Linkwell's
mailbox and a mailbox for each GP practice named, all on the message-back workflow.

    .venv/bin/python scripts/run_mesh_sandbox.py --port 8700 --data var/mesh Y1001 Y1002 …

The sandbox reads its mailboxes and workflows from `store/data/*.jsonl` inside its own package
(its Docker image is customised by mounting over them), so this copies the installed package
into DATA/package, writes those two files there and serves that copy with uvicorn: the server is
the real sandbox, unchanged. Messages are kept as files under DATA/mailboxes (STORE_MODE=file),
and authentication is MESH's own (AUTH_MODE=full: the NHSMESH token with the shared key).
Point Linkwell at it with the MESH_* settings printed on start.
"""

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import mesh_sandbox

LINKWELL_MAILBOX = "X26LNK1"
PASSWORD = "password"  # noqa: S105 — the sandbox's, for local testing only
SHARED_KEY = "TestKey"
WORKFLOW = os.environ.get("MESH_WORKFLOW_ID", "GPFED_CONSULT_REPORT")


def practice_mailbox(ods_code: str) -> str:
    return f"{ods_code.upper()}GP1"


def prepare(data: Path, practices: list[str]) -> Path:
    package = data / "package"
    shutil.rmtree(package, ignore_errors=True)
    shutil.copytree(Path(mesh_sandbox.__file__).parent, package / "mesh_sandbox")
    store = package / "mesh_sandbox" / "store" / "data"
    shutil.rmtree(store / "mailboxes", ignore_errors=True)
    (store / "mailboxes").mkdir()
    boxes = [{"mailbox_id": LINKWELL_MAILBOX, "mailbox_name": "Linkwell", "ods_code": "X26"}]
    boxes += [
        {"mailbox_id": practice_mailbox(c), "mailbox_name": f"GP practice {c}", "ods_code": c}
        for c in practices
    ]
    (store / "mailboxes.jsonl").write_text(
        "\n".join(
            json.dumps({**b, "billing_entity": "England", "password": PASSWORD}) for b in boxes
        )
    )
    workflows = [
        {
            "workflow_id": WORKFLOW,
            "senders": [LINKWELL_MAILBOX],
            "receivers": [practice_mailbox(c) for c in practices],
        },
        {
            "workflow_id": f"{WORKFLOW}_ACK",
            "senders": [practice_mailbox(c) for c in practices],
            "receivers": [LINKWELL_MAILBOX],
        },
    ]
    (store / "workflows.jsonl").write_text("\n".join(json.dumps(w) for w in workflows))
    (data / "mailboxes").mkdir(parents=True, exist_ok=True)
    return package


def command(data: Path, port: int, host: str = "127.0.0.1") -> tuple[list[str], dict]:
    env = {
        **os.environ,
        "PYTHONPATH": str(data / "package"),
        "STORE_MODE": "file",
        "MAILBOXES_DATA_DIR": str(data / "mailboxes"),
        "AUTH_MODE": "full",
        "SHARED_KEY": SHARED_KEY,
        "ENV": "local",
    }
    args = [sys.executable, "-m", "uvicorn", "mesh_sandbox.api:app"]
    return [*args, "--host", host, "--port", str(port), "--workers", "1"], env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("practices", nargs="+", help="GP practices' ODS codes")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0 in a container")
    parser.add_argument("--data", type=Path, default=Path("var/mesh"))
    options = parser.parse_args()
    prepare(options.data.resolve(), options.practices)
    args, env = command(options.data.resolve(), options.port, options.host)
    print(
        f"MESH_URL=http://127.0.0.1:{options.port} MESH_MAILBOX={LINKWELL_MAILBOX} "
        f"MESH_PASSWORD={PASSWORD} MESH_SHARED_KEY={SHARED_KEY}",
        flush=True,
    )
    os.execve(args[0], args, env)  # noqa: S606 — replaces this process with the sandbox


if __name__ == "__main__":
    main()
