/**
 * CSV data sets of URL tests (`csvDataSetConfigList: [{ fileName, variableNames }]`). Rows are handed out in
 * order to each new iteration of any virtual user and recycled at the end of the file, as JMeter's CSV Data Set
 * does by default (shared by all threads, recycle on EOF).
 */
export interface CsvDataSet {
  file: string;
  variableNames: string[];
  rows: string[][];
}

/** RFC 4180 fields: commas, double quotes with "" escapes, CRLF or LF line ends. Blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(field); field = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { endRow(); i += 2; continue; }
    if (ch === '\n') { endRow(); i++; continue; }
    field += ch; i++;
  }
  if (field !== '' || row.length) endRow();
  return rows;
}

/** Shared cursor over the rows of one data set. */
export class CsvCursor {
  private next = 0;
  constructor(readonly data: CsvDataSet) {}

  /** Copies the next row's values into `vars` under the data set's variable names. */
  fill(vars: Record<string, string | undefined>): void {
    const rows = this.data.rows;
    if (rows.length === 0) return;
    const row = rows[this.next];
    this.next = this.next + 1 === rows.length ? 0 : this.next + 1;
    const names = this.data.variableNames;
    for (let i = 0; i < names.length; i++) vars[names[i]] = row[i] ?? '';
  }
}
