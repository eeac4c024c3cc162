// The time-zone picker (programs/time_zones.py): a search box that narrows the grouped
// list, and, for a person who has not chosen a zone yet, the browser's own zone selected.
// Without JavaScript the select works alone; the search box stays hidden.
(function () {
  "use strict";
  function normalise(text) {
    return text.toLowerCase().replace(/[_/]/g, " ").replace(/\u2212/g, "-");
  }
  document.querySelectorAll("select[data-time-zone]").forEach(function (select) {
    if (select.dataset.timeZoneReady) {
      return;
    }
    select.dataset.timeZoneReady = "1";
    if (select.dataset.timeZone === "suggest") {
      var browser = "";
      try {
        browser = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
      } catch (error) {
        browser = "";
      }
      if (browser && select.querySelector('option[value="' + browser.replace(/"/g, "") + '"]')) {
        select.value = browser;
      }
    }
    var filter = document.querySelector('input[data-time-zone-filter="' + select.id + '"]');
    if (!filter) {
      return;
    }
    filter.hidden = false;
    var label = document.querySelector('label[for="' + filter.id + '"]');
    if (label) {
      label.hidden = false;
    }
    filter.addEventListener("input", function () {
      var words = normalise(filter.value).split(/\s+/).filter(Boolean);
      var firstMatch = null;
      select.querySelectorAll("optgroup").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var text = normalise(option.value + " " + option.textContent + " " + group.label);
          var match = words.every(function (word) {
            return text.indexOf(word) !== -1;
          });
          option.hidden = !match;
          if (match) {
            shown += 1;
            firstMatch = firstMatch || option;
          }
        });
        group.hidden = shown === 0;
      });
      if (firstMatch && select.selectedOptions[0] && select.selectedOptions[0].hidden) {
        select.value = firstMatch.value;
      }
    });
  });
})();
