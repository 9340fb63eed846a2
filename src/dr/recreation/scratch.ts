import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError } from '../../errors';
import type { TerraformSettings } from './settings';

/** Never copied: the live configuration's working data and state. The scratch copy starts from nothing. */
const LIVE_ONLY = /^(\.terraform|terraform\.tfstate(\.backup)?|\.terraform\.tfstate\.lock\.info|.*\.tfplan|terraform\.tfstate\.d)$/;
export const OVERRIDE_FILE = 'zz_readiness_drill_override.tf';

/** A suffix unique to this drill, short enough for Azure names with length limits (storage accounts: 24). */
export function drillSuffix(): string {
  return `dr${randomBytes(3).toString('hex')}`;
}

/**
 * Copies the configuration into the drill's folder, without any state or `.terraform` folder, and adds an override
 * file that replaces the backend (developer.hashicorp.com "Override Files": a backend block in an override file
 * replaces the original's). With `local`, state lives only in the scratch folder; with `azurerm`, in the scratch key
 * the drill file names. Either way the live state is never read or written.
 */
export function makeScratchCopy(settings: TerraformSettings, workDir: string, statePath: string): { dir: string; files: number } {
  const source = settings.configuration;
  if (!existsSync(source) || !statSync(source).isDirectory()) {
    throw new ConfigError(`terraform.configuration: ${source} is not a folder; point it at the folder that holds the .tf files`);
  }
  const tfFiles = readdirSync(source).filter((f) => f.endsWith('.tf'));
  if (!tfFiles.length) throw new ConfigError(`terraform.configuration: ${source} holds no .tf files`);
  const text = tfFiles.map((f) => readFileSync(join(source, f), 'utf8')).join('\n');
  const outside = /\bsource\s*=\s*"(\.\.\/[^"]*)"/.exec(text);
  if (outside) {
    throw new ConfigError(`terraform.configuration: the module source "${outside[1]}" lies outside ${source}, and only that folder is copied; point terraform.configuration at a folder that holds the modules too`);
  }
  if (!new RegExp(`\\bvariable\\s+"${settings.suffixVariable}"`).test(text)) {
    throw new ConfigError(
      `terraform.suffixVariable: the configuration declares no variable "${settings.suffixVariable}"; declare it and use it in every resource name, so the drill's copy never collides with the live environment`,
    );
  }
  const dir = join(workDir, basename(source) || 'configuration');
  let files = 0;
  cpSync(source, dir, {
    recursive: true,
    filter: (from) => {
      const keep = !LIVE_ONLY.test(basename(from));
      if (keep && from !== source) files++;
      return keep;
    },
  });
  const backend = settings.backend.type === 'local' ? `backend "local" {\n    path = ${JSON.stringify(statePath)}\n  }` : `backend "azurerm" {}`;
  writeFileSync(join(dir, OVERRIDE_FILE), `# Written by the readiness drill: the scratch copy's state never touches the live one.\nterraform {\n  ${backend}\n}\n`);
  return { dir, files };
}

/** `${output.NAME}` and `${drill.suffix}`/`${drill.version}` in a probe's text, filled in once known. */
export function fillIn(text: string, values: { outputs?: Record<string, string>; drill: Record<string, string> }): string {
  return text.replace(/\$\{(output|drill)\.([A-Za-z0-9_-]+)\}/g, (whole, scope: string, name: string) => {
    const value = scope === 'output' ? values.outputs?.[name] : values.drill[name];
    if (value === undefined) {
      throw new ConfigError(
        scope === 'output'
          ? `${whole}: the configuration has no output "${name}"${values.outputs ? ` (outputs: ${Object.keys(values.outputs).join(', ') || 'none'})` : ' yet'}`
          : `${whole}: unknown; use \${drill.suffix} or \${drill.version}`,
      );
    }
    return value;
  });
}
