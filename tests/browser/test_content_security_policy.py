"""The Content-Security-Policy as the browser enforces it: inline code is blocked, the pages are not."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import READ_CSP_VIOLATIONS
from .pages import WAIT_SECONDS, by_testid

pytestmark = pytest.mark.browser

INJECT_INLINE_CODE = """
window.__ranInline = false;
const script = document.createElement("script");
script.textContent = "window.__ranInline = true;";
document.head.appendChild(script);
const style = document.createElement("style");
style.textContent = "body { background: red; }";
document.head.appendChild(style);
"""


def test_the_browser_blocks_inline_script_and_style_elements_and_the_grid_still_renders(browser, live_server):
    browser.get(f"{live_server}/school?week=2026-W47")
    WebDriverWait(browser, WAIT_SECONDS).until(lambda d: d.find_elements(*by_testid("block")))
    # The blocks' positions come from style attributes, which the policy allows (style-src-attr).
    placed = browser.execute_script("""
        return Array.from(document.querySelectorAll("[data-testid=block]"))
          .filter((block) => !["auto", "0px"].includes(getComputedStyle(block).top)).length;""")
    assert placed > 10
    assert browser.execute_script("return typeof htmx") == "object"  # the vendored htmx loaded from 'self'

    browser.execute_script(INJECT_INLINE_CODE)
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda d: d.execute_script('return (sessionStorage.getItem("csp-violations") || "").includes("style-src-elem")'))
    assert browser.execute_script("return window.__ranInline") is False
    violations = browser.execute_script(READ_CSP_VIOLATIONS)
    assert any(v.startswith("script-src") for v in violations), violations
    assert any(v.startswith("style-src-elem") for v in violations), violations
