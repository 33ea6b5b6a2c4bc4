// Type-ahead pupil search on the report form. Without JavaScript the "Find" button does the same.
(function () {
  "use strict";
  var chooser = document.getElementById("pupil-chooser");
  if (!chooser || !window.fetch) { return; }
  var input = document.getElementById("id_pupil_query");
  var results = document.getElementById("pupil-results");
  var chosen = document.getElementById("chosen-pupils");
  var template = document.getElementById("pupil-row-template");
  var timer = null;
  var latest = 0;

  function makeRow(pupil, checked) {
    var row = template.content.firstElementChild.cloneNode(true);
    var box = row.querySelector("input[type=checkbox]");
    var id = String(pupil.id);
    row.dataset.pupil = id;
    box.value = id;
    box.id = "pupil-" + id;
    box.checked = checked;
    row.querySelector("label").htmlFor = box.id;
    row.querySelector(".pupil-name").textContent = pupil.name;
    row.querySelector(".pupil-class").textContent = pupil["class"] || "";
    row.querySelector("select").name = "pupil_role_" + id;
    return row;
  }

  function alreadyChosen(id) {
    return chosen.querySelector('[data-pupil="' + id + '"]') !== null;
  }

  function show(list) {
    results.replaceChildren();
    if (!list.length) {
      var none = document.createElement("li");
      none.className = "list-group-item text-muted";
      none.textContent = results.dataset.noMatch;
      results.appendChild(none);
      return;
    }
    list.forEach(function (pupil) {
      if (!alreadyChosen(String(pupil.id))) { results.appendChild(makeRow(pupil, false)); }
    });
  }

  function search() {
    var query = input.value.trim();
    if (query.length < 2) { results.replaceChildren(); return; }
    var ticket = ++latest;
    var url = chooser.dataset.searchUrl + "?q=" + encodeURIComponent(query);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {results: []}; })
      .then(function (data) { if (ticket === latest) { show(data.results); } })
      .catch(function () { /* the Find button still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  input.addEventListener("keydown", function (event) {
    // Enter searches here instead of sending the form.
    if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); search(); }
  });
  // Ticking a search result moves it up to the chosen pupils.
  results.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || !box.checked) { return; }
    var row = box.closest(".pupil-row");
    chosen.appendChild(row);
    input.value = "";
    results.replaceChildren();
    input.focus();
  });
}());
