"""The web app in a real browser: headless Chromium from Debian's packages, driven by selenium.

Runs against a server started by scripts/browser-test with the demo data (ACCORD_URL). Every page it
visits is also photographed at 1440 and 375 px wide into ACCORD_SCREENSHOTS when that is set.
"""
import json
import os
import re
import unittest
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ.get("ACCORD_URL", "http://127.0.0.1:8080")
SHOTS = os.environ.get("ACCORD_SCREENSHOTS")
PASSWORD = "accord-demo-password"
DANA, PRIYA, SOFIA = "dana@northwind.example", "priya@acme.example", "sofia@globex.example"
PAGE_LIMIT = 200 * 1024


def api(method, path, token=None, body=None):
    """A call to the JSON API, as the terminal client makes it."""
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                     "--window-size=1440,900", "--force-device-scale-factor=1", "--lang=en-US"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.implicitly_wait(0)
    return driver


class WebAppTest(unittest.TestCase):
    def setUp(self):
        self.driver = browser()
        self.addCleanup(self.driver.quit)

    # Helpers

    def open(self, path):
        self.driver.get(BASE + path)
        return self.driver

    def text(self, selector="main"):
        return self.driver.find_element(By.CSS_SELECTOR, selector).text

    def sign_in(self, email, next_path="/app"):
        self.open("/app/sign-in?next=" + next_path)
        self.driver.find_element(By.ID, "email").send_keys(email)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(self.driver, 30).until(lambda d: "/sign-in" not in d.current_url)

    def submit(self, button):
        """Clicks a form's button and waits for the page it leads to."""
        # A mark on the old page's window; the new page has none. Checking an old element for
        # staleness races the navigation (Chrome can answer with a generic inspector error).
        self.driver.execute_script("window.accordOldPage = true")
        button.click()
        WebDriverWait(self.driver, 30, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script(
                "return window.accordOldPage === undefined && document.readyState === 'complete'"
            )
        )

    def check_page(self, name):
        """The page weighs under 200 KB with its assets, and is photographed at both widths."""
        weight = self.driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return (n ? n.decodedBodySize : 0) + performance.getEntriesByType('resource').reduce((s, r) => s + r.decodedBodySize, 0);"
        )
        self.assertLess(weight, PAGE_LIMIT, f"{name} weighs {weight} bytes")
        self.assertNotIn("Traceback", self.driver.page_source)
        if not SHOTS:
            return
        os.makedirs(SHOTS, exist_ok=True)
        for width in (1440, 375):
            metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": min(max(height, 600), 4000)})
            self.driver.save_screenshot(os.path.join(SHOTS, f"{name}-{width}.png"))
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # The journeys

    def test_a_client_s_drift_from_its_pack_is_the_api_s(self):
        self.sign_in(DANA)
        self.driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=org-acme] .pack-line a").click()
        WebDriverWait(self.driver, 30).until(lambda d: d.current_url.endswith("/app/orgs/acme/packs"))
        token = api("POST", "/v1/auth/login", body={"email": DANA, "password": PASSWORD})["token"]
        reports = api("GET", "/v1/orgs/acme/packs/drift", token)
        self.assertEqual([report["standing"]["pack"] for report in reports], ["Revenue standard"])
        rows = {}
        for row in self.driver.find_elements(By.CSS_SELECTOR, "table.drift tbody tr"):
            rows[row.find_element(By.CSS_SELECTOR, "th").text.split("\n")[0]] = row.text
        records = reports[0]["drift"]["records"]
        self.assertEqual(sorted(rows), sorted(record["name"] for record in records))
        words = {"matches": "matches", "client_changed": "changed here", "pack_changed": "changed in the pack", "new_in_pack": "new in the pack"}
        for record in records:
            self.assertIn(words[record["state"]], rows[record["name"]], record["name"])
            for change in record["clientChanged"]:
                self.assertIn(change["client"], rows[record["name"]], "each change as it is now")
        self.check_page("packs")

    def test_consultant_signs_in_switches_org_and_reads_a_dashboard_the_api_agrees_with(self):
        self.open("/app/sign-in")
        self.check_page("sign-in")
        self.sign_in(DANA)
        self.assertEqual(self.driver.current_url, BASE + "/app")
        portfolio = self.text()
        for org in ("Acme Robotics", "Globex Health", "Northwind Advisory"):
            self.assertIn(org, portfolio)
        self.check_page("portfolio")

        switcher = Select(self.driver.find_element(By.ID, "org-switch"))
        switcher.select_by_visible_text("Acme Robotics")
        self.driver.find_element(By.CSS_SELECTOR, ".switcher button").click()
        WebDriverWait(self.driver, 30).until(lambda d: d.current_url.endswith("/app/orgs/acme"))
        self.assertIn("Off track and at risk", self.text())
        self.check_page("home")

        self.driver.find_element(By.LINK_TEXT, "Dashboards").click()
        self.check_page("dashboards")
        links = self.driver.find_elements(By.CSS_SELECTOR, "main .cards a")
        self.assertTrue(links, "acme has dashboards")
        links[0].click()
        dashboard = self.driver.current_url.rsplit("/", 1)[1]
        shown = {}
        for element in self.driver.find_elements(By.CSS_SELECTOR, "[data-actual]"):
            shown.setdefault(element.get_attribute("data-kpi"), set()).add(element.get_attribute("data-value"))
        self.assertTrue(shown, "the dashboard shows numbers")
        token = api("POST", "/v1/auth/login", body={"email": DANA, "password": PASSWORD})["token"]
        view = api("GET", f"/v1/orgs/acme/dashboards/{dashboard}/view", token)
        answered = {}
        for tile in view["tiles"]:
            for row in tile["rows"]:
                actual = row["reading"].get("actual")
                answered.setdefault(row["key"], set()).add("" if actual is None else actual)
        for key, values in shown.items():
            self.assertIn(key, answered)
            self.assertEqual({float(v) if v else "" for v in values}, answered[key], f"{key} on the page and in the API")
        self.assertIn(view["period"], self.text(".page-head"))
        self.check_page("dashboard")

        # The period picker shows another period, and the API agrees with it too.
        picker = Select(self.driver.find_element(By.ID, "period"))
        previous = picker.options[2].get_attribute("value")
        picker.select_by_value(previous)
        self.driver.find_element(By.XPATH, "//button[text()='Show']").click()
        WebDriverWait(self.driver, 30).until(lambda d: f"period={previous}" in d.current_url)
        self.assertIn(previous, self.text(".page-head"))

        kpi = next(iter(shown))
        self.open(f"/app/orgs/acme/kpis/{kpi}")
        self.assertIn("Targets", self.text())
        self.assertIn("Actuals", self.text())
        self.check_page("kpi")
        self.open("/app/orgs/acme/kpis")
        self.check_page("kpis")

        self.open("/app/orgs/acme/alignment")
        for heading in ("Stages", "Line of sight", "Orphans"):
            self.assertIn(heading, self.text())
        self.check_page("alignment")

        self.open("/app/orgs/acme/decisions")
        self.check_page("decisions")
        Select(self.driver.find_element(By.ID, "f-type")).select_by_value("target.change")
        self.submit(self.driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
        rows = self.driver.find_elements(By.CSS_SELECTOR, "main tbody tr")
        self.assertTrue(rows)
        self.assertTrue(all("target.change" in row.text for row in rows))
        rows[0].find_element(By.TAG_NAME, "a").click()
        self.assertIn("Rationale", self.text())
        self.check_page("decision")

        self.open("/app/orgs/acme/definitions")
        self.check_page("definitions")
        self.driver.find_element(By.LINK_TEXT, "MQL").click()
        self.assertIn("History", self.text())
        self.check_page("definition")
        self.submit(self.driver.find_element(By.XPATH, "//button[text()='Side by side']"))
        self.assertIn("→", self.text("h1"))
        self.check_page("diff")

        self.submit(self.driver.find_element(By.CSS_SELECTOR, ".signout button"))
        self.assertIn("/app/sign-in", self.driver.current_url)
        self.open("/app/orgs/acme")
        self.assertIn("/app/sign-in", self.driver.current_url, "signed out, a page asks to sign in again")

    def test_a_proposal_is_refused_without_the_right_and_approved_by_its_decider(self):
        self.sign_in(PRIYA)
        self.open("/app/orgs/acme/definitions/MQL")
        proposal = self.driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=h-proposals] a")
        proposal.click()
        page = self.driver.current_url
        self.assertIn("proposed", self.text())
        self.submit(self.driver.find_element(By.XPATH, "//button[text()='Consent']"))
        self.assertIn("Priya Natarajan", self.text())
        self.assertIn("consent", self.text())
        self.submit(self.driver.find_element(By.XPATH, "//button[text()='Approve']"))
        problem = self.text(".problem")
        self.assertIn("Only the decide holders", problem)
        self.assertIn("proposed", self.text(".facts"), "the refused approval changed nothing")
        self.check_page("proposal")
        self.submit(self.driver.find_element(By.CSS_SELECTOR, ".signout button"))

        self.sign_in(DANA, next_path=page.replace(BASE, ""))
        self.assertEqual(self.driver.current_url, page)
        self.driver.find_element(By.ID, "d-note").send_keys("Sales and Marketing agree; approved at the pipeline council.")
        self.submit(self.driver.find_element(By.XPATH, "//button[text()='Approve']"))
        self.assertIn("approved", self.text(".facts"))
        with self.assertRaises(NoSuchElementException):
            self.driver.find_element(By.XPATH, "//button[text()='Approve']")

    def test_a_definition_change_is_proposed_from_its_page(self):
        self.sign_in("marco@acme.example")
        self.open("/app/orgs/acme/definitions/SQL")
        self.driver.find_element(By.CSS_SELECTOR, "details.propose summary").click()
        body = self.driver.find_element(By.ID, "p-body")
        self.assertTrue(body.get_attribute("value"), "the form starts from the certified text")
        body.send_keys("\nA meeting booked counts only once it is held.")
        self.driver.find_element(By.ID, "p-why").send_keys("No-shows inflate SQLs by a fifth.")
        self.submit(self.driver.find_element(By.XPATH, "//button[text()='Propose']"))
        self.assertIn("/proposals/", self.driver.current_url)
        self.assertIn("proposed", self.text(".facts"))
        self.assertIn("A meeting booked counts only once it is held.", self.text("table.diff"))

    def test_a_review_is_decided_item_by_item_and_closed(self):
        self.sign_in(DANA)
        self.open("/app/orgs/acme/reviews")
        self.check_page("reviews")
        self.driver.find_element(By.XPATH, "//a[contains(text(), 'Monthly review')]").click()
        review = self.driver.current_url
        self.check_page("review")
        self.driver.find_element(By.ID, "summary").send_keys("Too early")
        self.submit(self.driver.find_element(By.XPATH, "//button[text()='Close the review']"))
        self.assertIn("before the review closes", self.text(".problem"), "a review with open items does not close")
        self.driver.find_element(By.CSS_SELECTOR, ".crumbs a").click()
        self.assertEqual("Reviews", self.text("h1"), "links still lead where they say after a refused form")
        while True:
            self.open(review.replace(BASE, ""))
            forms = self.driver.find_elements(By.CSS_SELECTOR, ".review-items form")
            if not forms:
                break
            form = forms[0]
            form.find_element(By.CSS_SELECTOR, "input[value=hold]").click()
            form.find_element(By.TAG_NAME, "textarea").send_keys("Hold: the trend is recovering; look again next month.")
            self.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
            self.assertFalse(self.driver.find_elements(By.CSS_SELECTOR, ".problem"), self.driver.find_element(By.TAG_NAME, "main").text)
        self.driver.find_element(By.ID, "summary").send_keys("Holding course; MQL follow-up gets a second look next month.")
        self.submit(self.driver.find_element(By.XPATH, "//button[text()='Close the review']"))
        self.assertIn("Closed by Dana Whitfield", self.text())

    def test_the_wall_between_organizations_and_the_error_page(self):
        self.sign_in(SOFIA)
        self.open("/app/orgs/acme")
        self.assertEqual("Not found", self.text("h1"))
        self.assertIn("not a member", self.text())
        self.assertNotIn("Acme Robotics", self.driver.page_source)
        self.check_page("error")
        self.open("/app/orgs/globex")
        self.assertEqual("Globex Health", self.text("h1"))
        self.assertFalse(self.driver.find_elements(By.ID, "org-switch"), "one organization needs no switcher")

    def test_keyboard_reaches_the_content_and_every_control_has_a_label(self):
        self.sign_in(DANA)
        for path in ("/app/orgs/acme", "/app/orgs/acme/decisions", "/app/orgs/acme/reviews"):
            self.open(path)
            unlabeled = self.driver.execute_script(
                "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
                ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)"
            )
            self.assertEqual([], unlabeled, path)
        body = self.driver.find_element(By.TAG_NAME, "body")
        body.send_keys("\t")
        focused = self.driver.switch_to.active_element
        self.assertEqual("Skip to content", focused.text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
