// Consumer groups page: every group with lag, TPS and clients; one group's lag per queue,
// clients and subscriptions; reset offset by time; create a group.
import { get, post, q } from './api.js';
import { field, fmtTime, guard, h, localInput, showNote, table, val } from './dom.js';
async function showDetail(group) {
    const d = await get(`/api/groups/${q(group)}`);
    const box = document.getElementById('group-detail');
    if (!box)
        return;
    const topics = [...new Set(d.queues.map((x) => x.topic).filter((t) => !t.startsWith('%RETRY%')))];
    const reset = h('form', {
        id: 'reset-offset',
        class: 'inline',
        onsubmit: (e) => {
            e.preventDefault();
            void guard(async () => {
                const when = val('reset-time');
                const ts = when ? new Date(when).getTime() : Date.now();
                const r = await post(`/api/groups/${q(group)}/reset`, { topic: val('reset-topic'), timestamp: ts, force: true });
                showNote(`Offsets of ${group} reset on ${r.queues.length} queue(s)${r.offline ? ' (group offline: offsets written)' : ''}`);
                await showDetail(group);
            });
        },
    }, field('reset-topic', 'Topic', topics[0] ?? ''), field('reset-time', 'Time', localInput(Date.now() - 3600000), 'datetime-local'), h('button', { type: 'submit', id: 'reset-btn' }, 'Reset offset'));
    box.replaceChildren(h('h3', {}, `Group ${d.group}`), h('p', { id: 'group-summary' }, `${d.online ? 'online' : 'offline'} · ${d.consumeType ?? '-'} · ${d.messageModel ?? '-'} · lag ${d.lag} · ${d.consumeTps.toFixed(1)} msg/s`), h('h4', {}, 'Lag per queue'), table('group-queues', ['Topic', 'Broker', 'Queue', 'Broker offset', 'Consumer offset', 'Lag', 'Last consumed'], d.queues.map((x) => [x.topic, x.brokerName, x.queueId, x.brokerOffset, x.consumerOffset, x.lag, fmtTime(x.lastTimestamp)])), h('h4', {}, 'Reset offset by time'), reset, h('h4', {}, 'Clients'), table('group-clients', ['Client id', 'Address', 'Language', 'Version'], d.clients.map((c) => [c.clientId, c.clientAddr, c.language, c.version])), h('h4', {}, 'Subscriptions'), table('group-subs', ['Topic', 'Expression', 'Type'], Object.values(d.subscriptions).map((s) => [s.topic, s.subString, s.expressionType])));
}
export async function render(root) {
    const list = await get('/api/groups');
    const rows = list.groups
        .filter((g) => !g.system)
        .map((g) => [
        h('a', { href: '#', class: 'group-link', 'data-group': g.group, onclick: (e) => { e.preventDefault(); void guard(() => showDetail(g.group)); } }, g.group),
        g.clients,
        g.consumeType ?? '-',
        g.messageModel ?? '-',
        g.lag,
        g.consumeTps.toFixed(1),
    ]);
    const create = h('form', {
        id: 'create-group',
        class: 'inline',
        onsubmit: (e) => {
            e.preventDefault();
            void guard(async () => {
                const group = val('new-group');
                await post('/api/groups', { group });
                showNote(`Group ${group} created`);
                await render(root);
            });
        },
    }, field('new-group', 'Group'), h('button', { type: 'submit' }, 'Create'));
    root.replaceChildren(h('h2', {}, 'Consumer groups'), create, table('groups', ['Group', 'Clients', 'Type', 'Model', 'Lag', 'TPS'], rows), h('div', { id: 'group-detail' }));
}
