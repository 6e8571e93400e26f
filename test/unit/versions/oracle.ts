/**
 * The reference answers, from the real tools: `dpkg --compare-versions` (lt, then gt; exit 2 = invalid)
 * and rpm's own `rpm.vercmp` (rpmverCmp) through `rpm --eval` Lua (an error = invalid). Used by
 * scripts/fixtures/versions.sh to record the corpora and by the system test, never by unit tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

export type Answer = '-1' | '0' | '1' | 'invalid';

// One dpkg process per question; `--` so that versions starting with "-" are not options.
const DPKG_LOOP = `
tab=$(printf '\\t')
while IFS= read -r line || [ -n "$line" ]; do
  a=\${line%%"$tab"*}
  b=\${line#*"$tab"}
  dpkg --compare-versions -- "$a" lt "$b" 2>/dev/null
  rc=$?
  if [ $rc -eq 0 ]; then echo -1
  elif [ $rc -ne 1 ]; then echo invalid
  elif dpkg --compare-versions -- "$a" gt "$b" 2>/dev/null; then echo 1
  else echo 0
  fi
done
`;

function run(cmd: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`))));
    child.stdin.end(input);
  });
}

function checkPairs(pairs: readonly (readonly [string, string])[]): void {
  for (const [a, b] of pairs) {
    if (/[\t\n\r\0]/.test(a + b))
      throw new Error(`pair cannot be written as a line: ${JSON.stringify([a, b])}`);
  }
}

/** dpkg's answer for each pair, asked in parallel shells. */
export async function dpkgAnswers(pairs: readonly (readonly [string, string])[]): Promise<Answer[]> {
  checkPairs(pairs);
  const workers = Math.max(2, cpus().length);
  const size = Math.ceil(pairs.length / workers);
  const chunks: (readonly (readonly [string, string])[])[] = [];
  for (let i = 0; i < pairs.length; i += size) chunks.push(pairs.slice(i, i + size));
  const outputs = await Promise.all(
    chunks.map((chunk) =>
      run('sh', ['-c', DPKG_LOOP], chunk.map(([a, b]) => `${a}\t${b}\n`).join('')).then((o) =>
        o.split('\n').slice(0, -1),
      ),
    ),
  );
  const answers = outputs.flat() as Answer[];
  if (answers.length !== pairs.length) throw new Error(`dpkg answered ${answers.length}/${pairs.length}`);
  return answers;
}

/** rpm's answer (rpm.vercmp, i.e. rpmverCmp) for each pair, in one rpm process. */
export function rpmAnswers(pairs: readonly (readonly [string, string])[]): Answer[] {
  checkPairs(pairs);
  const dir = mkdtempSync(join(tmpdir(), 'ob-rpm-oracle-'));
  try {
    const input = join(dir, 'pairs');
    const output = join(dir, 'answers');
    const script = join(dir, 'vercmp.lua');
    writeFileSync(input, pairs.map(([a, b]) => `${a}\t${b}\n`).join(''));
    writeFileSync(
      script,
      `local out = assert(io.open(${JSON.stringify(output)}, "w"))
for line in io.lines(${JSON.stringify(input)}) do
  local tab = string.find(line, "\\t", 1, true)
  local a = string.sub(line, 1, tab - 1)
  local b = string.sub(line, tab + 1)
  local ok, r = pcall(rpm.vercmp, a, b)
  if ok then out:write(tostring(math.tointeger(r) or r), "\\n") else out:write("invalid\\n") end
end
out:close()
`,
    );
    const r = spawnSync('rpm', ['--eval', `%{lua: dofile(${JSON.stringify(script)})}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`rpm failed: ${r.stderr}`);
    const answers = readFileSync(output, 'utf8').split('\n').slice(0, -1) as Answer[];
    if (answers.length !== pairs.length) throw new Error(`rpm answered ${answers.length}/${pairs.length}`);
    return answers;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
