// A job's page asks for the job's status every second while it runs; when it ends the page reloads once,
// so the result (or the reason it failed) is shown as the server renders it.
(function () {
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        document.getElementById("job-status").textContent = s.status_label;
        document.getElementById("job-progress").textContent = s.progress + "%";
        document.getElementById("job-progress-text").textContent = s.progress_text || "";
        document.getElementById("job-bar").value = s.progress;
        if (s.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 800);
})();
