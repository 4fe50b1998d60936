/** Aligned plain-text tables and small value formatters for the CLI. */

export type Cell = string | number | boolean | null | undefined;

function text(cell: Cell): string {
  if (cell === null || cell === undefined || cell === '') return '-';
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  return String(cell);
}

/** Columns padded to their widest cell, headers upper-cased; the last column is not padded. */
export function table(headers: string[], rows: Cell[][]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => r.map(text))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '))
    .join('\n');
}

/** `label  value` lines, labels aligned. */
export function fields(pairs: [string, Cell][]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${text(value)}`).join('\n');
}

/** `2026-11-27T09:00:00.000Z` -> `2026-11-27 09:00`; null stays null. */
export function when(iso: string | null | undefined): string | null {
  return iso ? iso.replace('T', ' ').slice(0, 16) : null;
}

/** `2026-11-27T09:00:00.000Z` -> `2026-11-27`. */
export function day(iso: string | null | undefined): string | null {
  return iso ? iso.slice(0, 10) : null;
}

/** RFC 4180 CSV. */
export function csv(headers: string[], rows: Cell[][]): string {
  const quote = (cell: Cell) => {
    const s = cell === null || cell === undefined ? '' : String(cell);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [headers, ...rows].map((r) => r.map(quote).join(',')).join('\n');
}
