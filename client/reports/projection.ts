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
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { SA_REPORT_AT, onboardingWorkflowId } from '../../workflows/messages';
import { REPORT_STAMP_WINDOW_MS } from '../../workflows/report';
import { ReportWarmingUpError } from '../errors';
import type { OnboardingReport, ReportQuery } from '../apiTypes';
import type { ReportsProvider } from '../api/route';
import { visibilityQuery } from '../visibility';
import { aggregate, type AggregateOptions, type ReportRow } from './aggregate';
import { PAGE_SIZE, toRow } from './collect';
import { fileProjectionStore, type ProjectionChanges, type ProjectionStore, type StoredRow } from './projectionStore';

export interface ProjectionOptions extends AggregateOptions {
  /** Where the projection is kept between runs: a store, or a DATA_DIR for the file store; none: memory only, every start lists every partner. */
  store?: ProjectionStore;
  dataDir?: string;
  /** How often changed partners are read from visibility; default 5 s. */
  syncIntervalMs?: number;
  /** How far before the last sync a sync reads again: the stamp window, visibility's lag and clock skew; default 2 min. */
  overlapMs?: number;
  /** How often every partner is listed again; default 6 h. */
  fullScanIntervalMs?: number;
  /** How often the file store rewrites its file when something changed; default 5 min. */
  snapshotIntervalMs?: number;
  /** Reports served from memory per filter for this long (the rows change only at a sync); default 2 s. */
  cacheTtlMs?: number;
  /**
   * How long a report waits for the first sync before answering ReportWarmingUpError
   * (HTTP 503 with Retry-After); default 5 s. A start from a stored projection is
   * ready well within it; the first start of a deployment lists every partner first.
   */
  firstReportWaitMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  now?: () => number;
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
  private rows = new Map<string, StoredRow>();
  private unprojected = new Set<string>();
  private syncedToMs: number | null = null;
  private fullScanAtMs = 0;
  private memoBytes = 0;
  private readonly store: ProjectionStore | null;
  /** Changes the store has not taken yet. */
  private changes: ProjectionChanges = { full: false, upserted: new Set(), deleted: new Set() };
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
  private readonly cacheTtlMs: number;
  private readonly firstReportWaitMs: number;
  /** A sync has succeeded: the rows are complete as of it. */
  private isReady = false;
  private readonly firstSuccess: Promise<void>;
  private markReady!: () => void;
  /** Rows read by the sync under way (progress of the first listing). */
  private listed = 0;
  private readonly now: () => number;
  private readonly log: NonNullable<ProjectionOptions['log']>;

  constructor(
    private readonly client: Client,
    private readonly options: ProjectionOptions = {},
  ) {
    this.syncIntervalMs = options.syncIntervalMs ?? 5_000;
    this.overlapMs = options.overlapMs ?? REPORT_STAMP_WINDOW_MS + 60_000;
    this.fullScanIntervalMs = options.fullScanIntervalMs ?? 6 * 3_600_000;
    this.store = options.store ?? (options.dataDir ? fileProjectionStore(options.dataDir, { intervalMs: options.snapshotIntervalMs, now: options.now }) : null);
    this.cacheTtlMs = options.cacheTtlMs ?? 2_000;
    this.firstReportWaitMs = options.firstReportWaitMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.initial = new Promise<void>((resolve) => (this.startInitial = resolve)).then(async () => {
      await this.load();
      await this.sync();
    });
    this.firstSuccess = new Promise<void>((resolve) => (this.markReady = resolve));
    // A rejected first sync is reported to whoever asks for a report; it must not go unhandled meanwhile.
    this.initial.catch(() => undefined);
  }

  /** Loads the stored projection (if any) and starts syncing; the first report waits for the first sync. */
  start(): this {
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

  /** Stops syncing, saves what the store has not taken yet, and closes the store. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.initial.catch(() => undefined);
    await this.running?.catch(() => undefined);
    await this.persist(true);
    await this.store?.close();
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
    if (!this.isReady) await this.firstSync();
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

  /**
   * Waits for the first successful sync up to `firstReportWaitMs`, then says how far
   * the listing is. A failed first attempt answers its error (Temporal unreachable:
   * 503) until a later sync, every `syncIntervalMs`, succeeds.
   */
  private async firstSync(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waited'>((resolve) => (timer = setTimeout(() => resolve('waited'), this.firstReportWaitMs)));
    try {
      const first = await Promise.race([this.firstSuccess.then(() => 'ready' as const), this.initial.then(() => 'ready' as const), waited]);
      if (first === 'waited') throw new ReportWarmingUpError(this.listed);
    } finally {
      clearTimeout(timer);
    }
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
    const seen = full ? new Map<string, StoredRow>() : this.rows;
    const unprojected = full ? new Set<string>() : this.unprojected;
    let pages = 0;
    let read = 0;
    type Page = temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
    const list = (nextPageToken?: Uint8Array): Promise<Page> =>
      this.client.workflowService.listWorkflowExecutions({ namespace: this.client.options.namespace, query, pageSize: PAGE_SIZE, nextPageToken });
    // The next page is asked for before this one is decoded: the server lists while the API decodes.
    let next: Promise<Page> | undefined = list();
    while (next) {
      const page: Page = await next;
      next = page.nextPageToken?.length ? list(page.nextPageToken) : undefined;
      next?.catch(() => undefined); // awaited at the next turn; not unhandled if decoding this page fails first
      pages += 1;
      const rows = await Promise.all(page.executions.map((info) => toRow(this.client, info)));
      page.executions.forEach((info, i) => {
        const workflowId = info.execution?.workflowId ?? '';
        const row = rows[i];
        read += 1;
        this.listed = read;
        if (!row) {
          unprojected.add(workflowId);
          if (seen.delete(workflowId)) this.changes.deleted.add(workflowId);
          return;
        }
        unprojected.delete(workflowId);
        seen.set(workflowId, { ...row.row, bytes: row.bytes, readAtMs: startedMs });
        this.changes.upserted.add(workflowId);
        this.changes.deleted.delete(workflowId);
      });
      if (full && pages % 20 === 0) this.log('report projection: listing every partner', { read });
    }
    if (full) {
      this.rows = seen;
      this.unprojected = unprojected;
      this.fullScanAtMs = startedMs;
      this.changes = { full: true, upserted: new Set(), deleted: new Set() };
    }
    this.syncedToMs = startedMs;
    this.memoBytes = 0;
    for (const row of this.rows.values()) this.memoBytes += row.bytes;
    if (read) this.cache.clear();
    this.last = { kind: full ? 'full' : 'changes', pages, rows: read, ms: this.now() - startedMs, atMs: startedMs };
    this.isReady = true;
    this.markReady();
    if (full) this.log('report projection: every partner listed', { partners: this.rows.size, pages, ms: this.last.ms });
    await this.persist(false);
  }

  /** Starts from what the store holds; a store that cannot be read costs a full listing, never the API. */
  private async load(): Promise<void> {
    if (!this.store) return;
    const t0 = this.now();
    try {
      const stored = await this.store.load();
      if (!stored) return;
      this.rows = stored.rows;
      this.syncedToMs = stored.syncedToMs;
      this.fullScanAtMs = stored.fullScanAtMs;
      this.log('report projection: loaded', { from: this.store.where, partners: this.rows.size, syncedTo: new Date(stored.syncedToMs).toISOString(), ms: this.now() - t0 });
    } catch (err) {
      this.log('report projection: stored projection unreadable; listing every partner', { from: this.store.where, error: (err as Error).message });
    }
  }

  /** Hands the pending changes to the store; a store that cannot be written keeps them for the next sync. */
  private async persist(force: boolean): Promise<void> {
    if (!this.store || this.syncedToMs === null) return;
    // Nothing changes `this.changes` meanwhile: syncs run one at a time, and stop() waits for the one running.
    try {
      const taken = await this.store.save({ syncedToMs: this.syncedToMs, fullScanAtMs: this.fullScanAtMs, rows: this.rows }, this.changes, force);
      if (taken) this.changes = { full: false, upserted: new Set(), deleted: new Set() };
    } catch (err) {
      this.log('report projection: saving failed; retrying at the next sync', { to: this.store.where, error: (err as Error).message });
    }
  }
}
