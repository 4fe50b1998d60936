/**
 * The workflow code that every cached workflow shares instead of evaluating its
 * own copy. The worker preloads this module into its reusable V8 context
 * (`preloadModules`, workers/createWorker.ts): the modules it imports are
 * evaluated once per worker, before any workflow exists, and every workflow's
 * `require` gets those instances.
 *
 * Without it each cached workflow evaluated zod and built every schema of
 * ./types.ts and ./report.ts again: about 1.2 MB of V8 heap per workflow
 * (docs/operations.md, "Where a cached partner's memory goes").
 *
 * What may be imported here: modules with no per-workflow state, whose module
 * scope calls no workflow API (no activator exists yet). The SDK deep-freezes
 * what shared modules export, which suits plain data and functions (the domain,
 * the default playbook) but not zod: zod 4 finishes building a schema on first
 * use and stores the result on it (members bound on first read, derived
 * internals, parse wrappers that replace themselves), and resets `lastIndex` on
 * its RegExps. On frozen schemas all three throw (measured: docs/operations.md).
 * So the modules that hold zod schemas, and zod's own modules, are shared
 * unfrozen: their export objects (webpack's ESM exports: non-configurable
 * getters only) are made non-extensible, which makes them count as frozen
 * already, and the SDK's freeze does not descend into them. zod's mutations are
 * then what they are outside the sandbox: caches that depend on the schema
 * alone, the same for every workflow. test/workflow/sharedModules.test.ts checks
 * validation inside the sandbox against validation outside it.
 */
import * as defaultPlaybook from './defaultPlaybook';
import * as domain from './domain';
import * as notifications from './notifications';
import * as pinnedPlaybook from './pinnedPlaybook';
import * as report from './report';
import * as types from './types';

/** Modules whose instances the workflows share. */
export const SHARED_MODULES = { types, report, notifications, domain, defaultPlaybook, pinnedPlaybook };

/** webpack's module factories, by module id (absent outside a webpack bundle). */
declare const __webpack_modules__: Record<string, unknown> | undefined;
interface ModuleRecord {
  exports: object;
}

function holdsZod(exports: object): boolean {
  try {
    return Object.values(exports).some((v) => {
      const internals = (v as { _zod?: { traits?: unknown } } | null)?._zod;
      return typeof internals === 'object' && internals !== null && internals.traits instanceof Set;
    });
  } catch {
    return false; // an export that cannot be read here is not a schema we share
  }
}

/**
 * Marks the export objects of zod's modules and of the modules exporting zod
 * schemas non-extensible, so that the SDK's deep freeze leaves their contents
 * alone. Returns the ids of the modules so marked.
 */
export function shareUnfrozen(): string[] {
  if (typeof __webpack_modules__ === 'undefined') return []; // not in a workflow bundle
  const cache = (globalThis as { __webpack_module_cache__?: Record<string, ModuleRecord | undefined> }).__webpack_module_cache__;
  if (!cache) return [];
  const marked: string[] = [];
  for (const id of Object.keys(__webpack_modules__)) {
    const record = cache[id];
    if (!record || !(id.includes('/node_modules/zod/') || holdsZod(record.exports))) continue;
    Object.preventExtensions(record.exports);
    if (!Object.isFrozen(record.exports)) {
      // Writable exports (a CommonJS module) would be frozen, contents and all.
      throw new Error(`workflows/shared: module ${id} cannot be shared unfrozen: its exports are writable`);
    }
    marked.push(id);
  }
  return marked;
}

shareUnfrozen();
