// Live week views: an event about the week on screen refreshes it (and the open panel)
// through the same "timetable-changed" event a local change sends. After a lost connection
// comes back, the view refreshes once, so no change is missed while it was away.
(function () {
  "use strict";

  function shownWeek() {
    const week = document.getElementById("week");
    return week ? Number(week.dataset.weekKey) : null;
  }

  function concerns(spans, week) {
    return spans.some(([lo, hi]) => (lo === null || lo <= week) && (hi === null || week <= hi));
  }

  document.body.addEventListener("htmx:sseMessage", (event) => {
    let data;
    try {
      data = JSON.parse(event.detail.data);
    } catch (error) {
      return;
    }
    const week = shownWeek();
    if (week !== null && concerns(data.spans || [[null, null]], week)) {
      htmx.trigger(document.body, "timetable-changed", { live: data.kind });
    }
  });

  document.body.addEventListener("htmx:sseOpen", (event) => {
    const source = event.target;
    if (source.dataset.liveOpened) {
      htmx.trigger(document.body, "timetable-changed", { live: "reconnected" });
    }
    source.dataset.liveOpened = "1";
  });
})();
