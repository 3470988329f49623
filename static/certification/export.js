// Polls a readiness export until its file is ready, updating the progress bar in place.
// The status and, once ready, the download link replace each other in one place (the
// export card at the top of the dashboard), so nobody has to scroll to find the file.
(function () {
  "use strict";
  function poll(box) {
    var url = box.getAttribute("data-export-progress");
    var bar = box.querySelector("progress");
    var label = box.querySelector("[data-export-label]");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (bar) { bar.value = job.progress; }
        if (job.state === "done" && job.download_url) {
          box.removeAttribute("data-export-progress");
          label.textContent = "";
          var link = document.createElement("a");
          link.href = job.download_url;
          link.textContent = box.getAttribute("data-ready-text") || "Download";
          label.appendChild(link);
          return;
        }
        if (job.state === "failed") {
          box.removeAttribute("data-export-progress");
          label.textContent = job.error || box.getAttribute("data-failed-text") || "Failed";
          return;
        }
        label.textContent = job.progress + "%";
        window.setTimeout(function () { poll(box); }, 1000);
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 3000); });
  }
  document.querySelectorAll("[data-export-progress]").forEach(poll);
})();
