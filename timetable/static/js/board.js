// The changes board on a hallway screen: shows as many classes as fit, then pages through them;
// a change to the timetable (live event) or the 5-minute timer reloads the board (htmx), which starts again.
(function () {
  "use strict";

  const SECONDS_PER_PAGE = 12;
  let timer = null;

  function paginate(board) {
    const list = board.querySelector("[data-board-groups]");
    const groups = Array.from(list.querySelectorAll(".board-group"));
    const pages = [];
    let i = 0;
    groups.forEach((group) => { group.hidden = true; });
    while (i < groups.length) {
      const page = [];
      while (i < groups.length) {
        groups[i].hidden = false;
        if (page.length && list.scrollHeight > list.clientHeight + 1) {
          groups[i].hidden = true;
          break;
        }
        page.push(groups[i]);
        i += 1;
      }
      page.forEach((group) => { group.hidden = true; });
      pages.push(page);
    }
    return pages;
  }

  function start() {
    const board = document.getElementById("board");
    if (timer) clearInterval(timer);
    if (!board) return;
    board.classList.add("paged");
    const pages = paginate(board);
    const label = board.querySelector("[data-board-page]");
    let current = 0;
    function show(index) {
      pages.forEach((page, n) => page.forEach((group) => { group.hidden = n !== index; }));
      if (label) label.textContent = pages.length > 1 ? `Page ${index + 1} of ${pages.length}` : "";
    }
    show(0);
    if (pages.length > 1) {
      timer = setInterval(() => { current = (current + 1) % pages.length; show(current); }, SECONDS_PER_PAGE * 1000);
    }
  }

  document.addEventListener("DOMContentLoaded", start);
  document.body.addEventListener("htmx:afterSwap", start);
  window.addEventListener("resize", start);
  // Every change of this timetable may change today's list: reload it (the stream is the page's own).
  document.body.addEventListener("htmx:sseOpen", (event) => {
    const source = event.detail.source;
    if (source && !source.__board) {
      source.__board = true;
      source.addEventListener("change", () => htmx.trigger(document.body, "board-refresh"));
    }
    if (event.target.dataset.boardOpened) htmx.trigger(document.body, "board-refresh");  // back after a lost connection
    event.target.dataset.boardOpened = "1";
  });
})();
