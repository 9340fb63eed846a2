/**
 * `npm run package` (release) and `npm run package:dev`: build, then `tfx extension create`, offline.
 * The publisher override files live in configs/ (dev.json gives the dev extension its own id and
 * therefore its own extension-data store).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const flavour = process.argv.includes('--dev') ? 'dev' : 'release';
const out = path.join(root, 'dist');
mkdirSync(out, { recursive: true });
const tfx = path.join(root, 'node_modules', 'tfx-cli', '_build', 'tfx-cli.js');
execFileSync(
  process.execPath,
  [tfx, 'extension', 'create', '--root', root, '--manifest-globs', 'vss-extension.json',
    '--overrides-file', path.join('configs', `${flavour}.json`), '--output-path', out, '--no-prompt'],
  { cwd: root, stdio: 'inherit' },
);
const vsix = readdirSync(out).filter((f) => f.endsWith('.vsix'));
process.stdout.write(`Packaged (${flavour}): ${vsix.map((f) => path.join('dist', f)).join(', ')}\n`);
