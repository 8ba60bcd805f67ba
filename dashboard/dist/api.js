// Calls of the dashboard's JSON API (docs/dashboard.md); an error answer {error} is thrown.
export class ApiError extends Error {
    constructor(status, message) {
        super(message);
        this.status = status;
    }
}
async function call(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers = { 'Content-Type': 'application/json' };
    }
    const resp = await fetch(path, init);
    const text = await resp.text();
    let data = null;
    try {
        data = text ? JSON.parse(text) : null;
    }
    catch {
        throw new ApiError(resp.status, `HTTP ${resp.status}: ${text.slice(0, 200)}`);
    }
    if (!resp.ok) {
        const err = data?.error ?? `HTTP ${resp.status}`;
        throw new ApiError(resp.status, err);
    }
    return data;
}
export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);
export const del = (path) => call('DELETE', path);
export const q = encodeURIComponent;
