/* Moments in the reader's own time zone, named ("Dec 7, 2026, 9:30 AM PST"): every
   <time data-local-time datetime="…"> the server wrote in UTC (which it says, for a page
   read without JavaScript) is written again with Intl in the page's language. */
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short"
  });
  document.querySelectorAll("time[data-local-time]").forEach(function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (!isNaN(moment.getTime())) { el.textContent = format.format(moment); }
  });
})();
