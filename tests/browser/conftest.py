"""Fixtures for the browser tests: a live Accord server, the system's Chromium, people."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from .helpers import ROOT, AccordUI, LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Quiet, sandbox-free flags for containers and CI; nothing reaches out to Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

expect.set_options(timeout=10_000)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll GET /api/me until the server answers (401: it is up and nobody is signed in)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Accord exited with status {process.returncode}:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"{url}/api/me", timeout=1)  # noqa: S310  (our own server)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"Accord did not answer within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole run; each test opens its own contexts in it."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def serving(server: LiveServer) -> Iterator[LiveServer]:
    """`accord serve` for `server` until the block ends."""
    port = server.url.rsplit(":", 1)[1]
    log = server.data_dir / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", port],
            cwd=ROOT,
            env=server.env(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(server.url, process, log)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`accord serve` on a free port and a fresh data folder; tests keep apart by account."""
    server = LiveServer(f"http://127.0.0.1:{free_port()}", tmp_path_factory.mktemp("accord-data"))
    with serving(server):
        yield server


@pytest.fixture
def accord_ui(browser: Browser, live_server: LiveServer) -> Iterator[AccordUI]:
    """People and pages for one test; fails the test if a page threw a JavaScript error."""
    ui = AccordUI(browser, live_server)
    yield ui
    ui.close()
    assert not ui.page_errors, f"JavaScript errors on the pages: {ui.page_errors}"
