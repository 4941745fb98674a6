/* The board's themes side by side: whole themes in as many columns as the width holds, in
   their order (1, 2, 3 down the first column, then on), cut where the tallest column is
   shortest. (The stylesheet's columns, without this script, may carry a long theme on into
   the next.) board.js lays them out after every redraw, on resize, and when a theme opens
   or closes. */
(function () {
  "use strict";

  var COLUMN_REM = 17;
  function layout(area) {
    if (!area) { return; }
    var themes = Array.prototype.slice.call(area.querySelectorAll(".theme-card"));
    if (!themes.length) { return; }  // (the words saying there are none stay)
    var rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    var gap = 0.6 * rem;
    var count = Math.max(1, Math.floor((area.clientWidth + gap) / (COLUMN_REM * rem + gap)));
    count = Math.min(count, Math.max(themes.length, 1));
    area.classList.add("masonry");
    var columns = [];
    for (var i = 0; i < count; i++) {
      var column = document.createElement("div");
      column.className = "masonry-column";
      columns.push(column);
    }
    themes.forEach(function (theme) { columns[0].appendChild(theme); });  // measured at one width
    area.replaceChildren.apply(area, columns);
    var heights = themes.map(function (theme) { return Math.ceil(theme.offsetHeight + gap); });  // whole pixels: the search below ends
    var limit = shortestLimit(heights, count);
    var index = 0, filled = 0;
    themes.forEach(function (theme, n) {
      if (filled > 0 && filled + heights[n] > limit && index < count - 1) { index += 1; filled = 0; }
      columns[index].appendChild(theme);
      filled += heights[n];
    });
  }

  // The least height of the tallest column when `heights`, in order, go into `count` columns.
  function shortestLimit(heights, count) {
    var low = Math.max.apply(null, heights.concat([0])), high = heights.reduce(function (a, b) { return a + b; }, 0);
    while (high - low > 1) {
      var middle = Math.floor((low + high) / 2);
      if (columnsNeeded(heights, middle) <= count) { high = middle; } else { low = middle; }
    }
    return columnsNeeded(heights, low) <= count ? low : high;
  }

  function columnsNeeded(heights, limit) {
    var needed = 1, filled = 0;
    heights.forEach(function (h) {
      if (filled > 0 && filled + h > limit) { needed += 1; filled = 0; }
      filled += h;
    });
    return needed;
  }

  window.ThemeColumns = { layout: layout };
})();
