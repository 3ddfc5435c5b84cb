// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Food search as you type: fill the <datalist> from the JSON API.
  var input = document.querySelector("input[data-search]");
  if (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var hint = document.getElementById("food-hint");
    var timer = null, last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var words = input.value.replace(/^[\d\s./½¼¾]+(cups?|oz|g|grams?|tbsp|tsp|slices?|large|medium|small|ml)?\s+/i, "").trim();
        if (words.length < 2 || words === last) { return; }
        last = words;
        fetch(input.dataset.search + "?limit=8&q=" + encodeURIComponent(words), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (data) {
            while (list.firstChild) { list.removeChild(list.firstChild); }
            var prefix = input.value.slice(0, input.value.length - words.length);
            data.results.forEach(function (food) {
              var option = document.createElement("option");
              option.value = prefix + food.name;  // textContent-safe: never innerHTML
              list.appendChild(option);
            });
            if (hint) { hint.textContent = data.results.length ? data.results.length + " matching foods" : "No matching food yet; keep typing"; }
          })
          .catch(function () {});
      }, 200);
    });
  }
  // Lab units: offer the units that fit the chosen test first.
  var test = document.getElementById("lab-test"), unit = document.getElementById("lab-unit");
  if (test && unit) {
    var sync = function () {
      var units = (test.selectedOptions[0].dataset.units || "").split(" ");
      Array.prototype.forEach.call(unit.options, function (o) { o.hidden = units.indexOf(o.value) < 0; });
      if (units.indexOf(unit.value) < 0) { unit.value = units[0]; }
    };
    test.addEventListener("change", sync);
    sync();
  }
  // Print button on the report.
  var print = document.querySelector("[data-print]");
  if (print) { print.hidden = false; print.addEventListener("click", function () { window.print(); }); }
})();
