// The demo's HTML audit report in a real browser: Debian's headless Chromium driven by
// playwright-core (never a downloaded browser). `.ci/run` writes the reports first:
//   target/browser/report.html     (zh, the default language)
//   target/browser/report-en.html  (--lang en)
//   target/browser/report.json     (the same audit as audit-report/1: the numbers to expect)
// REPORT_DIR overrides the directory, CHROMIUM the browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.resolve(root, process.env.REPORT_DIR ?? 'target/browser');
const zhReport = path.join(dir, 'report.html');
const enReport = path.join(dir, 'report-en.html');
const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
const findings = report.findings;

// The demo item whose name is markup (examples/qinghe/README.md).
const MARKUP_NAME = '<script>alert("青禾")</script>残疾人证补办';

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** Opens a report, recording console messages, page errors, dialogs and every request. */
async function open(file, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1400 }, ...options });
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const seen = { console: [], errors: [], dialogs: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('dialog', async (d) => {
    seen.dialogs.push(d.message());
    await d.dismiss();
  });
  context.on('request', (r) => {
    if (r.url() !== url && !r.url().startsWith('data:')) seen.requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { context, page, seen };
}

function assertQuiet(seen) {
  assert.deepEqual(seen.console, [], 'no console errors or warnings');
  assert.deepEqual(seen.errors, [], 'no uncaught errors');
  assert.deepEqual(seen.requests, [], 'no request besides the file itself');
  assert.deepEqual(seen.dialogs, [], 'no dialog');
}

const visible = (page, selector) => page.locator(`${selector}:visible`).count();

test('the report renders offline with no console error and no request', { timeout: 60_000 }, async () => {
  mkdirSync(dir, { recursive: true });
  for (const [file, lang, shown, shot] of [
    [zhReport, 'zh-CN', `显示 ${findings.length} / ${findings.length} 条审核意见`, 'report.png'],
    [enReport, 'en', `Showing ${findings.length} of ${findings.length} findings`, 'report-en.png'],
  ]) {
    const { context, page, seen } = await open(file);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    // The inline script ran (the CSP allowed it by hash): filters are on, with their count.
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('js')), true);
    assert.equal(await page.locator('#filters').isVisible(), true);
    assert.equal((await page.locator('#filter-status').textContent()).trim(), shown);
    assert.equal(await visible(page, 'article.finding'), findings.length);
    assert.equal(await page.locator('svg[data-chart]').count(), 3, 'three charts');
    await page.screenshot({ path: path.join(dir, shot) });
    // Let anything late (a timer, a lazy request) show itself before judging.
    await page.waitForTimeout(300);
    assertQuiet(seen);
    await context.close();
  }
});

test('catalog markup shows as text and runs nothing', { timeout: 60_000 }, async () => {
  const { context, page, seen } = await open(zhReport);
  const expected = findings.filter((f) => f.name === MARKUP_NAME).length;
  assert.ok(expected > 0, 'the demo has findings on the item named with markup');
  const names = page.getByText(MARKUP_NAME, { exact: true });
  assert.ok((await names.count()) >= expected);
  assert.equal(await names.first().isVisible(), true, 'the markup is visible as text');
  assert.equal(await page.locator('script').count(), 1, 'only the report\'s own script');
  await page.waitForTimeout(300);
  assert.deepEqual(seen.dialogs, [], 'no alert fired');
  assertQuiet(seen);
  await context.close();
});

test('the filters show exactly the findings asked for', { timeout: 60_000 }, async () => {
  const { context, page, seen } = await open(zhReport);
  const count = (pred) => findings.filter(pred).length;

  // Each department: only its findings, only its section.
  const departments = [...new Set(findings.map((f) => f.department))];
  assert.ok(departments.length > 1);
  for (const name of departments) {
    const n = count((f) => f.department === name);
    await page.selectOption('#f-dept', { label: `${name} (${n})` });
    const value = await page.inputValue('#f-dept');
    assert.equal(await visible(page, 'article.finding'), n, name);
    assert.equal(await visible(page, `article.finding:not([data-dept="${value}"])`), 0, name);
    assert.equal(await visible(page, 'section.dept'), 1, name);
    assert.equal(await page.locator(`section#${value}`).isVisible(), true, name);
  }
  await page.click('#filters button[type=reset]');
  await page.waitForFunction((n) => document.querySelectorAll('article.finding:not([hidden])').length === n, findings.length);

  // Severity error: no warning, no info.
  await page.selectOption('#f-severity', 'error');
  assert.equal(await visible(page, 'article.finding'), report.summary.findings.error);
  assert.equal(await visible(page, 'article.finding.sev-warning'), 0, 'no warning visible');
  assert.equal(await visible(page, 'article.finding.sev-info'), 0, 'no info visible');
  // Sections without errors are out of the way.
  const withErrors = new Set(findings.filter((f) => f.severity === 'error').map((f) => f.department)).size;
  assert.equal(await visible(page, 'section.dept'), withErrors);

  // Combined with a category.
  await page.selectOption('#f-category', 'adjustment');
  assert.equal(
    await visible(page, 'article.finding'),
    count((f) => f.severity === 'error' && f.category === 'adjustment'),
  );
  // And with the state.
  const state = findings[0].state;
  await page.selectOption('#f-state', state);
  assert.equal(
    await visible(page, 'article.finding'),
    count((f) => f.severity === 'error' && f.category === 'adjustment' && f.state === state),
  );
  const shown = count((f) => f.severity === 'error' && f.category === 'adjustment' && f.state === state);
  assert.equal(
    (await page.locator('#filter-status').textContent()).trim(),
    `显示 ${shown} / ${findings.length} 条审核意见`,
  );

  await page.click('#filters button[type=reset]');
  await page.waitForFunction((n) => document.querySelectorAll('article.finding:not([hidden])').length === n, findings.length);
  assertQuiet(seen);
  await context.close();
});

test('with scripts off everything is shown and no filter control', { timeout: 60_000 }, async () => {
  const { context, page, seen } = await open(enReport, { javaScriptEnabled: false });
  assert.equal(await page.locator('#filters').isVisible(), false);
  assert.equal(await visible(page, 'article.finding'), findings.length);
  assert.equal(await visible(page, 'section.rules article.rule-doc'), Object.keys(report.rules).length);
  assertQuiet(seen);
  await context.close();
});

test('it prints as an A4 document without filter controls', { timeout: 60_000 }, async () => {
  const { context, page, seen } = await open(zhReport);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('#filters').isVisible(), false, 'no filter controls in print');
  const breaks = await page.$$eval('section.dept', (s) => s.map((e) => getComputedStyle(e).breakBefore));
  assert.ok(breaks.length > 1 && breaks.every((b) => b === 'page'), 'a page per department');
  const pdf = await page.pdf({ preferCSSPageSize: true });
  writeFileSync(path.join(dir, 'report.pdf'), pdf);
  const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
  assert.ok(box, 'the PDF names its page size');
  // A4 is 595.28 x 841.89 points; Chromium rounds to whole CSS pixels.
  assert.ok(Math.abs(Number(box[1]) - 595.3) < 1 && Math.abs(Number(box[2]) - 841.9) < 1, box[0]);
  assertQuiet(seen);
  await context.close();
});
