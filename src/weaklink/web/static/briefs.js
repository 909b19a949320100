// Briefs page: generate a briefing through POST /api/briefs with the token as a bearer header, then reload
// the list. Messages are set with textContent, never as HTML.
"use strict";
(function () {
  const form = document.getElementById("brief-form");
  if (!form) return;
  const status = document.getElementById("brief-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    const spec = {};
    for (const name of ["bloc", "since", "until", "lang", "format"]) {
      const v = fields.get(name);
      if (v) spec[name] = v;
    }
    status.textContent = "Generating…";
    try {
      const response = await fetch("/api/briefs", {
        method: "POST",
        headers: {"Content-Type": "application/json", "Authorization": "Bearer " + fields.get("token")},
        body: JSON.stringify(spec),
      });
      const body = await response.json();
      if (!response.ok) {
        status.textContent = "Not generated: " + ((body.error && body.error.message) || response.statusText);
        return;
      }
      status.textContent = "Generated " + body.name + ".";
      window.location.reload();
    } catch (err) {
      status.textContent = "Not generated: " + err;
    }
  });
})();
