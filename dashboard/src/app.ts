// The dashboard's entry: the navigation bar and the hash router (#cluster, #topics, ...).

import * as acl from './acl.js';
import * as cluster from './cluster.js';
import * as dlq from './dlq.js';
import * as groups from './groups.js';
import * as messages from './messages.js';
import * as producers from './producers.js';
import * as topics from './topics.js';
import { guard, h } from './dom.js';

type Page = { render: (root: HTMLElement) => Promise<void> };

const PAGES: [string, string, Page][] = [
  ['cluster', 'Cluster', cluster],
  ['topics', 'Topics', topics],
  ['groups', 'Consumers', groups],
  ['producers', 'Producers', producers],
  ['messages', 'Messages', messages],
  ['dlq', 'DLQ', dlq],
  ['acl', 'ACL', acl],
];

let timer: number | undefined;

function route(): void {
  const name = location.hash.replace(/^#/, '') || 'cluster';
  const entry = PAGES.find((p) => p[0] === name) ?? PAGES[0];
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.getAttribute('href') === `#${entry[0]}`);
  }
  const root = document.getElementById('page');
  if (!root) return;
  root.setAttribute('data-page', entry[0]);
  root.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  void guard(async () => {
    await entry[2].render(root);
    root.setAttribute('data-loaded', entry[0]);
  });
  if (timer !== undefined) window.clearInterval(timer);
  timer = undefined;
  if (entry[0] === 'cluster') {
    // The cluster page follows the TPS samples.
    timer = window.setInterval(() => void guard(() => entry[2].render(root)), 5000);
  }
}

function main(): void {
  const nav = document.getElementById('nav');
  if (nav) nav.replaceChildren(...PAGES.map(([id, label]) => h('a', { href: `#${id}`, id: `nav-${id}` }, label)));
  window.addEventListener('hashchange', route);
  route();
}

main();
