// Count a hold's minutes down on the page; the server's expiry time stays the reference.
document.addEventListener("DOMContentLoaded", function () {
  var timer = document.querySelector("[data-countdown]");
  var left = document.querySelector("[data-countdown-left]");
  if (!timer || !left) return;
  var end = Date.parse(timer.getAttribute("datetime"));
  function tick() {
    var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
    left.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    if (seconds > 0) setTimeout(tick, 1000);
  }
  tick();
});
