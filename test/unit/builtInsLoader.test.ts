/**
 * The workflow code's own modules bind the built-ins they name in their own scope
 * (workers/builtInsLoader.js, `localBuiltIns` in workers/createWorker.ts). That
 * validation and the domain behave the same inside the sandbox as outside it is
 * test/workflow/sharedModules.test.ts's; the replay tests run the bundle over
 * every recorded history.
 */
import fs from 'node:fs';
import { DefaultLogger } from '@temporalio/worker';
import { buildWorkflowBundle } from '../../workers/workflowBundle';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loader = require('../../workers/builtInsLoader.js') as ((source: string) => string) & { BUILT_INS: string[] };
const BINDING = `const { ${loader.BUILT_INS.join(', ')} } = globalThis; `;

test('binds the built-ins on the first line of the module and leaves every line where it was', () => {
  const source = "import { x } from './x';\nexport const y = Object.keys(x).map((k) => new Map([[k, JSON.stringify(x)]]));\n";
  const out = loader(source);
  expect(out.startsWith(BINDING)).toBe(true);
  expect(out.split('\n')).toEqual([BINDING + "import { x } from './x';", ...source.split('\n').slice(1)]);
});

test("binds none of the globals the SDK's workflow runtime replaces, nor Date or Promise", () => {
  const overrides = fs.readFileSync(require.resolve('@temporalio/workflow/lib/global-overrides.js'), 'utf8');
  const replaced = [...overrides.matchAll(/\bglobal(?:This)?\.(\w+)\s*=/g)].map((m) => m[1]);
  // The check reads the SDK's overrides: it finds the ones known today, or it proves nothing.
  expect(replaced).toEqual(expect.arrayContaining(['Date', 'setTimeout', 'clearTimeout', 'WeakRef', 'FinalizationRegistry']));
  expect(loader.BUILT_INS.filter((name) => replaced.includes(name) || name === 'Date' || name === 'Promise')).toEqual([]);
});

test("the product bundle binds them in each of the workflow code's own modules, and in no other module", async () => {
  const { code } = await buildWorkflowBundle(new DefaultLogger('WARN'));
  // webpack's development output: each module starts with a `/***/ "<module id>"` line.
  const modules = code.split(/^\/\*\*\*\/ "(.+)"$/m).slice(1);
  const byId = new Map<string, string>();
  for (let i = 0; i < modules.length; i += 2) byId.set(modules[i]!, modules[i + 1]!);
  const ours = [...byId.keys()].filter((id) => id.startsWith('./workflows/') && id.endsWith('.ts'));
  expect(ours).toEqual(expect.arrayContaining(['./workflows/index.ts', './workflows/partnerOnboarding.ts', './workflows/domain/state.ts']));
  for (const [id, text] of byId) expect([id, text.includes(BINDING)]).toEqual([id, ours.includes(id)]);
}, 120_000);
