/** Small SVG charts drawn on the server from numbers only (no script, no library). */
import type { DayActivity } from '../../ingest/activity.js';
import { escapeHtml, raw, type Html } from './html.js';

export function barChart(title: string, bars: ReadonlyArray<{ label: string; value: number; color: string }>): Html {
  const w = 460;
  const h = 180;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const bw = Math.floor((w - 40) / Math.max(1, bars.length));
  const parts = bars.map((b, i) => {
    const bh = Math.round((b.value / max) * (h - 50));
    const x = 30 + i * bw;
    const y = h - 30 - bh;
    return `<rect x="${x + 6}" y="${y}" width="${bw - 12}" height="${bh}" fill="${b.color}"><title>${escapeHtml(b.label)}: ${b.value}</title></rect>
<text x="${x + bw / 2}" y="${h - 14}" text-anchor="middle" font-size="11">${escapeHtml(b.label)}</text>
<text x="${x + bw / 2}" y="${y - 4}" text-anchor="middle" font-size="12" font-weight="600">${b.value}</text>`;
  });
  return raw(`<svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" style="background:#fff;border:1px solid #d8dee6;border-radius:6px">
<text x="10" y="18" font-size="13" font-weight="600">${escapeHtml(title)}</text>${parts.join('')}</svg>`);
}

/** Accepted (green) and rejected (red) per day, files and sets side by side. */
export function activityChart(days: readonly DayActivity[]): Html {
  const w = 760;
  const h = 200;
  const max = Math.max(1, ...days.map((d) => Math.max(d.filesAccepted + d.filesRejected, d.setsAccepted + d.setsRejected)));
  const step = (w - 50) / Math.max(1, days.length);
  const scale = (v: number): number => (v / max) * (h - 60);
  const bars = days.map((d, i) => {
    const x = 40 + i * step;
    const bw = Math.max(2, step / 2 - 2);
    const col = (x0: number, ok: number, bad: number, what: string): string => {
      const okH = scale(ok);
      const badH = scale(bad);
      const base = h - 30;
      return `<rect x="${x0.toFixed(1)}" y="${(base - okH).toFixed(1)}" width="${bw.toFixed(1)}" height="${okH.toFixed(1)}" fill="${what === 'files' ? '#2e8b57' : '#7cc49a'}"><title>${d.day} ${what} accepted: ${ok}</title></rect>
<rect x="${x0.toFixed(1)}" y="${(base - okH - badH).toFixed(1)}" width="${bw.toFixed(1)}" height="${badH.toFixed(1)}" fill="${what === 'files' ? '#c0392b' : '#e8867b'}"><title>${d.day} ${what} rejected: ${bad}</title></rect>`;
    };
    const label = i % 5 === 0 || i === days.length - 1 ? `<text x="${(x + step / 2).toFixed(1)}" y="${h - 12}" text-anchor="middle" font-size="10">${d.day.slice(5)}</text>` : '';
    return col(x, d.filesAccepted, d.filesRejected, 'files') + col(x + bw + 1, d.setsAccepted, d.setsRejected, 'sets') + label;
  });
  const legend = `<g font-size="11"><rect x="200" y="8" width="10" height="10" fill="#2e8b57"/><text x="214" y="17">files accepted</text>
<rect x="300" y="8" width="10" height="10" fill="#c0392b"/><text x="314" y="17">files rejected</text>
<rect x="400" y="8" width="10" height="10" fill="#7cc49a"/><text x="414" y="17">sets accepted</text>
<rect x="500" y="8" width="10" height="10" fill="#e8867b"/><text x="514" y="17">sets rejected</text></g>`;
  return raw(`<svg role="img" aria-label="Files and sets, last ${days.length} days" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" style="background:#fff;border:1px solid #d8dee6;border-radius:6px">
<text x="10" y="18" font-size="13" font-weight="600">Last ${days.length} days</text>${legend}
<text x="34" y="40" text-anchor="end" font-size="10">${max}</text><line x1="38" y1="${h - 30}" x2="${w - 8}" y2="${h - 30}" stroke="#b8c2cc"/>${bars.join('')}</svg>`);
}
