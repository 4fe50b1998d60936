/**
 * A CPU profiler a benchmark can switch on and off in a process it started
 * (`node --import ./bench/profile-hook.mjs <program>`), for a window of its
 * choosing rather than the whole life of the process. Over the IPC channel:
 * `{ cmd: 'profile-start' }`, then `{ cmd: 'profile-stop', dir }` writes one
 * .cpuprofile for the main thread and one per worker thread (the Temporal SDK
 * runs workflows in one) and answers with their paths.
 *
 * Plain JavaScript: worker threads inherit the process's --import flags, and
 * this must load there without a TypeScript loader (it does nothing there).
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.send) {
  const session = new inspector.Session();
  session.connect();
  const threads = [];
  const pending = new Map();
  let nextId = 1;
  session.on('NodeWorker.attachedToWorker', (m) => threads.push(m.params.sessionId));
  session.on('NodeWorker.receivedMessageFromWorker', (m) => {
    const reply = JSON.parse(m.params.message);
    if (reply.id !== undefined) pending.get(reply.id)?.(reply);
  });
  session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });

  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  const postToThread = (sessionId, method) => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, (reply) => {
        pending.delete(id);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result);
      });
      session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method }) });
    });
  };

  const start = async () => {
    await post('Profiler.enable');
    await post('Profiler.start');
    for (const t of threads) {
      await postToThread(t, 'Profiler.enable');
      await postToThread(t, 'Profiler.start');
    }
  };
  const stop = async (dir) => {
    const files = [];
    const save = (name, profile) => {
      const file = path.join(dir, `${process.pid}-${name}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      files.push(file);
    };
    save('main', (await post('Profiler.stop')).profile);
    for (const [i, t] of threads.entries()) save(`thread-${i}`, (await postToThread(t, 'Profiler.stop')).profile);
    return files;
  };

  process.on('message', (request) => {
    if (request?.cmd !== 'profile-start' && request?.cmd !== 'profile-stop') return;
    const work = request.cmd === 'profile-start' ? start().then(() => ({})) : stop(request.dir).then((files) => ({ files }));
    work.then(
      (reply) => process.send?.({ id: request.id, ...reply }),
      (err) => process.send?.({ id: request.id, error: err.message }),
    );
  });
  // The IPC channel alone must not keep the program alive once it is done.
  process.channel?.unref();
}
