// Messages page: send one; find by topic + time range, by key, by id; one message's body and
// properties; consume it directly on one client of a group (CONSUME_MESSAGE_DIRECTLY).
import { get, post, q } from './api.js';
import { field, fmtTime, guard, h, localInput, showNote, table, val } from './dom.js';
export function messageTable(id, msgs, extra) {
    return table(id, ['Message id', 'Tags', 'Keys', 'Stored', 'Broker', 'Queue', 'Offset', ''], msgs.map((m) => [
        h('a', { href: '#', class: 'msg-link', 'data-msgid': m.msgId, onclick: (e) => { e.preventDefault(); showMessage(m); } }, m.msgId),
        m.tags ?? '',
        m.keys.join(' '),
        fmtTime(m.storeTimestamp),
        m.brokerName,
        m.queueId,
        m.queueOffset,
        extra ? extra(m) : '',
    ]));
}
export function showMessage(m) {
    const box = document.getElementById('message-detail');
    if (!box)
        return;
    const consume = h('form', {
        id: 'consume-directly',
        class: 'inline',
        onsubmit: (e) => {
            e.preventDefault();
            void guard(async () => {
                const r = await post('/api/messages/consume', {
                    group: val('cd-group'),
                    clientId: val('cd-client'),
                    msgId: m.offsetMsgId,
                });
                showNote(`Consumed directly: ${r.consumeResult ?? '?'} ${r.remark ?? ''}`);
            });
        },
    }, field('cd-group', 'Group'), field('cd-client', 'Client id'), h('button', { type: 'submit' }, 'Consume directly'));
    box.replaceChildren(h('h3', {}, `Message ${m.msgId}`), table('message-info', ['Field', 'Value'], [
        ['Topic', m.topic],
        ['offsetMsgId', m.offsetMsgId],
        ['Tags', m.tags ?? ''],
        ['Keys', m.keys.join(' ')],
        ['Queue', `${m.brokerName} / ${m.queueId} @ ${m.queueOffset}`],
        ['Born', `${fmtTime(m.bornTimestamp)} from ${m.bornHost}`],
        ['Stored', `${fmtTime(m.storeTimestamp)} on ${m.storeHost}`],
        ['Reconsume times', m.reconsumeTimes],
        ['Body size', m.bodySize],
    ]), h('h4', {}, 'Body'), h('pre', { id: 'message-body' }, m.body), h('h4', {}, 'Properties'), table('message-props', ['Key', 'Value'], Object.entries(m.properties).map(([k, v]) => [k, v])), h('h4', {}, 'Consume directly'), consume);
}
function results(msgs) {
    const out = document.getElementById('message-results');
    if (out)
        out.replaceChildren(h('p', { id: 'result-count' }, `${msgs.length} message(s)`), messageTable('messages', msgs));
}
function form(id, fields, label, action) {
    return h('form', { id, class: 'inline', onsubmit: (e) => { e.preventDefault(); void guard(action); } }, ...fields, h('button', { type: 'submit', id: `${id}-btn` }, label));
}
export async function render(root) {
    const now = Date.now();
    root.replaceChildren(h('h2', {}, 'Messages'), h('h3', {}, 'Send'), form('send-form', [field('s-topic', 'Topic'), field('s-tags', 'Tags'), field('s-keys', 'Keys'), field('s-body', 'Body')], 'Send', async () => {
        const r = await post('/api/messages', {
            topic: val('s-topic'),
            tags: val('s-tags'),
            keys: val('s-keys'),
            body: val('s-body'),
        });
        showNote(`${r.sendStatus}: ${r.msgId} on ${r.brokerName} queue ${r.queueId}`);
    }), h('h3', {}, 'By topic and time'), form('by-topic', [field('t-topic', 'Topic'), field('t-begin', 'From', localInput(now - 3600000), 'datetime-local'), field('t-end', 'To', localInput(now + 3600000), 'datetime-local')], 'Search', async () => {
        const b = new Date(val('t-begin')).getTime();
        const e = new Date(val('t-end')).getTime();
        const r = await get(`/api/messages?topic=${q(val('t-topic'))}&begin=${b || 0}&end=${e || Date.now()}`);
        results(r.messages);
    }), h('h3', {}, 'By key'), form('by-key', [field('k-topic', 'Topic'), field('k-key', 'Key')], 'Search', async () => {
        const r = await get(`/api/messages/key?topic=${q(val('k-topic'))}&key=${q(val('k-key'))}`);
        results(r.messages);
    }), h('h3', {}, 'By id'), form('by-id', [field('i-topic', 'Topic'), field('i-id', 'Message id')], 'Search', async () => {
        const m = await get(`/api/messages/id?topic=${q(val('i-topic'))}&id=${q(val('i-id'))}`);
        results([m]);
        showMessage(m);
    }), h('div', { id: 'message-results' }), h('div', { id: 'message-detail' }));
}
