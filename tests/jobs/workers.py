"""A real `flask worker` process for the tests: on the app's database and queue, as a host's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


def start_worker(app: Flask) -> subprocess.Popen[bytes]:
    config = app.config
    env = {
        **os.environ,
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": config["SECRET_KEY"],
        "PB_VOTE_KEY": config["VOTE_KEY"],
        "PB_JOBS_QUEUE": config["JOBS_QUEUE"],
    }
    return subprocess.Popen(
        [str(FLASK), "--app", "pb", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as a service manager stops it; killed if it does not stop in 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    finally:
        if process.stderr is not None:
            process.stderr.close()
