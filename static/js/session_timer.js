// The question-first round's timer (coaching/templates/coaching/run.html): start, pause
// and reset a countdown of the agreed minutes, shown large enough to read across a room.
// Without JavaScript the page says how long the round lasts and the buttons stay hidden.
(function () {
  "use strict";
  document.querySelectorAll("[data-session-timer]").forEach(function (box) {
    var total = parseInt(box.dataset.minutes, 10) * 60;
    var left = total;
    var ticking = null;
    var display = box.querySelector("[data-timer-display]");
    var controls = box.querySelector("[data-timer-controls]");
    var toggle = box.querySelector("[data-timer-toggle]");
    var reset = box.querySelector("[data-timer-reset]");
    if (!display || !controls || !toggle || !reset || !(total > 0)) {
      return;
    }
    function show() {
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      display.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      box.classList.toggle("timer-done", left === 0);
    }
    function stop() {
      if (ticking !== null) {
        clearInterval(ticking);
        ticking = null;
      }
      toggle.textContent = left === total ? "Start the round" : "Resume";
    }
    toggle.addEventListener("click", function () {
      if (ticking !== null) {
        stop();
        return;
      }
      if (left === 0) {
        left = total;
      }
      toggle.textContent = "Pause";
      ticking = setInterval(function () {
        left = Math.max(0, left - 1);
        show();
        if (left === 0) {
          stop();
          display.textContent = "Time: answers now";
        }
      }, 1000);
    });
    reset.addEventListener("click", function () {
      stop();
      left = total;
      show();
      toggle.textContent = "Start the round";
    });
    controls.hidden = false;
    show();
  });
})();
