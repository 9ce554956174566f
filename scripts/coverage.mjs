// `npm run test:coverage [-- <jest arguments>]`: the suite under Jest's V8 coverage of src/, plus the V8
// coverage of every child process the suites start (the command line, `doctor`, child applications):
// Node writes a child's coverage into NODE_V8_COVERAGE's directory when it exits, with the source maps
// of the TypeScript it ran, and this script merges it into Jest's. Prints every file of src/ with the
// lines no test reaches and the totals; writes coverage/coverage-summary.json and
// coverage/uncovered-lines.txt (every unreached line range, not cut to the terminal's width).
// A child ended by a signal it does not handle (SIGKILL) writes nothing: its lines count as unreached.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { setInterval, clearInterval } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
// The packages Jest's own coverage reporter uses, at the versions it uses.
const reporterRequire = createRequire(require.resolve('@jest/reporters'));
const { mergeProcessCovs } = reporterRequire('@bcoe/v8-coverage');
const libCoverage = reporterRequire('istanbul-lib-coverage');
const libReport = reporterRequire('istanbul-lib-report');
const reports = reporterRequire('istanbul-reports');
const v8ToIstanbul = reporterRequire('v8-to-istanbul');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'coverage');
const children = join(root, '.tmp', 'child-coverage');
const sourcePrefix = pathToFileURL(join(root, 'src')).href + '/';

for (const dir of [output, children]) rmSync(dir, { recursive: true, force: true });
mkdirSync(children, { recursive: true });

// Every Node process writes a file of some megabytes (its node_modules too): each is folded into
// `groups` as it appears and deleted, so that a whole run's thousand children do not fill the disk.
// One group per file of src/ and generated code (the same source compiled the same way in every
// child), so that the processes' counts add up before they are mapped back to the source.
const groups = new Map();
let processes = 0;
const fold = (final) => {
  for (const name of readdirSync(children)) {
    const file = join(children, name);
    let coverage;
    try {
      coverage = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // Still being written: the next pass takes it. After the run, a process ended while writing it.
      if (final) console.warn(`coverage: ${name} is not whole JSON; left out`);
      continue;
    }
    rmSync(file);
    processes++;
    const sourceMaps = coverage['source-map-cache'] ?? {};
    for (const script of coverage.result) {
      // Jest's own processes also write a file: they run src/ in Jest's module registry, with no
      // source map Node knows of, and Jest's coverage has those lines already.
      const sourceMap = sourceMaps[script.url];
      if (!script.url.startsWith(sourcePrefix) || !sourceMap?.data || !sourceMap.lineLengths) continue;
      const key = `${script.url} ${sourceMap.lineLengths.join(',')}`;
      const group = groups.get(key);
      if (!group) groups.set(key, { url: script.url, sourceMap, script });
      else group.script = mergeProcessCovs([{ result: [group.script] }, { result: [script] }]).result[0];
    }
  }
};

const jest = spawn(
  process.execPath,
  [require.resolve('jest/bin/jest'), '--coverage', '--coverageReporters=json', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_V8_COVERAGE: children } },
);
const folding = setInterval(() => fold(false), 5_000);
const status = await new Promise((resolve) => jest.once('exit', (code) => resolve(code ?? 1)));
clearInterval(folding);
fold(true);

if (!existsSync(join(output, 'coverage-final.json'))) {
  console.error(`coverage: Jest wrote no coverage (exit ${status}); nothing to merge`);
  process.exit(status || 1);
}
const map = libCoverage.createCoverageMap(JSON.parse(readFileSync(join(output, 'coverage-final.json'), 'utf8')));
const measured = new Set(map.files());
for (const { url, sourceMap, script } of groups.values()) {
  if (!measured.has(fileURLToPath(url))) continue;
  // The generated code itself is not in the file: only its line lengths, which is all the mapping needs.
  const source = sourceMap.lineLengths.map((length) => '.'.repeat(length)).join('\n');
  const converter = v8ToIstanbul(fileURLToPath(url), 0, { source, sourceMap: { sourcemap: sourceMap.data } });
  await converter.load();
  converter.applyCoverage(script.functions);
  const converted = converter.toIstanbul();
  for (const file of Object.keys(converted)) if (measured.has(file)) map.merge({ [file]: converted[file] });
}

const context = libReport.createContext({ dir: output, coverageMap: map, defaultSummarizer: 'nested' });
reports.create('text', { skipFull: false }).execute(context);
reports.create('text-summary').execute(context);
reports.create('json-summary').execute(context);

const ranges = (lines) => {
  const out = [];
  for (const line of lines) {
    const last = out[out.length - 1];
    if (last && last[1] === line - 1) last[1] = line;
    else out.push([line, line]);
  }
  return out.map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join(', ');
};
const unreached = map
  .files()
  .sort()
  .map((file) => [relative(root, file), map.fileCoverageFor(file).getUncoveredLines().map(Number)])
  .filter(([, lines]) => lines.length > 0)
  .map(([file, lines]) => `${file}: ${ranges(lines)}`);
writeFileSync(join(output, 'uncovered-lines.txt'), `${unreached.join('\n')}\n`);
const lines = map.getCoverageSummary().lines;
console.log(
  `\nsrc/ lines: ${lines.pct} % (${lines.covered} of ${lines.total}), with the coverage of ${processes} processes' ` +
    `V8 files (${groups.size} compiled files of src/ from child processes); unreached lines: coverage/uncovered-lines.txt`,
);
process.exitCode = status;
