/**
 * `outboard versions compare`: lines `A<TAB>B` in, one line out per line in: `-1`, `0`, `1`, or `invalid`
 * (either side invalid, or the line does not hold exactly one TAB). Streams: memory stays flat however many
 * lines come in. Only `\n` ends a line (a `\r` before it is part of B); a last line without `\n` counts.
 */
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { tryCompareVersions } from './index.ts';
import type { VersionScheme } from './types.ts';

function answer(scheme: VersionScheme, line: string): string {
  const tab = line.indexOf('\t');
  if (tab === -1 || line.indexOf('\t', tab + 1) !== -1) return 'invalid';
  const r = tryCompareVersions(scheme, line.slice(0, tab), line.slice(tab + 1));
  return r === undefined ? 'invalid' : String(r);
}

export async function compareStream(
  scheme: VersionScheme,
  input: AsyncIterable<Buffer | string>,
  output: NodeJS.WritableStream,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const flush = async (text: string) => {
    if (text && !output.write(text)) await once(output, 'drain');
  };
  for await (const chunk of input) {
    const text = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    let out = '';
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      out += `${answer(scheme, text.slice(start, nl))}\n`;
      start = nl + 1;
    }
    pending = text.slice(start);
    await flush(out);
  }
  pending += decoder.end();
  if (pending.length > 0) await flush(`${answer(scheme, pending)}\n`);
}
