"""The widget in a real headless Chromium against the real ASGI app on 127.0.0.1, with the bundled catalog.

A citizen opens an office's portal on a phone, taps the chat button, asks "dk ket hon", taps a button, gets
the card and its section, and later sees a notification arrive by polling. The assistant's own page works in
English with the keyboard alone. Screenshots are written to the test's temporary folder.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from bot import clock
from bot.app import Assistant, build_assistant
from bot.channels import registry
from bot.channels.webchat.settings import CHANNEL
from bot.channels.webhook import create_web_app
from bot.config import ENV_SECRET_KEY, PROJECT_ROOT, Settings
from bot.contract.messages import Reply
from bot.outbox.dispatch import Dispatcher
from bot.outbox.store import enqueue
from tests.bot.channels.webchat.browser import PortalPage, ServedApp, active_element_id, chromium, shadow
from tests.bot.channels.webchat.conftest import SECRET

#: Upper bound of every wait for the page (a wait returns as soon as its condition holds).
WAIT = 30


@dataclass
class Served:
    """The running assistant, its web app and the portal that embeds the widget."""

    assistant: Assistant
    chat: ServedApp
    portal: PortalPage


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The full bundled catalog, web chat on (polling every 2 s), served by uvicorn; a portal page on another port."""
    folder = tmp_path_factory.mktemp("webchat-browser")
    with pytest.MonkeyPatch.context() as env, PortalPage() as portal:
        env.setenv(ENV_SECRET_KEY, SECRET)
        settings = Settings.model_validate({
            "office": {"name": "UBND xã Tân Lập", "levels": ["Cấp tỉnh", "Cấp xã"]},
            "database": {"url": f"sqlite:///{folder / 'assistant.db'}"},
            "catalog": {"path": str(PROJECT_ROOT / "procedures_catalog"), "cache_path": str(folder / "cache.pickle"),
                        "state_dir": str(folder / "var")},
            "channels": {"webchat": {"enabled": True, "poll_seconds": 2, "allowed_origins": [portal.address]}},
        })  # fmt: skip
        assistant = build_assistant(settings)
        try:
            with ServedApp(create_web_app(registry.web_channels(assistant, assistant.db))) as chat:
                portal.script_tag = f'<script src="{chat.address}/webchat/widget.js" defer></script>'
                yield Served(assistant, chat, portal)
        finally:
            assistant.close()


@pytest.fixture
def phone() -> Iterator[WebDriver]:
    """Chromium as a phone, with a fresh profile."""
    driver = chromium(phone=True)
    yield driver
    driver.quit()


@pytest.fixture
def desktop() -> Iterator[WebDriver]:
    """Chromium at 1280 × 900, with a fresh profile."""
    driver = chromium(phone=False)
    yield driver
    driver.quit()


def answers(driver: WebDriver) -> list[WebElement]:
    """The assistant's messages shown so far."""
    return shadow(driver).find_elements(By.CSS_SELECTOR, ".message.assistant")


def answer_with(driver: WebDriver, text: str) -> WebElement | bool:
    """The last assistant message containing ``text`` (False while there is none)."""
    found = [m for m in answers(driver) if text in m.text]
    return found[-1] if found else False


def choice(message: WebElement, label_start: str) -> WebElement:
    """The button of ``message`` whose label starts with ``label_start``."""
    return next(b for b in message.find_elements(By.CSS_SELECTOR, "button.choice") if b.text.startswith(label_start))


def errors_in_console(driver: WebDriver) -> list[str]:
    """Severe messages the page logged (failed requests, script errors)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def notify(assistant: Assistant, chat_id: str, text: str) -> None:
    """Put a message for ``chat_id`` in the outbox and deliver it, as the running assistant's outbox would."""
    with assistant.db.session() as s:
        enqueue(s, dedupe_key=f"test:{text}", channel=CHANNEL, chat_id=chat_id, reply=Reply(text))
        s.commit()
    channels = registry.outbox_channels(assistant.settings, assistant.db)
    assert asyncio.run(Dispatcher(assistant.db, channels, per_chat_interval=0).run_once(clock.now())) == 1


def test_on_a_phone_a_citizen_asks_taps_a_button_gets_the_card_and_later_a_notification(
    served: Served, phone: WebDriver, tmp_path: Path
) -> None:
    wait = WebDriverWait(phone, WAIT)
    phone.get(served.portal.address + "/")
    launcher = wait.until(lambda d: shadow(d).find_element(By.CSS_SELECTOR, "button.launcher"))
    wait.until(lambda d: launcher.is_displayed())
    assert "Hỏi thủ tục" in launcher.text and launcher.get_attribute("aria-expanded") == "false"
    phone.save_screenshot(str(tmp_path / "0-portal.png"))

    launcher.click()
    greeting = wait.until(lambda d: answer_with(d, "Xin chào"))
    assert isinstance(greeting, WebElement) and len(greeting.find_elements(By.CSS_SELECTOR, "button.choice")) == 6
    assert launcher.get_attribute("aria-expanded") == "true" and active_element_id(phone) == "tthc-input"
    panel = shadow(phone).find_element(By.CSS_SELECTOR, ".panel")
    assert panel.rect["width"] == 390 and panel.rect["x"] == 0  # the whole phone screen

    shadow(phone).find_element(By.CSS_SELECTOR, "textarea").send_keys("dk ket hon", Keys.ENTER)
    card = wait.until(lambda d: answer_with(d, "1.000894"))
    assert isinstance(card, WebElement) and "Thủ tục đăng ký kết hôn" in card.text
    assert shadow(phone).find_elements(By.CSS_SELECTOR, ".message.visitor")[-1].text.endswith("dk ket hon")
    link = card.find_element(By.CSS_SELECTOR, "a")
    assert link.get_attribute("href").startswith("https://") and link.get_attribute("target") == "_blank"
    phone.save_screenshot(str(tmp_path / "1-card.png"))

    choice(card, "💰").click()
    fees = wait.until(lambda d: answer_with(d, "Phí, lệ phí —"))
    assert isinstance(fees, WebElement) and "Miễn" in fees.text
    log = shadow(phone).find_element(By.CSS_SELECTOR, ".log")
    assert int(log.get_property("scrollWidth")) <= int(log.get_property("clientWidth"))  # nothing wider than a phone
    phone.save_screenshot(str(tmp_path / "2-fees.png"))

    token = phone.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('tthc-webchat-token:'))"
                                 ".map(k => localStorage[k])[0]")
    notify(served.assistant, str(token).split(".")[0], "🔔 Hồ sơ H12-0001 đã có kết quả.")
    wait.until(lambda d: answer_with(d, "đã có kết quả"))  # fetched by the widget's polling
    phone.save_screenshot(str(tmp_path / "3-notification.png"))

    shadow(phone).find_element(By.CSS_SELECTOR, "textarea").send_keys(Keys.ESCAPE)
    assert launcher.get_attribute("aria-expanded") == "false" and not panel.is_displayed()
    assert active_element_id(phone) == "launcher"
    assert errors_in_console(phone) == []


def test_the_assistants_own_page_in_english_with_the_keyboard_alone(
    served: Served, desktop: WebDriver, tmp_path: Path
) -> None:
    wait = WebDriverWait(desktop, WAIT)
    desktop.get(served.chat.address + "/webchat/?lang=en")
    assert desktop.title.startswith("Administrative procedures Q&A — UBND xã Tân Lập")
    switched = wait.until(lambda d: answer_with(d, "English"))
    assert isinstance(switched, WebElement)
    assert shadow(desktop).find_element(By.CSS_SELECTOR, "h2").text == "Administrative procedures Q&A"
    assert active_element_id(desktop) == "tthc-input"
    label = shadow(desktop).find_element(By.CSS_SELECTOR, "label[for='tthc-input']")
    assert label.get_attribute("textContent") == "Your question"

    shadow(desktop).find_element(By.CSS_SELECTOR, "textarea").send_keys("dk ket hon", Keys.ENTER)
    card = wait.until(lambda d: answer_with(d, "1.000894"))
    assert isinstance(card, WebElement)
    button = choice(card, "🪜")
    button.send_keys(Keys.ENTER)  # a real <button>: the keyboard presses it
    steps = wait.until(lambda d: answer_with(d, "Steps —"))
    assert isinstance(steps, WebElement) and "1.000894" in steps.text
    desktop.save_screenshot(str(tmp_path / "4-page-en.png"))
    assert errors_in_console(desktop) == []
