// A small SVG line chart (put/get TPS of the cluster page); no library.

export interface Series {
  name: string;
  color: string;
  points: [number, number][]; // [time ms, value]
}

const NS = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string>): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

export function lineChart(id: string, series: Series[], width = 720, height = 220): SVGElement {
  const pad = 40;
  const root = svg('svg', { id, width: String(width), height: String(height), class: 'chart' });
  const all = series.flatMap((s) => s.points);
  const t0 = Math.min(...all.map((p) => p[0]), Date.now() - 60_000);
  const t1 = Math.max(...all.map((p) => p[0]), t0 + 1);
  const vmax = Math.max(1, ...all.map((p) => p[1]));
  const x = (t: number) => pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad);
  const y = (v: number) => height - pad + 10 - (v / vmax) * (height - 2 * pad);
  root.append(svg('line', { x1: String(pad), y1: String(y(0)), x2: String(width - pad), y2: String(y(0)), class: 'axis' }));
  root.append(svg('line', { x1: String(pad), y1: String(y(0)), x2: String(pad), y2: String(y(vmax)), class: 'axis' }));
  const label = (text: string, lx: number, ly: number, anchor = 'end') => {
    const t = svg('text', { x: String(lx), y: String(ly), 'text-anchor': anchor, class: 'tick' });
    t.textContent = text;
    root.append(t);
  };
  label(vmax.toFixed(1), pad - 4, y(vmax) + 4);
  label('0', pad - 4, y(0) + 4);
  label(new Date(t0).toLocaleTimeString(), pad, height - 8, 'start');
  label(new Date(t1).toLocaleTimeString(), width - pad, height - 8);
  series.forEach((s, i) => {
    if (s.points.length > 0) {
      const d = s.points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
      root.append(svg('polyline', { points: d, fill: 'none', stroke: s.color, 'stroke-width': '2', 'data-series': s.name }));
    }
    const lx = pad + 10 + i * 150;
    root.append(svg('rect', { x: String(lx), y: '6', width: '10', height: '10', fill: s.color }));
    label(s.name, lx + 14, 15, 'start');
  });
  return root;
}
