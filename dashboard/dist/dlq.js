// DLQ page: the messages of %DLQ%<group>, each resendable to its original topic.
import { get, post, q } from './api.js';
import { field, guard, h, showNote, val } from './dom.js';
import { messageTable } from './messages.js';
async function load(group) {
    const r = await get(`/api/dlq?group=${q(group)}`);
    const out = document.getElementById('dlq-result');
    if (!out)
        return;
    out.replaceChildren(h('p', { id: 'dlq-count' }, `${r.messages.length} message(s) in ${r.topic}`), messageTable('dlq-messages', r.messages, (m) => h('button', {
        class: 'resend',
        onclick: () => void guard(async () => {
            const s = await post('/api/dlq/resend', { group, msgId: m.offsetMsgId });
            showNote(`Resent to ${s.topic} as ${s.msgId}`);
        }),
    }, 'Resend')));
}
export async function render(root) {
    root.replaceChildren(h('h2', {}, 'Dead-letter queues'), h('form', { id: 'dlq-form', class: 'inline', onsubmit: (e) => { e.preventDefault(); void guard(() => load(val('dlq-group'))); } }, field('dlq-group', 'Consumer group'), h('button', { type: 'submit' }, 'List')), h('div', { id: 'dlq-result' }), h('div', { id: 'message-detail' }));
}
