/**
 * What `keel init` writes: a small project that `keel validate` passes and that `keel plan`
 * runs at once against a `keel lab up 1` host (lab1, 10.199.0.11, the lab's key and known_hosts):
 * an inventory, a state with a directory, a file and a template, and a bundle used twice. Pure:
 * relative path -> contents.
 */
export function scaffold(): Record<string, string> {
  return {
    'inventory.yaml': `# Your inventory (docs/inventory.md). It starts with keel's lab host: \`sudo keel lab up 1\` in this
# folder boots it (10.199.0.11) and writes the key and known_hosts below. Put your own hosts here
# with their addresses (and your own key and known_hosts) when you are ready.
defaults:
  user: root
  identity: .keel/lab/id_ed25519
  known_hosts: .keel/lab/known_hosts
vars:
  app_name: hello
groups:
  web:
    hosts:
      lab1: {address: 10.199.0.11}
    states:
      - base                                   # states/base.yaml
      - bundle: greeting                       # bundles/greeting, once per name
        name: morning
        with: {file: morning.txt, text: "Good morning from {{ inventory_hostname }}"}
      - bundle: greeting
        name: evening
        with: {file: evening.txt, text: "Good evening", mode: "0600"}
`,
    'states/base.yaml': `# A state: what must be true on a host (docs/states.md). keel plan shows what differs.
resources:
  - directory: /srv/{{ app_name }}
    mode: "0755"
  - directory: /srv/greetings                # the greeting bundle's files go here
  - file: /srv/{{ app_name }}/README
    content: |
      Managed by keel: a hand-made change here is reported as drift by keel plan.
  - template: /srv/{{ app_name }}/app.conf
    source: templates/app.conf.j2          # beside this state file
    mode: "0640"
`,
    'states/templates/app.conf.j2': `# {{ app_name }} on {{ inventory_hostname }}: rendered by keel (nunjucks, docs/modules.md#template)
name = {{ app_name }}
listen = 127.0.0.1:8000
`,
    'bundles/greeting/bundle.yaml': `# A bundle: states with parameters, used once per instance name (docs/states.md#bundles).
description: A greeting file in /srv/greetings, one per instance.
params:
  file: {type: string, pattern: "^[a-z0-9._-]+$"}
  text: {type: string, minLength: 1}
  mode: {type: string, pattern: "^0[0-7]{3}$", default: "0644"}
`,
    'bundles/greeting/states/main.yaml': `resources:
  - file: /srv/greetings/{{ file }}
    content: "{{ text }}\\n"
    mode: "{{ mode }}"
`,
  };
}
