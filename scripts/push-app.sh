#!/bin/sh
# Publish the example Django app (examples/superbook) as a bare git repository on a lab host,
# the way a team's git server would hold it: push-app.sh ADDRESS IDENTITY KNOWN_HOSTS [REPO_PATH]
# Each run commits the current tree (a new commit only when something changed) and pushes main.
set -eu
address=$1 repo=${4:-/srv/git/superbook.git}
identity=$(realpath "$2") known_hosts=$(realpath "$3")
here=$(cd "$(dirname "$0")/.." && pwd)
ssh_cmd="ssh -F /dev/null -i $identity -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$known_hosts -o LogLevel=ERROR"
$ssh_cmd "root@$address" "test -d '$repo' || git init -q --bare -b main '$repo'"
work=${KEEL_APP_WORKTREE:-$here/.keel/app-src}
mkdir -p "$work"
[ -d "$work/.git" ] || git -C "$work" init -q -b main
find "$work" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
cp -a "$here/examples/superbook/." "$work/"
find "$work" -name __pycache__ -prune -exec rm -rf {} +
git -C "$work" add -A
git -C "$work" -c user.name=keel -c user.email=keel@localhost commit -q -m "${KEEL_APP_MESSAGE:-superbook: publish}" >/dev/null || true
GIT_SSH_COMMAND="$ssh_cmd" git -C "$work" push -q --force "root@$address:$repo" main
git -C "$work" rev-parse HEAD
