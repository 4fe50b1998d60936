/**
 * The sent-log in PostgreSQL (SENT_LOG_DATABASE_URL): one table every worker
 * shares, so a retry on any host sees what any other host sent.
 *
 * A row is a claim before the send and a record after it:
 *
 *   claim:   INSERT … ON CONFLICT DO UPDATE … WHERE the existing row is an expired claim
 *            -> a row back: ours, send now
 *            -> no row: it is 'sent' (report it) or a live claim of another attempt ('busy')
 *   confirm: state = 'sent', with the provider's id
 *   release: delete our claim (nothing went out)
 *
 * Why claims expire: the worker holding one can die (SIGKILL, host lost) between
 * the claim and the confirmation. Its claim then blocks the key until
 * `claimed_until`; after that the next retry takes it over and sends. The lease
 * (CLAIM_LEASE_MS) is longer than any one attempt can take (the activity's
 * 1-minute start-to-close timeout; SMTP and Slack calls time out well inside it),
 * so a live attempt is never overtaken. What no store can settle is a worker that
 * dies after the provider accepted the message and before the confirmation: the
 * takeover sends again. For e-mail that second copy carries the same Message-ID,
 * for Slack the transport finds the first post by its metadata and does not post.
 *
 * The namespace is part of the key: two namespaces (staging, production) may
 * share the database, and their workflow ids may be equal.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pgTransaction } from './pgTransaction';
import type { Claim, SentLog, SentRecord } from './sentLog';

/** Longer than one delivery attempt can last (1-minute activity timeout). */
export const CLAIM_LEASE_MS = 2 * 60_000;

const TABLE = 'onboarding_sent_log';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  namespace     text        NOT NULL,
  key           text        NOT NULL,
  channel       text        NOT NULL,
  state         text        NOT NULL CHECK (state IN ('claimed', 'sent')),
  token         text,
  owner         text,
  claimed_until timestamptz,
  provider_id   text,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, key)
);
CREATE INDEX IF NOT EXISTS ${TABLE}_updated_at ON ${TABLE} (updated_at);`;

export interface PgSentLogOptions {
  url: string;
  namespace: string;
  /** Who claims: shows in the table for an operator. Default `<hostname>:<pid>`. */
  owner?: string;
  leaseMs?: number;
  /** Connections per worker (default 5): claims and confirmations are single short statements. */
  maxConnections?: number;
  /** Reports pool errors (an idle connection lost during a PostgreSQL restart); they never crash the worker. */
  onError?: (err: Error) => void;
}

export function pgSentLog(opts: PgSentLogOptions): SentLog {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? 5,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 10_000,
    application_name: 'partner-onboarding-sent-log',
  });
  // An idle client whose server went away emits here; the next query opens a new connection.
  pool.on('error', (err) => opts.onError?.(err));
  const owner = opts.owner ?? `${os.hostname()}:${process.pid}`;
  const leaseMs = opts.leaseMs ?? CLAIM_LEASE_MS;
  const { namespace } = opts;

  // Created on first use, not at worker start: PostgreSQL may be down then, and the
  // activity's retries are the right place to wait for it. Two workers creating it
  // at once are serialised by an advisory lock (CREATE … IF NOT EXISTS alone can race).
  let ready: Promise<void> | undefined;
  const ensureSchema = () =>
    (ready ??= pgTransaction(pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('${TABLE}'))`);
      await client.query(SCHEMA);
    }).catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));

  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) => {
    await ensureSchema();
    return pool.query<R>(text, values);
  };

  return {
    async claim(key, channel): Promise<Claim> {
      const token = randomUUID();
      const won = await query(
        `INSERT INTO ${TABLE} AS s (namespace, key, channel, state, token, owner, claimed_until)
         VALUES ($1, $2, $3, 'claimed', $4, $5, now() + make_interval(secs => $6))
         ON CONFLICT (namespace, key) DO UPDATE
           SET token = excluded.token, owner = excluded.owner, claimed_until = excluded.claimed_until, updated_at = now()
           WHERE s.state = 'claimed' AND s.claimed_until < now()
         RETURNING token`,
        [namespace, key, channel, token, owner, leaseMs / 1000],
      );
      if (won.rowCount === 1) return { status: 'claimed', token };
      const existing = await query<{ state: string; channel: string; provider_id: string | null; updated_at: Date; claimed_until: Date | null }>(
        `SELECT state, channel, provider_id, updated_at, claimed_until FROM ${TABLE} WHERE namespace = $1 AND key = $2`,
        [namespace, key],
      );
      const row = existing.rows[0];
      // Released or pruned between the two statements: ask again.
      if (!row) return this.claim(key, channel);
      if (row.state === 'sent') {
        const record: SentRecord = {
          key,
          channel: row.channel as SentRecord['channel'],
          ...(row.provider_id !== null && { providerId: row.provider_id }),
          at: row.updated_at.toISOString(),
        };
        return { status: 'sent', record };
      }
      return { status: 'busy', until: (row.claimed_until ?? new Date()).toISOString() };
    },

    async confirm(_token, record) {
      // Whoever holds the claim now: the message went out, so the key is sent. An
      // upsert, so that a claim lost in the meantime (pruned, released) still ends as sent.
      await query(
        `INSERT INTO ${TABLE} AS s (namespace, key, channel, state, provider_id, updated_at)
         VALUES ($1, $2, $3, 'sent', $4, $5)
         ON CONFLICT (namespace, key) DO UPDATE
           SET state = 'sent', provider_id = excluded.provider_id, token = NULL, claimed_until = NULL, updated_at = excluded.updated_at
           WHERE s.state <> 'sent'`,
        [namespace, record.key, record.channel, record.providerId ?? null, record.at],
      );
    },

    async release(key, token) {
      await query(`DELETE FROM ${TABLE} WHERE namespace = $1 AND key = $2 AND state = 'claimed' AND token = $3`, [namespace, key, token]);
    },

    async prune(before) {
      // Every namespace: a worker of one namespace also tidies after a retired one.
      const r = await query(
        `DELETE FROM ${TABLE} WHERE updated_at < $1 AND (state = 'sent' OR claimed_until < $1)`,
        [before.toISOString()],
      );
      return r.rowCount ?? 0;
    },

    close: () => pool.end(),
  };
}
