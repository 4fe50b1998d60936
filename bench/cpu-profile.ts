/**
 * Where a process spent its CPU: a V8 .cpuprofile (node --cpu-prof) summed by
 * self time, per function and per area (a package under node_modules, a folder
 * of ours, node internals, V8 itself).
 *
 *   npx tsx bench/cpu-profile.ts <file.cpuprofile> [top]
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node';
  if (url.includes('workflow-bundle')) return 'workflow bundle';
  const root = path.resolve(__dirname, '..');
  const file = url.replace(/^file:\/\//, '');
  return file.startsWith(root) ? path.relative(root, file).split('/')[0]! : url;
}

export interface CpuSummary {
  totalMs: number;
  byArea: { area: string; ms: number; share: string }[];
  byFunction: { fn: string; area: string; ms: number; share: string }[];
}

export function summarizeCpuProfile(file: string, top = 20): CpuSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; area: string; ms: number }>();
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + ms);
    const key = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`;
    const entry = fns.get(key) ?? { fn: key, area: a, ms: 0 };
    entry.ms += ms;
    fns.set(key, entry);
  }
  const busy = [...areas.values()].reduce((a, b) => a + b, 0);
  const share = (ms: number) => `${((100 * ms) / busy).toFixed(1)}%`;
  return {
    totalMs,
    byArea: [...areas].map(([a, ms]) => ({ area: a, ms: Math.round(ms), share: share(ms) })).sort((x, y) => y.ms - x.ms).slice(0, top),
    byFunction: [...fns.values()].sort((x, y) => y.ms - x.ms).slice(0, top).map((f) => ({ ...f, ms: Math.round(f.ms), share: share(f.ms) })),
  };
}

export function printCpuSummary(title: string, summary: CpuSummary): void {
  const idle = summary.totalMs - summary.byArea.reduce((a, b) => a + b.ms, 0);
  console.log(`\n${title}: ${Math.round(summary.totalMs)} ms sampled, about ${Math.max(0, Math.round(idle))} ms idle or outside the top areas`);
  console.table(summary.byArea);
  console.table(summary.byFunction);
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: npx tsx bench/cpu-profile.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  printCpuSummary(path.basename(file), summarizeCpuProfile(file, Number(top ?? 25)));
}
