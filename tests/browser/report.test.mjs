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
// What the page shows: one card per comment (must-fix item cards with numbered points, advice
// cards listing items); the filters count cards.
const comments = report.comments;
const isItem = (c) => c.kind === 'item';
// The severities and categories a card matches: those of its points (an item card), or its own.
const byFingerprint = new Map(findings.map((f) => [f.fingerprint, f]));
const fingerprintsOf = (c) =>
  isItem(c) ? c.points.flatMap((p) => p.fingerprints) : [...(c.items ?? []).flatMap((i) => i.fingerprints), ...(c.fingerprints ?? [])];
const severitiesOf = (c) => (isItem(c) ? c.points.map((p) => p.severity) : [c.severity]);
const categoriesOf = (c) => fingerprintsOf(c).map((fp) => byFingerprint.get(fp).category);

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
    [zhReport, 'zh-CN', `显示 ${comments.length} / ${comments.length} 条意见`, 'report.png'],
    [enReport, 'en', `Showing ${comments.length} of ${comments.length} comments`, 'report-en.png'],
  ]) {
    const { context, page, seen } = await open(file);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    // The inline script ran (the CSP allowed it by hash): filters are on, with their count.
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('js')), true);
    assert.equal(await page.locator('#filters').isVisible(), true);
    assert.equal((await page.locator('#filter-status').textContent()).trim(), shown);
    assert.equal(await visible(page, 'article.comment'), comments.length);
    assert.equal(
      await visible(page, 'li.point'),
      comments.filter(isItem).reduce((n, c) => n + c.points.length, 0),
    );
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
  const expected = comments.filter((c) => isItem(c) && c.name === MARKUP_NAME).length;
  assert.ok(expected > 0, 'the demo has a comment on the item named with markup');
  const names = page.getByText(MARKUP_NAME, { exact: true });
  assert.ok((await names.count()) >= expected);
  assert.equal(await names.first().isVisible(), true, 'the markup is visible as text');
  assert.equal(await page.locator('script').count(), 1, 'only the report\'s own script');
  await page.waitForTimeout(300);
  assert.deepEqual(seen.dialogs, [], 'no alert fired');
  assertQuiet(seen);
  await context.close();
});

test('the filters show exactly the comments asked for', { timeout: 60_000 }, async () => {
  const { context, page, seen } = await open(zhReport);
  const count = (pred) => comments.filter(pred).length;
  const status = async () => (await page.locator('#filter-status').textContent()).trim();
  const reset = async () => {
    await page.click('#filters button[type=reset]');
    await page.waitForFunction((n) => document.querySelectorAll('article.comment:not([hidden])').length === n, comments.length);
  };

  // Each department: only its cards, only its section.
  const departments = [...new Set(comments.map((c) => c.department))];
  assert.ok(departments.length > 1);
  for (const name of departments) {
    const n = count((c) => c.department === name);
    await page.selectOption('#f-dept', { label: `${name} (${n})` });
    const value = await page.inputValue('#f-dept');
    assert.equal(await visible(page, 'article.comment'), n, name);
    assert.equal(await visible(page, `article.comment:not([data-dept="${value}"])`), 0, name);
    assert.equal(await visible(page, 'section.dept'), 1, name);
    assert.equal(await page.locator(`section#${value}`).isVisible(), true, name);
  }
  await reset();

  // Severity error: the cards with an error, and of an item card only its error points.
  await page.selectOption('#f-severity', 'error');
  const errors = count((c) => severitiesOf(c).includes('error'));
  assert.equal(await visible(page, 'article.comment'), errors);
  assert.equal(await visible(page, 'li.point:not([data-severity="error"])'), 0, 'no warning or info point');
  assert.equal(await visible(page, 'article.comment.advice:not([data-severity="error"])'), 0);
  assert.equal(
    await visible(page, 'li.point'),
    comments.filter(isItem).reduce((n, c) => n + c.points.filter((p) => p.severity === 'error').length, 0),
  );
  // Sections without errors are out of the way.
  const withErrors = new Set(comments.filter((c) => severitiesOf(c).includes('error')).map((c) => c.department)).size;
  assert.equal(await visible(page, 'section.dept'), withErrors);
  assert.equal(await status(), `显示 ${errors} / ${comments.length} 条意见`);

  // Combined with a category.
  await page.selectOption('#f-category', 'adjustment');
  const both = count((c) => {
    if (isItem(c)) {
      return c.points.some((p) => p.severity === 'error' && p.fingerprints.some((fp) => byFingerprint.get(fp).category === 'adjustment'));
    }
    return c.severity === 'error' && categoriesOf(c).includes('adjustment');
  });
  assert.ok(both > 0 && both < errors, `${both} of ${errors}`);
  assert.equal(await visible(page, 'article.comment'), both);
  assert.equal(await status(), `显示 ${both} / ${comments.length} 条意见`);
  await reset();

  // A rule: the cards citing it (a must-fix card through one of its points), and of an item
  // card only the points that cite it; every rule the comments cite is offered.
  const rulesOf = (c) => (isItem(c) ? c.points.flatMap((p) => p.rules) : c.rules);
  const cited = [...new Set(comments.flatMap(rulesOf))].sort();
  const offered = await page.$$eval('#f-rule option', (os) => os.map((o) => o.value).filter((v) => v !== ''));
  assert.deepEqual(offered, cited);
  for (const rule of ['DA-03', 'OV-06']) {
    const n = count((c) => rulesOf(c).includes(rule));
    assert.ok(n > 0, rule);
    await page.selectOption('#f-rule', rule);
    assert.equal(await visible(page, 'article.comment'), n, rule);
    const points = await page.$$eval('li.point:not([hidden])', (ps) => ps.map((p) => p.closest('article').hidden ? '' : p.dataset.rules));
    assert.ok(points.filter((r) => r !== '').every((r) => r.split(' ').includes(rule)), `${rule}: ${points}`);
    assert.equal(await status(), `显示 ${n} / ${comments.length} 条意见`);
  }
  await reset();

  // Advice only (its rules are warnings and info here): the category of the reform targets.
  await page.selectOption('#f-category', 'one_visit');
  assert.equal(await visible(page, 'article.comment'), count((c) => categoriesOf(c).includes('one_visit')));
  await reset();

  // Text: an item's code finds its must-fix card and the advice cards that list it, with only
  // that item shown in their lists.
  const listed = comments.filter((c) => !isItem(c) && (c.items ?? []).length > 1);
  const code = listed[0].items[1].code;
  const cards = count((c) => (isItem(c) && c.code === code) || (c.items ?? []).some((i) => i.code === code));
  await page.fill('#f-text', code);
  await page.waitForFunction((n) => document.querySelectorAll('article.comment:not([hidden])').length === n, cards);
  assert.equal(await visible(page, 'tr.listed-item'), count((c) => (c.items ?? []).some((i) => i.code === code)));
  assert.equal(await status(), `显示 ${cards} / ${comments.length} 条意见`);
  // An advice card's own words show it whole.
  await page.fill('#f-text', '跑零次');
  const advised = count((c) => !isItem(c) && c.text.includes('跑零次'));
  assert.ok(advised > 0);
  assert.equal(await visible(page, 'article.comment.advice'), advised);
  // Nothing matches: no card, no section.
  await page.fill('#f-text', 'no-such-text-anywhere');
  assert.equal(await visible(page, 'article.comment'), 0);
  assert.equal(await visible(page, 'section.dept'), 0);
  assert.equal(await status(), `显示 0 / ${comments.length} 条意见`);

  await reset();
  assert.equal(await page.inputValue('#f-text'), '');
  assert.equal(await visible(page, 'tr.listed-item'), comments.reduce((n, c) => n + (c.items ?? []).length, 0));
  assertQuiet(seen);
  await context.close();
});

test('with scripts off everything is shown and no filter control', { timeout: 60_000 }, async () => {
  const { context, page, seen } = await open(enReport, { javaScriptEnabled: false });
  assert.equal(await page.locator('#filters').isVisible(), false);
  assert.equal(await visible(page, 'article.comment'), comments.length);
  assert.equal(await visible(page, 'li.point'), comments.filter(isItem).reduce((n, c) => n + c.points.length, 0));
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
