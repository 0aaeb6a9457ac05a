/// <reference lib="dom" />
/**
 * The report page in a real browser: Debian's chromium (/usr/bin/chromium, or
 * SHAREWATCH_CHROMIUM) driven by puppeteer-core. One browser per test file; each page records
 * console messages, page errors, every request that is not the file itself, and dialogs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.SHAREWATCH_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '..', 'artifacts');

export function chromiumMissing(): string | null {
  return fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} not found (apt-get install chromium)`;
}

export async function launch(): Promise<Browser> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...(root ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

export interface Loaded {
  page: Page;
  /** console messages of type error/warn, page errors, CSP violations */
  errors: string[];
  /** requests other than the report file itself */
  requests: string[];
  dialogs: string[];
  loadMs: number;
}

export async function openReport(browser: Browser, file: string, viewport = { width: 1500, height: 1000 }): Promise<Loaded> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  const url = 'file://' + path.resolve(file);
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') errors.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${(e as Error).message}`));
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const started = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
  const loadMs = Date.now() - started;
  return { page, errors, requests, dialogs, loadMs };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name.replace(/[^\w.-]+/g, '_') + '.png');
  await page.screenshot({ path: file as `${string}.png`, fullPage: true });
  return file;
}

/** The timeline's visible range as the page states it (#tl-range data-*). */
export async function visibleRange(page: Page): Promise<{ from: number; to: number; lanes: number[] }> {
  return page.$eval('#tl-range', (e) => {
    const d = (e as HTMLElement).dataset;
    return { from: Number(d.from), to: Number(d.to), lanes: (d.lanes ?? '').split(',').filter((x) => x !== '').map((x) => Number(x)) };
  });
}
