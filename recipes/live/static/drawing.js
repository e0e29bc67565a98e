"use strict";
// The lab's drawings (recipes/live/static/lab.js draws with them): the decision regions of one
// epoch as a heat map of the score with the threshold and margin contours (marching squares),
// the test points coloured and sized by the loss's force on each, the force's colour bar, and
// line charts by epoch. Plain canvas: no library, nothing fetched.

// The project's figures' colours (recipes/report/regions.py REGION_COLOURS: the negative
// class blue, the positive orange; recipes/report/plots.py: training blue, validation orange).
const CLASS_COLOURS = ["#1f77b4", "#ff7f0e"];
const SERIES_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf"];
const SHARE_COLOUR = "#d62728";
// matplotlib's plasma_r at nine even steps: the forces' colour map of forces.png
// (recipes/report/forces.py FORCE_MAP), and its span: the largest force / the smallest coloured.
const FORCE_COLOURS = ["#f0f921", "#fdc328", "#f89441", "#e56b5d", "#cb4679", "#a82296",
  "#7d03a8", "#4b03a1", "#0d0887"];
const FORCE_RANGE = 1e3;

function formatNumber(value) {
  if (value == null || !Number.isFinite(value)) return "–";
  if (value === 0) return "0";
  const size = Math.abs(value);
  if (size >= 1e4 || size < 1e-3) return Number(value.toPrecision(3)).toExponential();
  return Number(value.toPrecision(4)).toString();
}

// A canvas drawn at the screen's resolution: returns its 2-D context in CSS pixels.
function context2d(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  return { context, width, height };
}

function hexColour(hex) {
  return [1, 3, 5].map((offset) => parseInt(hex.slice(offset, offset + 2), 16));
}

function mixColour(from, to, amount) {
  return from.map((value, index) => Math.round(value + (to[index] - value) * amount));
}

// Where a score lies on the drawn scale, -1 (the negative class's end) to +1 (the positive's),
// 0 at the threshold: a probability's ends are 0 and 1; a tanh score's -1 and +1; any other
// score's twice the margin.
function scoreScale(start) {
  const levels = start.margin_levels || [];
  const threshold = levels.length === 3 ? levels[1] : 0.5;
  let low = 0;
  let high = 1;
  if (start.label_kind === "plus_minus_one") {
    const end = start.output_kind === "tanh" ? 1 : 2 * Math.max(1, Math.abs(levels[2] ?? 1));
    [low, high] = [-end, end];
  }
  return (value) => {
    const position = value >= threshold ? (value - threshold) / (high - threshold)
      : (value - threshold) / (threshold - low);
    return Math.max(-1, Math.min(1, position));
  };
}

function drawRegions(canvas, start, event, forceTop) {
  const { context, width, height } = context2d(canvas);
  if (!start || !start.grid_x?.length) {
    context.fillStyle = "#777";
    context.font = "14px sans-serif";
    context.textAlign = "left";
    context.textBaseline = "alphabetic";
    context.fillText(start ? "no picture: the data have more than two features"
      : "the decision regions appear here once a run starts", 10, 24);
    return;
  }
  const xs = start.grid_x;
  const ys = start.grid_y;
  const barSpace = 84; // the force's colour bar, right of the regions
  const side = Math.min(width - barSpace - 8, height - 8);
  const spanX = xs[xs.length - 1] - xs[0];
  const spanY = ys[ys.length - 1] - ys[0];
  const plot = {
    left: 4,
    top: 4,
    width: side * Math.min(1, spanX / spanY),
    height: side * Math.min(1, spanY / spanX),
  };
  const toX = (x) => plot.left + ((x - xs[0]) / spanX) * plot.width;
  const toY = (y) => plot.top + plot.height - ((y - ys[0]) / spanY) * plot.height;
  context.fillStyle = "#fff";
  context.fillRect(plot.left, plot.top, plot.width, plot.height);
  if (event?.grid_scores) {
    drawScores(context, plot, xs, ys, event.grid_scores, scoreScale(start));
    const levels = start.margin_levels || [];
    levels.forEach((level, index) => {
      context.setLineDash(index === 1 ? [] : [5, 4]);
      context.lineWidth = index === 1 ? 1.6 : 1;
      context.strokeStyle = "#000";
      context.beginPath();
      for (const line of joined(contourSegments(event.grid_scores, xs, ys, level))) {
        line.forEach(([x, y], index) => {
          if (index === 0) context.moveTo(toX(x), toY(y));
          else context.lineTo(toX(x), toY(y));
        });
      }
      context.stroke();
    });
    context.setLineDash([]);
  }
  drawPoints(context, start, event, forceTop, toX, toY, plot.width);
  context.strokeStyle = "#999";
  context.lineWidth = 1;
  context.strokeRect(plot.left, plot.top, plot.width, plot.height);
  drawForceBar(context, plot.left + plot.width + 14, plot.top, plot.height, forceTop);
  if (event?.grid_scores && event.grid_scores.every((row) => row.every((value) => value == null))) {
    context.fillStyle = "#a00";
    context.font = "12px sans-serif";
    context.textAlign = "center";
    context.fillText("no finite score anywhere: the outputs are NaN or infinite",
      plot.left + plot.width / 2, plot.top + 20);
  }
}

// The grid's scores as an image, one pixel a grid point, stretched (smoothed) over the plot:
// white at the threshold, deepening to a class's colour towards its end of the scale.
function drawScores(context, plot, xs, ys, scores, position) {
  const image = new ImageData(xs.length, ys.length);
  const white = [255, 255, 255];
  const ends = CLASS_COLOURS.map(hexColour);
  for (let row = 0; row < ys.length; row += 1) {
    for (let column = 0; column < xs.length; column += 1) {
      const value = scores[row][column];
      const offset = ((ys.length - 1 - row) * xs.length + column) * 4; // images run downwards
      const colour = value == null ? [200, 200, 200] : (() => {
        const where = position(value);
        return mixColour(white, ends[where >= 0 ? 1 : 0], 0.15 + 0.5 * Math.abs(where));
      })();
      image.data.set([...colour, 255], offset);
    }
  }
  const grid = document.createElement("canvas");
  grid.width = xs.length;
  grid.height = ys.length;
  grid.getContext("2d").putImageData(image, 0, 0);
  context.save();
  context.beginPath();
  context.rect(plot.left, plot.top, plot.width, plot.height);
  context.clip();
  context.imageSmoothingEnabled = true;
  // A pixel's centre is its grid point: the image reaches half a step beyond the grid's ends.
  const stepX = plot.width / (xs.length - 1);
  const stepY = plot.height / (ys.length - 1);
  context.drawImage(grid, plot.left - stepX / 2, plot.top - stepY / 2, plot.width + stepX,
    plot.height + stepY);
  context.restore();
}

// Marching squares: the segments where the grid's values cross ``level``, each cell's edges
// interpolated linearly; a saddle cell is resolved by its centre's value.
function contourSegments(values, xs, ys, level) {
  const segments = [];
  for (let row = 0; row < ys.length - 1; row += 1) {
    for (let column = 0; column < xs.length - 1; column += 1) {
      // corners anticlockwise from the bottom left; edge k runs from corner k to corner k + 1
      const corners = [[column, row], [column + 1, row], [column + 1, row + 1], [column, row + 1]];
      const value = corners.map(([i, j]) => values[j][i]);
      if (value.some((v) => v == null)) continue;
      const crossings = [];
      for (let edge = 0; edge < 4; edge += 1) {
        // from the edge's lower corner: the cells either side of it find the same point
        const [first, second] = edge < 2 ? [edge, edge + 1] : [(edge + 1) % 4, edge];
        const [i1, j1] = corners[first];
        const [i2, j2] = corners[second];
        const v1 = value[first];
        const v2 = value[second];
        if ((v1 >= level) !== (v2 >= level)) {
          const t = (level - v1) / (v2 - v1);
          crossings.push([xs[i1] + t * (xs[i2] - xs[i1]), ys[j1] + t * (ys[j2] - ys[j1])]);
        }
      }
      if (crossings.length === 2) segments.push(crossings);
      if (crossings.length === 4) {
        const centre = value.reduce((sum, v) => sum + v, 0) / 4;
        if ((centre >= level) === (value[0] >= level)) {
          segments.push([crossings[0], crossings[1]], [crossings[2], crossings[3]]);
        } else {
          segments.push([crossings[3], crossings[0]], [crossings[1], crossings[2]]);
        }
      }
    }
  }
  return segments;
}

// The segments joined end to end into lines: a dashed line's pattern starts again at each
// line's start, so a line of one-cell segments would never show a gap.
function joined(segments) {
  const ends = new Map(); // a point -> the segments that end there
  const key = ([x, y]) => `${x},${y}`;
  segments.forEach((segment, index) => {
    for (const point of segment) {
      if (!ends.has(key(point))) ends.set(key(point), []);
      ends.get(key(point)).push(index);
    }
  });
  const used = new Set();
  const lines = [];
  segments.forEach((segment, index) => {
    if (used.has(index)) return;
    used.add(index);
    const line = [...segment];
    for (const atEnd of [true, false]) { // grow it from its end, then from its start
      for (;;) {
        const tip = atEnd ? line[line.length - 1] : line[0];
        const next = (ends.get(key(tip)) || []).find((other) => !used.has(other));
        if (next === undefined) break;
        used.add(next);
        const [a, b] = segments[next];
        const far = key(a) === key(tip) ? b : a;
        if (atEnd) line.push(far);
        else line.unshift(far);
      }
    }
    lines.push(line);
  });
  return lines;
}

// Where a force lies on the shared log scale, 0 (FORCE_RANGE below the largest, or less) to 1.
function forcePosition(force, forceTop) {
  if (!(force > 0)) return 0;
  const position = Math.log10(force / (forceTop / FORCE_RANGE)) / Math.log10(FORCE_RANGE);
  return Math.max(0, Math.min(1, position));
}

function forceColour(position) {
  const scaled = position * (FORCE_COLOURS.length - 1);
  const index = Math.min(FORCE_COLOURS.length - 2, Math.floor(scaled));
  const colour = mixColour(hexColour(FORCE_COLOURS[index]), hexColour(FORCE_COLOURS[index + 1]),
    scaled - index);
  return `rgb(${colour.join(",")})`;
}

// The test points by class (squares the negative, triangles the positive, as forces.png),
// coloured and sized by the force on each; the hardest drawn last, on top. The largest marker
// shrinks as the points grow many, so that 1,400 points still leave the regions to be seen.
function drawPoints(context, start, event, forceTop, toX, toY, plotWidth) {
  const classes = classesOf(start);
  const forces = event?.point_forces || [];
  const order = start.points.map((_, index) => index);
  order.sort((a, b) => (forces[a] ?? 0) - (forces[b] ?? 0));
  const largest = Math.max(2, Math.min(6, (0.3 * plotWidth) / Math.sqrt(order.length || 1)));
  context.lineWidth = largest < 4 ? 0.3 : 0.5;
  context.strokeStyle = "#000";
  for (const index of order) {
    const [x, y] = start.points[index];
    const position = forcePosition(forces[index], forceTop);
    const size = largest * (event ? 0.35 + 0.65 * Math.sqrt(position) : 0.5);
    const classColour = CLASS_COLOURS[classes.indexOf(start.labels[index])] || "#777";
    context.fillStyle = event ? forceColour(position) : classColour;
    context.beginPath();
    if (start.labels[index] === classes[1]) {
      context.moveTo(toX(x), toY(y) - size * 1.2);
      context.lineTo(toX(x) + size, toY(y) + size * 0.8);
      context.lineTo(toX(x) - size, toY(y) + size * 0.8);
      context.closePath();
    } else {
      context.rect(toX(x) - size * 0.85, toY(y) - size * 0.85, size * 1.7, size * 1.7);
    }
    context.fill();
    context.stroke();
  }
}

function drawForceBar(context, left, top, height, forceTop) {
  for (let pixel = 0; pixel < height; pixel += 1) {
    context.fillStyle = forceColour(1 - pixel / height);
    context.fillRect(left, top + pixel, 12, 1);
  }
  context.strokeStyle = "#999";
  context.strokeRect(left, top, 12, height);
  context.fillStyle = "#222";
  context.font = "11px sans-serif";
  context.textAlign = "left";
  for (let decade = 0; decade <= 3; decade += 1) {
    const y = top + (decade / 3) * height;
    // the end labels inside the bar's span: the top one was cut by the canvas' edge
    context.textBaseline = decade === 0 ? "top" : decade === 3 ? "bottom" : "middle";
    context.fillText(formatNumber(Number((forceTop / 10 ** decade).toPrecision(2))), left + 16, y);
  }
  context.save();
  context.translate(left + 66, top + height / 2);
  context.rotate(-Math.PI / 2);
  context.textAlign = "center";
  context.textBaseline = "middle";
  context.fillText("force |d loss / d score|", 0, 0);
  context.restore();
}
