/**
 * The sent-log: which notifications have gone out, by idempotency key
 * (`${workflowId}/${request.key}`). The notification activity asks it for a
 * claim before it sends and confirms the claim once the provider accepted the
 * message (./index.ts):
 *
 *   claim(key)  -> 'sent'     already delivered: report it, send nothing
 *               -> 'busy'     another attempt holds a live claim: throw, Temporal retries later
 *               -> 'claimed'  send now, then confirm(key, token, …), or release(key, token) when nothing went out
 *
 * Two stores:
 *   - fileSentLog (this file): marker files under DATA_DIR/sent-log, for one host (`npm start`);
 *   - pgSentLog (./pgSentLog.ts): a table every worker shares (SENT_LOG_DATABASE_URL), with
 *     claims that expire, for workers on several hosts. docs/ARCHITECTURE.md explains the design.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface SentRecord {
  /** The idempotency key, `${workflowId}/${request.key}`. */
  key: string;
  channel: 'email' | 'slack';
  /** The e-mail Message-ID, the Slack message ts or the file written. */
  providerId?: string;
  at: string;
}

export type Claim =
  | { status: 'claimed'; token: string }
  | { status: 'sent'; record: SentRecord }
  | { status: 'busy'; until: string };

export interface SentLog {
  claim(key: string, channel: SentRecord['channel']): Promise<Claim>;
  /** The provider accepted the message: from now on every claim of `key` answers 'sent'. */
  confirm(token: string, record: SentRecord): Promise<void>;
  /** Nothing went out (a permanent failure, or a transient one before the send): the key may be claimed again. */
  release(key: string, token: string): Promise<void>;
  /** Forgets entries older than `before`; returns how many. */
  prune(before: Date): Promise<number>;
  close(): Promise<void>;
}

/**
 * How long the sent-log keeps an entry. A key is only ever claimed again by a
 * retry of the same activity: its retry policy (15 attempts, 10 s doubling to at
 * most 30 min, 1-minute attempts) spans about 4.5 hours; or by the workflow
 * requesting it again when a recipient's quiet hours end: within a day (a
 * quiet-hours window is shorter than a day), a weekend later for a partner
 * e-mail that also waits for business hours. 7 days is past both.
 */
export const SENT_LOG_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * One small JSON marker file per delivered notification, named by the sha256
 * of its key, written right after the provider accepted the message. A lookup
 * is one read, a write is a rename (atomic, so a reader never sees half a
 * record), and writers of different keys never touch the same file.
 *
 * It has no claims: two attempts of one key run one after the other on one host
 * (Temporal retries an activity only after the last attempt failed or timed
 * out). Workers on several hosts need the shared store, ./pgSentLog.ts.
 */
export function fileSentLog(dir: string): SentLog {
  const file = (key: string) => path.join(dir, `${deliveryHash(key)}.json`);
  return {
    async claim(key) {
      try {
        return { status: 'sent', record: JSON.parse(await readFile(file(key), 'utf8')) as SentRecord };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'claimed', token: randomUUID() };
        throw err;
      }
    },
    async confirm(_token, record) {
      await writeFileAtomic(file(record.key), `${JSON.stringify(record)}\n`);
    },
    async release() {},
    async prune(before) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw err;
      }
      let removed = 0;
      for (const name of names) {
        const full = path.join(dir, name);
        try {
          if ((await stat(full)).mtimeMs < before.getTime()) {
            await unlink(full);
            removed += 1;
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      return removed;
    },
    async close() {},
  };
}

/** sha256 of an idempotency key, hex: names its marker, its outbox file and its Message-ID. */
export function deliveryHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Writes through a unique temporary file, fsyncs, then renames over `file`. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomUUID()}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}
