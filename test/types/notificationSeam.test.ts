/**
 * The seam between the domain and the templates is typed: a field renamed or
 * dropped on one side fails the type check (`npm run lint`). This compiles
 * ./notificationSeam.fixture.ts without its `@ts-expect-error` directives and
 * expects every marked line to fail, naming the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const fixture = path.join(__dirname, 'notificationSeam.fixture.ts');

function compile(file: string): ts.Diagnostic[] {
  const config = ts.readConfigFile(path.join(__dirname, '../../tsconfig.json'), ts.sys.readFile).config as object;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, path.join(__dirname, '../..'));
  const program = ts.createProgram([file], { ...options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file);
}

test('every marked line of the wrong fixture fails the type check, naming the field', () => {
  const source = fs.readFileSync(fixture, 'utf8');
  const marked = source.split('\n').filter((line) => line.trim().startsWith('// @ts-expect-error')).length;
  const stripped = path.join(__dirname, `notificationSeam.stripped-${process.pid}.ts`);
  fs.writeFileSync(stripped, source.replace(/\/\/ @ts-expect-error[^\n]*/g, '//'));
  try {
    const messages = compile(stripped).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(marked).toBe(4);
    expect(messages).toHaveLength(marked);
    expect(messages.join('\n')).toMatch(/'milestoneTitle' does not exist/);
    expect(messages.join('\n')).toMatch(/'until' does not exist/);
    expect(messages.join('\n')).toMatch(/'managerName' does not exist/);
    expect(messages.join('\n')).toMatch(/'milestoneId' does not exist/);
  } finally {
    fs.rmSync(stripped, { force: true });
  }
});

test('the fixture as committed type-checks: each directive still has its error to expect', () => {
  expect(compile(fixture)).toEqual([]);
});
