import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderTaskReference } from '../../scripts/taskReference';

describe('docs: task reference', () => {
  it('docs/tasks.md: generated from task.json -> identical to the checked-in file (run `npm run docs` after changing a task)', () => {
    const checkedIn = readFileSync(path.join(__dirname, '..', '..', 'docs', 'tasks.md'), 'utf8');
    assert.equal(checkedIn, renderTaskReference());
  });
});
