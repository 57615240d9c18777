"""``python -m bot serve`` as a real subprocess against the fake platform servers (tests and the fault bench).

``write_config`` writes a config.toml for a Zalo-only office (Zalo Bot by webhook, Zalo OA) pointing at the
fakes, with today a working day and the morning alert due at once; ``ServeProcess`` starts the service on a
free port, waits for ``/healthz``, and stops it with SIGTERM (or kills it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx

from tests.fakes.zalo_bot_api import FakeZaloBotAPI
from tests.fakes.zalo_oa_api import FakeZaloOA

ROOT = Path(__file__).resolve().parents[2]
ZALO_SECRET = "zalo-webhook-secret-1"
#: Environment variables of the service that must not leak in from the developer's shell.
_CLEARED = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "ASSISTANT_CONFIG", "ASSISTANT_DATABASE_URL",
            "ZALO_BOT_TOKEN", "ZALO_BOT_WEBHOOK_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_APP_SECRET",
            "ZALO_OA_REFRESH_TOKEN", "ASSISTANT_ADMIN_IDS")  # fmt: skip


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(
    folder: Path, database_url: str, bot: FakeZaloBotAPI, oa: FakeZaloOA, *, today: date,
    templates: dict[str, str] | None = None, alerts: bool = True,
) -> Path:  # fmt: skip
    """A config.toml in ``folder`` for a Zalo-only office served by the fakes; its path."""
    template_lines = "".join(f'{kind} = "{tid}"\n' for kind, tid in (templates or {}).items())
    text = f"""
[database]
url = "{database_url}"

[catalog]
path = "{ROOT / 'procedures_catalog'}"
cache_path = "{ROOT / 'var' / 'catalog-cache.pickle'}"

[channels.telegram]
enabled = false

[channels.zalo_bot]
enabled = true
webhook_url = "https://bot.example.gov.vn/zalo/bot"
base_url = "{bot.base_url}"

[channels.zalo_oa]
enabled = true
app_id = "{oa.app_id}"
base_url = "{oa.url}"
oauth_url = "{oa.url}"
template_url = "{oa.url}"

[channels.zalo_oa.templates]
{template_lines}
[calendar]
makeup_working_days = [{today.isoformat()}]

[alerts]
enabled = {"true" if alerts else "false"}
time = 00:00:00

[reports]
weekly_enabled = false
"""
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def service_env(bot: FakeZaloBotAPI, oa: FakeZaloOA) -> dict[str, str]:
    """The environment of a service using the fakes' secrets."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update({
        "ZALO_BOT_TOKEN": bot.token, "ZALO_BOT_WEBHOOK_SECRET": ZALO_SECRET,
        "ZALO_OA_SECRET_KEY": oa.oa_secret, "ZALO_APP_SECRET": oa.app_secret, "ZALO_OA_REFRESH_TOKEN": "RT-0",
        "PYTHONUNBUFFERED": "1",
    })  # fmt: skip
    return env


class ServeProcess:
    """One ``python -m bot serve`` subprocess; its output goes to ``log``."""

    def __init__(self, config: Path, env: dict[str, str], log: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.log = log
        self._out = log.open("ab")
        command = [sys.executable, "-m", "bot", "--config", str(config), "serve", "--host", "127.0.0.1",
                   "--port", str(self.port)]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until ``/healthz`` answers (AssertionError with the log when the process died or timed out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"serve did not answer /healthz within {timeout}s:\n{self.output()}")

    def terminate(self, timeout: float = 60.0) -> int:
        """SIGTERM and wait; the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        """SIGKILL (a crash) and reap."""
        self.process.kill()
        self.wait(30)

    def wait(self, timeout: float) -> int:
        """Wait for the exit; the exit code."""
        try:
            return self.process.wait(timeout)
        finally:
            self._out.close()

    def output(self) -> str:
        """What the process logged so far."""
        self._out.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")[-5000:]
