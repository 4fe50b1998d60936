/**
 * The durable sent-log: one small JSON marker file per delivered notification,
 * named by the sha256 of its idempotency key, written right after the provider
 * accepted the message and read before every send.
 *
 * A marker file rather than a shared append-only file: a lookup is one read, a
 * write is a rename (atomic, so a reader never sees half a record), and writers
 * of different keys never touch the same file, in one worker process or several
 * sharing DATA_DIR.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';

export interface SentRecord {
  /** The idempotency key, `${workflowId}/${request.key}`. */
  key: string;
  channel: 'email' | 'slack';
  /** The e-mail Message-ID, the Slack message ts or the file written. */
  providerId?: string;
  at: string;
}

export interface SentLog {
  find(key: string): Promise<SentRecord | undefined>;
  record(entry: SentRecord): Promise<void>;
}

export function fileSentLog(dir: string): SentLog {
  const file = (key: string) => path.join(dir, `${deliveryHash(key)}.json`);
  return {
    async find(key) {
      try {
        return JSON.parse(await readFile(file(key), 'utf8')) as SentRecord;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async record(entry) {
      await writeFileAtomic(file(entry.key), `${JSON.stringify(entry)}\n`);
    },
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
