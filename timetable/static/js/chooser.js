// The chooser's search filters the lists as one types (the form still searches on the server without JS).
(function () {
  "use strict";

  function filter(input) {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let found = 0;
    document.querySelectorAll(".chooser-section").forEach((section) => {
      let shown = 0;
      section.querySelectorAll("li[data-name]").forEach((item) => {
        const match = words.every((word) => item.dataset.name.includes(word));
        item.hidden = !match;
        if (match) shown += 1;
      });
      const none = section.querySelector(".chooser-none");
      if (none) {
        none.hidden = shown > 0;
        if (!shown) none.textContent = section.querySelector("li[data-name]") ? "None match." : "None yet.";
      }
      found += shown;
    });
    const status = document.querySelector("[data-chooser-status]");
    if (status) status.textContent = words.length ? `${found} found` : "";
  }

  document.addEventListener("DOMContentLoaded", () => {
    const input = document.querySelector("[data-chooser-filter]");
    if (!input) return;
    input.addEventListener("input", () => filter(input));
  });
})();
