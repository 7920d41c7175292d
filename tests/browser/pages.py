"""Page helpers for the browser journeys: what a person sees and clicks, with explicit waits only.

An htmx navigation replaces the `#week` section (hx-swap="outerHTML"), and htmx wires up the new
links only when the swap *settles* (a few ms later), then pushes the URL. So every navigation
helper waits for the `htmx:afterSettle` of the new `#week`, counted by a listener that `open()`
installs; the URL push happens in the same task, right after. If that listener has vanished,
the browser loaded a whole new page instead of swapping a fragment: that is reported as such.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT_SECONDS = 10


def by_testid(name: str) -> tuple[str, str]:
    return By.CSS_SELECTOR, f'[data-testid="{name}"]'


WEEK = (By.ID, "week")
WEEK_LABEL = by_testid("week-label")

_INSTALL_SWAP_COUNTER = """
if (!window.__weekSwaps) {
  window.__weekSwaps = {settled: 0, errors: []};
  document.body.addEventListener('htmx:afterSettle', function (event) {
    if (event.target && event.target.id === 'week') window.__weekSwaps.settled += 1;
  });
  document.body.addEventListener('htmx:responseError', function (event) {
    var xhr = event.detail.xhr;
    window.__weekSwaps.errors.push(xhr.status + ' ' + xhr.responseURL);
  });
}
"""

_SWAP_STATE = "return window.__weekSwaps ? {settled: window.__weekSwaps.settled, errors: window.__weekSwaps.errors} : null;"

# One round trip for all the blocks: hundreds of get_attribute() calls would take seconds.
_BLOCK_DATA = """
return Array.from(document.querySelectorAll('#week [data-testid="block"]')).map(function (el) {
  var staff = el.querySelector('.block-staff');
  var struck = staff ? staff.querySelector('s') : null;
  var status = el.querySelector('.block-status');
  var note = el.querySelector('.block-note');
  return {
    slot_id: el.dataset.slotId,
    staff: el.dataset.staff,
    substitute: el.dataset.substitute,
    room: el.dataset.room,
    group: el.dataset.group,
    title: el.querySelector('.block-title').textContent.trim(),
    staff_text: staff ? staff.textContent.replace(/\\s+/g, ' ').trim() : '',
    struck_staff: struck ? struck.textContent.trim() : '',
    status_text: status ? status.textContent.replace(/\\s+/g, ' ').trim() : '',
    note_text: note ? note.textContent.trim() : '',
    classes: el.className,
    shown: el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
  };
});
"""


class FullPageLoad(AssertionError):
    """The browser loaded a whole page where htmx should have swapped the week fragment."""


class WeekPage:
    """A timetable's week view (editor or public) in the browser."""

    def __init__(self, driver: WebDriver, base_url: str, timeout: float = WAIT_SECONDS):
        self.driver = driver
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    # -- waiting ---------------------------------------------------------------------------

    def wait(self, timeout: float | None = None) -> WebDriverWait:
        return WebDriverWait(self.driver, timeout or self.timeout)

    def _install_swap_counter(self) -> None:
        self.driver.execute_script(_INSTALL_SWAP_COUNTER)

    def _swap(self, action: Callable[[], None], what: str) -> None:
        """Do `action`, then wait until htmx has swapped in and settled a new #week, URL pushed."""
        state = self.driver.execute_script(_SWAP_STATE)
        if state is None:
            self._install_swap_counter()
            state = {"settled": 0, "errors": []}
        before = state["settled"]
        old_week = self.driver.find_element(*WEEK)
        action()

        def swapped(driver):
            now = driver.execute_script(_SWAP_STATE)
            if now is None:
                raise FullPageLoad(f"{what}: the whole page was reloaded ({driver.current_url}) instead of an htmx swap")
            if now["errors"]:
                raise AssertionError(f"{what}: htmx got an error response: {now['errors']}")
            return now["settled"] > before

        try:
            self.wait().until(swapped)
            self.wait().until(EC.staleness_of(old_week))
        except TimeoutException as error:
            raise AssertionError(f"{what}: no new week was swapped in within {self.timeout}s "
                                 f"(URL {self.driver.current_url})") from error

    def wait_for_week(self, label: str) -> None:
        """Wait until the page shows the week `label` (e.g. 2026-W48)."""
        try:
            self.wait().until(lambda d: d.find_element(*WEEK_LABEL).text.strip() == label)
        except TimeoutException as error:
            raise AssertionError(f"the page shows week {self.week_label()!r}, not {label!r}") from error

    def wait_for_url_arg(self, name: str, value: str) -> None:
        try:
            self.wait().until(lambda d: self.query().get(name) == value)
        except TimeoutException as error:
            raise AssertionError(f"the URL {self.driver.current_url} has no {name}={value}") from error

    # -- opening and reading -----------------------------------------------------------------

    def open(self, path: str) -> WeekPage:
        """Load `path` as a whole page (no htmx) and wait for its week view."""
        self.driver.get(self.base_url + path)
        self.wait().until(EC.visibility_of_element_located(WEEK_LABEL))
        self._install_swap_counter()
        return self

    def query(self) -> dict[str, str]:
        """The current URL's query arguments (the last value of each)."""
        return {name: values[-1] for name, values in parse_qs(urlsplit(self.driver.current_url).query).items()}

    def path(self) -> str:
        return urlsplit(self.driver.current_url).path

    def week_label(self) -> str:
        return self.driver.find_element(*WEEK_LABEL).text.strip()

    def grid(self) -> WebElement:
        return self.driver.find_element(*by_testid("grid"))

    def blocks(self) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, '#week [data-testid="block"]')

    def block_data(self) -> list[dict]:
        """Every block's data-* attributes and texts, in one round trip."""
        return self.driver.execute_script(_BLOCK_DATA)

    def block_staff_ids(self) -> list[tuple[str, str]]:
        """(data-staff, data-substitute) of every block."""
        return [(block["staff"], block["substitute"]) for block in self.block_data()]

    def staff_options(self) -> dict[str, str]:
        """The Staff filter's choices: name -> id."""
        select = Select(self.driver.find_element(*by_testid("filter-staff")))
        return {option.text.strip(): option.get_attribute("value") for option in select.options if option.get_attribute("value")}

    # -- doing -------------------------------------------------------------------------------

    def _click_nav(self, locator: tuple[str, str], what: str, expected_label: str | None) -> None:
        link = self.driver.find_element(By.ID, "week").find_element(*locator)
        self._swap(link.click, what)
        if expected_label is not None:
            self.wait_for_week(expected_label)

    def go_next(self, expected_label: str | None = None) -> None:
        self._click_nav((By.CSS_SELECTOR, "nav.week-nav a[rel=next]"), "next week", expected_label)

    def go_previous(self, expected_label: str | None = None) -> None:
        self._click_nav((By.CSS_SELECTOR, "nav.week-nav a[rel=prev]"), "previous week", expected_label)

    def go_today(self, expected_label: str | None = None) -> None:
        self._click_nav(by_testid("today"), "today", expected_label)

    def filter_by_staff(self, name: str) -> str:
        """Choose `name` in the Staff select (the form submits itself on change); return its id."""
        select = Select(self.driver.find_element(*by_testid("filter-staff")))
        staff_id = self.staff_options()[name]
        self._swap(lambda: select.select_by_visible_text(name), f"filter by {name}")
        self.wait().until(lambda d: Select(d.find_element(*by_testid("filter-staff"))).first_selected_option.text.strip() == name)
        return staff_id

    def clear_filters(self) -> None:
        link = self.driver.find_element(*by_testid("clear-filters"))
        self._swap(link.click, "clear filters")

    def back(self, expected_label: str) -> None:
        """The browser's Back button; htmx restores the previous week from its history."""
        old_week = self.driver.find_element(*WEEK)
        self.driver.back()
        self.wait().until(EC.staleness_of(old_week))
        self.wait_for_week(expected_label)
