/* global document */
// Line charts as plain SVG: one polyline per series on a shared time axis. No library, no build step.
const NS = 'http://www.w3.org/2000/svg';
export const COLOURS = ['#0969da', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#1b7c83', '#bf3989', '#57606a'];

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function short(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** series: [{ name, colour, points: [[t, v], ...] }] */
export function lineChart(svg, series, { width = 600, height = 200 } = {}) {
  svg.replaceChildren();
  const left = 44, bottom = 18, top = 6, right = 6;
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) {
    svg.append(el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'no samples yet'));
    return;
  }
  const t0 = Math.min(...all.map((p) => p[0]));
  const t1 = Math.max(...all.map((p) => p[0]), t0 + 1);
  const vMax = Math.max(1, ...all.map((p) => p[1]));
  svg.dataset.max = String(vMax);
  svg.dataset.points = String(all.length);
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const y = (v) => top + (1 - v / vMax) * (height - top - bottom);
  svg.append(el('line', { class: 'axis', x1: left, y1: height - bottom, x2: width - right, y2: height - bottom }));
  svg.append(el('line', { class: 'axis', x1: left, y1: top, x2: left, y2: height - bottom }));
  svg.append(el('text', { x: left - 4, y: top + 10, 'text-anchor': 'end' }, short(vMax)));
  svg.append(el('text', { x: left - 4, y: height - bottom, 'text-anchor': 'end' }, '0'));
  svg.append(el('text', { x: width - right, y: height - 4, 'text-anchor': 'end' }, `${Math.round((t1 - t0) / 1000)} s`));
  for (const s of series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    const line = el('polyline', { points: d, fill: 'none', stroke: s.colour, 'stroke-width': s.width ?? 1.5, 'data-series': s.name });
    line.append(el('title', {}, s.name));
    svg.append(line);
  }
}
