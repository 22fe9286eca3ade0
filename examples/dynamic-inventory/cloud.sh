#!/bin/sh
# examples/dynamic-inventory/cloud.sh: a real one would ask a cloud API
cat <<'JSON'
{
  "_meta": {
    "hostvars": {
      "web1": {"ansible_host": "10.0.1.11", "ansible_user": "deploy", "rack": "r1"},
      "web2": {"ansible_host": "10.0.1.12", "ansible_port": "2222", "rack": "r2"},
      "db1":  {"ansible_host": "10.0.2.21", "ansible_ssh_private_key_file": "keys/db.key"}
    }
  },
  "all": {"vars": {"ansible_user": "root", "region": "eu-west"}, "children": ["web", "db", "ungrouped"]},
  "web": {"hosts": ["web1", "web2"], "vars": {"http_port": 8080}},
  "db": ["db1"],
  "ungrouped": {"hosts": []}
}
JSON
