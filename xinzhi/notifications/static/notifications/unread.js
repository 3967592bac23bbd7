// The header's unread count: fetched after the page loads, so no page pays a database query for it.
(function () {
  var link = document.getElementById("inbox-link");
  if (!link) return;
  fetch(link.dataset.unreadUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data || !data.unread) return;
      var badge = link.querySelector(".badge");
      badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
      badge.hidden = false;
      link.setAttribute("aria-label", link.textContent.trim());
    })
    .catch(function () {});
})();
