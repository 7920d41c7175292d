// The import page (imports/page.html): the upload's progress in the <progress>, then what the server is
// doing (planning or applying) while the buttons are disabled; a file over the limit is refused before
// it is sent, and an answer htmx does not swap (413, 5xx) still shows a message.
(function () {
  "use strict";

  const ours = (event) => {
    const form = document.getElementById("import-form");
    const elt = event.detail && event.detail.elt;
    return form && elt && (form.contains(elt) || elt.form === form) ? form : null;
  };
  const busy = () => document.getElementById("import-busy");

  function showProblem(text) {
    const result = document.getElementById("import-result");
    if (!result) return;
    result.replaceChildren();
    const p = document.createElement("p");
    p.className = "error-message";
    p.setAttribute("role", "alert");
    p.dataset.testid = "import-problem";
    p.textContent = text;
    result.appendChild(p);
  }

  // As the server says it (views/errors.py): whole MiB, else bytes.
  function size(bytes) {
    return bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${bytes.toLocaleString("en")} bytes`;
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = ours(event);
    if (!form) return;
    const file = form.querySelector("input[type=file]").files[0];
    const limit = Number(form.dataset.maxBytes);
    if (file && limit && file.size > limit) {
      event.preventDefault();
      showProblem(`${file.name} has ${size(file.size)}; at most ${size(limit)} can be imported. Nothing was sent.`);
      return;
    }
    const indicator = busy();
    indicator.querySelector("progress").value = 0;
    indicator.querySelector("[data-busy-label]").textContent = "Uploading the file…";
    indicator.dataset.next = event.detail.elt.dataset.busyText || "Working…";
  });

  document.addEventListener("htmx:xhr:progress", (event) => {
    if (!ours(event) || !event.detail.lengthComputable) return;
    const indicator = busy();
    const { loaded, total } = event.detail;
    const bar = indicator.querySelector("progress");
    // The upload's progress, then the answer's download: the bar only moves forward.
    bar.value = Math.max(bar.value, total ? Math.round((100 * loaded) / total) : 0);
    if (loaded >= total) indicator.querySelector("[data-busy-label]").textContent = indicator.dataset.next;
  });

  document.addEventListener("htmx:responseError", (event) => {
    if (!ours(event)) return;
    const status = event.detail.xhr.status;
    showProblem(status === 413
      ? "The file is too large for this server's import limit. Nothing was imported."
      : `The server could not answer (${status}). Nothing was imported; try again later.`);
  });

  document.addEventListener("htmx:sendError", (event) => {
    if (ours(event)) showProblem("The server could not be reached. Nothing was imported; check the connection and try again.");
  });
})();
