// End-to-end test of the dashboard in headless Chromium (playwright-core + Debian's chromium):
// starts a real name server, a master and `rocketactor dashboard` (binary from ROCKETACTOR_BIN,
// default ../target/release/rocketactor), sends messages with `rocketactor admin sendMessage`,
// opens every page, clicks create topic -> send -> find message -> reset offset, asserts on
// what the pages show and saves screenshots under target/dashboard-screenshots/. Every process
// it started is stopped by its PID. Prints "N passed, N failed" as its last line.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const bin = process.env.ROCKETACTOR_BIN || path.join(repo, 'target', 'release', 'rocketactor');
const shots = path.join(repo, 'target', 'dashboard-screenshots');
fs.mkdirSync(shots, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rocketactor-e2e-'));
const procs = [];
let passed = 0;
let failed = 0;

function start(args, env = {}) {
  const p = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  return p;
}

/** Resolves with the first match of `re` in the process's output. */
function waitLine(p, re, what) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}:\n${buf}`)), 30000);
    const on = (d) => {
      buf += d.toString();
      const m = buf.match(re);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    p.stdout.on('data', on);
    p.stderr.on('data', on);
    p.on('exit', (c) => reject(new Error(`${what}: process exited ${c}:\n${buf}`)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.on('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A listen port P with P-2 (fast channel) and P+1 (HA) free too. */
async function brokerPort() {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (p > 3000 && p < 65000 && (await portFree(p - 2)) && (await portFree(p + 1))) return p;
  }
  throw new Error('no free port triple');
}

async function until(what, f, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await f()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function admin(ns, ...args) {
  return execFileSync(bin, ['admin', ...args, '-n', ns], { encoding: 'utf8' });
}

async function check(name, f) {
  try {
    await f();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${name}: ${e.stack || e}`);
  }
}

function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function main() {
  const ns = start(['namesrv', '--listen', '127.0.0.1:0'], { ROCKETACTOR_NAMESRV_kvConfigPath: path.join(tmp, 'kv.json') });
  const nsAddr = await waitLine(ns, /name server started.*?listen: ([0-9.]+:[0-9]+)/, 'name server address');
  const port = await brokerPort();
  const store = path.join(tmp, 'store');
  fs.writeFileSync(
    path.join(tmp, 'broker.properties'),
    [
      'brokerClusterName=E2ECluster',
      'brokerName=e2e-a',
      'brokerId=0',
      `namesrvAddr=${nsAddr}`,
      `listenPort=${port}`,
      'brokerIP1=127.0.0.1',
      `storePathRootDir=${store}`,
      `storePathCommitLog=${store}/commitlog`,
      'mappedFileSizeCommitLog=16777216',
      '',
    ].join('\n'),
  );
  start(['-c', path.join(tmp, 'broker.properties')]);
  await until('broker registered', () => admin(nsAddr, 'clusterList').includes('e2e-a'));
  const dash = start(['dashboard', '-n', nsAddr, '--listen', '127.0.0.1:0', '--poll-secs', '1']);
  const base = await waitLine(dash, /dashboard listening on (http:\/\/[0-9.:]+)/, 'dashboard address');

  // Messages sent from the command line before the browser opens.
  admin(nsAddr, 'updateTopic', '-t', 'E2E_SEEDED', '-c', 'E2ECluster');
  for (let i = 0; i < 5; i++) admin(nsAddr, 'sendMessage', '-t', 'E2E_SEEDED', '-p', `seeded-${i}`, '-k', `seed-${i}`);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // playwright gives every launch a fresh temporary user-data-dir.
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('dialog', (d) => void d.accept());
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const open = async (name) => {
    await page.goto(`${base}/#${name}`);
    await page.waitForSelector(`#page[data-loaded="${name}"]`, { timeout: 20000 });
  };
  const text = (sel) => page.locator(sel).innerText();
  const noError = async () => {
    const hidden = await page.locator('#error').isHidden();
    expect(hidden, `error banner: ${await text('#error')}`);
  };

  await check('cluster page shows the broker, its role, address and a TPS chart', async () => {
    await open('cluster');
    const t = await text('#brokers');
    expect(t.includes('e2e-a') && t.includes('E2ECluster'), t);
    expect(t.includes(`127.0.0.1:${port}`), t);
    expect(t.includes('ASYNC_MASTER'), t);
    await page.waitForSelector('#tps-chart polyline[data-series="put msg/s"]', { timeout: 20000 });
    await page.screenshot({ path: path.join(shots, 'cluster.png'), fullPage: true });
  });

  await check('topics page creates a topic and shows its queues and route', async () => {
    await open('topics');
    expect((await text('#topics')).includes('E2E_SEEDED'), 'seeded topic listed');
    await page.fill('#new-topic', 'E2E_WEB');
    await page.fill('#new-read', '4');
    await page.fill('#new-write', '4');
    await page.click('#create-topic-btn');
    await page.waitForSelector('#topic-queues', { timeout: 20000 });
    await noError();
    expect((await text('#note')).includes('E2E_WEB created on e2e-a'), await text('#note'));
    const rows = await page.locator('#topic-queues tbody tr').count();
    expect(rows === 4, `4 queues, saw ${rows}`);
    expect((await text('#topic-route')).includes(`127.0.0.1:${port}`), 'route address');
    await page.screenshot({ path: path.join(shots, 'topics.png'), fullPage: true });
  });

  let webMsgId = '';
  await check('messages page sends a message and finds it by key, id and time', async () => {
    await open('messages');
    await page.fill('#s-topic', 'E2E_WEB');
    await page.fill('#s-tags', 'TagWeb');
    await page.fill('#s-keys', 'web-key-1');
    await page.fill('#s-body', 'hello from the browser');
    await page.click('#send-form-btn');
    await page.waitForSelector('#note:not([hidden])');
    await noError();
    const note = await text('#note');
    expect(note.startsWith('SendOk'), note);
    webMsgId = note.split(' ')[1].replace(':', '');
    await page.fill('#k-topic', 'E2E_WEB');
    await page.fill('#k-key', 'web-key-1');
    await page.click('#by-key-btn');
    await page.waitForSelector('#messages');
    expect((await text('#result-count')) === '1 message(s)', await text('#result-count'));
    expect((await text('#messages')).includes(webMsgId), 'msg id in results');
    await page.click('#messages .msg-link');
    await page.waitForSelector('#message-body');
    expect((await text('#message-body')) === 'hello from the browser', await text('#message-body'));
    expect((await text('#message-props')).includes('TagWeb'), 'TAGS property');
    await page.fill('#i-topic', 'E2E_WEB');
    await page.fill('#i-id', webMsgId);
    await page.click('#by-id-btn');
    await page.waitForSelector('#message-body');
    expect((await text('#message-body')) === 'hello from the browser', 'by id');
    await page.fill('#t-topic', 'E2E_SEEDED');
    await page.click('#by-topic-btn');
    await until('5 seeded found', async () => (await text('#result-count')) === '5 message(s)', 10000);
    await page.screenshot({ path: path.join(shots, 'messages.png'), fullPage: true });
  });

  await check('consumer page creates a group and resets its offset by time', async () => {
    await open('groups');
    await page.fill('#new-group', 'E2E_GROUP');
    await page.click('#create-group button');
    await page.waitForSelector('a.group-link[data-group="E2E_GROUP"]', { timeout: 20000 });
    await page.click('a.group-link[data-group="E2E_GROUP"]');
    await page.waitForSelector('#reset-offset');
    await page.fill('#reset-topic', 'E2E_SEEDED');
    await page.click('#reset-btn');
    await until('offsets reset', async () => (await text('#note')).includes('reset on 8 queue(s)'), 15000).catch(async (e) => {
      throw new Error(`${e.message}; note: ${await text('#note')}; error: ${await text('#error')}`);
    });
    await noError();
    await until('lag 5 shown', async () => (await text('#group-summary')).includes('lag 5'), 15000);
    expect((await text('#group-queues')).includes('E2E_SEEDED'), 'queues listed');
    await page.screenshot({ path: path.join(shots, 'groups.png'), fullPage: true });
  });

  await check('producers page answers for a group', async () => {
    await open('producers');
    await page.fill('#p-topic', 'E2E_WEB');
    await page.fill('#p-group', 'PID_SMSC');
    await page.click('#producer-form button');
    await page.waitForSelector('#producers');
    await page.screenshot({ path: path.join(shots, 'producers.png'), fullPage: true });
  });

  await check('DLQ page lists the dead letters of a group', async () => {
    await open('dlq');
    await page.fill('#dlq-group', 'E2E_GROUP');
    await page.click('#dlq-form button');
    await page.waitForSelector('#dlq-count');
    await noError();
    expect((await text('#dlq-count')).includes('%DLQ%E2E_GROUP'), await text('#dlq-count'));
    await page.screenshot({ path: path.join(shots, 'dlq.png'), fullPage: true });
  });

  await check('ACL page says ACL off', async () => {
    await open('acl');
    expect((await text('#acl-off')).startsWith('ACL off'), 'ACL off shown');
    await page.screenshot({ path: path.join(shots, 'acl.png'), fullPage: true });
  });

  await check('cluster errors are shown on the page', async () => {
    await open('topics');
    await page.fill('#new-topic', 'bad topic!');
    await page.click('#create-topic-btn');
    await page.waitForSelector('#error:not([hidden])');
    expect((await text('#error')).includes('invalid'), await text('#error'));
  });

  await check('no script error in the pages', async () => {
    expect(consoleErrors.length === 0, consoleErrors.join('\n'));
  });

  await browser.close();
}

try {
  await main();
} catch (e) {
  failed++;
  console.log(`FAIL - setup: ${e.stack || e}`);
} finally {
  for (const p of procs.reverse()) {
    if (p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      process.kill(p.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
  }
  try {
    fs.rmSync(tmp, { recursive: true, force: true });
  } catch (e) {
    console.log(`note: could not remove ${tmp}: ${e}`);
  }
}
console.log(`web: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
