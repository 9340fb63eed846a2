/** Reporters: pure functions from an evidence document to text, shared by the CLI, the tasks and the tests. */
export { renderMarkdown } from './markdown';
export { renderJUnit } from './junit';
export { renderHtml } from './html';
