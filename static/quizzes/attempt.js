/* Autosave for the attempt page (progressive enhancement: the form works without it).
 *
 * Every change is sent at once to the answer endpoint with a sequence number that only
 * grows for this attempt; the server keeps an answer only if its number is newer than the
 * stored one, so a retried or late request can never overwrite a newer answer. Failed
 * saves are retried with back-off; the countdown runs from the server's remaining time.
 */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form || !window.fetch) { return; }
  var url = form.dataset.answerUrl;
  var storeKey = "quiz-seq-" + form.dataset.attempt;
  var status = form.querySelector("[data-save-status]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var stored = 0;
  try { stored = parseInt(window.sessionStorage.getItem(storeKey) || "0", 10) || 0; } catch (e) { stored = 0; }
  var seq = Math.max(parseInt(form.dataset.seq || "0", 10), stored);
  var pending = {};   // position -> {answer, seq}
  var inFlight = {};
  var finished = false;

  function nextSeq() {
    seq += 1;
    try { window.sessionStorage.setItem(storeKey, String(seq)); } catch (e) { /* private mode */ }
    return seq;
  }

  function show(text, isError) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("attempt__status--error", !!isError);
  }

  function answerOf(fieldset) {
    var type = fieldset.dataset.type;
    if (type === "essay") { return fieldset.querySelector("textarea").value; }
    var picked = [];
    fieldset.querySelectorAll("input:checked").forEach(function (input) { picked.push(parseInt(input.value, 10)); });
    return type === "multiple" ? picked : (picked.length ? picked[0] : null);
  }

  var answeredCount = form.querySelector("[data-answered-count]");

  function countAnswered() {
    // The navigator holds one box per question of the whole attempt, on every page.
    if (!answeredCount) { return; }
    var done = form.querySelectorAll(".attempt__nav .navbox--answered").length;
    answeredCount.textContent = answeredCount.dataset.template.replace("{n}", String(done));
  }

  function markAnswered(position, answered) {
    document.querySelectorAll('[data-nav="' + position + '"]').forEach(function (box) {
      box.classList.toggle("navbox--answered", answered);
    });
    countAnswered();
  }

  function send(position, delay) {
    if (inFlight[position] || finished) { return; }
    var item = pending[position];
    if (!item) { return; }
    inFlight[position] = true;
    show(form.dataset.msgSaving);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ q: position, a: item.answer, seq: item.seq })
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      inFlight[position] = false;
      var data = result.data;
      if (data.status === "finished") { finished = true; window.location.assign(data.redirect); return; }
      if (!result.ok) { delete pending[position]; show(data.error || "", true); return; }
      if (pending[position] === item) { delete pending[position]; }
      if (typeof data.remaining === "number") { syncTimer(data.remaining); }
      if (pending[position]) { send(position, 0); } else { show(form.dataset.msgSaved); }
    }).catch(function () {
      inFlight[position] = false;
      show(form.dataset.msgOffline, true);
      var wait = Math.min((delay || 1000) * 2, 30000);
      window.setTimeout(function () { send(position, wait); }, wait);
    });
  }

  function onChange(event) {
    var fieldset = event.target.closest("[data-question]");
    if (!fieldset) { return; }
    var position = parseInt(fieldset.dataset.question, 10);
    var answer = answerOf(fieldset);
    pending[position] = { answer: answer, seq: nextSeq() };
    markAnswered(position, Array.isArray(answer) ? answer.length > 0 : (answer !== null && answer !== ""));
    send(position, 0);
  }

  var typing = {};
  form.addEventListener("change", onChange);
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") { return; }
    var key = event.target.name;
    window.clearTimeout(typing[key]);
    typing[key] = window.setTimeout(function () { onChange(event); }, 800);
  });
  window.addEventListener("online", function () { Object.keys(pending).forEach(function (p) { send(parseInt(p, 10), 0); }); });

  var finishButton = form.querySelector("[data-finish]");
  if (finishButton) {
    finishButton.addEventListener("click", function (event) {
      if (!window.confirm(form.dataset.msgConfirm)) { event.preventDefault(); }
    });
  }
  form.addEventListener("submit", function () {
    // One submission only: a double tap sends the form once (the server is idempotent anyway).
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // Countdown from the server's remaining seconds; at zero the form is submitted.
  var counter = form.querySelector("[data-countdown]");
  var endsAt = null;
  function syncTimer(remaining) { endsAt = Date.now() + remaining * 1000; }
  if (counter && form.dataset.remaining !== undefined) {
    syncTimer(parseInt(form.dataset.remaining, 10));
    var timer = window.setInterval(function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      counter.textContent = (h ? h + ":" : "") + (m < 10 && h ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      counter.parentNode.classList.toggle("attempt__timer--low", left <= 60);
      if (left === 0 && !finished) {
        window.clearInterval(timer);
        finished = true;
        var go = document.createElement("input");
        go.type = "hidden"; go.name = "go"; go.value = "finish";
        form.appendChild(go);
        form.submit();
      }
    }, 1000);
  }
}());
