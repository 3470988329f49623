// Counts down to the moment a lesson may be marked complete. The server enforces the
// minimum study time regardless; this only tells the officer when the button will work.
(function () {
  "use strict";
  var box = document.querySelector(".lesson-complete[data-ready-at]");
  if (!box) { return; }
  var readyAt = Date.parse(box.getAttribute("data-ready-at"));
  var note = box.querySelector("[data-countdown]");
  var button = box.querySelector("button[type=submit]");
  if (!note || !button || isNaN(readyAt)) { return; }
  function tick() {
    var left = Math.ceil((readyAt - Date.now()) / 1000);
    if (left <= 0) { button.disabled = false; return; }
    button.disabled = true;
    var minutes = Math.floor(left / 60), seconds = left % 60;
    button.textContent = button.textContent.replace(/\s*\(\d+:\d\d\)$/, "") + " (" + minutes + ":" + (seconds < 10 ? "0" : "") + seconds + ")";
    window.setTimeout(tick, 1000);
  }
  var label = button.textContent;
  tick();
  window.setTimeout(function check() {
    if (Date.now() >= readyAt) { button.textContent = label; button.disabled = false; } else { window.setTimeout(check, 1000); }
  }, 1000);
})();
