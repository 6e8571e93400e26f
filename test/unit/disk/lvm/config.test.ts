/** LVM's config syntax: what the metadata text uses, and how malformed text is refused. */
import { describe, expect, it } from 'vitest';
import type { ConfigSection } from '../../../../shared/disk/lvm/index.ts';
import { parseLvmConfig, parseVgMetadata } from '../../../../shared/disk/lvm/index.ts';
import { DiskFormatError } from '../../../../shared/disk/types.ts';

function plain(s: ConfigSection): unknown {
  return Object.fromEntries([...s.entries].map(([k, v]) => [k, v.kind === 'section' ? plain(v) : v.value]));
}

describe('parseLvmConfig', () => {
  it('reads sections, strings with escapes, integers, decimals, lists and comments', () => {
    const text = `# top comment
vg-1.x { id = "a\\"b\\\\c" seqno = 12	# trailing
  neg = -5 ratio = 0.5 empty = [] list = [ "pv0", 0,
  "pv1", 17, ]
  multi = "line one
line two"
  inner { deeper { k = 1 } }
}
contents = "Text Format Volume Group"
`;
    expect(plain(parseLvmConfig(text))).toEqual({
      'vg-1.x': {
        id: 'a"b\\c',
        seqno: 12,
        neg: -5,
        ratio: 0.5,
        empty: [],
        list: ['pv0', 0, 'pv1', 17],
        multi: 'line one\nline two',
        inner: { deeper: { k: 1 } },
      },
      contents: 'Text Format Volume Group',
    });
  });

  const bad: [string, string, number][] = [
    ['missing closing brace', 'vg { a = 1 ', 0],
    ['unterminated string', 'vg { a = "abc }', 9],
    ['stray closing brace', 'a = 1 }', 6],
    ['no value', 'a = }', 4],
    ['no = or {', 'vg a = 1', 3],
    ['list without commas', 'a = [1 2]', 7],
    ['unterminated list', 'a = [1, 2', 4],
    ['duplicate key', 'a = 1\na = 2', 6],
    ['integer beyond 2^53', 'a = 123456789012345678901', 4],
    ['malformed number', 'a = 12abc', 6],
    ['bad character', 'a = 1\n$ = 2', 6],
    ['nesting too deep', `${'a { '.repeat(40)}${'} '.repeat(40)}`, 130],
  ];
  for (const [what, text, position] of bad) {
    it(`refuses ${what} at its position`, () => {
      let err: unknown;
      try {
        parseLvmConfig(text, { offsetOf: (p) => 1000 + p });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DiskFormatError);
      expect(err).toMatchObject({ layer: 'lvm metadata', offset: 1000 + position });
      expect((err as Error).message).toMatch(new RegExp(`text position ${position}, line \\d+`));
    });
  }

  it('does not hang or overflow the stack on long or hostile input', () => {
    expect(() => parseLvmConfig('['.repeat(100000))).toThrow(DiskFormatError);
    expect(() => parseLvmConfig(`a = [${'1,'.repeat(100000)}]`)).not.toThrow();
    expect(() => parseLvmConfig('{'.repeat(100000))).toThrow(DiskFormatError);
  });
});

describe('parseVgMetadata', () => {
  const vg = (lvs: string) => `vg { id = "V" seqno = 3 extent_size = 8192
    physical_volumes { pv0 { id = "abc-def" pe_start = 2048 pe_count = 10 } }
    logical_volumes { ${lvs} } }`;

  it('reads a linear LV and its PV', () => {
    const m = parseVgMetadata(
      vg(
        'root { id = "R" status = ["READ", "VISIBLE"] segment_count = 1 segment1 { start_extent = 0 extent_count = 4 type = "striped" stripe_count = 1 stripes = ["pv0", 2] } }',
      ),
    );
    expect(m).toMatchObject({
      name: 'vg',
      seqno: 3,
      extentSize: 8192,
      pvs: [{ name: 'pv0', uuid: 'abc-def', peStart: 2048, peCount: 10 }],
    });
    expect(m.lvs[0]).toMatchObject({
      name: 'root',
      status: ['READ', 'VISIBLE'],
      segments: [{ stripes: [{ pv: 'pv0', start: 2 }] }],
    });
  });

  it('refuses a segment that names a PV the VG does not list', () => {
    const text = vg(
      'root { id = "R" segment_count = 1 segment1 { start_extent = 0 extent_count = 4 type = "striped" stripe_count = 1 stripes = ["pv7", 0] } }',
    );
    expect(() => parseVgMetadata(text)).toThrow(/names PV "pv7", which the VG does not list/);
    const err = (() => {
      try {
        parseVgMetadata(text);
      } catch (e) {
        return e as DiskFormatError;
      }
    })();
    expect(err?.offset).toBe(text.indexOf('["pv7"'));
  });

  it('refuses segments that leave a gap, a missing segment, and stripes that do not match stripe_count', () => {
    const seg = (k: number, start: number, extra = '') =>
      `segment${k} { start_extent = ${start} extent_count = 2 type = "striped" stripe_count = 1 stripes = ["pv0", 0] ${extra} }`;
    expect(() => parseVgMetadata(vg(`a { id = "A" segment_count = 2 ${seg(1, 0)} ${seg(2, 3)} }`))).toThrow(
      /gap/,
    );
    expect(() => parseVgMetadata(vg(`a { id = "A" segment_count = 2 ${seg(1, 0)} }`))).toThrow(
      /missing section a\/segment2/,
    );
    expect(() =>
      parseVgMetadata(
        vg(
          'a { id = "A" segment_count = 1 segment1 { start_extent = 0 extent_count = 2 type = "striped" stripe_count = 2 stripe_size = 128 stripes = ["pv0", 0] } }',
        ),
      ),
    ).toThrow(/must list 2 PV\/extent pairs/);
    expect(() => parseVgMetadata('vg { id = "V" seqno = 1 }')).toThrow(/extent_size/);
    expect(() => parseVgMetadata('a = 1')).toThrow(/expected one volume group section, found 0/);
  });
});
