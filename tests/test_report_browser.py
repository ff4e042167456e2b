"""The report at work in a real browser, offline: headless Chromium with the network cut.

The page must load without a console error and without any request beyond its own file,
show a point's input and reconstruction on hover, the decoded path between two clicked
points, and decode in JavaScript as the model decodes in Python. Skipped without Debian's
``chromium`` and ``chromium-driver`` or without selenium (``pip install aekit[test]``); a
screenshot of each page goes to $AEKIT_TEST_ARTIFACTS (else the test's tmp_path).
"""

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import aekit
from aekit.cli.main import main
from aekit.datasets import load as load_dataset
from aekit.reporting.html import report_inputs, write_report

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
TINY = ["--hidden", "16", "--code-size", "3", "--epochs", "1", "--quiet", "--no-pictures"]

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.actions.action_builder import ActionBuilder  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # given: Selenium Manager never looks for a browser
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1100",
        "--force-device-scale-factor=1",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: nothing can be fetched
        "--no-first-run",
        "--disable-background-networking",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    folder = os.environ.get("AEKIT_TEST_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "digits"
    assert main(["train", "--data", "digits", "--out", str(out), *TINY]) == 0
    return out


def open_page(driver, path: Path) -> None:
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + 10
    while not driver.execute_script("return !!(window.aekitReport && window.aekitReport.ready)"):
        assert time.monotonic() < deadline, "the page did not get ready"
        time.sleep(0.05)
    driver.execute_script("document.getElementById('map-model').scrollIntoView({block: 'start'})")


def assert_quiet_and_offline(driver, path: Path) -> None:
    """No console error, and no request but the page's own file (and its data: images)."""
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe
    urls = [
        message["params"]["request"]["url"]
        for entry in driver.get_log("performance")
        if (message := json.loads(entry["message"])["message"])["method"]
        == "Network.requestWillBeSent"
    ]
    assert urls and all(u == path.resolve().as_uri() or u.startswith("data:") for u in urls), urls
    fetched = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !n.startsWith('data:'))"
    )
    assert fetched == []


def pointer_to(driver, index: int, *, click: bool = False) -> None:
    pos = driver.execute_script(f"return window.aekitReport.pointScreenPosition({index})")
    actions = ActionBuilder(driver)
    actions.pointer_action.move_to_location(round(pos["x"]), round(pos["y"]))
    if click:
        actions.pointer_action.click()
    actions.perform()


def drawn(driver, selector: str) -> list[bool]:
    """For each canvas matching ``selector``: whether it holds anything but black."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(c => {"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 30) return true;"
        " return false; })",
        selector,
    )


def screenshot(driver, artifacts: Path, name: str) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(height + 40, 4000))
    driver.execute_script("window.scrollTo(0, 0)")
    path = artifacts / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1100)
    print(f"screenshot: {path}")


def test_the_page_hovers_selects_and_decodes_as_the_model_offline(browser, digits_run, artifacts):
    assert main(["report", str(digits_run), "-q"]) == 0
    page = digits_run / "report.html"
    open_page(browser, page)
    assert browser.execute_script("return window.aekitReport.mode") == "page"
    pointer_to(browser, 7)
    assert browser.execute_script("return window.aekitReport.hovered()") == 7
    assert browser.find_element("id", "hover-view").get_attribute("data-index") == "7"
    assert drawn(browser, "#hover-input") == [True] and drawn(browser, "#hover-recon") == [True]
    pointer_to(browser, 7, click=True)
    pointer_to(browser, 200, click=True)
    assert browser.execute_script("return window.aekitReport.selected()") == [7, 200]
    assert drawn(browser, "#interp-frames canvas") == [True] * 8
    # the page's decoder against the model's, on the page's own (float16) code
    code = browser.execute_script("return window.aekitReport.code(200)")
    in_page = np.asarray(
        browser.execute_script("return window.aekitReport.decode(arguments[0])", code)
    )
    model = aekit.load(digits_run)
    expected = model.inverse_transform(np.asarray([code], np.float32))[0]
    assert np.max(np.abs(in_page - expected)) < 0.01
    assert_quiet_and_offline(browser, page)
    screenshot(browser, artifacts, "report-digits")


def test_without_a_decoder_only_anchors_select_and_show_their_path(
    browser, digits_run, tmp_path, artifacts
):
    run = report_inputs(
        digits_run, aekit.load(digits_run), load_dataset("digits"), "test", "digits"
    )
    page = write_report(run, tmp_path / "anchors.html", decoder_budget=0).path
    open_page(browser, page)
    anchors = browser.execute_script("return window.aekitReport.anchors")
    assert browser.execute_script("return window.aekitReport.mode") == "anchors"
    assert len(anchors) == 16
    pointer_to(browser, anchors[3])
    assert drawn(browser, "#hover-recon") == [True]  # from the reconstruction sprite
    pointer_to(browser, anchors[3], click=True)
    pointer_to(browser, anchors[0], click=True)  # the reversed pair: frames read backwards
    assert browser.execute_script("return window.aekitReport.selected()") == [
        anchors[3],
        anchors[0],
    ]
    assert drawn(browser, "#interp-frames canvas") == [True] * 8
    assert_quiet_and_offline(browser, page)
    screenshot(browser, artifacts, "report-anchors")


def test_a_table_page_shows_a_row_beside_its_reconstruction(browser, tmp_path, artifacts):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 2)) @ rng.normal(size=(2, 5))
    csv = tmp_path / "t.csv"
    csv.write_text(
        "a,<b>bold</b>,c,d,e\n" + "".join(",".join(f"{v:.3f}" for v in r) + "\n" for r in X)
    )
    out = tmp_path / "run"
    assert main(["train", "--data", str(csv), "--out", str(out), *TINY]) == 0
    assert main(["report", str(out), "-q"]) == 0
    open_page(browser, out / "report.html")
    pointer_to(browser, 5)
    view = browser.find_element("id", "hover-view")
    assert view.find_elements("css selector", "svg polyline")  # input and reconstruction lines
    assert "<b>bold</b>" in browser.find_element("id", "column-errors").text  # text, not markup
    assert browser.find_elements("css selector", "#column-errors b") == []
    assert_quiet_and_offline(browser, out / "report.html")
    screenshot(browser, artifacts, "report-table")
    shutil.rmtree(out)
