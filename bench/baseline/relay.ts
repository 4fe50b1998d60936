/**
 * The least an HTTP intake can do: a bare `node:http` server that turns each
 * `POST /v1/partners/{partnerId}/events` into raw signals to the empty
 * signal-counting workflow (./workflows.ts), one per event (the body is one
 * event or an array of them, signalled in order, as the API does), and
 * answers 202. No framework, no validation, no authentication, no log line,
 * no metrics: bench/throughput.ts's `--relay` variant uses it to measure what
 * any HTTP hop costs in front of the floor, apart from what the product's API
 * adds.
 *
 *   TEMPORAL_ADDRESS=... HTTP_PORT=... node --import tsx bench/baseline/relay.ts
 *
 * Sends `{ ready: true }` over IPC once it listens.
 */
import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { onboardingWorkflowId } from '../../workflows/messages';
import { countedSignal } from './workflows';

type Event = { eventId?: unknown };

const EVENTS_PATH = /^\/v1\/partners\/([^/]+)\/events$/;

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  const port = Number(process.env.HTTP_PORT);
  if (!address) throw new Error('TEMPORAL_ADDRESS is required');
  if (!Number.isInteger(port) || port <= 0) throw new Error('HTTP_PORT must be a port number');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });

  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const match = req.method === 'POST' ? EVENTS_PATH.exec(req.url ?? '') : null;
    if (!match) {
      answer(res, 404, { error: `no route ${req.method ?? ''} ${req.url ?? ''}` });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const partnerId = decodeURIComponent(match[1]!);
      let body: Event | Event[];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Event | Event[];
      } catch {
        answer(res, 400, { error: 'the body is not JSON' });
        return;
      }
      const events = Array.isArray(body) ? body : [body];
      const handle = client.workflow.getHandle(onboardingWorkflowId(partnerId));
      // One event: one signal, nothing else; several: one after the other.
      const sent = Array.isArray(body)
        ? body.reduce<Promise<void>>((before, event) => before.then(() => handle.signal(countedSignal, event)), Promise.resolve())
        : handle.signal(countedSignal, body);
      sent.then(
        () => answer(res, 202, { partnerId, accepted: events.length, eventIds: events.map((e) => e.eventId) }),
        (err: unknown) => answer(res, 502, { error: err instanceof Error ? err.message : String(err) }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  process.send?.({ ready: true });

  const stop = () => {
    server.close();
    server.closeAllConnections();
    void connection.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
