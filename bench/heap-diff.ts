/**
 * Where the memory of one more cached workflow goes: the difference between two
 * V8 heap snapshots of a worker, taken at a and b cached workflows, grouped by
 * object kind (node type and constructor or function name) and divided by b - a.
 *
 *   npx tsx bench/heap-diff.ts <a.heapsnapshot> <b.heapsnapshot> <workflows between them>
 *
 * Snapshots are read as bytes (they are too large for one JSON string): only the
 * `nodes` and `strings` arrays are parsed.
 */
import fs from 'node:fs';

interface Group {
  type: string;
  name: string;
  count: number;
  bytes: number;
}

function indexAfter(buf: Buffer, token: string, from = 0): number {
  const at = buf.indexOf(token, from);
  if (at < 0) throw new Error(`heap snapshot: ${token} not found`);
  return at + token.length;
}

function parseNumbers(buf: Buffer, start: number): { values: Float64Array; end: number } {
  const out: number[] = [];
  let n = 0;
  let inNumber = false;
  let i = start;
  for (; i < buf.length; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      inNumber = true;
    } else {
      if (inNumber) out.push(n);
      n = 0;
      inNumber = false;
      if (c === 93) break; // ]
    }
  }
  return { values: Float64Array.from(out), end: i };
}

function parseStrings(buf: Buffer, start: number): string[] {
  const out: string[] = [];
  let i = start;
  for (;;) {
    while (buf[i] !== 34 && buf[i] !== 93) i++; // to the next " or ]
    if (buf[i] === 93) return out;
    let j = i + 1;
    while (buf[j] !== 34) j += buf[j] === 92 ? 2 : 1; // skip escapes
    out.push(JSON.parse(buf.toString('utf8', i, j + 1)) as string);
    i = j + 1;
  }
}

/** Self sizes by (type, name) in one snapshot. */
export function heapGroups(file: string): Map<string, Group> {
  const buf = fs.readFileSync(file);
  const metaEnd = indexAfter(buf, '"nodes":');
  const head = JSON.parse(`${buf.toString('utf8', 0, metaEnd - '"nodes":'.length).replace(/,\s*$/, '')}}`) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  };
  const fields = head.snapshot.meta.node_fields;
  const types = head.snapshot.meta.node_types[0];
  const { values: nodes } = parseNumbers(buf, indexAfter(buf, '[', metaEnd));
  const strings = parseStrings(buf, indexAfter(buf, '[', indexAfter(buf, '"strings":')));
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const groups = new Map<string, Group>();
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]!] ?? '?';
    let name = strings[nodes[i + nameAt]!] ?? '?';
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' || type === 'code') name = '';
    if (name.length > 60) name = `${name.slice(0, 57)}...`;
    const key = `${type}\u0000${name}`;
    const g = groups.get(key) ?? { type, name, count: 0, bytes: 0 };
    g.count += 1;
    g.bytes += nodes[i + sizeAt]!;
    groups.set(key, g);
  }
  return groups;
}

export interface HeapDiff {
  byKind: Group[];
  byType: { type: string; bytes: number; count: number }[];
  totalBytes: number;
}

export function heapDiff(fileA: string, fileB: string): HeapDiff {
  const a = heapGroups(fileA);
  const b = heapGroups(fileB);
  const byKind: Group[] = [];
  for (const [key, g] of b) {
    const before = a.get(key);
    byKind.push({ ...g, count: g.count - (before?.count ?? 0), bytes: g.bytes - (before?.bytes ?? 0) });
  }
  byKind.sort((x, y) => y.bytes - x.bytes);
  const types = new Map<string, { type: string; bytes: number; count: number }>();
  for (const g of byKind) {
    const t = types.get(g.type) ?? { type: g.type, bytes: 0, count: 0 };
    t.bytes += g.bytes;
    t.count += g.count;
    types.set(g.type, t);
  }
  const byType = [...types.values()].sort((x, y) => y.bytes - x.bytes);
  return { byKind, byType, totalBytes: byType.reduce((s, t) => s + t.bytes, 0) };
}

export function printHeapDiff(diff: HeapDiff, workflows: number, top = 30): void {
  const kb = (bytes: number) => (bytes / 1024 / workflows).toFixed(1);
  console.log(`\nV8 heap per cached workflow: ${kb(diff.totalBytes)} KB (self sizes, snapshot difference / ${workflows})`);
  console.table(diff.byType.filter((t) => Math.abs(t.bytes) > 1024 * workflows * 0.5).map((t) => ({ type: t.type, 'KB per workflow': kb(t.bytes), 'objects per workflow': Math.round(t.count / workflows) })));
  console.table(
    diff.byKind.slice(0, top).map((g) => ({ type: g.type, name: g.name, 'KB per workflow': kb(g.bytes), 'objects per workflow': (g.count / workflows).toFixed(1) })),
  );
}

if (require.main === module) {
  const [a, b, n] = process.argv.slice(2);
  if (!a || !b || !n) {
    process.stderr.write('usage: npx tsx bench/heap-diff.ts <a.heapsnapshot> <b.heapsnapshot> <workflows between them>\n');
    process.exit(2);
  }
  printHeapDiff(heapDiff(a, b), Number(n));
}
