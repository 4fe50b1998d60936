'use strict';
/**
 * A webpack loader for the workflow code's own modules (workflows/**, see
 * `localBuiltIns` in workers/createWorker.ts). It gives each module local
 * bindings of the built-in objects it may name: `const { Object, Array, ... } =
 * globalThis;`. The SDK runs workflow code in a `vm` context, where every
 * global name is looked up on the context's global object through Node's
 * interceptors, on every use; a module-local binding is an ordinary variable.
 * The bindings are the same objects, so nothing behaves differently.
 *
 * Not bound: `Date` and `Promise`, and every other global the SDK's workflow
 * runtime replaces or watches (its deterministic clock, its timers, its promise
 * tracking). test/unit/builtInsLoader.test.ts checks the list against the
 * SDK's global overrides.
 */
const BUILT_INS = ['Array', 'Boolean', 'Error', 'Intl', 'JSON', 'Map', 'Math', 'Number', 'Object', 'Reflect', 'RegExp', 'Set', 'String', 'Symbol', 'TypeError'];

function builtInsLoader(source) {
  // On the module's first line, so the source map's lines (stack traces) stay where they were.
  return `const { ${BUILT_INS.join(', ')} } = globalThis; ${source}`;
}

module.exports = builtInsLoader;
module.exports.BUILT_INS = BUILT_INS;
