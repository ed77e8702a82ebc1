// Suggestions under the search box, as the visitor types. The page works without this
// script: the form submits to the results page either way.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) return;
  var url = input.getAttribute("data-suggest");
  var list = document.createElement("ul");
  list.id = "goi-y";
  list.className = "suggest";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Gợi ý");
  list.hidden = true;
  input.parentNode.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  var timer = null, seq = 0, active = -1;

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function href(hit) {
    var h = "/van-ban/" + encodeURIComponent(hit.document_id);
    if (hit.provision_path) h += "#" + hit.provision_path.replace(/\//g, "-");
    return h;
  }

  function show(items) {
    list.textContent = "";
    active = -1;
    items.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "goi-y-" + i;
      li.setAttribute("role", "option");
      var a = document.createElement("a");
      a.href = href(s.hit);
      a.tabIndex = -1;
      var label = (s.hit.number ? s.hit.number + " · " : "") + s.hit.title;
      if (s.hit.heading) label += " — " + s.hit.heading;
      a.textContent = label;
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function move(step) {
    var options = list.querySelectorAll("li");
    if (!options.length) return;
    if (active >= 0) options[active].removeAttribute("aria-selected");
    active = (active + step + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value;
    if (q.trim().length < 2) return close();
    timer = setTimeout(function () {
      var mine = ++seq;
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) { if (mine === seq) show(body.suggestions || []); })
        .catch(close);
    }, 150);
  });

  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      window.location.href = list.querySelectorAll("a")[active].href;
    }
  });

  input.addEventListener("blur", function () { setTimeout(close, 200); });
})();
