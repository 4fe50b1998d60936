/**
 * The local sent-log (marker files in DATA_DIR/sent-log, for `npm start`): the
 * claim/confirm protocol the activity speaks, and pruning past the retention.
 */
import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { deliveryHash, fileSentLog, SENT_LOG_RETENTION_MS } from '../../activities/sentLog';
import { tempDir } from './fixtures/support';

describe('the file sent-log', () => {
  let dirs: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dirs = await tempDir();
  });
  afterAll(async () => {
    await dirs.remove();
  });

  test('an unsent key is claimed; once confirmed, every claim reports it sent', async () => {
    const log = fileSentLog(path.join(dirs.dir, 'a'));
    const claim = await log.claim('wf/welcome', 'email');
    expect(claim.status).toBe('claimed');
    await log.confirm((claim as { token: string }).token, { key: 'wf/welcome', channel: 'email', providerId: '<m@x>', at: '2026-11-30T09:00:00.000Z' });
    expect(await fileSentLog(path.join(dirs.dir, 'a')).claim('wf/welcome', 'email')).toEqual({
      status: 'sent',
      record: { key: 'wf/welcome', channel: 'email', providerId: '<m@x>', at: '2026-11-30T09:00:00.000Z' },
    });
  });

  test('prune removes markers older than the cut-off and keeps the rest', async () => {
    const dir = path.join(dirs.dir, 'b');
    const log = fileSentLog(dir);
    for (const key of ['old/1', 'old/2', 'new/3']) {
      await log.confirm('t', { key, channel: 'slack', at: new Date().toISOString() });
    }
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3_600_000);
    for (const key of ['old/1', 'old/2']) await utimes(path.join(dir, `${deliveryHash(key)}.json`), eightDaysAgo, eightDaysAgo);
    expect(await log.prune(new Date(Date.now() - SENT_LOG_RETENTION_MS))).toBe(2);
    expect((await log.claim('old/1', 'slack')).status).toBe('claimed');
    expect((await log.claim('new/3', 'slack')).status).toBe('sent');
    expect(await fileSentLog(path.join(dirs.dir, 'missing')).prune(new Date())).toBe(0);
  });
});
