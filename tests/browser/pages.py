"""Page helpers for the browser journeys: what a person sees and clicks, with explicit waits only.

An htmx navigation replaces the `#week` section (hx-swap="outerHTML"), and htmx wires up the new
links only when the swap *settles* (a few ms later), then pushes the URL. So every navigation
helper waits for the `htmx:afterSettle` of the new `#week`, counted by a listener that `open()`
installs; the URL push happens in the same task, right after. If that listener has vanished,
the browser loaded a whole new page instead of swapping a fragment: that is reported as such.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
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


# -- the editor: panels, previews and gestures (used by test_editing_journeys.py) ----------------


# Which elements htmx has settled since the last mark (a swapped-in form is wired up only then:
# clicking its button earlier would post it as a plain form), and where the pointer was pressed.
_INSTALL_EDITOR_TRACKER = """
if (!window.__editor) {
  window.__editor = {settled: new Set(), errors: [], press: null};
  document.body.addEventListener('htmx:afterSettle', function (event) { window.__editor.settled.add(event.target); });
  var failed = function (event) {
    var xhr = event.detail.xhr;
    window.__editor.errors.push(event.type + ' ' + (xhr ? xhr.status + ' ' + xhr.responseURL : ''));
  };
  document.body.addEventListener('htmx:responseError', failed);
  document.body.addEventListener('htmx:sendError', failed);
  document.addEventListener('pointerdown', function (event) {
    window.__editor.press = {x: event.clientX, y: event.clientY};
  }, true);
}
"""

_MARK_OLD = """
window.__editor.settled = new Set();
document.querySelectorAll(arguments[0]).forEach(function (el) { el.setAttribute('data-journey-old', ''); });
"""

# The first element matching the selector that came after the mark and whose swap has settled.
_NEW_SETTLED = """
if (!window.__editor) return {reloaded: true};
if (window.__editor.errors.length) return {errors: window.__editor.errors};
var found = Array.from(document.querySelectorAll(arguments[0])).filter(function (el) { return !el.hasAttribute('data-journey-old'); });
for (var i = 0; i < found.length; i++) {
  for (var node = found[i]; node; node = node.parentElement) {
    if (window.__editor.settled.has(node)) return {element: found[i]};
  }
}
return null;
"""

_EDITOR_BLOCKS = """
return Array.from(document.querySelectorAll('#week [data-testid="block"]')).map(function (el) {
  var staff = el.querySelector('.block-staff');
  return {
    slot_id: el.dataset.slotId,
    weekday: el.dataset.weekday,
    start: el.dataset.start,
    duration: el.dataset.duration,
    column: el.closest('.day').dataset.weekday,
    staff: el.dataset.staff,
    substitute: el.dataset.substitute,
    room: el.dataset.room,
    group: el.dataset.group,
    title: el.querySelector('.block-title').textContent.trim(),
    time_text: el.querySelector('.block-time').textContent.trim(),
    staff_text: staff ? staff.textContent.replace(/\\s+/g, ' ').trim() : '',
    selected: el.classList.contains('selected'),
    clash: el.classList.contains('clash'),
    height: el.getBoundingClientRect().height
  };
});
"""

# Where a gesture lands: the grid's minute scale and the day columns' boxes, in viewport pixels.
_GRID_GEOMETRY = """
var grid = document.querySelector('#week .grid');
var days = {};
grid.querySelectorAll('.day').forEach(function (day) {
  var r = day.querySelector('.day-body').getBoundingClientRect();
  days[day.dataset.weekday] = {left: r.left, top: r.top, width: r.width, height: r.height};
});
return {first: Number(grid.dataset.firstMinute), last: Number(grid.dataset.lastMinute), days: days,
        viewport: [window.innerWidth, window.innerHeight]};
"""

_FETCH_JSON = """
var done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
  .then(function (r) { return r.text().then(function (body) { done({status: r.status, body: body}); }); })
  .catch(function (error) { done({status: 0, body: String(error)}); });
"""


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes_of(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


class EditorPage(WeekPage):
    """The week editor: what a scheduler clicks, drags and reads, each step waiting for htmx to settle."""

    GESTURE_STEPS = 6

    # -- opening -----------------------------------------------------------------------------

    def _install_trackers(self) -> None:
        self._install_swap_counter()
        self.driver.execute_script(_INSTALL_EDITOR_TRACKER)

    def open(self, path: str) -> EditorPage:
        super().open(path)
        self.driver.execute_script(_INSTALL_EDITOR_TRACKER)
        return self

    def log_in_and_open(self, path: str, username: str = "scheduler", password: str = "timetable-demo") -> EditorPage:
        """Ask for an editor page, get the login form, log in, land back on the page."""
        self.driver.get(self.base_url + path)
        form = self.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.login-form")))
        form.find_element(By.NAME, "username").send_keys(username)
        form.find_element(By.NAME, "password").send_keys(password)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        # Not staleness_of(form): across a navigation chromedriver sometimes answers "Node with given id
        # does not belong to the document" instead of "stale element" (SeleniumHQ/selenium#15401).
        try:
            self.wait().until(lambda d: self.path() != "/login" and d.find_elements(*WEEK_LABEL))
        except TimeoutException as error:
            raise AssertionError(f"logging in as {username} did not lead to {path} (at {self.driver.current_url})") from error
        self.wait().until(EC.visibility_of_element_located(WEEK_LABEL))
        self._install_trackers()
        return self

    # -- waiting for htmx ---------------------------------------------------------------------

    def swapped_in(self, css: str, action: Callable[[], None], what: str) -> WebElement:
        """Do `action`; return the new element matching `css` once htmx has swapped it in and settled it."""
        self.driver.execute_script(_MARK_OLD, css)
        action()

        def arrived(driver):
            state = driver.execute_script(_NEW_SETTLED, css)
            if state is None:
                return False
            if state.get("reloaded"):
                raise FullPageLoad(f"{what}: the whole page was reloaded ({driver.current_url})")
            if state.get("errors"):
                raise AssertionError(f"{what}: htmx got an error: {state['errors']}")
            return state["element"]

        try:
            return self.wait().until(arrived)
        except TimeoutException as error:
            raise AssertionError(f"{what}: nothing matching {css} was swapped in within {self.timeout}s") from error

    def in_region(self, region: str, testid: str, action: Callable[[], None], what: str) -> WebElement:
        """Do `action`; return the new `[data-testid=testid]` swapped into `#region` (preview or panel)."""
        return self.swapped_in(f'#{region} [data-testid="{testid}"]', action, what)

    def refreshing_week(self, action: Callable[[], None], what: str) -> None:
        """Do `action` (an Apply) and wait until the grid has refreshed itself (HX-Trigger timetable-changed)."""
        self._swap(action, what)

    # -- reading ------------------------------------------------------------------------------

    def editor_blocks(self) -> dict[str, dict]:
        """Every block on the grid by slot id: its data-*, its column, texts and selection state."""
        return {block["slot_id"]: block for block in self.driver.execute_script(_EDITOR_BLOCKS)}

    def block(self, slot_id) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, f'#week [data-testid="block"][data-slot-id="{slot_id}"]')

    def select_options(self, testid: str, scope: WebElement | None = None) -> dict[str, str]:
        """A select's choices, shown text -> value (the empty "All"/placeholder choice left out)."""
        element = (scope or self.driver).find_element(*by_testid(testid))
        return {o.text.strip(): o.get_attribute("value") for o in Select(element).options if o.get_attribute("value")}

    def fetch_json(self, path: str):
        """GET `path` from the live server with the browser's own session; return (status, parsed body)."""
        result = self.driver.execute_async_script(_FETCH_JSON, path)
        body = result["body"]
        try:
            return result["status"], json.loads(body)
        except ValueError:
            return result["status"], body

    @staticmethod
    def lines(container: WebElement) -> list[tuple[str, str]]:
        """(data-slot-id, text) of each line of a diff or kept list."""
        return [(li.get_attribute("data-slot-id"), li.text.strip()) for li in container.find_elements(By.TAG_NAME, "li")]

    # -- clicking -----------------------------------------------------------------------------

    def click_block(self, slot_id, testid: str = "slot-panel") -> WebElement:
        """A plain click on a block: it alone is selected and its panel opens in #panel."""
        block = self.block(slot_id)
        return self.in_region("panel", testid, block.click, f"click on block {slot_id}")

    def select_all_of(self, kind: str, name: str) -> WebElement:
        """“Select all lessons this week of …”: every matching block is selected and the bulk panel opens."""
        chooser = Select(self.driver.find_element(By.CSS_SELECTOR, f'#week [data-testid="select-by-{kind}"]'))
        return self.in_region("panel", "bulk-panel", lambda: chooser.select_by_visible_text(name), f"select all of {kind} {name}")

    def open_history(self) -> WebElement:
        link = self.driver.find_element(By.CSS_SELECTOR, '#week [data-testid="history-link"]')
        return self.in_region("panel", "history", link.click, "History")

    def choose_range(self, form: WebElement, choice: str, start: str = "", end: str = "") -> None:
        """The "Weeks" choice of an edit form: this_week, from_here, to_term_end or custom (start, end)."""
        form.find_element(*by_testid(f"range-{choice}")).click()
        if choice == "custom":
            for testid, text in (("range-start", start), ("range-end", end)):
                field = form.find_element(*by_testid(testid))
                field.clear()
                field.send_keys(text)

    def preview(self, button: WebElement, what: str = "Preview") -> WebElement:
        """Press a Preview button; return the preview shown in #preview."""
        return self.in_region("preview", "preview", button.click, what)

    def apply(self, preview: WebElement, what: str = "Apply") -> WebElement:
        """Apply a preview: wait for the "Applied" note and for the grid to refresh itself; return the note."""
        button = preview.find_element(*by_testid("apply"))
        return self.apply_with(button, what)

    def apply_with(self, button: WebElement, what: str) -> WebElement:
        holder: list[WebElement] = []
        self.refreshing_week(lambda: holder.append(self.in_region("preview", "applied", button.click, what)), what)
        return holder[0]

    # -- gestures (pointer events through WebDriver actions, as a mouse makes them) ----------

    def geometry(self) -> dict:
        self.driver.execute_script("window.scrollTo(0, 0)")
        return self.driver.execute_script(_GRID_GEOMETRY)

    def _y_of(self, geometry: dict, weekday: int, minute: float) -> float:
        day = geometry["days"][str(weekday)]
        return day["top"] + (minute - geometry["first"]) / (geometry["last"] - geometry["first"]) * day["height"]

    def _minute_at(self, geometry: dict, weekday: int, y: float) -> float:
        day = geometry["days"][str(weekday)]
        return geometry["first"] + (y - day["top"]) / day["height"] * (geometry["last"] - geometry["first"])

    def _press(self, element: WebElement, x_offset: int = 0, y_offset: int = 0) -> dict:
        """Press the mouse button over `element` (offsets from its centre); return where it was pressed."""
        self.driver.execute_script("window.__editor.press = null")
        chain = ActionChains(self.driver, duration=20)
        if x_offset or y_offset:
            chain.move_to_element_with_offset(element, x_offset, y_offset)
        else:
            chain.move_to_element(element)
        chain.click_and_hold().perform()
        press = self.driver.execute_script("return window.__editor.press")
        assert press, "the press on the grid fired no pointerdown"
        return press

    def _drag_and_release(self, dx: float, dy: float) -> None:
        """Move the pressed mouse by (dx, dy) pixels in a few steps, as a hand does, then release it."""
        dx, dy = round(dx), round(dy)
        chain = ActionChains(self.driver, duration=20)
        done_x = done_y = 0
        for step in range(1, self.GESTURE_STEPS + 1):
            x, y = round(dx * step / self.GESTURE_STEPS), round(dy * step / self.GESTURE_STEPS)
            chain.move_by_offset(x - done_x, y - done_y)
            done_x, done_y = x, y
        chain.release().perform()

    def drag_block(self, slot_id, weekday: int, start: int) -> WebElement:
        """Drag a block by its middle so that it starts at `start` (minutes) on `weekday`; return the move form."""
        geometry = self.geometry()
        block = self.block(slot_id)
        own_weekday, own_start = int(block.get_attribute("data-weekday")), int(block.get_attribute("data-start"))
        press = self._press(block)
        grab = self._minute_at(geometry, own_weekday, press["y"]) - own_start
        target = geometry["days"][str(weekday)]
        x = target["left"] + target["width"] / 2
        y = self._y_of(geometry, weekday, start + grab)
        assert 0 <= x < geometry["viewport"][0] and 0 <= y < geometry["viewport"][1], f"the drop point {x, y} is off screen"
        return self.in_region("preview", "move-form", lambda: self._drag_and_release(x - press["x"], y - press["y"]),
                              f"drag block {slot_id} to weekday {weekday} {hhmm(start)}")

    def resize_block(self, slot_id, end: int) -> WebElement:
        """Drag a block's lower edge (its resize handle) down or up to `end` (minutes); return the move form."""
        geometry = self.geometry()
        block = self.block(slot_id)
        weekday = int(block.get_attribute("data-weekday"))
        press = self._press(block.find_element(By.CSS_SELECTOR, ".resize-handle"))
        y = self._y_of(geometry, weekday, end)
        return self.in_region("preview", "move-form", lambda: self._drag_and_release(0, y - press["y"]),
                              f"resize block {slot_id} to end at {hhmm(end)}")

    def draw(self, weekday: int, start: int, end: int) -> WebElement:
        """Press on an empty part of a day at `start` and drag down to `end`; return the creation panel."""
        geometry = self.geometry()
        day_body = self.driver.find_element(By.CSS_SELECTOR, f'#week .day[data-weekday="{weekday}"] .day-body')
        box = geometry["days"][str(weekday)]
        y_offset = round(self._y_of(geometry, weekday, start) - (box["top"] + box["height"] / 2))
        press = self._press(day_body, 0, y_offset)
        y = self._y_of(geometry, weekday, end)
        return self.in_region("panel", "create-panel", lambda: self._drag_and_release(0, y - press["y"]),
                              f"draw on weekday {weekday} from {hhmm(start)} to {hhmm(end)}")


# -- visitors booking from the public grid --------------------------------------------------------------

_MARK_DOCUMENT = "window.__oldDocument = true;"
_NEW_DOCUMENT = "return window.__oldDocument === undefined && document.readyState === 'complete';"


class BookingPages(WeekPage):
    """A visitor booking from a published week: each step is a whole page (plain links and forms), waited for."""

    def navigate(self, action: Callable[[], None], testid: str, what: str) -> WebElement:
        """Do `action` (a click that loads a page); return `[data-testid=testid]` of the new page."""
        self.driver.execute_script(_MARK_DOCUMENT)
        action()
        try:
            self.wait().until(lambda d: d.execute_script(_NEW_DOCUMENT))
            return self.wait().until(EC.visibility_of_element_located(by_testid(testid)))
        except TimeoutException as error:
            raise AssertionError(f"{what}: no page with {testid} loaded (at {self.driver.current_url})") from error

    def visit(self, path: str, testid: str) -> WebElement:
        """Load `path` as a whole page; return its `[data-testid=testid]`."""
        return self.navigate(lambda: self.driver.get(self.base_url + path), testid, f"open {path}")

    def block_of(self, slot_id) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, f'#week [data-testid="block"][data-slot-id="{slot_id}"]')

    def free_places(self, slot_id) -> int:
        """The free places the public grid shows on a block."""
        return int(self.block_of(slot_id).find_element(*by_testid("free-places")).get_attribute("data-free"))

    def free_places_text(self, slot_id) -> str:
        return self.block_of(slot_id).find_element(*by_testid("free-places")).text.strip()

    def choose(self, slot_id) -> WebElement:
        """Follow the block's Book link; return the choice page."""
        link = self.block_of(slot_id).find_element(*by_testid("book-link"))
        return self.navigate(link.click, "booking-choose", f"Book on block {slot_id}")

    def appointments(self) -> dict[str, dict]:
        """Each appointment of the choice page by index: its class (free, taken, mine) and text."""
        return {
            item.get_attribute("data-appointment"): {"state": item.get_attribute("class").split()[-1], "text": item.text.strip(),
                                                      "can_hold": bool(item.find_elements(By.TAG_NAME, "button"))}
            for item in self.driver.find_elements(*by_testid("appointment"))
        }

    def hold_appointment(self, index: int) -> WebElement:
        """Press an appointment's time on the choice page; return the details form page."""
        button = self.driver.find_element(*by_testid(f"hold-{index}"))
        return self.navigate(button.click, "booking-details", f"hold appointment {index}")

    def confirm(self, name: str, email: str) -> WebElement:
        """Fill in the details form and confirm; return the private page it leads to."""
        form = self.driver.find_element(*by_testid("details-form"))
        form.find_element(By.NAME, "name").send_keys(name)
        form.find_element(By.NAME, "email").send_keys(email)
        return self.navigate(form.find_element(*by_testid("confirm")).click, "booking-private", "Confirm")

    def click_to(self, testid: str, target_testid: str) -> WebElement:
        return self.navigate(self.driver.find_element(*by_testid(testid)).click, target_testid, f"click {testid}")

    def cookies(self) -> list[dict]:
        return self.driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]

    def become_another_visitor(self) -> list[dict]:
        """Forget this visitor's session (their lock code); return their cookies to come back as them."""
        saved = self.cookies()
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        return saved

    def come_back_as(self, cookies: list[dict]) -> None:
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        keep = ("name", "value", "domain", "path", "secure", "httpOnly", "sameSite", "expires")
        self.driver.execute_cdp_cmd("Network.setCookies", {"cookies": [
            {k: c[k] for k in keep if k in c and not (k == "expires" and c[k] < 0)} for c in cookies]})
