import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { build, type Plugin } from 'esbuild';

/**
 * Builds the hub contributions: one minified bundle per contribution folder (`hub/<id>/<id>.tsx`
 * plus its `.html`), written to `<outDir>/<id>/`.
 *
 * Why these settings (DESIGN.md "The hub bundle"):
 * - azure-devops-ui's CSS references ~1.4 MB of icon fonts; the `file` loader emits them as files next
 *   to the bundle instead of inlining them as data URLs.
 * - Evidence validators are compiled from the schema in the browser (src/evidence/compiledValidators.ts) instead of
 *   bundling the code generated for Node processes (src/evidence/validators/, about 0.3 MB more of JavaScript).
 * - The SDK is resolved to one path (its CommonJS build) so azure-devops-extension-api and our code share
 *   one copy; two copies make the SDK refuse to load ("Only one version of this module can be loaded").
 */
export const HUB_CONTRIBUTIONS = ['readiness-hub', 'build-tab'] as const;

const hubRoot = __dirname;
const repoRoot = path.resolve(hubRoot, '..');

const compiledEvidenceValidators: Plugin = {
  name: 'compiled-evidence-validators',
  setup(b) {
    b.onResolve({ filter: /^\.\/precompiledValidators$/ }, (args) =>
      args.importer === path.join(repoRoot, 'src', 'evidence', 'validate.ts') ? { path: path.join(repoRoot, 'src', 'evidence', 'compiledValidators.ts') } : undefined);
  },
};

export async function buildHub(options: { outDir: string }): Promise<void> {
  const outDir = path.resolve(options.outDir);
  for (const id of HUB_CONTRIBUTIONS) {
    const target = path.join(outDir, id);
    await fs.rm(target, { recursive: true, force: true });
    await fs.mkdir(target, { recursive: true });
    await build({
      entryPoints: { [id]: path.join(hubRoot, id, `${id}.tsx`) },
      outdir: target,
      bundle: true,
      minify: true,
      format: 'iife',
      platform: 'browser',
      target: ['es2019'],
      jsx: 'transform',
      logLevel: 'error',
      legalComments: 'none',
      define: { 'process.env.NODE_ENV': '"production"' },
      loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file', '.png': 'file' },
      assetNames: 'fonts/[name]-[hash]',
      alias: { 'azure-devops-extension-sdk': path.join(repoRoot, 'node_modules/azure-devops-extension-sdk/esm/SDK.js') },
      absWorkingDir: repoRoot,
      plugins: [compiledEvidenceValidators],
    });
    await fs.copyFile(path.join(hubRoot, id, `${id}.html`), path.join(target, `${id}.html`));
  }
}

if (require.main === module) {
  const outDir = process.argv[2] ?? path.join(repoRoot, 'dist', 'hub');
  buildHub({ outDir }).then(
    () => process.stdout.write(`hub built into ${outDir}\n`),
    (error: unknown) => {
      process.stderr.write(`hub build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
