// The demo's per-department pages (`--split-by department`) in a real browser: Debian's headless
// Chromium driven by playwright-core. `.ci/run` writes them first:
//   target/browser/split/            the pages, sheets, index.html, audit-report.html and .json
// (with --reply-by 2018-01-31 --contact 市审改办). SPLIT_DIR overrides the directory, CHROMIUM
// the browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.resolve(root, process.env.SPLIT_DIR ?? 'target/browser/split');
const report = JSON.parse(readFileSync(path.join(dir, 'audit-report.json'), 'utf8'));
const departments = report.scorecard.departments.map((d) => d.department);
// The department the README shows (its print is kept as a PDF beside the pages); every
// department's printed page has a budget.
const DEMO_DEPARTMENT = '青禾市公安局';
const PRINT_BUDGET = 4;

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
});

async function open(file, viewport = { width: 1280, height: 1000 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { context, page, errors };
}

const mustFix = (dept) =>
  report.comments.filter((c) => c.department === dept && (c.kind === 'item' || c.advice === false));

/** A figure as the page writes it (src/scorecard.rs `show`). */
function shown(metric, v) {
  const tenth = (x) => {
    const s = x.toFixed(1);
    return s.endsWith('.0') ? s.slice(0, -2) : s;
  };
  return metric === 'materials_per_item' ? tenth(v) : `${tenth(v * 100)}%`;
}

test('each page opens with the action header and scorecard of the JSON', { timeout: 120_000 }, async () => {
  assert.ok(departments.length >= 5);
  for (const dept of departments) {
    const { context, page, errors } = await open(path.join(dir, `${dept}.html`));
    assert.equal(await page.locator('h1').innerText(), dept, 'titled by the department');
    const fixes = mustFix(dept);
    const items = fixes.filter((c) => c.kind === 'item').length;
    const verdict = await page.locator('#action .verdict').innerText();
    const expected = fixes.length === 0 ? '本轮没有须整改的意见' : `须整改意见 ${fixes.length} 条，涉及 ${items} 个事项`;
    assert.ok(verdict.startsWith(expected), `${dept}: ${verdict}`);
    assert.equal(await page.locator('#action .deadline').innerText(), '请于 2018-01-31 前在审核意见表中逐条反馈整改情况');
    assert.equal(await page.locator('#action .contact').innerText(), '审核联系人：市审改办');
    // The scorecard: the department's figures as the JSON has them, the whole catalog's beside.
    const card = report.scorecard.departments.find((d) => d.department === dept);
    const rows = await page.$$eval('#score table.score-rows tbody tr', (trs) =>
      trs.map((tr) => ({ metric: tr.dataset.metric, cells: [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()) })),
    );
    const metrics = Object.keys(card.figures);
    assert.deepEqual(rows.map((r) => r.metric).sort(), metrics.sort(), `${dept}: the figures it has`);
    for (const r of rows) {
      const f = card.figures[r.metric];
      assert.ok(r.cells[0].startsWith(shown(r.metric, f.value)), `${dept} ${r.metric}: ${r.cells[0]}`);
      assert.equal(r.cells.at(-1), shown(r.metric, report.scorecard.total.figures[r.metric].value));
      if (f.rank !== undefined && f.ranked > 1) assert.equal(r.cells.at(-2), `${f.rank}/${f.ranked}`);
    }
    // Its links lead to files that exist.
    for (const link of ['index', 'whole', 'sheet']) {
      const href = await page.locator(`nav.links a[data-link="${link}"]`).getAttribute('href');
      assert.ok(existsSync(path.join(dir, decodeURIComponent(href))), `${dept}: ${link} → ${href}`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('pages and the index fit a 390 px phone without horizontal scrolling', { timeout: 120_000 }, async () => {
  for (const file of ['index.html', ...departments.map((d) => `${d}.html`)]) {
    const { context, page } = await open(path.join(dir, file), { width: 390, height: 844 });
    const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(scroll <= client, `${file}: ${scroll} px wide in a ${client} px viewport`);
    // No column of Chinese one character wide: every department link is at least two characters wide.
    const narrow = await page.$$eval('a', (as) =>
      as
        .filter((a) => /[\u4e00-\u9fff]{2}/.test(a.innerText))
        .filter((a) => a.getBoundingClientRect().width > 0 && a.getBoundingClientRect().width < 28)
        .map((a) => a.innerText),
    );
    assert.deepEqual(narrow, [], `${file}: links squeezed to a character per line`);
    await context.close();
  }
});

test(`every demo department page prints on at most ${PRINT_BUDGET} A4 pages`, { timeout: 120_000 }, async () => {
  for (const dept of departments) {
    const { context, page } = await open(path.join(dir, `${dept}.html`));
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ preferCSSPageSize: true });
    if (dept === DEMO_DEPARTMENT) writeFileSync(path.join(dir, `${dept}.pdf`), pdf);
    const text = pdf.toString('latin1');
    const pages = (text.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    assert.ok(pages >= 1 && pages <= PRINT_BUDGET, `${dept}: ${pages} pages`);
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(text);
    assert.ok(box && Math.abs(Number(box[1]) - 595.3) < 1 && Math.abs(Number(box[2]) - 841.9) < 1, `${dept}: A4`);
    // Everything the department must fix is in the print.
    for (const c of mustFix(dept).filter((c) => c.kind === 'item')) {
      assert.ok(await page.locator(`article.fix:has-text("${c.code}")`).isVisible(), `${dept}: ${c.code}`);
    }
    await context.close();
  }
});
