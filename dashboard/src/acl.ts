// ACL page: the accounts of every master (GET_BROKER_CLUSTER_ACL_CONFIG), create or update
// one, delete one; "ACL off" when the brokers run without ACL.

import { del, get, post, q } from './api.js';
import { field, guard, h, showNote, table, val } from './dom.js';

interface Account {
  accessKey?: string;
  whiteRemoteAddress?: string;
  admin: boolean;
  defaultTopicPerm?: string;
  defaultGroupPerm?: string;
  topicPerms?: string[];
  groupPerms?: string[];
}

interface BrokerAcl {
  globalWhiteAddrs: string[];
  plainAccessConfigs: Account[];
}

export async function render(root: HTMLElement): Promise<void> {
  const acl = await get<{ enabled: boolean; brokers: Record<string, BrokerAcl> }>('/api/acl');
  if (!acl.enabled) {
    root.replaceChildren(h('h2', {}, 'ACL'), h('p', { id: 'acl-off', class: 'off' }, 'ACL off: the brokers run with aclEnable=false.'));
    return;
  }
  const sections = Object.entries(acl.brokers).map(([broker, b]) =>
    h(
      'section',
      {},
      h('h3', {}, `Broker ${broker}`),
      h('p', {}, `Global white addresses: ${b.globalWhiteAddrs.join(', ') || '-'}`),
      table(
        `acl-${broker}`,
        ['Access key', 'Admin', 'White address', 'Topic default', 'Group default', 'Topic perms', 'Group perms', ''],
        b.plainAccessConfigs.map((a) => [
          a.accessKey ?? '',
          a.admin ? 'yes' : 'no',
          a.whiteRemoteAddress ?? '',
          a.defaultTopicPerm ?? '',
          a.defaultGroupPerm ?? '',
          (a.topicPerms ?? []).join(', '),
          (a.groupPerms ?? []).join(', '),
          h('button', {
            class: 'danger',
            onclick: () =>
              void guard(async () => {
                await del(`/api/acl/accounts/${q(a.accessKey ?? '')}`);
                showNote(`Account ${a.accessKey} deleted`);
                await render(root);
              }),
          }, 'Delete'),
        ]),
      ),
    ),
  );
  const list = (id: string) => val(id).split(',').map((s) => s.trim()).filter((s) => s);
  root.replaceChildren(
    h('h2', {}, 'ACL'),
    h(
      'form',
      {
        id: 'acl-form',
        class: 'inline',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void guard(async () => {
            await post('/api/acl/accounts', {
              accessKey: val('a-ak'),
              secretKey: val('a-sk'),
              whiteRemoteAddress: val('a-white') || undefined,
              admin: (document.getElementById('a-admin') as HTMLInputElement).checked,
              defaultTopicPerm: val('a-dtp') || undefined,
              defaultGroupPerm: val('a-dgp') || undefined,
              topicPerms: list('a-tp'),
              groupPerms: list('a-gp'),
            });
            showNote(`Account ${val('a-ak')} saved`);
            await render(root);
          });
        },
      },
      field('a-ak', 'Access key'),
      field('a-sk', 'Secret key', '', 'password'),
      field('a-white', 'White address'),
      h('label', {}, h('input', { id: 'a-admin', type: 'checkbox' }), ' admin'),
      field('a-dtp', 'Topic default', 'DENY'),
      field('a-dgp', 'Group default', 'SUB'),
      field('a-tp', 'Topic perms (t=PUB,...)'),
      field('a-gp', 'Group perms (g=SUB,...)'),
      h('button', { type: 'submit' }, 'Save'),
    ),
    ...sections,
  );
}
