// Prints one closing line over both test runners: "N passed, N failed".
import { readFileSync } from 'node:fs';

const [vitestJson, pytestXml] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
} catch {
  failed += 1;
  console.log('vitest: no report (the run did not finish)');
}
try {
  const xml = readFileSync(pytestXml, 'utf8');
  const m = /<testsuite [^>]*>/.exec(xml)?.[0] ?? '';
  const n = name => Number(new RegExp(`${name}="(\\d+)"`).exec(m)?.[1] ?? 0);
  const bad = n('failures') + n('errors');
  passed += n('tests') - bad - n('skipped');
  failed += bad;
  skipped += n('skipped');
  console.log(
    `pytest: ${n('tests') - bad - n('skipped')} passed, ${bad} failed`
  );
} catch {
  failed += 1;
  console.log('pytest: no report (the run did not finish)');
}
console.log(
  `${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '')
);
