// Counts down to the moment a lesson may be marked complete, and, while the page is in
// front of the officer, tells the server every minute that this is the lesson being
// studied: each officer has one study clock, and it runs for the lesson that reported in
// last (docs/study-clock.md). The server enforces the minimum study time regardless; this
// only tells the officer when the button will work.
(function () {
  "use strict";
  var box = document.querySelector(".lesson-complete[data-ready-at]");
  if (!box) { return; }
  var readyAt = Date.parse(box.getAttribute("data-ready-at"));
  var note = box.querySelector("[data-countdown]");
  var form = box.querySelector("form");
  var button = box.querySelector("button[type=submit]");
  if (!note || !form || !button || isNaN(readyAt)) { return; }
  var label = button.textContent;
  var timer = null;

  function tick() {
    window.clearTimeout(timer);
    var left = Math.ceil((readyAt - Date.now()) / 1000);
    if (left <= 0) { button.textContent = label; button.disabled = false; return; }
    button.disabled = true;
    var minutes = Math.floor(left / 60), seconds = left % 60;
    button.textContent = label + " (" + minutes + ":" + (seconds < 10 ? "0" : "") + seconds + ")";
    timer = window.setTimeout(tick, 1000);
  }

  var url = box.getAttribute("data-heartbeat-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  function heartbeat() {
    if (!url || !token || !window.fetch || document.visibilityState !== "visible") { return; }
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data || data.completed) { return; }
      readyAt = Date.now() + data.remaining_seconds * 1000;
      tick();
    }).catch(function () {
      // Offline for a moment: the next beat, or reloading the page, catches up.
    });
  }

  document.addEventListener("visibilitychange", heartbeat);
  window.setInterval(heartbeat, 60000);
  tick();
})();
