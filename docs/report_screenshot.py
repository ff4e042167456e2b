"""Remake docs/report-fashion-mnist.png: the report's latent map with a point hovered and two
anchors selected, in headless Chromium (Debian's chromium and chromium-driver, selenium).

    aekit train --data fashion-mnist --out runs/fmnist --hidden 1000,500,250 --code-size 30 \\
        --epochs 30
    aekit report runs/fmnist --out docs/report-fashion-mnist.html
    python docs/report_screenshot.py
"""

import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.actions.action_builder import ActionBuilder

PAGE = Path(__file__).with_name("report-fashion-mnist.html")
SHOT = PAGE.with_suffix(".png")


def point_at(driver: webdriver.Chrome, index: int, click: bool = False) -> None:
    pos = driver.execute_script(f"return window.aekitReport.pointScreenPosition({index})")
    actions = ActionBuilder(driver)
    actions.pointer_action.move_to_location(round(pos["x"]), round(pos["y"]))
    if click:
        actions.pointer_action.click()
    actions.perform()


def main() -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--window-size=1280,1150",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.get(PAGE.resolve().as_uri())
    while not driver.execute_script("return !!(window.aekitReport && window.aekitReport.ready)"):
        time.sleep(0.05)
    driver.execute_script("document.getElementById('map-model').scrollIntoView()")
    anchors = driver.execute_script("return window.aekitReport.anchors")
    point_at(driver, anchors[0], click=True)
    point_at(driver, anchors[5], click=True)
    point_at(driver, anchors[9])
    top = "document.getElementById('map-model').getBoundingClientRect().top + window.scrollY"
    driver.execute_script(f"window.scrollTo(0, {top} - 90)")
    time.sleep(0.3)
    driver.save_screenshot(str(SHOT))
    driver.quit()


if __name__ == "__main__":
    main()
