/**
 * `npm run build`: type-check everything, bundle each agent task into one `index.js` (so no
 * node_modules ship inside task folders), bundle the CLI, and build the hub.
 *
 * Output layout (what `npm run package` puts into the .vsix):
 *   dist/tasks/<Task>V1/{task.json, icon.png, index.js, post.js, ...}: one bundle per target that task.json names in
 *   execution, prejobexecution or postjobexecution, each built from the .ts file of the same name. The agent starts
 *   every step as `node "<target>"` with no arguments, so each step needs its own entry file.
 *   dist/cli.js
 *   dist/hub/...
 * Flags: --no-typecheck (used by `npm start` for a fast start), --no-hub.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import * as path from 'node:path';
import { build, BuildOptions } from 'esbuild';

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const args = new Set(process.argv.slice(2));

/** Task folder -> icon in images/. */
export const taskIcons: Record<string, string> = {
  ReadinessLoadTestV1: 'loadtest.png',
  ReadinessDrDrillV1: 'drill.png',
  ReadinessGateV1: 'gate.png',
  ReadinessStatusGateV1: 'status-gate.png',
  ReadinessEnvironmentCheckV1: 'environment.png',
};

/**
 * Kept out of bundles: pg-native is an optional native binding `pg` probes for; PGlite loads its
 * WebAssembly and data files from its own package folder at run time, so it cannot be inlined.
 */
const external = ['pg-native', '@electric-sql/pglite', '@electric-sql/pglite/*'];

const nodeBundle: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  minifySyntax: true,
  legalComments: 'none',
  external,
  logLevel: 'warning',
};

async function buildTasks(): Promise<void> {
  for (const [folder, icon] of Object.entries(taskIcons)) {
    const source = path.join(root, 'tasks', folder);
    const out = path.join(dist, 'tasks', folder);
    await fs.rm(out, { recursive: true, force: true });
    await fs.mkdir(out, { recursive: true });
    await fs.copyFile(path.join(source, 'task.json'), path.join(out, 'task.json'));
    await fs.copyFile(path.join(root, 'images', icon), path.join(out, 'icon.png'));
    for (const target of nodeTargets(JSON.parse(await fs.readFile(path.join(source, 'task.json'), 'utf8')))) {
      const entry = path.join(source, target.replace(/\.js$/, '.ts'));
      if (!existsSync(entry)) throw new Error(`tasks/${folder}/task.json names the target ${target}, but tasks/${folder}/${path.basename(entry)} does not exist.`);
      await build({ ...nodeBundle, entryPoints: [entry], outfile: path.join(out, target) });
    }
  }
}

/** Every Node handler target a task.json declares, for every step (main, pre-job, post-job), without repeats. */
export function nodeTargets(taskJson: Record<string, unknown>): string[] {
  const targets = new Set<string>();
  for (const step of ['prejobexecution', 'execution', 'postjobexecution']) {
    for (const [handler, data] of Object.entries((taskJson[step] ?? {}) as Record<string, { target?: string }>)) {
      if (handler.startsWith('Node') && data.target) targets.add(data.target);
    }
  }
  return [...targets];
}

async function buildCli(): Promise<void> {
  await build({
    ...nodeBundle,
    entryPoints: [path.join(root, 'src', 'cli.ts')],
    outfile: path.join(dist, 'cli.js'),
    // The CLI runs from the repository or an npm install, where node_modules is present.
    packages: 'external',
  });
}

async function buildHubIfPresent(): Promise<void> {
  const hubBuild = path.join(root, 'hub', 'build.ts');
  if (!existsSync(hubBuild)) return;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { buildHub } = require(hubBuild) as { buildHub: (o: { outDir: string }) => Promise<void> };
  await buildHub({ outDir: path.join(dist, 'hub') });
}

async function main(): Promise<void> {
  const started = Date.now();
  if (!args.has('--no-typecheck')) {
    process.stderr.write('Type-checking (tsc, strict)...\n');
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
  }
  process.stderr.write('Bundling tasks and the CLI (esbuild)...\n');
  await buildTasks();
  await buildCli();
  if (!args.has('--no-hub')) {
    process.stderr.write('Building the hub...\n');
    await buildHubIfPresent();
  }
  process.stderr.write(`Build finished in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`Build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
