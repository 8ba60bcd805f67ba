// Cluster page: brokers with roles, addresses and ports, HA lag, and the put/get TPS chart
// drawn from the dashboard's own samples of each broker's runtime info.
import { get } from './api.js';
import { lineChart } from './chart.js';
import { h, table } from './dom.js';
/** Sums per-broker samples by time bucket (the poll round). */
function summed(brokers, pick) {
    const byTime = new Map();
    for (const samples of Object.values(brokers)) {
        for (const s of samples) {
            const t = Math.round(s.timeMs / 1000) * 1000;
            byTime.set(t, (byTime.get(t) ?? 0) + pick(s));
        }
    }
    return [...byTime.entries()].sort((a, b) => a[0] - b[0]);
}
export async function render(root) {
    const [c, tps] = await Promise.all([
        get('/api/cluster'),
        get('/api/cluster/tps'),
    ]);
    const rows = c.brokers.map((b) => [
        b.cluster,
        b.brokerName,
        b.brokerId,
        h('span', { class: `role ${b.role}` }, b.role),
        b.addr,
        b.brokerIp1,
        b.brokerIp2,
        b.listenPort,
        b.haListenPort,
        b.version,
        b.putTps,
        b.getTps,
        b.msgPutTotalToday,
        b.msgGetTotalToday,
        b.haLagBytes === null ? '-' : `${b.haLagBytes} B`,
        b.error ? h('span', { class: 'err' }, b.error) : b.runtime,
    ]);
    const series = [
        { name: 'put msg/s', color: '#2b7bd6', points: summed(tps.brokers, (s) => s.putRate) },
        { name: 'get msg/s', color: '#28a060', points: summed(tps.brokers, (s) => s.getRate) },
        { name: 'putTps (broker)', color: '#d68a2b', points: summed(tps.brokers, (s) => s.putTps) },
    ];
    root.replaceChildren(h('h2', {}, 'Cluster'), h('p', {}, `Name servers: ${c.namesrv} · ${c.brokers.length} broker(s)`), table('brokers', ['Cluster', 'Broker', 'Id', 'Role', 'Address', 'brokerIP1', 'brokerIP2', 'Port', 'HA port', 'Version', 'putTps', 'getTps', 'Put today', 'Get today', 'HA lag', 'Runtime'], rows), h('h3', {}, 'Put / get TPS (last minutes)'), lineChart('tps-chart', series));
}
