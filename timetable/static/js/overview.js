// The master overview (editor/_overview.html): click a card to open its panel (Ctrl/Shift-click to
// select several, as on the grid), drag it to another cell of its row to move it there. A drop
// asks the server for the same move form as the grid's drag (weekday and start, then preview and
// apply), so the move goes through the one plan → preview → apply path.
(function () {
  "use strict";

  const DRAG_THRESHOLD_PX = 5;
  const EDGE_PX = 40, EDGE_STEP_PX = 24;
  let press = null;

  const editor = () => window.timetableEditor;
  const ownGestures = (event) => event.target.closest && event.target.closest("[data-no-gestures]");

  function cellUnder(x, y, row) {
    const found = document.elementFromPoint(x, y);
    const cell = found && found.closest("td.cell");
    return cell && cell.parentElement === row ? cell : null;
  }

  function mark(cell) {
    if (press.target === cell) return;
    if (press.target) press.target.classList.remove("drop-target");
    press.target = cell;
    if (cell) cell.classList.add("drop-target");
  }

  document.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || ownGestures(event)) return;
    const card = event.target.closest("#week .overview .card");
    if (!card) return;
    const scrolled = card.closest(".overview-scroll").scrollLeft;
    press = { card, row: card.closest("tr"), home: card.closest("td"), x: event.clientX, y: event.clientY, dragging: false, target: null, scrolled };
    event.preventDefault(); // no text selection while dragging
  });

  document.addEventListener("pointermove", (event) => {
    if (!press) return;
    const dx = event.clientX - press.x, dy = event.clientY - press.y;
    if (!press.dragging && Math.hypot(dx, dy) < DRAG_THRESHOLD_PX) return;
    press.dragging = true;
    press.card.classList.add("dragging"); // and pointer-events: none, so the cell under it is found
    // Near the left or right edge of the table's scroll box, the table scrolls along with the card.
    const scroller = press.card.closest(".overview-scroll");
    const box = scroller.getBoundingClientRect();
    const step = event.clientX < box.left + EDGE_PX ? -EDGE_STEP_PX : event.clientX > box.right - EDGE_PX ? EDGE_STEP_PX : 0;
    if (step) {
      scroller.scrollLeft += step;
      press.x -= scroller.scrollLeft - (press.scrolled || 0);
      press.scrolled = scroller.scrollLeft;
    }
    press.card.style.transform = `translate(${event.clientX - press.x}px, ${event.clientY - press.y}px)`;
    const cell = cellUnder(event.clientX, event.clientY, press.row);
    mark(cell && cell !== press.home ? cell : null);
  });

  document.addEventListener("pointerup", (event) => {
    if (!press) return;
    const current = press;
    press = null;
    if (!current.dragging) {
      editor().clickBlock(current.card, event);
      return;
    }
    current.card.style.transform = "";
    current.card.classList.remove("dragging");
    const cell = current.target;
    if (cell) cell.classList.remove("drop-target");
    if (!cell) return;
    const { card } = current;
    // The column's weekday and start are on its header (the second header row has one per cell after the row's name).
    const column = cell.closest("table").querySelectorAll("thead tr:last-child th")[cell.cellIndex - 1];
    const weekday = column.dataset.weekday, start = Number(column.dataset.start);
    if (weekday === card.dataset.weekday && start === Number(card.dataset.start)) return;
    editor().load(editor().withArgs(card.dataset.moveUrl, { weekday: weekday, start: editor().hhmm(start) }), "#preview");
  });

  // A card's link is the no-JavaScript path to its panel; with the script, the gestures decide.
  document.addEventListener("click", (event) => {
    if (event.target.closest("#week .overview .card")) event.preventDefault();
  });
})();
