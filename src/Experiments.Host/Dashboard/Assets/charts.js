// Charts drawn as SVG by hand: line charts (learning curves, a trial's metrics) and parallel
// coordinates (parameters against the score). No library: the dashboard works offline.
"use strict";
window.Charts = (function () {
  const ns = "http://www.w3.org/2000/svg";
  const palette = ["#2f6fdf", "#2b9348", "#9d4edd", "#e5a50a", "#0096c7", "#c9184a", "#6a994e", "#7f5539", "#3a0ca3", "#ff7b00"];

  function el(name, attributes, parent) {
    const node = document.createElementNS(ns, name);
    for (const [k, v] of Object.entries(attributes || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, attributes) {
    const node = el("text", Object.assign({ x, y }, attributes || {}), parent);
    node.textContent = content;
    return node;
  }
  function color(i) { return palette[i % palette.length]; }

  // Round numbers spanning [lo, hi], about `count` of them.
  function ticks(lo, hi, count, minStep) {
    if (lo === hi) { lo -= Math.abs(lo) * 0.1 || 1; hi += Math.abs(hi) * 0.1 || 1; }
    const raw = (hi - lo) / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = Math.max(minStep || 0, [1, 2, 5, 10].map(m => m * power).find(s => (hi - lo) / s <= count * 1.5));
    const out = [];
    // Multiples of the step, so that sums never drift off round values.
    for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
    return { lo, hi, values: out };
  }
  function scale(lo, hi, from, to) { return v => hi === lo ? (from + to) / 2 : from + (v - lo) / (hi - lo) * (to - from); }

  // series: [{ id, label, color, best, points: [{x, y}], band: [{x, lo, hi}], ends: [{x, y, status, title}] }]
  function line(container, series, options) {
    const w = 640, h = 320, m = { l: 64, r: 16, t: 14, b: 40 };
    const svg = el("svg", { viewBox: `0 0 ${w} ${h}`, class: "chart", role: "img", "aria-label": options.title || "" });
    const all = series.flatMap(s => s.points.concat((s.band || []).flatMap(b => [{ x: b.x, y: b.lo }, { x: b.x, y: b.hi }])));
    container.replaceChildren(svg);
    if (all.length === 0) { text(svg, w / 2, h / 2, "no epochs yet", { "text-anchor": "middle", class: "muted" }); return svg; }
    const xs = ticks(Math.min(...all.map(p => p.x)), Math.max(...all.map(p => p.x)), 6, options.integerX ? 1 : 0);
    const ys = ticks(Math.min(...all.map(p => p.y)), Math.max(...all.map(p => p.y)), 5);
    const xMin = Math.min(xs.lo, ...xs.values), xMax = Math.max(xs.hi, ...xs.values);
    const yMin = Math.min(ys.lo, ...ys.values), yMax = Math.max(ys.hi, ...ys.values);
    const x = scale(xMin, xMax, m.l, w - m.r), y = scale(yMin, yMax, h - m.b, m.t);
    const axes = el("g", { class: "axis" }, svg);
    el("line", { x1: m.l, y1: h - m.b, x2: w - m.r, y2: h - m.b }, axes);
    el("line", { x1: m.l, y1: m.t, x2: m.l, y2: h - m.b }, axes);
    xs.values.forEach(v => {
      el("line", { x1: x(v), y1: h - m.b, x2: x(v), y2: h - m.b + 4 }, axes);
      text(axes, x(v), h - m.b + 16, Readable.number(v), { "text-anchor": "middle" });
    });
    ys.values.forEach(v => {
      el("line", { x1: m.l - 4, y1: y(v), x2: m.l, y2: y(v) }, axes);
      el("line", { x1: m.l, y1: y(v), x2: w - m.r, y2: y(v), stroke: "#eef0f4" }, axes);
      text(axes, m.l - 7, y(v) + 4, Readable.number(v), { "text-anchor": "end" });
    });
    text(axes, (m.l + w - m.r) / 2, h - 6, options.xLabel || "epoch", { "text-anchor": "middle" });
    text(axes, 12, (m.t + h - m.b) / 2, options.yLabel || "", { "text-anchor": "middle", transform: `rotate(-90 12 ${(m.t + h - m.b) / 2})` });
    // The best last, so it is drawn on top.
    series.slice().sort((a, b) => (a.best ? 1 : 0) - (b.best ? 1 : 0)).forEach(s => {
      if (s.band && s.band.length > 1) {
        const upper = s.band.map(b => `${x(b.x)},${y(b.hi)}`), lower = s.band.slice().reverse().map(b => `${x(b.x)},${y(b.lo)}`);
        el("polygon", { points: upper.concat(lower).join(" "), fill: s.color, class: "band" }, svg);
      }
      const path = el("polyline", { points: s.points.map(p => `${x(p.x)},${y(p.y)}`).join(" "), stroke: s.color, class: "curve" + (s.best ? " best" : ""), "data-series": s.id }, svg);
      el("title", {}, path).textContent = s.label;
      s.points.forEach(p => el("circle", { cx: x(p.x), cy: y(p.y), r: s.best ? 3 : 2, fill: s.color }, svg));
      (s.ends || []).forEach(e => {
        const marker = el("text", { x: x(e.x), y: y(e.y) + 4, "text-anchor": "middle", fill: s.color, class: "end " + e.status }, svg);
        marker.textContent = { pruned: "×", "early-stopped": "□", failed: "▼", diverged: "▼", cancelled: "○" }[e.status] || "•";
        el("title", {}, marker).textContent = e.title;
      });
    });
    return svg;
  }

  // axes: [{ name, kind: "number"|"category", log }], rows: [{ id, values: [...per axis], score, best }]; the last axis is the score.
  function parallel(container, axes, rows, options) {
    const w = Math.max(480, 150 * axes.length), h = 320, m = { l: 50, r: 50, t: 26, b: 20 };
    const svg = el("svg", { viewBox: `0 0 ${w} ${h}`, class: "chart", role: "img", "aria-label": "parallel coordinates" });
    container.replaceChildren(svg);
    const xAt = i => axes.length === 1 ? w / 2 : m.l + i * (w - m.l - m.r) / (axes.length - 1);
    const scores = rows.map(r => r.score).filter(v => v !== null && v !== undefined);
    const sLo = Math.min(...scores), sHi = Math.max(...scores);
    const place = axes.map((axis, i) => {
      const values = rows.map(r => r.values[i]).filter(v => v !== null && v !== undefined);
      if (axis.kind === "category") {
        const names = [...new Set(values.map(String))].sort();
        const at = scale(0, Math.max(1, names.length - 1), h - m.b, m.t);
        return { at: v => at(names.indexOf(String(v))), labels: names.map((n, k) => ({ v: n, y: at(k) })) };
      }
      const log = axis.log && values.every(v => v > 0);
      const f = log ? Math.log10 : (v => v);
      const lo = Math.min(...values.map(f)), hi = Math.max(...values.map(f));
      const at = scale(lo, hi, h - m.b, m.t);
      const marks = values.length ? [...new Set([Math.min(...values), Math.max(...values)])] : [];
      return { at: v => at(f(v)), labels: marks.map(v => ({ v: Readable.number(v), y: at(f(v)) })) };
    });
    const shade = v => {
      if (v === null || v === undefined || sHi === sLo) return "#2f6fdf";
      let t = (v - sLo) / (sHi - sLo);
      if (options.mode === "min") t = 1 - t;  // the better the darker
      return `hsl(${220 - 200 * t}, 70%, ${60 - 20 * t}%)`;
    };
    rows.forEach(r => {
      const pts = axes.map((_, i) => r.values[i] === null || r.values[i] === undefined ? null : `${xAt(i)},${place[i].at(r.values[i])}`);
      if (pts.some(p => p === null)) return;
      const path = el("polyline", { points: pts.join(" "), stroke: r.best ? "#d9480f" : shade(r.score), class: "pc-line", "data-config": r.id, "stroke-width": r.best ? 3.2 : 1.6 }, svg);
      el("title", {}, path).textContent = r.label;
    });
    axes.forEach((axis, i) => {
      const g = el("g", { class: "axis" }, svg);
      el("line", { x1: xAt(i), y1: m.t, x2: xAt(i), y2: h - m.b }, g);
      text(g, xAt(i), m.t - 10, axis.name + (axis.log ? " (log)" : ""), { "text-anchor": "middle", "font-weight": "600" });
      place[i].labels.forEach(l => text(g, xAt(i) + 5, l.y + 4, l.v));
    });
    return svg;
  }

  return { line, parallel, color };
})();
