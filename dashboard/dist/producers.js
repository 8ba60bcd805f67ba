// Producers page: the online producers of a group (on the masters of a topic).
import { get, q } from './api.js';
import { field, guard, h, table, val } from './dom.js';
export async function render(root) {
    const out = h('div', { id: 'producer-result' });
    const form = h('form', {
        id: 'producer-form',
        class: 'inline',
        onsubmit: (e) => {
            e.preventDefault();
            void guard(async () => {
                const r = await get(`/api/producers?group=${q(val('p-group'))}&topic=${q(val('p-topic'))}`);
                out.replaceChildren(table('producers', ['Client id', 'Address', 'Language', 'Version'], r.connections.map((c) => [c.clientId, c.clientAddr, c.language, c.version])), ...r.errors.map((x) => h('p', { class: 'err' }, x)));
            });
        },
    }, field('p-topic', 'Topic'), field('p-group', 'Producer group'), h('button', { type: 'submit' }, 'Search'));
    root.replaceChildren(h('h2', {}, 'Producers'), form, out);
}
