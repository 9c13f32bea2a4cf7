/* The list page: poll the matching status (JSON) and update the progress bar without a reload.
   Progressive enhancement: without JavaScript the page shows the progress as it was when loaded. */
(function () {
  "use strict";

  function setUp(box) {
    var url = box.getAttribute("data-list-progress");
    var bar = box.querySelector("progress");
    var done = box.querySelector("[data-done]");
    var total = box.querySelector("[data-total]");
    var finished = box.querySelector("[data-finished-text]");
    if (box.getAttribute("data-finished") === "1") { return; }

    function poll() {
      var request = new XMLHttpRequest();
      request.open("GET", url);
      request.setRequestHeader("Accept", "application/json");
      request.onload = function () {
        if (request.status !== 200) { return; }
        var state = JSON.parse(request.responseText);
        bar.max = state.total;
        bar.value = state.done;
        done.textContent = state.done;
        total.textContent = state.total;
        if (state.finished) {
          finished.hidden = false;
        } else {
          window.setTimeout(poll, 2000);
        }
      };
      request.send();
    }
    window.setTimeout(poll, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-list-progress]"), setUp);
  });
})();
