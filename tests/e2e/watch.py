"""What the browser tests watch while a person uses the pages (test_layout.py, test_walks.py): a page of its own
browser context that records every console error, uncaught exception and request answered 4xx/5xx, measures what
reaches past the screen's right edge, and writes screenshots to SCREENSHOTS (tests/e2e/screenshots/, git-ignored)
for a reviewer to open. The `watched` fixture (tests/e2e/conftest.py) makes them."""

import os
import re
from pathlib import Path

# Not test-results/: pytest-playwright empties that folder whenever a session (or an xdist worker) starts.
SCREENSHOTS = Path(os.environ.get("SIPXWEB_SCREENSHOTS", Path(__file__).parent / "screenshots"))
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

TOO_WIDE = """() => {
  const clipped = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const wide = [...document.body.querySelectorAll("*")].filter(
    el => el.getBoundingClientRect().right > window.innerWidth + 0.5 && !clipped(el));
  return wide.filter(el => !wide.includes(el.parentElement)).map(
    el => name(el.parentElement) + " > " + name(el) + " (" + Math.round(el.getBoundingClientRect().right) + "px)");
}"""


class Watched:
    """A browser page that records what a person would see go wrong: console errors, uncaught exceptions and any
    request answered 4xx/5xx (a missing stylesheet, script, icon, a failed fetch). `visited` lists the documents
    the page showed since the last `step`, which checks them."""

    def __init__(self, browser, base: str, viewport: dict):
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.base = base
        self.viewport = viewport
        self.problems: list[str] = []
        self.visited: list[str] = []
        self.steps = 0
        self.walk = "walk"  # the screenshots' prefix: a walk names itself
        self.expected_error = None  # the URL of an error page opened on purpose
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"exception: {e}"))
        self.page.on("response", lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        self.page.on("framenavigated", self._navigated)
        self.pending: set = set()  # requests sent and not answered yet
        self.page.on("request", lambda r: self.pending.add(r))
        self.page.on("requestfinished", lambda r: self.pending.discard(r))
        self.page.on("requestfailed", lambda r: self.pending.discard(r))

    def _console(self, message):
        # The browser reports a page answered 403 or 404 as a console error; an error page's own status is not one.
        if message.type == "error" and message.location.get("url") != self.expected_error:
            self.problems.append(f"console {message.type}: {message.text}")

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.visited.append(frame.url)

    def login(self, name: str, pin: str):
        self.page.goto(self.base + "/login/")
        self.page.fill("#id_username", name)
        self.page.fill("#id_password", pin)
        self.page.click("button:has-text('Log in')")
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url

    def menu(self, name: str):
        """Follows the main menu's link `name` as a person would: on a phone the menu is folded under its button."""
        link = self.page.locator("nav.site-nav").get_by_role("link", name=name, exact=True)
        if not link.is_visible():
            self.page.click("#site-menu > summary")
        link.click()
        self.page.wait_for_load_state()

    def open(self, path: str, status: int = 200):
        self.problems.clear()
        self.expected_error = self.base + path if status >= 400 else None
        response = self.page.goto(self.base + path)
        assert response.status == status, (path, response.status)
        self.page.wait_for_load_state("networkidle")
        if status >= 400:  # the page's own status is the one asked for, not a problem
            self.problems = [p for p in self.problems if not p.startswith(f"{status} {self.base}{path}")]
        return response

    def overflow(self) -> int:
        """How many pixels the page is wider than the screen (0: it fits)."""
        return self.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")

    def too_wide(self) -> list[str]:
        """The outermost elements that reach past the screen's right edge outside a box that scrolls or clips them:
        what makes the page wider (for the failure message)."""
        return self.page.evaluate(TOO_WIDE)

    def shot(self, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def settle(self, quiet_ms: int = 250, timeout_ms: int = 15000):
        """Waits until no request has been open for `quiet_ms`: a script's late fetch, an asset it added, and the
        console messages they cause are in before a step looks. (A load state is reached once per document, so
        waiting for "networkidle" again returns at once.)"""
        quiet = waited = 0
        while quiet < quiet_ms and waited < timeout_ms:
            self.page.wait_for_timeout(50)
            waited += 50
            quiet = 0 if self.pending else quiet + 50

    def step(self, name: str):
        """One step of a walk: the page as it is now (after a click, a form sent, a script's answer) has had no
        console error, exception or 4xx/5xx since the last step, nothing reaches past the screen's edge outside a
        scroll box, no other page was shown since the last step, and its screenshot is written
        (`<walk>-<width>-<nn>-<name>.png`)."""
        self.page.wait_for_load_state("networkidle")
        self.settle()
        where = self.page.url.removeprefix(self.base)
        assert len(self.visited) <= 1, f"{name}: pages shown without a step checking them: {self.visited[:-1]}"
        assert self.problems == [], (name, where, self.problems)
        assert self.too_wide() == [] and self.overflow() <= 0, (name, where, self.overflow(), self.too_wide())
        self.steps += 1
        self.shot(f"{self.walk}-{self.viewport['width']}-{self.steps:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}")
        self.visited.clear()

    def close(self):
        self.context.close()
