// The queue's age clocks, ticking once a second from each alert's raise time (the
// server's clock, sent as ISO 8601); an unacknowledged alarm's turns red past the
// 60-second answer standard (its data-late-after); and the
// keyboard focus kept on the same control when the live queue re-renders its rows.
(function () {
  "use strict";
  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    if (m >= 60) { return Math.floor(m / 60) + " h " + (m % 60) + " min"; }
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.age").forEach(function (el) {
      var seconds = Math.max(0, Math.floor((now - Date.parse(el.dateTime)) / 1000));
      el.textContent = format(seconds);
      var lateAfter = el.getAttribute("data-late-after");
      el.classList.toggle("late", lateAfter !== null && seconds > Number(lateAfter));
    });
  }

  var focusedId = null;
  document.addEventListener("htmx:sseBeforeMessage", function () {
    var el = document.activeElement;
    focusedId = el && el.id && el.closest("#queue-rows") ? el.id : null;
  });
  document.addEventListener("htmx:sseMessage", function () {
    tick();
    if (focusedId) {
      var again = document.getElementById(focusedId);
      if (again) { again.focus(); }
    }
  });
  // Safety: a handler must know when the queue stops being live (network, server
  // restart, signed out), rather than trust a quiet queue.
  function liveLost(lost) {
    var banner = document.getElementById("live-lost");
    if (banner) { banner.hidden = !lost; }
  }
  document.addEventListener("htmx:sseError", function () { liveLost(true); });
  document.addEventListener("htmx:sseOpen", function () { liveLost(false); });

  // The queue opens with the first untaken alert's Take button focused: Enter takes it.
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    var take = document.querySelector("#queue-rows button");
    if (take && document.activeElement === document.body) { take.focus(); }
  });
  // The live stream opens after the page has loaded: an event stream opened earlier
  // keeps the browser "loading" for as long as it is open.
  window.addEventListener("load", function () {
    document.querySelectorAll("[data-sse-connect]").forEach(function (el) {
      el.setAttribute("sse-connect", el.getAttribute("data-sse-connect"));
      window.htmx.process(el);
    });
  });
  setInterval(tick, 1000);
})();
