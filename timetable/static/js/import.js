// The import page (imports/page.html): the upload's progress in the <progress>, then what the server is
// doing (planning or applying) while the buttons are disabled; a file over the limit is refused before
// it is sent, and an answer htmx does not swap (413, 5xx) still shows a message. Apply reads the
// server's steps as they happen (views/progress_stream.py: one JSON line per step, then the result).
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
    steps().replaceChildren();
    steps().hidden = true;
    if (event.detail.elt.hasAttribute("data-progress-stream")) {
      event.preventDefault();
      applyWithProgress(form, event.detail.elt);
    }
  });

  const steps = () => document.getElementById("import-steps");

  // Disable the buttons and show the indicator as htmx does for its own requests.
  function setBusy(on) {
    busy().classList.toggle("htmx-request", on);
    document.querySelectorAll("#import-form button, #import-result button").forEach((b) => { b.disabled = on; });
  }

  // As htmx swaps its own answers (title, processing, settle events), into the same place.
  function swapResult(html) {
    if (!document.getElementById("import-result")) return;
    window.htmx.swap("#import-result", html, { swapStyle: "outerHTML", swapDelay: 0, settleDelay: 20 });
  }

  function applyWithProgress(form, button) {
    const indicator = busy();
    const label = indicator.querySelector("[data-busy-label]");
    const bar = indicator.querySelector("progress");
    const xhr = new XMLHttpRequest();
    let read = 0;
    let done = false;
    const consume = () => {
      const text = xhr.responseText;
      const end = text.lastIndexOf("\n") + 1;  // whole lines only; the rest comes with the next chunk
      for (const line of text.slice(read, end).split("\n")) {
        if (!line) continue;
        const message = JSON.parse(line);
        if (message.progress !== undefined) {
          label.textContent = `${message.progress}…`;
          const step = document.createElement("li");
          step.textContent = message.progress;
          steps().appendChild(step);
          steps().hidden = false;
        } else if (message.html !== undefined) {
          done = true;
          swapResult(message.html);
        }
      }
      read = Math.max(read, end);
    };
    xhr.open("POST", button.getAttribute("formaction"));
    xhr.setRequestHeader("Accept", "application/x-ndjson");
    xhr.setRequestHeader("HX-Request", "true");
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      bar.value = Math.round((100 * event.loaded) / event.total);
      if (event.loaded >= event.total) {
        label.textContent = indicator.dataset.next;
        bar.removeAttribute("value");  // indeterminate: the server's steps follow in the list below
      }
    });
    xhr.addEventListener("progress", consume);
    xhr.addEventListener("load", () => {
      setBusy(false);
      if (xhr.status === 200) consume();
      if (done) return;
      if (xhr.status === 413) {
        showProblem("The file is too large for this server's import limit. Nothing was imported.");
      } else if (xhr.status >= 400 && xhr.getResponseHeader("Content-Type")?.startsWith("text/html")) {
        swapResult(xhr.responseText);
      } else {
        showProblem(`The server could not answer (${xhr.status}). Check History before trying again.`);
      }
    });
    xhr.addEventListener("error", () => {
      setBusy(false);
      showProblem("The connection was lost while importing. Check History: the import is either all there or not at all.");
    });
    const data = new FormData(form, button);  // before the buttons are disabled: a disabled submitter sends no token
    setBusy(true);
    xhr.send(data);
  }

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
