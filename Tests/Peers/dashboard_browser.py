"""The dashboard in a real headless Chromium (selenium), as each role uses it.

Signs in with each role's token, opens every page, performs every action and sees it land,
is refused outside its role and team, works the team page with the keyboard only, and asks
axe-core (axe-selenium-python) for each page's accessibility violations: any serious or
critical one fails. Saves a screenshot of each page at 1280 and 390 px wide.

    python3 dashboard_browser.py BASE_URL TOKENS_JSON SCREENSHOT_DIR

TOKENS_JSON maps security, team, lead, web, executive and auditor to a token. Prints one line
per check; exits 1 with the failures listed when any check fails.
"""
import json
import os
import sys
import traceback

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

base, tokens, shots = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
sys.stderr = sys.stdout  # the test shows standard output only: tracebacks too
os.makedirs(shots, exist_ok=True)
failures = []
checked = {"pages": 0, "actions": 0, "refusals": 0}


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    driver.set_window_size(1280, 900)
    return driver


def sign_in(driver, role):
    driver.delete_all_cookies()
    driver.get(base + "/signin")
    driver.find_element(By.NAME, "token").send_keys(tokens[role])
    submit(driver, find(driver, "main form button"))
    check("Sign out" in driver.page_source, f"{role}: signed in")


def submit(driver, button, key=None):
    """Clicks (or presses `key` on) a form's button and waits for the page it leads to."""
    if key:
        button.send_keys(key)
    else:
        button.click()
    WebDriverWait(driver, 10).until(gone(button))


def gone(element):
    """Whether `element` has left the document: selenium's staleness_of, also when Chromium
    answers a check made while the old page is being replaced with "Node with given id does not
    belong to the document" (a WebDriverException, not a stale reference) - that too means gone."""
    stale = expected_conditions.staleness_of(element)

    def predicate(driver):
        try:
            return stale(driver)
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return predicate


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def accessible(driver, what):
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    check(not bad, f"{what}: axe finds no serious or critical violation"
          + ("" if not bad else ": " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in bad)))


def shoot(driver, name):
    for width in (1280, 390):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(height + 120, 6000))
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(os.path.join(shots, f"{name}-{width}.png"))
    driver.set_window_size(1280, 900)


def page(driver, role, path, expect, name=None):
    driver.get(base + path)
    checked["pages"] += 1
    title = heading(driver)
    check(expect in title, f"{role}: {path} shows '{expect}' (heading '{title}')")
    check("<script" not in driver.page_source, f"{role}: {path} has no script")
    accessible(driver, f"{role}: {path}")
    if name:
        shoot(driver, name)


def refused(driver, role, path, words):
    driver.get(base + path)
    checked["refusals"] += 1
    problem = driver.find_elements(By.CSS_SELECTOR, ".problem")
    check(problem and words in problem[0].text, f"{role}: {path} is refused ({problem[0].text if problem else 'no refusal'})")


def find(driver, css):
    """The element `css` selects, waited for (a loaded machine is slow); says what page it is on when it never comes."""
    try:
        return WebDriverWait(driver, 20).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))
    except Exception:
        problem = driver.find_elements(By.CSS_SELECTOR, ".problem")
        raise RuntimeError(f"no {css} on {driver.current_url} ({heading(driver)!r}"
                           f"{': ' + problem[0].text if problem else ''})")


def notice(driver):
    found = driver.find_elements(By.CSS_SELECTOR, ".notice")
    return found[0].text if found else ""


def ledger_events(driver):
    driver.get(base + "/ledger")
    terms = driver.find_elements(By.CSS_SELECTOR, "dl.facts dt")
    values = driver.find_elements(By.CSS_SELECTOR, "dl.facts dd")
    return int(next(v.text for t, v in zip(terms, values) if t.text == "Events"))


driver = browser()
try:
    # The security team: every page, and assigning an unowned place to a team.
    sign_in(driver, "security")
    events_before = ledger_events(driver)
    page(driver, "security", "/", "Organisation overview", "overview")
    page(driver, "security", "/teams", "Teams", "teams")
    page(driver, "security", "/teams/payments", "Payments", "team")
    page(driver, "security", "/findings", "Findings", "findings")
    page(driver, "security", "/findings?q=R1", "Findings")
    page(driver, "security", "/findings/1", "#1", "finding")
    page(driver, "security", "/unowned", "Unowned findings", "unowned")
    page(driver, "security", "/ledger", "Ledger", "ledger")
    page(driver, "security", "/?unit=treasury", "Treasury")
    page(driver, "security", "/releases", "Releases", "releases")
    page(driver, "security", "/gate", "Release gate", "gate")
    driver.get(base + "/unowned")
    form = find(driver, "form[action='/unowned/assign']")
    form.find_element(By.NAME, "reason").send_keys("vendor/ is the web team's import")
    submit(driver, form.find_element(By.CSS_SELECTOR, "button"))
    checked["actions"] += 1
    check("Owner assigned" in notice(driver), "security: assigned the unowned place")

    # A payments member: its team only, the keyboard only on the team page.
    sign_in(driver, "team")
    driver.get(base + "/")
    check(driver.current_url.endswith("/teams/payments"), "team: the start page is its team's")
    refused(driver, "team", "/teams/web", "may see the metrics of payments only")
    refused(driver, "team", "/findings/2", "no finding")
    refused(driver, "team", "/unowned", "")
    driver.get(base + "/teams/payments")
    body = driver.find_element(By.TAG_NAME, "body")
    focused_summary = False
    for _ in range(80):
        body.send_keys(Keys.TAB) if driver.switch_to.active_element.tag_name == "body" else \
            driver.switch_to.active_element.send_keys(Keys.TAB)
        active = driver.switch_to.active_element
        if active.tag_name == "summary" and active.text == "Act on #1":
            focused_summary = True
            break
    check(focused_summary, "team: Tab reaches 'Act on #1' on the team page")
    outline = driver.execute_script(
        "return getComputedStyle(document.activeElement).outlineStyle")
    check(outline not in ("", "none"), f"team: the focused control shows its focus (outline {outline})")
    active = driver.switch_to.active_element
    active.send_keys(Keys.ENTER)
    active.send_keys(Keys.TAB)
    reason = driver.switch_to.active_element
    check(reason.get_attribute("name") == "reason", "team: Tab moves into the reason field")
    reason.send_keys("looking at it now")
    reason.send_keys(Keys.TAB)
    button = driver.switch_to.active_element
    check(button.text == "Acknowledge", f"team: Tab reaches the Acknowledge button ({button.text})")
    submit(driver, button, Keys.ENTER)
    checked["actions"] += 1
    check("Acknowledged" in notice(driver), "team: acknowledged #1 with the keyboard only")
    # Ask the web team to take #1, and mark #4 a false positive with its justification.
    driver.get(base + "/findings/1")
    form = find(driver, "form[action='/findings/1/transfer']")
    form.find_element(By.NAME, "reason").send_keys("the handler lives in web/")
    submit(driver, form.find_element(By.CSS_SELECTOR, "button"))
    checked["actions"] += 1
    check("Transfer requested" in notice(driver), "team: asked web to take #1")

    # Web's member accepts the transfer from its team page.
    sign_in(driver, "web")
    driver.get(base + "/teams/web")
    forms = driver.find_elements(By.CSS_SELECTOR, "form[action='/transfers/accept']")
    check(len(forms) == 1, "web: the transfer waits on its team page")
    if forms:
        forms[0].find_element(By.NAME, "reason").send_keys("ours indeed")
        submit(driver, forms[0].find_element(By.CSS_SELECTOR, "button"))
        checked["actions"] += 1
        check("Transfer accepted" in notice(driver), "web: accepted #1")

    # Payments' lead accepts a risk and marks a false positive.
    sign_in(driver, "lead")
    driver.get(base + "/findings/4")
    form = find(driver, "form[action='/findings/4/accept-risk']")
    until = form.find_element(By.NAME, "until")
    driver.execute_script("arguments[0].value = '2099-01-01'", until)
    form.find_element(By.NAME, "reason").send_keys("a WAF rule covers it")
    submit(driver, form.find_element(By.CSS_SELECTOR, "button"))
    checked["actions"] += 1
    check("Risk accepted" in notice(driver), "lead: accepted #4's risk")
    page(driver, "lead", "/acceptances", "Risk acceptances", "acceptances")
    check("#4" in driver.find_element(By.TAG_NAME, "table").text, "lead: #4 is among the acceptances")
    driver.get(base + "/findings/4")
    page(driver, "lead", "/findings/4", "#4")
    form = find(driver, "form[action='/findings/4/reopen']")
    form.find_element(By.NAME, "reason").send_keys("the WAF rule was removed")
    submit(driver, form.find_element(By.CSS_SELECTOR, "button"))
    checked["actions"] += 1
    check("Reopened" in notice(driver), "lead: reopened #4")
    form = find(driver, "form[action='/findings/4/false-positive']")
    form.find_element(By.NAME, "reason").send_keys("the input is a constant")
    submit(driver, form.find_element(By.CSS_SELECTOR, "button"))
    checked["actions"] += 1
    check("false positive" in notice(driver), "lead: marked #4 a false positive")

    # An executive: aggregates only.
    sign_in(driver, "executive")
    page(driver, "executive", "/", "Organisation overview")
    page(driver, "executive", "/teams/payments", "Payments")
    refused(driver, "executive", "/findings", "")
    refused(driver, "executive", "/findings/1", "")

    # The auditor: the ledger grew by every action, and it holds.
    sign_in(driver, "auditor")
    events_after = ledger_events(driver)
    check(events_after >= events_before + checked["actions"],
          f"auditor: the ledger grew from {events_before} to {events_after} events ({checked['actions']} actions)")
    check("Verified" in notice(driver), "auditor: the ledger verifies")
    refused(driver, "auditor", "/unowned", "")
except Exception as error:  # a step that could not run: say where, as a failure
    traceback.print_exc()
    check(False, f"the run stopped: {error}")
finally:
    driver.quit()

print(json.dumps(checked))
if failures:
    print(f"{len(failures)} checks failed:\n" + "\n".join(failures))
    sys.exit(1)
