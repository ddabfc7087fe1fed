// The progress bar of a running case import (templates/workflows/leader/import_job.html):
// asks the server how far the import has come each second, and shows the result page
// once it is done. Without this script the page has a link that updates it.
(function () {
  "use strict";
  var panel = document.querySelector("[data-import-status]");
  if (!panel) {
    return;
  }
  var url = panel.getAttribute("data-import-status");
  var bar = panel.querySelector("progress");
  var stage = panel.querySelector("[data-stage]");
  var rows = panel.querySelector("[data-rows]");

  function show(status) {
    bar.value = status.percent;
    bar.textContent = status.percent + " %";
    // The stage is read out (role=status): only when it changes, not every second.
    if (stage.textContent !== status.stage) {
      stage.textContent = status.stage;
    }
    rows.textContent = status.rows;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (status) {
        if (status && status.finished) {
          window.location.reload();
          return;
        }
        if (status) {
          show(status);
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 2000); // the connection dropped for a moment: try again
      });
  }

  window.setTimeout(poll, 1000);
})();
