// Phones: below 700 px a visitors' week shows one day at a time, the week's days as tabs.
// Opens on today in the current week, else on the day chosen last, else the first day.
// Without this script the days stay side by side and the grid scrolls sideways.
// Also: "Print" links print the page.
(function () {
  "use strict";

  const KEY = "timetable-day";

  function setUp(root) {
    const tabs = root.querySelector("[data-day-tabs]");
    const grid = root.querySelector('[data-testid="grid"]');
    if (!tabs || !grid || tabs.dataset.ready) return;
    tabs.dataset.ready = "1";
    const buttons = Array.from(tabs.querySelectorAll("[data-day]"));
    if (!buttons.length) return;
    tabs.hidden = false;
    grid.classList.add("day-view");

    function show(weekday, focus) {
      buttons.forEach((button) => {
        const on = button.dataset.day === String(weekday);
        button.setAttribute("aria-selected", on ? "true" : "false");
        button.tabIndex = on ? 0 : -1;
        if (on && focus) button.focus();
      });
      grid.querySelectorAll(".day[data-weekday]").forEach((day) => {
        day.classList.toggle("current", day.dataset.weekday === String(weekday));
      });
    }

    const days = buttons.map((button) => button.dataset.day);
    let chosen = null;
    try { chosen = sessionStorage.getItem(KEY); } catch (error) { /* storage off */ }
    const start = [tabs.dataset.today, chosen].find((day) => day && days.includes(day)) || days[0];
    show(start, false);

    buttons.forEach((button, index) => {
      button.addEventListener("click", () => {
        show(button.dataset.day, false);
        try { sessionStorage.setItem(KEY, button.dataset.day); } catch (error) { /* storage off */ }
      });
      button.addEventListener("keydown", (event) => {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (!step) return;
        event.preventDefault();
        const next = buttons[(index + step + buttons.length) % buttons.length];
        show(next.dataset.day, true);
        try { sessionStorage.setItem(KEY, next.dataset.day); } catch (error) { /* storage off */ }
      });
    });
  }

  // "Print" prints the page itself (print.css makes it one A4 sheet); without this script it opens the PDF.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("[data-print]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    window.print();
  });

  document.addEventListener("DOMContentLoaded", () => setUp(document));
  // Week navigation swaps #week in place: set up the new one.
  document.body.addEventListener("htmx:afterSwap", () => setUp(document));
})();
