/**
 * Where the report's projection (./projection.ts) keeps its rows between two
 * runs of the API, so that a new API does not list every partner from
 * visibility before its first report (docs/reports.md, "Cold start").
 *
 * - fileProjectionStore: one JSON file under DATA_DIR, rewritten at most every
 *   few minutes and on stop. Enough for one API whose DATA_DIR is a persistent
 *   volume (`npm start`).
 * - pgProjectionStore (REPORT_PROJECTION_DATABASE_URL): a table in PostgreSQL,
 *   written as the projection changes (the changed rows only), so it outlives the
 *   API's volume and every API replica starts from it: a replaced container
 *   with an empty DATA_DIR answers its first report in seconds, not after
 *   listing 100,000 partners from visibility.
 *
 * A store is a cache of visibility, never the truth: the projection's full
 * listing every 6 h replaces it, and a store that cannot be read or written only
 * costs a slower start.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { REPORT_SCHEMA_VERSION } from '../../workflows/report';
import type { Config } from '../../config/env';
import { pgTransaction } from '../../activities/pgTransaction';
import type { ReportRow } from './aggregate';

export interface StoredRow extends ReportRow {
  bytes: number;
  /** When the sync that read this row from visibility started: of two writers, the later read wins. */
  readAtMs: number;
}

/** The projection as a store holds it. */
export interface StoredProjection {
  /** Changes stamped before this instant are in the rows. */
  syncedToMs: number;
  fullScanAtMs: number;
  rows: Map<string, StoredRow>;
}

/** What changed since the store last took the projection. */
export interface ProjectionChanges {
  /** A full listing replaced every row. */
  full: boolean;
  /** Workflow ids whose row was added or replaced. */
  upserted: Set<string>;
  /** Workflow ids whose row is gone (unreadable now, or no longer in visibility). */
  deleted: Set<string>;
}

export interface ProjectionStore {
  /** For logs: where it keeps the projection. */
  readonly where: string;
  /** The projection last saved, or null (none yet, or saved by another summary schema). */
  load(): Promise<StoredProjection | null>;
  /**
   * Takes the projection and what changed since the last save that returned
   * true; returns false when it chose not to write now (the changes stay pending).
   * `force`: the API is stopping.
   */
  save(state: StoredProjection, changes: ProjectionChanges, force: boolean): Promise<boolean>;
  close(): Promise<void>;
}

const FILE_VERSION = 1;
export const SNAPSHOT_FILE = 'report-projection.json';

interface SnapshotFile {
  v: number;
  summaryV: number;
  syncedToMs: number;
  fullScanAtMs: number;
  rows: [workflowId: string, partnerId: string, name: string | null, summary: ReportRow['summary'], bytes: number][];
}

/** The whole projection in one file, written through a temporary file and a rename, at most every `intervalMs` (default 5 min) unless forced. */
export function fileProjectionStore(dataDir: string, options: { intervalMs?: number; now?: () => number } = {}): ProjectionStore {
  const file = path.join(dataDir, SNAPSHOT_FILE);
  const intervalMs = options.intervalMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let savedAtMs = 0;
  return {
    where: file,
    async load() {
      if (!fs.existsSync(file)) return null;
      const snapshot = JSON.parse(await fs.promises.readFile(file, 'utf8')) as SnapshotFile;
      savedAtMs = now();
      if (snapshot.v !== FILE_VERSION || snapshot.summaryV !== REPORT_SCHEMA_VERSION) return null;
      return {
        syncedToMs: snapshot.syncedToMs,
        fullScanAtMs: snapshot.fullScanAtMs,
        rows: new Map(snapshot.rows.map(([workflowId, partnerId, name, summary, bytes]) => [workflowId, { partnerId, name, summary, bytes, readAtMs: snapshot.syncedToMs }])),
      };
    },
    async save(state, changes, force) {
      if (!changes.full && !changes.upserted.size && !changes.deleted.size) return true;
      if (!force && now() - savedAtMs < intervalMs) return false;
      const snapshot: SnapshotFile = {
        v: FILE_VERSION,
        summaryV: REPORT_SCHEMA_VERSION,
        syncedToMs: state.syncedToMs,
        fullScanAtMs: state.fullScanAtMs,
        rows: [...state.rows].map(([workflowId, r]) => [workflowId, r.partnerId, r.name, r.summary, r.bytes]),
      };
      await fs.promises.mkdir(dataDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, JSON.stringify(snapshot));
      await fs.promises.rename(tmp, file);
      savedAtMs = now();
      return true;
    },
    async close() {},
  };
}

const ROWS = 'onboarding_report_projection';
const STATE = 'onboarding_report_projection_state';
const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${ROWS} (
  namespace   text    NOT NULL,
  workflow_id text    NOT NULL,
  partner_id  text    NOT NULL,
  name        text,
  summary     text    NOT NULL,
  bytes       integer NOT NULL,
  read_at_ms  bigint  NOT NULL,
  PRIMARY KEY (namespace, workflow_id)
);
CREATE TABLE IF NOT EXISTS ${STATE} (
  namespace       text        PRIMARY KEY,
  summary_v       integer     NOT NULL,
  synced_to_ms    bigint      NOT NULL,
  full_scan_at_ms bigint      NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);`;

/** Rows per INSERT: 6 arrays of 2,000 values each. */
const BATCH = 2_000;

export interface PgProjectionStoreOptions {
  url: string;
  /** Two namespaces (staging, production) may share the database. */
  namespace: string;
  onError?: (err: Error) => void;
}

/**
 * The projection in two tables: one row per partner, and the sync point. Each
 * save is one transaction: the rows changed since the last save (a full listing
 * writes them all and drops the rest) and the sync point, so every change
 * stamped before the stored point is in the stored rows.
 *
 * Several API replicas may write it. Each row keeps when it was read, and an
 * older read never overwrites a newer one; the sync point only moves forward.
 * Each replica writes every change it has applied, so the stored rows are at
 * least as new as any writer's view at the point it stored.
 */
export function pgProjectionStore(opts: PgProjectionStoreOptions): ProjectionStore {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: 2,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 60_000,
    application_name: 'partner-onboarding-report-projection',
  });
  pool.on('error', (err) => opts.onError?.(err));
  const { namespace } = opts;
  let ready: Promise<void> | undefined;
  const ensureSchema = () =>
    (ready ??= (async () => {
      await transaction(async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('${ROWS}'))`);
        await client.query(SCHEMA);
      });
    })().catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));

  const transaction = <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => pgTransaction(pool, fn);

  async function upsert(client: pg.PoolClient, ids: string[], rows: Map<string, StoredRow>): Promise<void> {
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH).flatMap((id) => {
        const row = rows.get(id);
        return row ? [[id, row] as const] : [];
      });
      if (!batch.length) continue;
      await client.query(
        `INSERT INTO ${ROWS} AS r (namespace, workflow_id, partner_id, name, summary, bytes, read_at_ms)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[])
         ON CONFLICT (namespace, workflow_id) DO UPDATE
           SET partner_id = excluded.partner_id, name = excluded.name, summary = excluded.summary,
               bytes = excluded.bytes, read_at_ms = excluded.read_at_ms
           WHERE r.read_at_ms <= excluded.read_at_ms`,
        [
          namespace,
          batch.map(([id]) => id),
          batch.map(([, r]) => r.partnerId),
          batch.map(([, r]) => r.name),
          batch.map(([, r]) => JSON.stringify(r.summary)),
          batch.map(([, r]) => r.bytes),
          batch.map(([, r]) => r.readAtMs),
        ],
      );
    }
  }

  return {
    where: `PostgreSQL table ${ROWS} (namespace ${namespace})`,
    async load() {
      await ensureSchema();
      const state = await pool.query<{ summary_v: number; synced_to_ms: string; full_scan_at_ms: string }>(
        `SELECT summary_v, synced_to_ms, full_scan_at_ms FROM ${STATE} WHERE namespace = $1`,
        [namespace],
      );
      const head = state.rows[0];
      if (!head || head.summary_v !== REPORT_SCHEMA_VERSION) return null;
      const rows = new Map<string, StoredRow>();
      const result = await pool.query<{ workflow_id: string; partner_id: string; name: string | null; summary: string; bytes: number; read_at_ms: string }>(
        `SELECT workflow_id, partner_id, name, summary, bytes, read_at_ms FROM ${ROWS} WHERE namespace = $1`,
        [namespace],
      );
      for (const r of result.rows) {
        const summary = JSON.parse(r.summary) as StoredRow['summary'];
        rows.set(r.workflow_id, { partnerId: r.partner_id, name: r.name, summary, bytes: r.bytes, readAtMs: Number(r.read_at_ms) });
      }
      return { syncedToMs: Number(head.synced_to_ms), fullScanAtMs: Number(head.full_scan_at_ms), rows };
    },
    async save(state, changes, force) {
      if (!force && !changes.full && !changes.upserted.size && !changes.deleted.size) return true;
      await ensureSchema();
      await transaction(async (client) => {
        // A full listing drops the partners visibility no longer holds.
        if (changes.full) {
          await client.query(`DELETE FROM ${ROWS} WHERE namespace = $1 AND workflow_id <> ALL($2::text[])`, [namespace, [...state.rows.keys()]]);
        } else if (changes.deleted.size) {
          await client.query(`DELETE FROM ${ROWS} WHERE namespace = $1 AND workflow_id = ANY($2::text[])`, [namespace, [...changes.deleted]]);
        }
        await upsert(client, changes.full ? [...state.rows.keys()] : [...changes.upserted], state.rows);
        await client.query(
          `INSERT INTO ${STATE} AS s (namespace, summary_v, synced_to_ms, full_scan_at_ms) VALUES ($1, $2, $3, $4)
           ON CONFLICT (namespace) DO UPDATE
             SET summary_v = excluded.summary_v,
                 synced_to_ms = CASE WHEN s.summary_v = excluded.summary_v THEN GREATEST(s.synced_to_ms, excluded.synced_to_ms) ELSE excluded.synced_to_ms END,
                 full_scan_at_ms = CASE WHEN s.summary_v = excluded.summary_v THEN GREATEST(s.full_scan_at_ms, excluded.full_scan_at_ms) ELSE excluded.full_scan_at_ms END,
                 updated_at = now()`,
          [namespace, REPORT_SCHEMA_VERSION, state.syncedToMs, state.fullScanAtMs],
        );
      });
      return true;
    },
    async close() {
      await pool.end();
    },
  };
}

/** The store the configuration asks for: PostgreSQL with REPORT_PROJECTION_DATABASE_URL, else the file under DATA_DIR. */
export function projectionStoreFor(config: Pick<Config, 'reportProjection' | 'dataDir' | 'temporal'>, onError?: (err: Error) => void): ProjectionStore {
  const { databaseUrl } = config.reportProjection;
  return databaseUrl ? pgProjectionStore({ url: databaseUrl, namespace: config.temporal.namespace, onError }) : fileProjectionStore(config.dataDir);
}
