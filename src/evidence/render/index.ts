import { maskDeep, maskSecrets } from '../../redact/secretMask';
import type { Evidence } from '../types';
import { renderHtml as html } from './html';
import { renderJUnit as junit } from './junit';
import { renderMarkdown as markdown } from './markdown';

/**
 * Reporters: pure functions from an evidence document to text, shared by the CLI, the tasks and the tests. Each
 * masks secrets (src/redact/secretMask.ts) on the way in, before escaping could hide a secret from the mask (`&` in
 * a secret becomes `&amp;` in XML), and on the way out.
 */
const masked = (render: (evidence: Evidence) => string) => (evidence: Evidence): string => maskSecrets(render(maskDeep(evidence)));

export const renderMarkdown = masked(markdown);
export const renderJUnit = masked(junit);
export const renderHtml = masked(html);
