// A job's page: asks every two seconds how far the job has got and shows it; once the job has
// ended, reloads the page, which then says how it ended. Without JavaScript the page reloads
// itself (a refresh inside <noscript>).
(function () {
  "use strict";
  var box = document.getElementById("job");
  var status = document.getElementById("job-status");
  var bar = document.getElementById("job-progress");
  if (!box || !status || !window.fetch) return;
  var url = box.getAttribute("data-progress-url");
  function ask() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (now) {
        if (now.finished || now.stalled || now.state !== box.getAttribute("data-state")) {
          window.location.reload();
          return;
        }
        status.textContent = now.status;
        if (bar && now.percent !== null) {
          bar.value = now.percent;
          bar.textContent = now.percent + "%";
        }
        window.setTimeout(ask, 2000);
      })
      .catch(function () { window.setTimeout(ask, 5000); });
  }
  window.setTimeout(ask, 1000);
})();
