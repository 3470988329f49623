// Rich-text fields in the Wagtail editor: Draftail draws its own editing box beside the
// hidden input that the field's <label> points at, so a screen reader meets a text box
// without a name. Each box is named after its field's label (aria-labelledby), now and
// whenever the editor adds one (new StreamField blocks, a reopened panel).
(function () {
  "use strict";

  function nameEditors(root) {
    root.querySelectorAll(".public-DraftEditor-content[role='textbox']").forEach(function (box) {
      if (box.hasAttribute("aria-labelledby") || box.hasAttribute("aria-label")) {
        return;
      }
      var field = box.closest("[data-field], .w-field");
      var input = field && field.querySelector("input[type='hidden'][id]");
      var label = input && document.querySelector("label[for='" + input.id + "']");
      if (!label) {
        return;
      }
      if (!label.id) {
        label.id = input.id + "-label";
      }
      box.setAttribute("aria-labelledby", label.id);
    });
  }

  function start() {
    nameEditors(document);
    new MutationObserver(function () {
      nameEditors(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
