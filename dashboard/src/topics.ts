// Topics page: the topic list, create, delete, and one topic's queues (min/max offsets),
// route and consuming groups.

import { del, get, post, q, QueueRef } from './api.js';
import { field, guard, h, showNote, table, val } from './dom.js';

interface TopicRow {
  topic: string;
  kind: string;
}

interface QueueStat extends QueueRef {
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

interface Route {
  brokerDatas: { brokerName: string; cluster: string; brokerAddrs: Record<string, string> }[];
  queueDatas: { brokerName: string; readQueueNums: number; writeQueueNums: number; perm: number }[];
}

async function showDetail(topic: string): Promise<void> {
  const d = await get<{ topic: string; route: Route; queues: QueueStat[]; messages: number; consumerGroups: string[] }>(
    `/api/topics/${q(topic)}`,
  );
  const box = document.getElementById('topic-detail');
  if (!box) return;
  box.replaceChildren(
    h('h3', {}, `Topic ${d.topic}`),
    h('p', {}, `${d.messages} message(s) stored · consumed by: ${d.consumerGroups.join(', ') || 'nobody'}`),
    h('h4', {}, 'Status (queues)'),
    table(
      'topic-queues',
      ['Broker', 'Queue', 'Min offset', 'Max offset', 'Last update'],
      d.queues.map((x) => [x.brokerName, x.queueId, x.minOffset, x.maxOffset, x.lastUpdateTimestamp ? new Date(x.lastUpdateTimestamp).toLocaleString() : '-']),
    ),
    h('h4', {}, 'Route'),
    table(
      'topic-route',
      ['Broker', 'Cluster', 'Addresses', 'Read queues', 'Write queues', 'Perm'],
      d.route.queueDatas.map((qd) => {
        const bd = d.route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
        const addrs = bd ? Object.entries(bd.brokerAddrs).map(([id, a]) => `${id}: ${a}`).join(', ') : '';
        return [qd.brokerName, bd?.cluster ?? '', addrs, qd.readQueueNums, qd.writeQueueNums, qd.perm];
      }),
    ),
  );
}

export async function render(root: HTMLElement): Promise<void> {
  const list = await get<{ topics: TopicRow[] }>('/api/topics');
  const showSystem = (document.getElementById('show-system') as HTMLInputElement | null)?.checked ?? false;
  const rows = list.topics
    .filter((t) => showSystem || t.kind === 'normal' || t.kind === 'dlq')
    .map((t) => [
      h('a', { href: '#', class: 'topic-link', 'data-topic': t.topic, onclick: (e: Event) => { e.preventDefault(); void guard(() => showDetail(t.topic)); } }, t.topic),
      t.kind,
      h('button', { class: 'status', onclick: () => void guard(() => showDetail(t.topic)) }, 'Status'),
      h('button', {
        class: 'danger delete-topic',
        'data-topic': t.topic,
        onclick: () =>
          void guard(async () => {
            if (!confirm(`Delete topic ${t.topic}?`)) return;
            await del(`/api/topics/${q(t.topic)}`);
            showNote(`Topic ${t.topic} deleted`);
            await render(root);
          }),
      }, 'Delete'),
    ]);
  const create = h(
    'form',
    {
      id: 'create-topic',
      class: 'inline',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void guard(async () => {
          const topic = val('new-topic');
          const r = await post<{ brokers: string[] }>('/api/topics', {
            topic,
            readQueueNums: Number(val('new-read') || '8'),
            writeQueueNums: Number(val('new-write') || '8'),
            perm: Number(val('new-perm') || '6'),
          });
          showNote(`Topic ${topic} created on ${r.brokers.join(', ')}`);
          await render(root);
          await showDetail(topic);
        });
      },
    },
    field('new-topic', 'Topic'),
    field('new-read', 'Read queues', '8', 'number'),
    field('new-write', 'Write queues', '8', 'number'),
    field('new-perm', 'Perm', '6', 'number'),
    h('button', { type: 'submit', id: 'create-topic-btn' }, 'Create'),
  );
  const sys = h('input', { type: 'checkbox', id: 'show-system', checked: showSystem, onchange: () => void guard(() => render(root)) });
  root.replaceChildren(
    h('h2', {}, 'Topics'),
    h('h3', {}, 'Create or update'),
    create,
    h('p', {}, h('label', {}, sys, ' show system and retry topics')),
    table('topics', ['Topic', 'Kind', '', ''], rows),
    h('div', { id: 'topic-detail' }),
  );
}
