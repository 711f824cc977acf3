"""The web app in a real browser (Debian's Chromium through Playwright) against a live server.

One server (uvicorn in a thread, scripted model, fixed clock) and one browser
serve the whole module. Screenshots of the main pages at phone and desktop
sizes go to ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import soundfile
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from os1.app import build
from os1.clock import FixedClock
from os1.config import Paths, load_settings
from os1.server import create_app
from os1.server.auth import hash_password
from os1.store import NewMemory
from os1.store.accounts import AccountStore
from os1.store.initiatives import InitiativeStore
from os1.testing.voice import tone_speech
from serving import NOON, PASSWORDS, give_persona, listening, write_letter

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)  # two shared cores: a page may take a while to answer

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass
class Live:
    """The running server: its address, clock and stores."""

    url: str
    clock: FixedClock
    accounts: AccountStore
    reminders: InitiativeStore
    user_ids: dict[str, int]
    note: Any


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("browser-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OS1_HOME", str(home))
        env.setenv("OS1_MODELS_DIR", str(home / "models"))
        script = home / "script.json"
        script.write_text(json.dumps({"replies": [], "delay_s": 0.03}), encoding="utf-8")
        settings = load_settings(
            model=f"scripted:{script}",
            embedder="hashing",
            interview=False,
            database_url="",
            stt="fake:What is the capital of France?",
            tts="fake",
            vad="fake",
        )
        paths = Paths(home / "config.toml", home / "data", home / "models")
        clock = FixedClock(NOON)
        companion = build(settings, paths, clock)
        app = create_app(settings, companion, clock=clock, scheduler_every_s=0.3)
        accounts = AccountStore(companion.journal.engine)
        ids = {n: accounts.set_password(n, hash_password(p), NOON) for n, p in PASSWORDS.items()}

        def note(name: str, content: str) -> None:
            """Remember a fact for ``name`` (on a thread: the browser's driver owns this loop)."""
            assert companion.memory is not None
            facts = [NewMemory("fact", "the user", "home", content)]
            with ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, companion.memory.note(ids[name], facts)).result()

        try:
            with listening(app) as url:
                reminders = InitiativeStore(companion.journal.engine)
                yield Live(url, clock, accounts, reminders, ids, note)
        finally:
            companion.journal.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `scripts/system-deps.sh --dev` (Debian's chromium)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, live: Live) -> Iterator[BrowserContext]:
    made = browser.new_context(base_url=live.url, viewport=DESKTOP)
    yield made
    made.close()


def watched(page: Page, live: Live) -> list[str]:
    """Everything the page asks for that is not this server, and every console error."""
    problems: list[str] = []
    page.on(
        "request",
        lambda r: (
            problems.append(f"fetched {r.url}")
            if not r.url.startswith((live.url, f"blob:{live.url}", "ws://127.0.0.1", "data:"))
            else None
        ),
    )
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return problems


def sign_in(page: Page, name: str, password: str | None = None) -> None:
    page.goto("/login")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(password or PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()


def say(page: Page, text: str) -> None:
    box = page.get_by_label("Message to os1")
    box.fill(text)
    box.press("Enter")


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_sign_in_and_a_streamed_reply(context: BrowserContext, live: Live) -> None:
    page = context.new_page()
    problems = watched(page, live)
    page.goto("/")
    expect(page).to_have_url(f"{live.url}/login")
    shoot(page, "sign-in")
    sign_in(page, "ana", "wrong-password")
    expect(page.get_by_role("alert").first).to_have_text("Wrong name or password.")
    problems.clear()  # the refused sign-in's 401 is reported in the console
    page.get_by_label("Password", exact=True).fill(PASSWORDS["ana"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Connected")).to_be_visible()
    say(page, "Hello there, I grow tomatoes.")
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text("Hello there, I grow tomatoes.")
    expect(log.locator("li.os1").last).to_contain_text("You said:")
    expect(log.locator("li.os1").last).to_have_attribute("aria-busy", "false")
    shoot(page, "conversation")
    page.reload()
    expect(log).to_contain_text("Hello there, I grow tomatoes.")
    assert problems == []


def test_two_devices_see_the_same_conversation_live(browser: Browser, live: Live) -> None:
    laptop = browser.new_context(base_url=live.url, viewport=DESKTOP).new_page()
    phone = browser.new_context(base_url=live.url, viewport=PHONE).new_page()
    for page in (laptop, phone):
        sign_in(page, "ana")
        expect(page.get_by_text("Connected")).to_be_visible()
    say(laptop, "Typed on the laptop: the sea is calm tonight and the boats are in.")
    phone_log = phone.get_by_role("log", name="Conversation")
    expect(phone_log).to_contain_text("Typed on the laptop")
    expect(phone_log.locator("li.os1").last).to_have_attribute("aria-busy", "true")
    expect(phone_log.locator("li.os1").last).to_contain_text("boats are in")
    expect(phone_log.locator("li.os1").last).to_have_attribute("aria-busy", "false")
    say(phone, "And this from the phone.")
    expect(laptop.get_by_role("log", name="Conversation")).to_contain_text(
        "And this from the phone."
    )
    laptop.context.close()
    phone.context.close()


def test_a_due_reminder_arrives_in_the_open_page(context: BrowserContext, live: Live) -> None:
    page = context.new_page()
    sign_in(page, "ana")
    expect(page.get_by_text("Connected")).to_be_visible()
    due = live.clock.now() + timedelta(minutes=10)
    live.reminders.schedule(
        live.user_ids["ana"], "reminder", "plants", "Water the plants.", due, due
    )
    page.wait_for_timeout(700)
    expect(page.locator(".initiative")).to_have_count(0)
    live.clock.set(due)
    expect(page.get_by_role("region", name="What os1 says first")).to_contain_text(
        "Water the plants."
    )
    shoot(page, "reminder")


def test_memories_can_be_seen_corrected_and_forgotten(context: BrowserContext, live: Live) -> None:
    live.note("ana", "The user's sister Ana lives in Porto.")
    page = context.new_page()
    sign_in(page, "ana")
    page.get_by_role("link", name="Memories").click()
    field = page.locator(".memories input").first
    expect(field).to_have_value("The user's sister Ana lives in Porto.")
    shoot(page, "memories")
    field.fill("The user's sister Ana lives in Lisbon.")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    page.reload()
    expect(page.locator(".memories input").first).to_have_value(
        "The user's sister Ana lives in Lisbon."
    )
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Forget: The user's sister Ana lives in Lisbon.").click()
    expect(page.get_by_role("status")).to_have_text("Forgotten.")


def test_another_person_sees_none_of_it(context: BrowserContext, live: Live) -> None:
    page = context.new_page()
    sign_in(page, "ben")
    expect(page.get_by_text("Connected")).to_be_visible()
    expect(page.get_by_role("log", name="Conversation").locator("li")).to_have_count(0)
    anas = page.evaluate("fetch('/api/conversations/1').then(r => r.status)")
    assert anas == 404
    assert page.evaluate("fetch('/api/conversations').then(r => r.json())") == []


def test_a_new_device_pairs_with_a_code(browser: Browser, live: Live) -> None:
    laptop = browser.new_context(base_url=live.url).new_page()
    sign_in(laptop, "ana")
    expect(laptop.get_by_text("Connected")).to_be_visible()
    laptop.get_by_role("button", name="Pair a device").click()
    shown = laptop.locator("#pairing")
    expect(shown).to_contain_text("Pairing code:")
    code = shown.inner_text().split("Pairing code: ")[1].split(" ")[0]
    phone = browser.new_context(base_url=live.url, viewport=PHONE).new_page()
    phone.goto("/login")
    phone.get_by_label("Pairing code").fill(code)
    phone.get_by_label("Name for this device").fill("Ana's phone")
    phone.get_by_role("button", name="Pair").click()
    expect(phone.get_by_text("Connected")).to_be_visible()
    assert phone.evaluate("fetch('/api/me').then(r => r.json())")["user"] == "ana"
    laptop.get_by_role("button", name="Pair a device").click()
    expect(shown).not_to_contain_text(code)
    qr = laptop.get_by_role("img", name="QR code")
    expect(qr).to_be_visible()
    png = np.frombuffer(base64.b64decode(qr.get_attribute("src").split(",", 1)[1]), np.uint8)
    link, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imdecode(png, cv2.IMREAD_GRAYSCALE))
    tablet = browser.new_context(base_url=live.url).new_page()
    tablet.goto(link)
    expect(tablet.get_by_label("Pairing code")).to_have_value(link.split("#pair=")[1])
    assert "#" not in tablet.url, "the code leaves the address bar once read"
    tablet.get_by_label("Name for this device").fill("Ana's tablet")
    tablet.get_by_role("button", name="Pair").click()
    expect(tablet.get_by_text("Connected")).to_be_visible()
    laptop.context.close()
    phone.context.close()
    tablet.context.close()


def test_reminders_persona_audit_and_settings_pages(context: BrowserContext, live: Live) -> None:
    due = live.clock.now() + timedelta(days=2)
    live.reminders.schedule(
        live.user_ids["ana"], "reminder", "dentist", "See the dentist.", due, due
    )
    page = context.new_page()
    problems = watched(page, live)
    sign_in(page, "ana")
    expect(page.get_by_text("Connected")).to_be_visible()
    say(page, "Remind me to call mum tomorrow at 6pm")
    log = page.get_by_role("log", name="Conversation")
    expect(log.locator(".proposal")).to_contain_text("answer yes or no")
    say(page, "yes")
    expect(log.locator(".done")).to_be_visible()

    page.get_by_role("link", name="Reminders").click()
    expect(page.get_by_text("See the dentist.")).to_be_visible()
    expect(page.get_by_text("call mum")).to_be_visible()
    shoot(page, "reminders")
    page.get_by_role("button", name="Cancel: See the dentist.").click()
    expect(page.get_by_role("status")).to_have_text("Cancelled.")

    page.get_by_role("link", name="Audit").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("remind")
    expect(table).to_contain_text("done")
    shoot(page, "audit")

    page.get_by_role("link", name="os1", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("no persona yet")
    assert problems == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]
    problems.clear()  # no persona yet is a 404, which the console reports

    write_letter(live.accounts.engine, live.user_ids["ana"], "Dear Ruth,\n\nFifty years.")
    page.get_by_role("link", name="Letters").click()
    letter = page.get_by_role("article")
    expect(letter.get_by_role("heading")).to_have_text("Harold to Ruth: fiftieth anniversary")
    expect(letter).to_contain_text("Fifty years.")
    expect(letter).to_contain_text("To confirm before sending: [the lake house]")
    shoot(page, "letters")

    page.get_by_role("link", name="Settings").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Pair a device").click()
    expect(page.locator("#pairing")).to_contain_text("Pairing code:")
    expect(page.get_by_label("Quiet from")).to_have_value("22:00")
    page.get_by_label("Quiet from").fill("21:30")
    page.get_by_label("Most follow-ups and check-ins a day").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#preferences-status")).to_have_text("Saved.")
    shoot(page, "settings")
    page.reload()
    expect(page.get_by_label("Quiet from")).to_have_value("21:30")
    expect(page.get_by_label("Most follow-ups and check-ins a day")).to_have_value("1")
    assert problems == []


def test_a_device_that_was_closed_catches_up_on_what_was_said(browser: Browser, live: Live) -> None:
    laptop = browser.new_context(base_url=live.url).new_page()
    phone_context = browser.new_context(base_url=live.url, viewport=PHONE)
    phone = phone_context.new_page()
    for page in (laptop, phone):
        sign_in(page, "ana")
        expect(page.get_by_text("Connected")).to_be_visible()
    phone.close()
    due = live.clock.now() + timedelta(minutes=10)
    live.reminders.schedule(live.user_ids["ana"], "reminder", "bins", "Put the bins out.", due, due)
    live.clock.set(due)
    expect(laptop.locator(".initiative")).to_contain_text("Put the bins out.")
    phone = phone_context.new_page()
    phone.goto("/")
    expect(phone.locator(".initiative")).to_have_text("While you were away: Put the bins out.")
    phone.reload()
    expect(phone.get_by_text("Connected")).to_be_visible()
    expect(phone.locator(".initiative")).to_have_count(0)
    laptop.context.close()
    phone_context.close()


def test_the_conversation_works_from_the_keyboard_alone(
    context: BrowserContext, live: Live
) -> None:
    page = context.new_page()
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    page.keyboard.type("ana")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORDS["ana"])
    page.keyboard.press("Enter")
    expect(page.get_by_text("Connected")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the message box")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Message to os1")).to_be_focused()
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Enter")
    expect(page.get_by_role("log", name="Conversation")).to_contain_text("You said: Typed without")
    expect(page.get_by_label("Message to os1")).to_be_focused()


def test_a_new_conversation_and_back_to_an_earlier_one(context: BrowserContext, live: Live) -> None:
    page = context.new_page()
    sign_in(page, "ana")
    expect(page.get_by_text("Connected")).to_be_visible()
    log = page.get_by_role("log", name="Conversation")
    say(page, "First conversation marker.")
    expect(log.locator("li.os1").last).to_contain_text("First conversation marker.")
    page.get_by_label("Message to os1").fill("Second conversation marker.")
    page.get_by_role("button", name="New conversation").click()
    expect(log.locator("li.os1").last).to_contain_text("Second conversation marker.")
    expect(log).not_to_contain_text("First conversation marker.")
    picker = page.get_by_label("Switch conversation")
    expect(picker.locator("option")).not_to_have_count(1)
    picker.select_option(index=1)
    expect(log).to_contain_text("First conversation marker.")
    expect(log).not_to_contain_text("Second conversation marker.")


def test_speaking_to_os1_and_hearing_the_reply(browser: Browser, live: Live) -> None:
    context = browser.new_context(base_url=live.url, permissions=["microphone"])
    page = context.new_page()
    problems = watched(page, live)
    sign_in(page, "ana")
    expect(page.get_by_text("Connected")).to_be_visible()
    page.get_by_role("button", name="Talk").click()
    stop = page.get_by_role("button", name="Stop")
    expect(stop).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(1500)
    stop.click()
    log = page.get_by_role("log", name="Conversation")
    expect(log.locator("li.you").last).to_have_text("YouWhat is the capital of France?")
    expect(log.locator("li.os1").last).to_contain_text("You said: What is the capital of France?")
    expect(page.locator("#voice-out")).to_have_attribute("src", re.compile(r"^blob:"))
    assert problems == []
    context.close()


def test_hands_free_hears_a_turn_answers_aloud_and_says_when_it_listens(
    browser: Browser, live: Live, tmp_path: Path
) -> None:
    speech = tmp_path / "speech.wav"
    clip = tone_speech(("quiet", 0.5), ("talk", 1.2), ("quiet", 6.0))
    soundfile.write(speech, clip.samples, clip.rate, subtype="PCM_16")
    args = [a for a in ARGS if a != "--use-fake-device-for-media-stream"]
    hearing = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *args,
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={speech}",
        ],
    )
    try:
        context = hearing.new_context(base_url=live.url, permissions=["microphone"])
        page = context.new_page()
        problems = watched(page, live)
        sign_in(page, "ana")
        expect(page.get_by_text("Connected")).to_be_visible()
        button = page.locator("#hands-free")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button).to_have_text(re.compile("Stop"))
        log = page.get_by_role("log", name="Conversation")
        expect(log.locator("li.you").last).to_have_text("YouWhat is the capital of France?")
        expect(log.locator("li.os1").last).to_contain_text("You said: What is the capital")
        expect(button).to_have_attribute("data-state", "speaking")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "false")
        expect(button).to_have_text("Hands-free")
        assert problems == []
        context.close()
    finally:
        hearing.close()


def test_the_app_is_installable_and_every_control_has_a_name(
    context: BrowserContext, live: Live
) -> None:
    page = context.new_page()
    sign_in(page, "ana")
    expect(page.get_by_text("Connected")).to_be_visible()
    page.wait_for_function(
        "navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready"
    )
    cdp = context.new_cdp_session(page)
    found = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    errors = [e["errorId"] for e in found if e["errorId"] != "in-incognito"]
    assert errors == [], "test contexts are incognito; nothing else may stand in the way"
    unnamed = """() => [...document.querySelectorAll('button, input, select, textarea, a')]
        .filter(el => !el.hidden && !(el.labels && el.labels.length)
                && !el.getAttribute('aria-label') && !el.textContent.trim())
        .map(el => el.outerHTML)"""
    for path in ("/", "/memories", "/reminders", "/persona", "/letters", "/audit", "/settings"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(unnamed) == [], path
    page.context.clear_cookies()
    page.goto("/login")
    assert page.evaluate(unnamed) == []


def test_a_revoked_device_is_sent_back_to_sign_in(browser: Browser, live: Live) -> None:
    laptop = browser.new_context(base_url=live.url).new_page()
    sign_in(laptop, "ana")
    laptop.get_by_role("link", name="Settings").click()
    expect(laptop.get_by_role("heading", name="Your devices")).to_be_visible()
    laptop.wait_for_load_state("networkidle")
    laptop.get_by_role("button", name="Pair a device").click()
    expect(laptop.locator("#pairing")).to_contain_text("Pairing code:")
    code = laptop.locator("#pairing").inner_text().split("Pairing code: ")[1].split(" ")[0]
    phone = browser.new_context(base_url=live.url, viewport=PHONE).new_page()
    phone.goto("/login")
    phone.get_by_label("Pairing code").fill(code)
    phone.get_by_label("Name for this device").fill("Lost phone")
    phone.get_by_role("button", name="Pair").click()
    expect(phone.get_by_text("Connected")).to_be_visible()
    laptop.reload()
    laptop.get_by_role("button", name="Revoke Lost phone").click()
    expect(laptop.get_by_role("status")).to_have_text("Lost phone can no longer sign in.")
    expect(phone).to_have_url(f"{live.url}/login")
    laptop.context.close()
    phone.context.close()


def test_who_os1_is_can_be_shaped_on_its_page(context: BrowserContext, live: Live) -> None:
    give_persona(live.accounts.engine, live.user_ids["ben"])
    page = context.new_page()
    sign_in(page, "ben")
    page.get_by_role("link", name="os1", exact=True).click()
    expect(page.locator("#persona")).to_contain_text("Juniper")
    page.get_by_label("Pin an interest").fill("Sailing")
    page.get_by_role("button", name="Pin", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Pinned sailing.")
    expect(page.get_by_text("sailing (pinned)")).to_be_visible()
    shoot(page, "persona")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Back to who os1 was after you first met").click()
    expect(page.get_by_role("status")).to_contain_text("back to who it was")
    expect(page.get_by_text("sailing (pinned)")).to_have_count(0)
    expect(page.get_by_role("list").last).to_contain_text("We met.")


def test_the_camera_starts_only_when_asked_shows_it_is_on_and_sends_only_a_taken_photo(
    browser: Browser, live: Live
) -> None:
    context = browser.new_context(base_url=live.url, permissions=["camera"])
    page = context.new_page()
    problems = watched(page, live)
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.url.endswith("/api/images") else None)
    page.add_init_script(
        "window.cameraCalls = 0; const ask = navigator.mediaDevices.getUserMedia.bind("
        "navigator.mediaDevices); navigator.mediaDevices.getUserMedia = (c) => "
        "{ window.cameraCalls += 1; return ask(c); };"
    )
    sign_in(page, "ben")
    expect(page.get_by_text("Connected")).to_be_visible()
    camera = page.get_by_role("button", name="Camera", exact=True)
    indicator = page.get_by_text("Camera on: nothing is sent until you take a photo")
    expect(camera).to_have_attribute("aria-pressed", "false")
    expect(indicator).to_be_hidden()
    assert page.evaluate("window.cameraCalls") == 0, "no camera before the person starts it"
    camera.click()
    expect(indicator).to_be_visible()
    expect(page.get_by_role("button", name="Camera on")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("document.getElementById('camera-view').videoWidth > 0")
    page.wait_for_timeout(1000)
    assert posted == [], "streaming shows the picture here only; nothing is sent"
    shoot(page, "camera")
    page.get_by_label("Message to os1").fill("what do you see?")
    page.get_by_role("button", name="Take photo and send").click()
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text("Looked at the photo on this machine")
    expect(log.locator("li.you").last).to_have_text("Youwhat do you see?")
    expect(log.locator("li.os1").last).to_have_attribute("aria-busy", "false")
    assert len(posted) == 1
    page.get_by_role("button", name="Stop camera").click()
    expect(indicator).to_be_hidden()
    expect(camera).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("document.getElementById('camera-view').srcObject") is None
    assert problems == []
    context.close()
