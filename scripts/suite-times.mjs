// `node scripts/suite-times.mjs [--top=N] results.json [more.json…]`: reads the results of
// `jest --json --outputFile=results.json` and prints, per test file, its wall time, the time its
// tests took, and the rest: the file's fixed cost (loading modules, beforeAll/afterAll: databases,
// app boots), the N longest only with --top=N. Then the totals and the median fixed cost of the e2e files.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const top = Number(process.argv.find((arg) => arg.startsWith('--top='))?.slice('--top='.length) ?? Infinity);
const files = process.argv.slice(2).filter((arg) => !arg.startsWith('--top='));
if (files.length === 0 || Number.isNaN(top)) {
  console.error('usage: node scripts/suite-times.mjs [--top=N] <jest-results.json> [...]');
  process.exit(2);
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const seconds = (ms) => (ms / 1000).toFixed(1).padStart(7);

for (const file of files) {
  const results = JSON.parse(readFileSync(file, 'utf8'));
  const rows = results.testResults.map((suite) => {
    const wall = suite.endTime - suite.startTime;
    const tests = suite.assertionResults.reduce((sum, test) => sum + (test.duration ?? 0), 0);
    return { name: relative(process.cwd(), suite.name), wall, tests, fixed: Math.max(0, wall - tests) };
  });
  rows.sort((a, b) => b.wall - a.wall);
  console.log(`${file}\n   wall   tests   fixed  file`);
  for (const row of rows.slice(0, top))
    console.log(`${seconds(row.wall)} ${seconds(row.tests)} ${seconds(row.fixed)}  ${row.name}`);
  const e2e = rows.filter((row) => row.name.endsWith('.e2e-spec.ts'));
  const span = Math.max(...results.testResults.map((s) => s.endTime)) - results.startTime;
  console.log(
    `files: ${rows.length} (${e2e.length} e2e); tests: ${results.numTotalTests} (${results.numPassedTests} passed, ` +
      `${results.numFailedTests} failed, ${results.numPendingTests} skipped); run: ${seconds(span).trim()} s; ` +
      `sum of file walls: ${seconds(rows.reduce((sum, row) => sum + row.wall, 0)).trim()} s; ` +
      `median fixed cost per e2e file: ${seconds(median(e2e.map((row) => row.fixed))).trim()} s\n`,
  );
}
