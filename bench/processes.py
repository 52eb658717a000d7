"""A child process of a benchmark in its own process group, so one SIGKILL takes it and every
process it started, as a crash would (bench_resilience's gunicorn, bench_delivery's worker and
mesh-sandbox)."""

import os
import signal
import subprocess  # nosec B404 — our own programs, started with argument lists
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Process:
    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(  # noqa: S603
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
