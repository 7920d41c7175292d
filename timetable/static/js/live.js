// Live week views: an event about the week on screen refreshes it (and the open panel)
// through the same "timetable-changed" event a local change sends. After a lost connection
// comes back, the view refreshes once, so no change is missed while it was away.
(function () {
  "use strict";

  const KINDS = ["change", "hold", "booking"];

  function shownWeek() {
    const week = document.getElementById("week");
    return week ? Number(week.dataset.weekKey) : null;
  }

  function concerns(spans, week) {
    return spans.some(([lo, hi]) => (lo === null || lo <= week) && (hi === null || week <= hi));
  }

  function onLive(payload) {
    let data;
    try {
      data = JSON.parse(payload);
    } catch (error) {
      return;
    }
    const week = shownWeek();
    if (week !== null && concerns(data.spans || [[null, null]], week)) {
      htmx.trigger(document.body, "timetable-changed", { live: data.kind });
    }
  }

  // The SSE extension only dispatches the event names an element subscribes to, so listen
  // on the stream itself; a reconnection opens a new EventSource, which gets its own.
  document.body.addEventListener("htmx:sseOpen", (event) => {
    const source = event.detail.source;
    if (source && !source.__timetableLive) {
      source.__timetableLive = true;
      KINDS.forEach((kind) => source.addEventListener(kind, (message) => onLive(message.data)));
    }
    const holder = event.target;
    if (holder.dataset.liveOpened) {
      htmx.trigger(document.body, "timetable-changed", { live: "reconnected" });
    }
    holder.dataset.liveOpened = "1";
  });
})();
