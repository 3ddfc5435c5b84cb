"""A real browser (Playwright driving Debian's chromium) through a new user's first visit.

Screenshots go to ``artifacts/browser/`` (kept by CI as test artefacts; git ignores them).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from nutrispine.store import Store
from nutrispine.web.app import create_app
from nutrispine.web.config import WebConfig

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, foods_db: Path) -> Iterator[str]:
    """The app on a loopback port, in local single-user mode, with the fixture food database."""
    config = WebConfig(database_url=f"sqlite:///{tmp_path / 'web.db'}", secret=b"browser")
    app = create_app(config, Store.open(config.database_url))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def page(server: str) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium; "
                    "set PLAYWRIGHT_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(base_url=server, viewport={"width": 1100, "height": 900})
        pg = context.new_page()
        pg.set_default_timeout(15000)
        dialogs: list[str] = []
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.dialogs = dialogs  # type: ignore[attr-defined]
        yield pg
        context.close()
        browser.close()


def shot(page: object, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_new_user_wizard_results_diary_labs_and_trends(page) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_role("link", name="Start the questionnaire").click()
    page.get_by_label("Age (years)").fill("58")
    page.get_by_label("Female").check()
    shot(page, "01-wizard-about")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(f"{page.url.split('/wizard')[0]}/wizard/pain")
    page.get_by_label("Neck").check()
    page.get_by_label("Lower back").check()
    page.get_by_label("For how many weeks?").fill("12")
    page.get_by_label("How bad, usually?").fill("6")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Fatigue").check()
    page.get_by_label("Muscle cramps").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Limited sun exposure").check()
    page.get_by_label("Metformin").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Yesterday").fill("1 cup 2% milk\n2 large eggs\n3 oz cooked salmon")
    page.get_by_label("The day before").fill("1 oz almonds\n1 cup cooked spinach")
    page.locator("select[name=sup_nutrient_0]").select_option("vitamin_d")
    page.locator("input[name=sup_amount_0]").fill("1000")
    page.locator("select[name=sup_unit_0]").select_option("IU")
    shot(page, "02-wizard-diet")
    page.get_by_role("button", name="Save and continue").click()
    page.locator("select[name=lab_test_0]").select_option("vitamin_d_25oh")
    page.locator("input[name=lab_value_0]").fill("10")
    page.locator("select[name=lab_unit_0]").select_option("ng/mL")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Review")).to_be_visible()
    page.get_by_role("button", name="See my results").click()

    # Results: the triage banner comes first, then each nutrient with its chart.
    triage = page.locator("section.triage")
    expect(triage).to_be_visible()
    first_section = page.locator("main section").first
    assert "triage" in (first_section.get_attribute("class") or "")
    for name in ("Vitamin D", "Magnesium", "Vitamin B12", "Calcium"):
        expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.locator("section.nutrient svg.intake").first).to_be_visible()
    expect(page.locator("#n-vitamin_d")).to_contain_text("likelihood")
    shot(page, "03-results")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "04-results-mobile")
    page.set_viewport_size({"width": 1100, "height": 900})

    # Food diary: search as you type fills the suggestions, then the entry is added.
    page.get_by_role("link", name="Food diary").click()
    box = page.get_by_label("Add a food eaten on")
    box.press_sequentially("1 cup milk", delay=30)
    expect(page.locator("#food-options option").first).to_have_attribute(
        "value", "1 cup Milk, reduced fat, fluid, 2% milkfat, with added vitamin A and vitamin D")
    expect(page.locator("#food-hint")).to_contain_text("matching")
    box.fill("1 cup 2% milk")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("table.entries tbody")).to_contain_text("Milk, reduced fat")
    box = page.get_by_label("Add a food eaten on")
    box.fill("1 cup <script>alert(1)</script>")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("table.entries tbody")).to_contain_text("<script>alert(1)</script>")
    assert page.dialogs == []  # the food name was shown as text, never run
    shot(page, "05-diary")

    # Labs with units, and a pain diary over a few days.
    page.get_by_role("link", name="Labs").click()
    page.get_by_label("Test", exact=True).select_option("vitamin_d_25oh")
    page.get_by_label("Value", exact=True).fill("24")
    page.get_by_label("Unit", exact=True).select_option("ng/mL")
    page.get_by_label("Date of the test").fill(dt.date.today().isoformat())
    page.get_by_role("button", name="Add result").click()
    expect(page.locator("table.entries")).to_contain_text("24.0 ng/mL")
    page.get_by_role("link", name="Pain diary").click()
    for offset, score in ((3, 7), (2, 6), (1, 4), (0, 3)):
        page.get_by_label("Day", exact=True).fill((dt.date.today() - dt.timedelta(days=offset)).isoformat())
        page.get_by_label("Where").select_option("neck")
        page.get_by_label("How bad").fill(str(score))
        page.get_by_label("Notes").fill(f"day {offset}")
        page.get_by_role("button", name="Add entry").click()
    expect(page.locator("table.entries tbody tr")).to_have_count(4)

    # Trends: pain, intake and lab charts drawn from what was entered.
    page.get_by_role("link", name="Trends").click()
    expect(page.locator("#pain-chart svg polyline")).to_have_count(1)
    expect(page.locator("#pain-chart svg circle")).to_have_count(4)
    assert page.locator("#intake-chart svg circle").count() >= 4
    expect(page.locator("figure.lab-chart svg circle")).to_have_count(2)
    shot(page, "06-trends")

    page.get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", name="nutrispine report")).to_be_visible()
    shot(page, "07-report")
    assert page.dialogs == []


def test_report_downloads_as_pdf(tmp_path: Path) -> None:
    from nutrispine.web import pdf

    from .conftest import make_client

    if pdf.chromium() is None:
        pytest.skip("chromium not installed: the PDF report needs it")
    client = make_client(tmp_path)
    client.put("/api/v1/me/profile", json={"person": {"age": 58, "sex": "female"}})
    client.post("/api/v1/me/pain", json={"day": "2026-11-20", "region": "neck", "score": 5,
                                         "notes": "<script>alert(1)</script>"})
    response = client.get("/report.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "report.pdf").write_bytes(response.content)
