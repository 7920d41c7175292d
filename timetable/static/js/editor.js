// Editor interactions on the week grid: selecting blocks, dragging to move or resize them,
// drawing a new slot. Gestures snap to the day's periods when the week has bell times, else
// to 5 minutes. Every gesture ends in an ordinary htmx request for a server-rendered form or
// panel, so the server decides everything and each gesture has a form path too.
(function () {
  "use strict";

  const SNAP_MINUTES = 5;
  const DRAG_THRESHOLD_PX = 5; // a press that moves less than this is a click
  const selection = new Set(); // slot ids, kept across week navigation and grid refreshes
  let press = null;
  // The GET that filled the side panel, so that it can be asked again for another week; null
  // when the panel holds nothing that belongs to a week (closed, or the answer to a POST).
  let panelUrl = null;

  const weekSection = () => document.getElementById("week");
  // Blocks of the grid and cards of the overview (overview.js) are selected alike.
  const allBlocks = () => Array.from(document.querySelectorAll("#week .block, #week .card"));

  function load(url, target) {
    htmx.ajax("GET", url, { target: target, swap: "innerHTML" });
  }

  function hhmm(minutes) {
    const h = Math.floor(minutes / 60), m = minutes % 60;
    return String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0");
  }

  function snap(minutes) {
    return Math.round(minutes / SNAP_MINUTES) * SNAP_MINUTES;
  }

  // --- bell times: a day's periods come as data-periods="480-525,525-570" on its column ---

  function periodsOf(weekday) {
    const day = document.querySelector(`#week .day[data-weekday="${weekday}"]`);
    const text = day && day.dataset.periods;
    if (!text) return [];
    return text.split(",").map((pair) => pair.split("-").map(Number)).map(([start, end]) => ({ start, end }));
  }

  function nearest(minute, candidates) {
    return candidates.reduce((best, c) => (Math.abs(c - minute) < Math.abs(best - minute) ? c : best));
  }

  // The start a block dropped at `minute` takes: the nearest period start, else 5-minute steps.
  function snapStart(weekday, minute) {
    const periods = periodsOf(weekday);
    return periods.length ? nearest(minute, periods.map((p) => p.start)) : snap(minute);
  }

  // The end a block resized to `minute` takes: the nearest period end after its start.
  function snapEnd(weekday, start, minute) {
    const ends = periodsOf(weekday).map((p) => p.end).filter((end) => end > start);
    return ends.length ? nearest(minute, ends) : snap(minute);
  }

  // A slot drawn from `a` to `b`: from the start of the period under the upper end to the end
  // of the period under the lower one (one period, or several in a row); null without periods.
  function snapDrawn(weekday, a, b) {
    const periods = periodsOf(weekday);
    if (!periods.length) return null;
    const low = Math.min(a, b), high = Math.max(a, b);
    const under = (m) => periods.find((p) => p.start <= m && m < p.end);
    const first = under(low) || periods.find((p) => p.start === nearest(low, periods.map((q) => q.start)));
    const starts = periods.filter((p) => p.start >= first.start);
    const last = under(high) || starts.find((p) => p.end === nearest(high, starts.map((q) => q.end)));
    const end = last && last.end > first.start ? last.end : first.end;
    return { start: first.start, duration: end - first.start };
  }

  function withArgs(url, args) {
    const target = new URL(url, window.location.href);
    for (const [name, value] of Object.entries(args)) target.searchParams.set(name, value);
    return target.pathname + target.search;
  }

  // --- selection -------------------------------------------------------------------------

  function markSelection() {
    for (const block of allBlocks()) {
      const selected = selection.has(block.dataset.slotId);
      block.classList.toggle("selected", selected);
      block.setAttribute("aria-selected", selected ? "true" : "false");
    }
    const count = document.querySelector("#week [data-testid=selection-count]");
    if (count) count.textContent = selection.size ? selection.size + " selected" : "";
  }

  function openSelection() {
    const section = weekSection();
    if (!section || selection.size === 0) return;
    if (selection.size === 1) {
      const only = allBlocks().find((b) => selection.has(b.dataset.slotId));
      if (only) return load(only.dataset.panelUrl, "#panel");
    }
    const url = new URL(section.dataset.selectionUrl, window.location.href);
    for (const id of selection) url.searchParams.append("ids", id);
    load(url.pathname + url.search, "#panel");
  }

  function selectOnly(ids) {
    selection.clear();
    ids.forEach((id) => selection.add(id));
    markSelection();
    openSelection();
  }

  function toggle(id) {
    if (selection.has(id)) selection.delete(id);
    else selection.add(id);
    markSelection();
    openSelection();
  }

  function clickBlock(block, event) {
    const id = block.dataset.slotId;
    if (event.ctrlKey || event.metaKey || event.shiftKey) toggle(id);
    else selectOnly([id]);
  }

  // --- geometry, measured once per press (getBoundingClientRect is too costly per move) ---

  function measure(grid) {
    return {
      first: Number(grid.dataset.firstMinute),
      last: Number(grid.dataset.lastMinute),
      days: Array.from(grid.querySelectorAll(".day")).map((day) => ({
        weekday: Number(day.dataset.weekday),
        rect: day.querySelector(".day-body").getBoundingClientRect(),
      })),
    };
  }

  function minuteAt(geometry, rect, clientY) {
    const fraction = (clientY - rect.top) / rect.height;
    return geometry.first + fraction * (geometry.last - geometry.first);
  }

  function dayAt(geometry, clientX) {
    return geometry.days.find((d) => clientX >= d.rect.left && clientX <= d.rect.right) || null;
  }

  function clampDay(minute) {
    return Math.max(0, Math.min(24 * 60 - SNAP_MINUTES, minute));
  }

  // --- pointer gestures --------------------------------------------------------------------

  // Links marked data-no-gestures (a block's booking counts) only open what they point at.
  const ownGestures = (event) => event.target.closest && event.target.closest("[data-no-gestures]");

  document.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || ownGestures(event)) return;
    const grid = event.target.closest("#week .grid");
    if (!grid || !weekSection().dataset.selectionUrl) return;
    const block = event.target.closest(".block");
    const dayBody = event.target.closest(".day-body");
    const geometry = measure(grid);
    if (block) {
      const kind = event.target.closest(".resize-handle") ? "resize" : "move";
      const day = geometry.days.find((d) => d.weekday === Number(block.dataset.weekday));
      press = { kind, block, geometry, x: event.clientX, y: event.clientY, day };
      if (day) press.grabMinutes = minuteAt(geometry, day.rect, event.clientY) - Number(block.dataset.start);
    } else if (dayBody) {
      const weekday = Number(dayBody.closest(".day").dataset.weekday);
      const day = geometry.days.find((d) => d.weekday === weekday);
      press = { kind: "draw", dayBody, geometry, day, x: event.clientX, y: event.clientY };
    } else {
      return;
    }
    press.dragging = false;
    event.preventDefault(); // no text selection while dragging
  });

  document.addEventListener("pointermove", (event) => {
    if (!press) return;
    const dx = event.clientX - press.x, dy = event.clientY - press.y;
    if (!press.dragging && Math.hypot(dx, dy) < DRAG_THRESHOLD_PX) return;
    press.dragging = true;
    if (press.kind === "move") {
      press.block.classList.add("dragging");
      press.block.style.transform = `translate(${dx}px, ${dy}px)`;
    } else if (press.kind === "resize") {
      const rect = press.block.getBoundingClientRect();
      press.block.classList.add("dragging");
      press.block.style.height = Math.max(8, event.clientY - rect.top) + "px";
    } else if (press.kind === "draw" && press.day) {
      if (!press.ghost) {
        press.ghost = document.createElement("div");
        press.ghost.className = "draw-ghost";
        press.dayBody.appendChild(press.ghost);
      }
      const top = Math.min(press.y, event.clientY) - press.day.rect.top;
      press.ghost.style.top = top + "px";
      press.ghost.style.height = Math.abs(dy) + "px";
    }
  });

  document.addEventListener("pointerup", (event) => {
    if (!press) return;
    const current = press;
    press = null;
    if (!current.dragging) {
      if (current.block) clickBlock(current.block, event);
      return;
    }
    const { geometry } = current;
    if (current.kind === "move") {
      current.block.style.transform = "";
      current.block.classList.remove("dragging");
      const day = dayAt(geometry, event.clientX);
      if (!day) return;
      const start = clampDay(snapStart(day.weekday, minuteAt(geometry, day.rect, event.clientY) - (current.grabMinutes || 0)));
      if (day.weekday === Number(current.block.dataset.weekday) && start === Number(current.block.dataset.start)) return;
      load(withArgs(current.block.dataset.moveUrl, { weekday: day.weekday, start: hhmm(start) }), "#preview");
    } else if (current.kind === "resize") {
      current.block.style.height = "";
      current.block.classList.remove("dragging");
      const day = current.day;
      if (!day) return;
      const blockStart = Number(current.block.dataset.start);
      const end = snapEnd(day.weekday, blockStart, minuteAt(geometry, day.rect, event.clientY));
      const duration = Math.max(SNAP_MINUTES, end - blockStart);
      if (duration === Number(current.block.dataset.duration)) return;
      load(withArgs(current.block.dataset.moveUrl, { duration: duration }), "#preview");
    } else if (current.kind === "draw") {
      if (current.ghost) current.ghost.remove();
      if (!current.day) return;
      const rawA = minuteAt(geometry, current.day.rect, current.y);
      const rawB = minuteAt(geometry, current.day.rect, event.clientY);
      const drawn = snapDrawn(current.day.weekday, rawA, rawB);
      const a = snap(rawA), b = snap(rawB);
      const start = drawn ? drawn.start : clampDay(Math.min(a, b));
      const duration = drawn ? drawn.duration : Math.max(SNAP_MINUTES * 3, Math.abs(b - a));
      load(withArgs(weekSection().dataset.createUrl, { weekday: current.day.weekday, start: hhmm(start), duration: duration }), "#panel");
    }
  });

  // The block's link is the no-JavaScript path to its panel; with the script, gestures decide.
  document.addEventListener("click", (event) => {
    if (event.target.closest("#week .block") && weekSection().dataset.selectionUrl) event.preventDefault();
    if (event.target.closest("[data-clear-preview]")) document.getElementById("preview").innerHTML = "";
    if (event.target.closest("[data-close-panel]")) {
      event.preventDefault();
      document.getElementById("panel").innerHTML = "";
      panelUrl = null;
    }
    const day = event.target.closest("[data-select-day]");
    if (day) selectOnly(allBlocks().filter((b) => b.dataset.weekday === day.dataset.selectDay).map((b) => b.dataset.slotId));
    if (event.target.closest("[data-clear-selection]")) {
      selection.clear();
      markSelection();
    }
  });

  document.addEventListener("change", (event) => {
    const chooser = event.target.closest("#week [data-select-by]");
    if (!chooser || !chooser.value) return;
    // Every lesson of the week, not only those the filter shows (the server lists them on the
    // option, members of a team included); a teacher's lessons include the ones they cover as a substitute.
    const option = chooser.selectedOptions[0];
    const listed = option && option.dataset.slots;
    const ids = listed ? listed.split(",") : [];
    chooser.value = "";
    selectOnly(ids);
  });

  document.addEventListener("keydown", (event) => {
    const block = event.target.closest && event.target.closest("#week .block, #week .card");
    if (!block || ownGestures(event)) return;
    if (event.key === "Enter") {
      event.preventDefault();
      selectOnly([block.dataset.slotId]);
    } else if (event.key === " ") {
      event.preventDefault();
      toggle(block.dataset.slotId);
    }
  });

  // --- the side panel follows the grid's week; previews and results come into view --------

  // The panel itself, or its content refreshing itself (not an input swapped inside a form).
  const isPanel = (element) => element && (element.id === "panel" || element.id === "panel-content");

  document.body.addEventListener("htmx:afterRequest", (event) => {
    const detail = event.detail;
    if (!detail.successful || !isPanel(detail.target)) return;
    const verb = (detail.requestConfig && detail.requestConfig.verb || "get").toLowerCase();
    panelUrl = verb === "get" && detail.xhr ? detail.xhr.responseURL : null;
  });

  function weekOf(url) {
    return new URL(url, window.location.href).searchParams.get("week");
  }

  // After the grid moved to another week, an open panel shows that week too: its values, its
  // history and the week its edit form starts from.
  function followWeek(section) {
    const panel = document.getElementById("panel");
    const week = section.dataset.week;
    if (!panelUrl || !panel || !panel.querySelector("#panel-content") || !week || weekOf(panelUrl) === week) return;
    load(withArgs(panelUrl, { week: week }), "#panel");
  }

  // A preview or an "Applied" note lands above the form that asked for it, which may be
  // scrolled out of view: bring it into view and move the focus there (screen readers too).
  function reveal(region) {
    const content = Array.from(region.children).find((el) => !["TITLE", "SCRIPT", "STYLE"].includes(el.tagName));
    if (!content) return;
    if (!content.hasAttribute("tabindex")) content.setAttribute("tabindex", "-1");
    region.scrollIntoView({ block: "start", behavior: "auto" });
    content.focus({ preventScroll: true });
  }
  // What overview.js needs: the same selection, and the same requests for panels and move forms.
  window.timetableEditor = { clickBlock, load, withArgs, hhmm };

  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target.id === "week" || event.target.closest("#week")) markSelection();
    if (event.target.id === "week") followWeek(event.target);
    if (event.target.id === "preview") reveal(event.target);
  });
})();
