import { parse as parseYaml } from 'yaml';

/**
 * Just enough Markdown reading for documentation checks: front matter, headings, relative links and the
 * amount of real text. Lines inside fenced code blocks are never taken for headings or links.
 */
export interface MarkdownFile {
  lines: string[];
  /** Parsed front matter (`---` block at the top), when there is one. */
  frontMatter?: Record<string, unknown>;
  frontMatterError?: string;
  /** 1-based line where each front-matter key is written. */
  frontMatterLines: Record<string, number>;
  /** Index of the first body line (0-based, after the front matter). */
  bodyStart: number;
  headings: Array<{ text: string; level: number; line: number }>;
  links: Array<{ target: string; line: number }>;
  /** Per line (0-based): whether it is inside a fenced code block (fences included). */
  inCode: boolean[];
}

export function readMarkdown(text: string): MarkdownFile {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const file: MarkdownFile = { lines, frontMatterLines: {}, bodyStart: 0, headings: [], links: [], inCode: [] };
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, i) => i > 0 && (l.trim() === '---' || l.trim() === '...'));
    if (end > 0) {
      file.bodyStart = end + 1;
      try {
        const data = parseYaml(lines.slice(1, end).join('\n'));
        if (data && typeof data === 'object' && !Array.isArray(data)) file.frontMatter = data as Record<string, unknown>;
        else file.frontMatterError = 'front matter is not a set of key: value pairs';
      } catch (error) {
        file.frontMatterError = `front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`;
      }
      lines.slice(1, end).forEach((l, i) => {
        const key = /^([A-Za-z_][\w-]*)\s*:/.exec(l)?.[1];
        if (key && !(key in file.frontMatterLines)) file.frontMatterLines[key] = i + 2;
      });
    }
  }
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (i < file.bodyStart) {
      file.inCode.push(false);
      continue;
    }
    if (fence) {
      file.inCode.push(true);
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (marker) {
      fence = marker;
      file.inCode.push(true);
      continue;
    }
    file.inCode.push(false);
    const atx = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (atx) file.headings.push({ level: atx[1].length, text: atx[2].trim(), line: i + 1 });
    else if (/^\s{0,3}(=+|-+)\s*$/.test(line) && i > file.bodyStart && lines[i - 1].trim() && !file.inCode[i - 1] && !/^\s*[-*+]\s/.test(lines[i - 1])) {
      // Setext heading: the text line above an underline of = or -.
      file.headings.push({ level: line.includes('=') ? 1 : 2, text: lines[i - 1].trim(), line: i });
    }
    const withoutCode = line.replace(/`[^`]*`/g, '');
    for (const m of withoutCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) file.links.push({ target: m[1], line: i + 1 });
    const def = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(withoutCode);
    if (def) file.links.push({ target: def[1], line: i + 1 });
  }
  return file;
}

/** Matches a required heading: same words ignoring case and punctuation, or the heading starts with them. */
export function headingMatches(heading: string, required: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[*_`]/g, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const h = norm(heading);
  const r = norm(required);
  return h === r || h.startsWith(`${r} `) || /^\d+ /.test(h) && norm(h.replace(/^\d+ /, '')).startsWith(r);
}

/**
 * Text a person wrote, excluding what a template already contains: headings, front matter, HTML comments,
 * table rules and placeholder lines (TODO, TBD, `<fill in>`, `{{name}}`, lorem ipsum, "describe ... here").
 * Counted in non-space characters, so layout does not inflate it.
 */
export function realContentChars(file: MarkdownFile, fromLine = file.bodyStart, toLine = file.lines.length): number {
  const text = file.lines.slice(fromLine, toLine).join('\n').replace(/<!--[\s\S]*?-->/g, '');
  let count = 0;
  for (const raw of text.split('\n')) {
    if (/^\s{0,3}#{1,6}\s/.test(raw) || /^\s{0,3}(=+|-+)\s*$/.test(raw) || /^\s*\|?[\s:|-]+\|?\s*$/.test(raw) && raw.includes('-')) continue;
    const line = raw.replace(/^\s*(>\s?)*/, '').replace(/^\s*(?:[-*+]|\d+[.)])\s+(\[[ xX]\]\s*)?/, '').trim();
    const plain = line.replace(/[*_`|]/g, '').trim();
    if (!plain || isPlaceholder(line) || isPlaceholder(plain)) continue;
    count += plain.replace(/\s+/g, '').length;
  }
  return count;
}

const PLACEHOLDER =
  /^(todo|tbd|tbc|fixme|xxx|n\/a|none yet|\.{3}|…|-+|lorem ipsum.*|<[^>]*>|\{\{[^}]*\}\}|\[[^\]]*\]|(todo|tbd|fixme)\b.*|(describe|add|fill in|write|insert)\b.*\b(here|below)\.?)$/i;

export function isPlaceholder(line: string): boolean {
  return PLACEHOLDER.test(line.trim());
}

/** Lines (0-based, half-open) of the section under a heading: up to the next heading of the same or a higher level. */
export function sectionRange(file: MarkdownFile, heading: { line: number; level: number }): [number, number] {
  const next = file.headings.find((h) => h.line > heading.line && h.level <= heading.level);
  return [heading.line, next ? next.line - 1 : file.lines.length];
}
