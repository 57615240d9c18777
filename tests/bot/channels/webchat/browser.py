"""What the browser test runs: the real ASGI app under uvicorn, a portal page on another origin, and Chromium.

Chromium and its driver are Debian's packages (``make test`` installs them); when they are missing the test
fails, it is never skipped. Selenium drives the system browser through the system driver, so nothing is
downloaded.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Self

import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.shadowroot import ShadowRoot
from selenium.webdriver.remote.webdriver import WebDriver

from tests.fakes.server import LocalServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: A phone: 390 × 844 CSS pixels at twice the density, touch, a mobile user agent.
PHONE = {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0, "touch": True},
         "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/126.0 Mobile Safari/537.36"}  # fmt: skip


class ServedApp:
    """An ASGI app served by uvicorn on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    @property
    def address(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        for _ in range(3000):  # about a minute at most
            if self._server.started or not self._thread.is_alive():
                break
            time.sleep(0.02)  # not Event.wait: its timeout never ends under libfaketime
        if not self._server.started:
            pytest.fail("uvicorn did not start serving the web chat")
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


class PortalPage(LocalServer):
    """An office portal's page (on its own origin) that embeds the widget with the one script tag an office adds."""

    thread_name = "fake-portal"
    script_tag = ""

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = portal.page() if self.path == "/" else b""
                self.send_response(200 if body else 204)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        return Handler

    def page(self) -> bytes:
        """The portal's page: its own content, then the script tag."""
        return ("<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
                "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                "<title>Cổng dịch vụ công tỉnh (thử)</title></head><body>"
                "<h1>Cổng dịch vụ công tỉnh</h1><p>Thủ tục hành chính, tra cứu hồ sơ, thanh toán trực tuyến.</p>"
                f"{self.script_tag}</body></html>").encode()  # fmt: skip


def chromium(*, phone: bool) -> WebDriver:
    """Headless Chromium from Debian with a fresh profile (a phone when ``phone``); fails when it is missing."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            pytest.fail(f"{path} is missing: `make test` installs Debian's chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='webchat-chromium-')}", "--window-size=1280,900"):
        options.add_argument(flag)  # fmt: skip
    if phone:
        options.add_experimental_option("mobileEmulation", PHONE)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The far-date run moves this process's clock with libfaketime; the browser keeps the real one.
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME", "FAKETIME_NO_CACHE")}
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER), env=env))


def shadow(driver: WebDriver) -> ShadowRoot:
    """The widget's shadow root."""
    return driver.find_element("id", "tthc-webchat").shadow_root


def active_element_id(driver: WebDriver) -> str:
    """The id (or class) of the element that has the keyboard focus inside the widget."""
    script = ("const a = document.getElementById('tthc-webchat').shadowRoot.activeElement;"
              "return a ? (a.id || a.className) : '';")  # fmt: skip
    return str(driver.execute_script(script))
