/**
 * One transaction on a pooled PostgreSQL client, safe against a connection lost
 * mid-way (a PostgreSQL restart, a failover, an administrator's
 * pg_terminate_backend).
 *
 * Why this is needed: when a connection ends unexpectedly, `pg` fails the
 * client's queries and also emits 'error' on the client. The pool listens for
 * that only while the client is idle in the pool. A client checked out with
 * `pool.connect()` has no listener, so the event becomes an uncaught exception
 * and ends the process. For the worker that meant one PostgreSQL restart during
 * its first sent-log use (the schema check) killed it. Here the loss fails this
 * transaction (its caller retries, as the activity's retries do) and the broken
 * client is discarded, not returned to the pool.
 */
import type pg from 'pg';

export async function pgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost ??= err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (!lost) await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', onError);
    // With an error, the pool closes the client instead of handing it out again.
    client.release(lost);
  }
}
