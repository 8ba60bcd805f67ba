// Small DOM helpers shared by the pages: element builder, tables, forms, error banner.
/** Builds an element: h('td', {class: 'num'}, 'text', child). */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
        if (typeof v === 'function') {
            el.addEventListener(k.replace(/^on/, ''), v);
        }
        else if (typeof v === 'boolean') {
            if (v)
                el.setAttribute(k, '');
        }
        else {
            el.setAttribute(k, v);
        }
    }
    for (const c of children) {
        if (c === null || c === undefined || c === false)
            continue;
        el.append(typeof c === 'number' ? String(c) : c);
    }
    return el;
}
/** A table with a header row; `rows` are arrays of cells. */
export function table(id, head, rows) {
    return h('table', { id, class: 'grid' }, h('thead', {}, h('tr', {}, ...head.map((x) => h('th', {}, x)))), h('tbody', {}, ...(rows.length === 0
        ? [h('tr', {}, h('td', { colspan: String(head.length), class: 'empty' }, 'nothing to show'))]
        : rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c)))))));
}
/** A labelled input. */
export function field(id, label, value = '', type = 'text') {
    return h('label', { for: id }, label, h('input', { id, name: id, type, value }));
}
/** The value of input `id` (empty when absent). */
export function val(id) {
    const el = document.getElementById(id);
    return el ? el.value.trim() : '';
}
/** Shows an error (from the cluster or the API) in the page's banner. */
export function showError(e) {
    const msg = e instanceof Error ? e.message : String(e);
    const banner = document.getElementById('error');
    if (banner) {
        banner.textContent = msg;
        banner.hidden = false;
    }
}
/** Shows a success note in the page's banner. */
export function showNote(msg) {
    const banner = document.getElementById('note');
    if (banner) {
        banner.textContent = msg;
        banner.hidden = false;
    }
}
export function clearBanners() {
    for (const id of ['error', 'note']) {
        const b = document.getElementById(id);
        if (b) {
            b.hidden = true;
            b.textContent = '';
        }
    }
}
export function fmtTime(ms) {
    if (!ms || ms <= 0)
        return '-';
    const d = new Date(ms);
    const p = (n, w = 2) => String(n).padStart(w, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
/** `yyyy-MM-ddTHH:mm` for a datetime-local input. */
export function localInput(ms) {
    return fmtTime(ms).replace(' ', 'T').slice(0, 16);
}
/** Runs an async action, reporting its error in the banner. */
export async function guard(action) {
    clearBanners();
    try {
        await action();
    }
    catch (e) {
        showError(e);
    }
}
