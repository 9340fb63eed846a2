/**
 * `npm run package` (release) and `npm run package:dev`: build, then `tfx extension create`, offline.
 * The publisher override files live in configs/ (dev.json gives the dev extension its own id and therefore its own
 * extension-data store). The dev build also gets its own task ids (scripts/devTaskIds.ts): its task folders are
 * staged under dist/dev/ with the new ids, and its manifest's build-results tab lists those ids in supportsTasks,
 * which must match the task ids exactly or the tab never shows.
 * Flags: --dev, --out <folder> (default dist/).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { devTaskId } from './devTaskIds';

const root = path.resolve(__dirname, '..');
const dev = process.argv.includes('--dev');
const flavour = dev ? 'dev' : 'release';
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 ? path.resolve(process.argv[outFlag + 1]) : path.join(root, 'dist');
mkdirSync(out, { recursive: true });

interface Manifest {
  files: Array<{ path: string; packagePath?: string }>;
  contributions: Array<{ type: string; properties: { supportsTasks?: string[] } }>;
}

/** Stages the dev build's tasks and manifest under dist/dev/ and returns the manifest's path, relative to the root. */
function stageDevBuild(): string {
  const stage = path.join(root, 'dist', 'dev');
  rmSync(stage, { recursive: true, force: true });
  const manifest = JSON.parse(readFileSync(path.join(root, 'vss-extension.json'), 'utf8')) as Manifest;
  const ids = new Map<string, string>();
  for (const file of manifest.files) {
    if (!file.path.startsWith('dist/tasks/')) continue;
    const staged = path.join('dist', 'dev', 'tasks', path.basename(file.path));
    cpSync(path.join(root, file.path), path.join(root, staged), { recursive: true });
    const taskJsonPath = path.join(root, staged, 'task.json');
    const taskJson = JSON.parse(readFileSync(taskJsonPath, 'utf8'));
    ids.set(taskJson.id, devTaskId(taskJson.id));
    taskJson.id = devTaskId(taskJson.id);
    if (`${taskJson.friendlyName} (dev)`.length <= 40) taskJson.friendlyName = `${taskJson.friendlyName} (dev)`;
    writeFileSync(taskJsonPath, `${JSON.stringify(taskJson, null, 2)}\n`);
    file.path = staged.split(path.sep).join('/');
  }
  for (const c of manifest.contributions) {
    if (c.properties.supportsTasks) c.properties.supportsTasks = c.properties.supportsTasks.map((id) => ids.get(id) ?? id);
  }
  // tfx resolves the manifest's paths against the manifest's own folder, so the generated manifest sits at the root.
  writeFileSync(path.join(root, DEV_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return DEV_MANIFEST;
}

const DEV_MANIFEST = 'vss-extension.dev.generated.json';

const manifestPath = dev ? stageDevBuild() : 'vss-extension.json';
const tfx = path.join(root, 'node_modules', 'tfx-cli', '_build', 'tfx-cli.js');
try {
  execFileSync(
    process.execPath,
    [tfx, 'extension', 'create', '--root', root, '--manifest-globs', manifestPath,
      '--overrides-file', path.join('configs', `${flavour}.json`), '--output-path', out, '--no-prompt'],
    { cwd: root, stdio: 'inherit' },
  );
} finally {
  if (dev) rmSync(path.join(root, DEV_MANIFEST), { force: true });
}
const vsix = readdirSync(out).filter((f) => f.endsWith('.vsix'));
process.stdout.write(`Packaged (${flavour}): ${vsix.map((f) => path.join(out, f)).join(', ')}\n`);
