/**
 * Agents cache a task by its version, so a task whose code changed but whose version did not never reaches them
 * (DESIGN.md). `tasks/task-lock.json` records, per task, the version and a fingerprint of what ships: the bundled
 * .js files (index.js, post.js, ...) and task.json (without its version). The manifest test fails when the lock is out of date, and
 * `npm run tasks:lock` refuses to record a new fingerprint under an unchanged version, so changed code always
 * comes with a version bump. Run it after `npm run build`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
export const lockFile = path.join(root, 'tasks', 'task-lock.json');

export interface TaskLockEntry {
  version: string;
  sha256: string;
}

export function currentFingerprints(): Record<string, TaskLockEntry> {
  const dist = path.join(root, 'dist', 'tasks');
  const result: Record<string, TaskLockEntry> = {};
  for (const folder of readdirSync(dist).sort()) {
    const taskJson = JSON.parse(readFileSync(path.join(dist, folder, 'task.json'), 'utf8'));
    const { Major, Minor, Patch } = taskJson.version;
    delete taskJson.version;
    const hash = createHash('sha256').update(JSON.stringify(taskJson));
    for (const bundle of readdirSync(path.join(dist, folder)).filter((f) => f.endsWith('.js')).sort()) {
      hash.update(bundle).update(readFileSync(path.join(dist, folder, bundle)));
    }
    result[folder] = { version: `${Major}.${Minor}.${Patch}`, sha256: hash.digest('hex') };
  }
  return result;
}

export function readLock(): Record<string, TaskLockEntry> {
  return existsSync(lockFile) ? JSON.parse(readFileSync(lockFile, 'utf8')) : {};
}

if (require.main === module) {
  const locked = readLock();
  const current = currentFingerprints();
  const unbumped = Object.entries(current).filter(([task, entry]) => locked[task] && locked[task].sha256 !== entry.sha256 && locked[task].version === entry.version);
  if (unbumped.length) {
    process.stderr.write(
      `The code of ${unbumped.map(([task]) => task).join(', ')} changed but the version did not. Bump version.Patch (or Minor) ` +
        'in every tasks/*/task.json, run "npm run build", then run this again.\n',
    );
    process.exit(1);
  }
  writeFileSync(lockFile, `${JSON.stringify(current, null, 2)}\n`);
  process.stdout.write(`Wrote ${path.relative(root, lockFile)}\n`);
}
