/**
 * The one error the Windows event parsers throw: what was wrong, in which layer (the XML tokenizer,
 * the event reader, the batch splitter, the OpenWEC JSON reader) and where (character offset, and
 * line/column when the text is at hand). A batch never throws it: it returns it beside the raw text.
 */

export type WindowsParseLayer = 'xml' | 'event' | 'batch' | 'openwec-json';

export class WindowsEventParseError extends Error {
  override name = 'WindowsEventParseError';
  readonly layer: WindowsParseLayer;
  /** Character (UTF-16 code unit) offset in the text that was parsed, when the error has a place. */
  readonly position: number | undefined;
  /** 1-based line and column of `position`, when the text was given. */
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The message without the layer and position prefix. */
  readonly reason: string;

  /**
   * `source` is the text `position` is in (its line and column are counted), or the line and column
   * already known (a batch counts them as it goes rather than from the start for every record).
   */
  constructor(
    layer: WindowsParseLayer,
    reason: string,
    position?: number,
    source?: string | LineColumn,
    options?: ErrorOptions,
  ) {
    const where =
      position === undefined ? undefined : typeof source === 'object' ? source : lineColumn(source, position);
    const at =
      position === undefined
        ? ''
        : where
          ? ` at offset ${position} (line ${where.line}, column ${where.column})`
          : ` at offset ${position}`;
    super(`windows event ${layer}${at}: ${reason}`, options);
    this.layer = layer;
    this.reason = reason;
    this.position = position;
    this.line = where?.line;
    this.column = where?.column;
  }
}

export interface LineColumn {
  line: number;
  column: number;
}

function lineColumn(source: string | undefined, position: number): LineColumn | undefined {
  if (source === undefined) return undefined;
  const end = Math.min(position, source.length);
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i !== -1 && i < end; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}
