/**
 * The report's projection: every partner's report summary, kept in memory by
 * the API and synced incrementally from Temporal visibility, so that the report
 * over 100,000 partners is an in-memory aggregation (docs/reports.md).
 *
 * - The workflow publishes its summary (memo `report`) in the same workflow task
 *   as each change, and stamps `OnboardingReportAt` (workflows/visibility.ts).
 * - Every `syncIntervalMs` the projection lists only the onboardings stamped
 *   since its last sync, minus `overlapMs` (the stamp window, visibility's lag
 *   and clock skew), and replaces their rows. A full listing runs at the first
 *   start and every `fullScanIntervalMs` (it also drops partners that visibility
 *   no longer holds, e.g. after the namespace's retention).
 * - The rows and the sync point are saved under DATA_DIR every
 *   `snapshotIntervalMs` and on stop; a restart loads them and catches up from
 *   there instead of listing every partner again.
 *
 * A report never queries a workflow (each query is a billed action).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { SA_REPORT_AT, onboardingWorkflowId } from '../../workflows/messages';
import { REPORT_SCHEMA_VERSION, REPORT_STAMP_WINDOW_MS } from '../../workflows/report';
import type { OnboardingReport, ReportQuery } from '../apiTypes';
import type { ReportsProvider } from '../api/route';
import { visibilityQuery } from '../visibility';
import { aggregate, type AggregateOptions, type ReportRow } from './aggregate';
import { PAGE_SIZE, toRow } from './collect';

export interface ProjectionOptions extends AggregateOptions {
  /** Where the snapshot is kept (DATA_DIR); none: memory only, every start lists every partner. */
  dataDir?: string;
  /** How often changed partners are read from visibility; default 5 s. */
  syncIntervalMs?: number;
  /** How far before the last sync a sync reads again: the stamp window, visibility's lag and clock skew; default 2 min. */
  overlapMs?: number;
  /** How often every partner is listed again; default 6 h. */
  fullScanIntervalMs?: number;
  /** How often the snapshot is saved when something changed; default 5 min. */
  snapshotIntervalMs?: number;
  /** Reports served from memory per filter for this long (the rows change only at a sync); default 2 s. */
  cacheTtlMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  now?: () => number;
}

interface Snapshot {
  v: number;
  /** The report summary schema the rows have. */
  summaryV: number;
  /** Changes stamped before this instant are in the rows. */
  syncedToMs: number;
  fullScanAtMs: number;
  rows: [workflowId: string, partnerId: string, name: string | null, summary: ReportRow['summary'], bytes: number][];
}

const SNAPSHOT_VERSION = 1;
const SNAPSHOT_FILE = 'report-projection.json';

interface Row extends ReportRow {
  bytes: number;
}

/** What the last sync did, for the report's `source` and for operators. */
export interface SyncStats {
  kind: 'full' | 'changes';
  pages: number;
  rows: number;
  ms: number;
  atMs: number;
}

export class ReportProjection {
  private rows = new Map<string, Row>();
  private unprojected = new Set<string>();
  private syncedToMs: number | null = null;
  private fullScanAtMs = 0;
  private memoBytes = 0;
  private dirty = false;
  private snapshotAtMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly initial: Promise<void>;
  private startInitial!: () => void;
  private stopped = false;
  private cache = new Map<string, { atMs: number; report: OnboardingReport }>();
  last: SyncStats | null = null;

  private readonly syncIntervalMs: number;
  private readonly overlapMs: number;
  private readonly fullScanIntervalMs: number;
  private readonly snapshotIntervalMs: number;
  private readonly cacheTtlMs: number;
  private readonly now: () => number;
  private readonly log: NonNullable<ProjectionOptions['log']>;

  constructor(
    private readonly client: Client,
    private readonly options: ProjectionOptions = {},
  ) {
    this.syncIntervalMs = options.syncIntervalMs ?? 5_000;
    this.overlapMs = options.overlapMs ?? REPORT_STAMP_WINDOW_MS + 60_000;
    this.fullScanIntervalMs = options.fullScanIntervalMs ?? 6 * 3_600_000;
    this.snapshotIntervalMs = options.snapshotIntervalMs ?? 5 * 60_000;
    this.cacheTtlMs = options.cacheTtlMs ?? 2_000;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.initial = new Promise<void>((resolve) => (this.startInitial = resolve)).then(() => this.sync());
    // A rejected first sync is reported to whoever asks for a report; it must not go unhandled meanwhile.
    this.initial.catch(() => undefined);
  }

  /** Loads the snapshot (if any) and starts syncing; the first report waits for the first sync. */
  start(): this {
    this.loadSnapshot();
    this.startInitial();
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.sync()
          .catch((err: unknown) => this.log('report projection: sync failed; retrying', { error: (err as Error).message }))
          .finally(tick);
      }, this.syncIntervalMs);
      this.timer.unref();
    };
    void this.initial.catch(() => undefined).finally(tick);
    return this;
  }

  /** Stops syncing and saves the snapshot. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    this.saveSnapshot(true);
  }

  /** Resolves once the projection holds every partner (the first sync after start is done). */
  ready(): Promise<void> {
    return this.initial;
  }

  /** Partners held. */
  get size(): number {
    return this.rows.size;
  }

  /** One partner's row (tests, benchmarks). */
  row(partnerId: string): ReportRow | undefined {
    return this.rows.get(onboardingWorkflowId(partnerId));
  }

  /** Reads what changed since the last sync (or everything, when due); one sync at a time. */
  sync(): Promise<void> {
    this.running ??= this.runSync().finally(() => (this.running = null));
    return this.running;
  }

  /** The report over the partners matching `filter`, as of the last sync. */
  async report(filter: ReportQuery, nowMs = this.now()): Promise<OnboardingReport> {
    await this.initial;
    const key = JSON.stringify([filter.segment, filter.manager, filter.startMonth]);
    const hit = this.cache.get(key);
    if (hit && nowMs - hit.atMs < this.cacheTtlMs) return hit.report;
    const rows: ReportRow[] = [];
    for (const row of this.rows.values()) {
      if (filter.segment && row.summary.segment !== filter.segment) continue;
      if (filter.manager && row.summary.manager !== filter.manager) continue;
      rows.push(row);
    }
    const report = aggregate(rows, filter, nowMs, { unprojected: this.unprojected.size, pages: this.last?.pages ?? 0, memoBytes: this.memoBytes }, this.options);
    this.cache.set(key, { atMs: nowMs, report });
    return report;
  }

  /** The API's reports provider. */
  provider(): ReportsProvider {
    return (filter) => this.report(filter);
  }

  private async runSync(): Promise<void> {
    const startedMs = this.now();
    const full = this.syncedToMs === null || startedMs - this.fullScanAtMs >= this.fullScanIntervalMs;
    const base = visibilityQuery({});
    const since = full ? null : new Date(this.syncedToMs! - this.overlapMs).toISOString();
    const query = since ? `${base} AND ${SA_REPORT_AT.name} >= '${since}'` : base;
    const seen = full ? new Map<string, Row>() : this.rows;
    const unprojected = full ? new Set<string>() : this.unprojected;
    let pages = 0;
    let read = 0;
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.client.workflowService.listWorkflowExecutions({
        namespace: this.client.options.namespace,
        query,
        pageSize: PAGE_SIZE,
        nextPageToken,
      });
      pages += 1;
      const rows = await Promise.all(page.executions.map((info) => toRow(this.client, info)));
      page.executions.forEach((info, i) => {
        const workflowId = info.execution?.workflowId ?? '';
        const row = rows[i];
        read += 1;
        if (!row) {
          unprojected.add(workflowId);
          seen.delete(workflowId);
          return;
        }
        unprojected.delete(workflowId);
        seen.set(workflowId, { ...row.row, bytes: row.bytes });
      });
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      if (full && pages % 20 === 0) this.log('report projection: listing every partner', { read });
    } while (nextPageToken);
    if (full) {
      this.rows = seen;
      this.unprojected = unprojected;
      this.fullScanAtMs = startedMs;
    }
    this.syncedToMs = startedMs;
    this.memoBytes = 0;
    for (const row of this.rows.values()) this.memoBytes += row.bytes;
    if (read) {
      this.dirty = true;
      this.cache.clear();
    }
    this.last = { kind: full ? 'full' : 'changes', pages, rows: read, ms: this.now() - startedMs, atMs: startedMs };
    if (full) this.log('report projection: every partner listed', { partners: this.rows.size, pages, ms: this.last.ms });
    this.saveSnapshot(false);
  }

  private snapshotFile(): string | null {
    return this.options.dataDir ? path.join(this.options.dataDir, SNAPSHOT_FILE) : null;
  }

  private loadSnapshot(): void {
    const file = this.snapshotFile();
    if (!file || !fs.existsSync(file)) return;
    try {
      const snapshot = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
      if (snapshot.v !== SNAPSHOT_VERSION || snapshot.summaryV !== REPORT_SCHEMA_VERSION) return;
      this.rows = new Map(snapshot.rows.map(([workflowId, partnerId, name, summary, bytes]) => [workflowId, { partnerId, name, summary, bytes }]));
      this.syncedToMs = snapshot.syncedToMs;
      this.fullScanAtMs = snapshot.fullScanAtMs;
      this.snapshotAtMs = this.now();
      this.log('report projection: snapshot loaded', { partners: this.rows.size, syncedTo: new Date(snapshot.syncedToMs).toISOString() });
    } catch (err) {
      this.log('report projection: snapshot unreadable; listing every partner', { file, error: (err as Error).message });
    }
  }

  private saveSnapshot(force: boolean): void {
    const file = this.snapshotFile();
    if (!file || !this.dirty || this.syncedToMs === null) return;
    if (!force && this.now() - this.snapshotAtMs < this.snapshotIntervalMs) return;
    const snapshot: Snapshot = {
      v: SNAPSHOT_VERSION,
      summaryV: REPORT_SCHEMA_VERSION,
      syncedToMs: this.syncedToMs,
      fullScanAtMs: this.fullScanAtMs,
      rows: [...this.rows].map(([workflowId, r]) => [workflowId, r.partnerId, r.name, r.summary, r.bytes]),
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(snapshot));
    fs.renameSync(tmp, file);
    this.dirty = false;
    this.snapshotAtMs = this.now();
  }
}
