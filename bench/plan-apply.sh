#!/usr/bin/env bash
# Times `plimsoll plan` and a no-op `plimsoll apply` of the example base role on N real sshd hosts, and
# reports the SSH connections and round trips the plan made per host.
#
#   bash bench/plan-apply.sh 10
#   bash bench/plan-apply.sh 50 7      # 7 timed runs each (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-10}
runs=${2:-5}
prefix="plbench-$$"
subnet="10.$((200 + $$ % 50)).$(( ($$ / 50) % 250 )).0/24"
work=$(mktemp -d)
trap 'TESTBED_LIGHT=1 bash scripts/testbed/testbed.sh down "$prefix"; rm -rf "$work"' EXIT

cargo build --release --locked -q
plimsoll="$PWD/target/release/plimsoll"
TESTBED_LIGHT=1 bash scripts/testbed/testbed.sh up "$prefix" "$hosts" "$subnet" >"$work/hosts.ini"
printf "[all:vars]\nansible_ssh_common_args='-o UserKnownHostsFile=%s'\n" \
  "${XDG_CACHE_HOME:-$HOME/.cache}/plimsoll/testbed/$prefix/known_hosts" >>"$work/hosts.ini"
site="$PWD/playbooks/site.yml"
"$plimsoll" apply -i "$work/hosts.ini" "$site" --forks 20 >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_runs() {
  for _ in $(seq 1 "$runs"); do
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    awk -v a="$end" -v b="$start" 'BEGIN { printf "%.3f\n", a - b }'
  done | median
}
echo "hosts: $hosts, runs: $runs (median wall seconds)"
echo "plan:          $(time_runs "$plimsoll" plan -i "$work/hosts.ini" "$site" --forks 20)"
echo "no-op apply:   $(time_runs "$plimsoll" apply -i "$work/hosts.ini" "$site" --forks 20)"
"$plimsoll" plan -i "$work/hosts.ini" "$site" --forks 20 --stats 2>&1 >/dev/null | sed -n 's/ (per host.*//p'
