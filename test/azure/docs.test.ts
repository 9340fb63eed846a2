import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const root = path.join(__dirname, '../..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');

/** The fenced block right after an HTML comment marker. */
function blockAfter(markdown: string, marker: string): string {
  const at = markdown.indexOf(`<!-- ${marker} -->`);
  assert.ok(at >= 0, `marker "${marker}" not found`);
  const match = markdown.slice(at).match(/```[a-z]*\n([\s\S]*?)```/);
  assert.ok(match, `no code block after "${marker}"`);
  return match[1];
}

describe('azure docs', () => {
  it('azure-load-testing.md: the configuration shown -> byte for byte the example the tests run', () => {
    assert.equal(blockAfter(read('docs/azure-load-testing.md'), 'example: examples/azure/loadtest.yaml'), read('examples/azure/loadtest.yaml'));
  });

  it('migration.md: before and after -> only the task name changes, and engine auto picks azure; every input exists on the task', () => {
    const doc = read('docs/migration.md');
    const [before] = parse(blockAfter(doc, 'migration: before'));
    const [after] = parse(blockAfter(doc, 'migration: after'));
    assert.equal(before.task, 'AzureLoadTest@1');
    assert.equal(after.task, 'ReadinessLoadTest@1');
    assert.deepEqual(after.inputs, before.inputs);
    const task = JSON.parse(read('tasks/ReadinessLoadTestV1/task.json')) as { inputs: Array<{ name: string; aliases?: string[]; defaultValue?: string }> };
    // The page promises that a named resource selects the cloud engine without an engine input.
    assert.equal(task.inputs.find((i) => i.name === 'engine')?.defaultValue, 'auto');
    const names = new Set(task.inputs.flatMap((i) => [i.name, ...(i.aliases ?? [])]));
    for (const input of Object.keys(after.inputs)) assert.ok(names.has(input), `ReadinessLoadTest@1 has no input "${input}"`);
  });
});
