/**
 * What payload encryption costs: every payload of each segment's recorded happy
 * path (test/replay/histories, plaintext), sealed and opened with the codec of
 * PAYLOAD_ENCRYPTION_KEYS. Prints the payload count, the bytes before and after,
 * and the time per payload to encrypt and to decrypt. Asserts nothing.
 *
 *   npx tsx bench/payload-codec.ts
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Payload } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { AesGcmPayloadCodec } from '../client/encryption';
import { DEFAULT_PLAYBOOK } from '../workflows/defaultPlaybook';

const ROUNDS = 20;
const DIR = path.join(__dirname, '../test/replay/histories');

/**
 * Every Payload the codec would see in a decoded history: objects with `data`
 * and a `metadata.encoding`, except search attributes (never encoded).
 */
function payloadsIn(value: unknown, out: Payload[] = []): Payload[] {
  if (Array.isArray(value)) value.forEach((v) => payloadsIn(v, out));
  else if (value && typeof value === 'object') {
    const o = value as { data?: unknown; metadata?: { encoding?: unknown } };
    if (o.data instanceof Uint8Array && o.metadata?.encoding instanceof Uint8Array) out.push(o as Payload);
    else Object.entries(value).forEach(([k, v]) => k !== 'searchAttributes' && payloadsIn(v, out));
  }
  return out;
}

const size = (payloads: Payload[]) =>
  payloads.reduce((sum, p) => sum + temporal.api.common.v1.Payload.encode(p).finish().length, 0);

async function main(): Promise<void> {
  const codec = new AesGcmPayloadCodec([{ id: 'bench', key: randomBytes(32) }]);
  console.log(`payload encryption (AES-256-GCM), ${ROUNDS} rounds per history, node ${process.version}`);
  console.log('history                                      payloads   plain B  sealed B  overhead  encrypt µs/payload  decrypt µs/payload');
  for (const file of ['core', 'strategic', 'transactional'].map((s) => `${s}-happy-path-${DEFAULT_PLAYBOOK.version}.json`)) {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
    const plain = payloadsIn(temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History, { defaults: false }));
    let sealed: Payload[] = await codec.encode(plain);
    await codec.decode(sealed); // warm-up
    let t = process.hrtime.bigint();
    for (let i = 0; i < ROUNDS; i++) sealed = await codec.encode(plain);
    const encodeUs = Number(process.hrtime.bigint() - t) / 1000 / ROUNDS / plain.length;
    t = process.hrtime.bigint();
    for (let i = 0; i < ROUNDS; i++) await codec.decode(sealed);
    const decodeUs = Number(process.hrtime.bigint() - t) / 1000 / ROUNDS / plain.length;
    const [before, after] = [size(plain), size(sealed)];
    console.log(
      `${file.padEnd(44)} ${String(plain.length).padStart(8)} ${String(before).padStart(9)} ${String(after).padStart(9)} ${`${(((after - before) / before) * 100).toFixed(1)}%`.padStart(9)} ${encodeUs.toFixed(1).padStart(19)} ${decodeUs.toFixed(1).padStart(19)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
