#!/usr/bin/env bash
# Times `plimsoll plan` and a no-op `plimsoll apply` of a Docker service stack on N real hosts, each
# with its own Docker engine: one image delivered from this machine (`source: controller`), a network
# and 3 containers per host. Reports the SSH connections, round trips and forwards each made per host.
#
#   bash bench/docker-plan.sh           # 10 hosts, 5 timed runs
#   bash bench/docker-plan.sh 20 7      # 20 hosts, 7 timed runs each
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-10}
runs=${2:-5}
prefix="plbench-dock-$$"
subnet="10.$((200 + $$ % 50)).$(( ($$ / 50) % 250 )).0/24"
work=$(mktemp -d)
cleanup() {
  docker image rm "$prefix-app:latest" >/dev/null 2>&1 || true
  bash scripts/testbed/testbed.sh down "$prefix"
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --locked -q
plimsoll="$PWD/target/release/plimsoll"
busybox=$(bash scripts/testbed/testbed.sh testimage)
docker tag "$busybox" "$prefix-app:latest"
TESTBED_LIGHT=0 bash scripts/testbed/testbed.sh up "$prefix" "$hosts" "$subnet" >"$work/hosts.ini"
printf "[all:vars]\nansible_ssh_common_args='-o UserKnownHostsFile=%s'\n" \
  "${XDG_CACHE_HOME:-$HOME/.cache}/plimsoll/testbed/$prefix/known_hosts" >>"$work/hosts.ini"

# Each host's dockerd starts after its sshd: a plan against an engine still starting would time that.
for i in $(seq 1 "$hosts"); do
  host="$prefix-h$i"
  for attempt in $(seq 1 240); do
    docker exec "$host" docker info --format '{{.ID}}' >/dev/null 2>&1 && break
    if [ "$attempt" = 240 ]; then
      echo "the Docker engine inside $host never answered; its log ends:" >&2
      docker exec "$host" tail -20 /var/log/dockerd.log >&2 || true
      exit 1
    fi
    sleep 0.5
  done
done

cat >"$work/site.yml" <<EOF
- hosts: all
  gather_facts: false
  vars:
    plimsoll_project: $prefix
  tasks:
    - name: app image
      community.docker.docker_image:
        name: $prefix-app:latest
        source: controller
    - name: app network
      community.docker.docker_network:
        name: $prefix-net
    - name: web
      community.docker.docker_container:
        name: $prefix-web
        image: $prefix-app:latest
        command: [httpd, -f, -p, "8080"]
        env:
          APP_MODE: web
          APP_TOKEN: not-a-real-secret
        published_ports: ["8080:8080"]
        labels:
          bench.role: web
        restart_policy: unless-stopped
        networks:
          - name: $prefix-net
            aliases: [www]
    - name: api
      community.docker.docker_container:
        name: $prefix-api
        image: $prefix-app:latest
        command: [httpd, -f, -p, "9090"]
        env:
          APP_MODE: api
        published_ports: ["9090:9090"]
        labels:
          bench.role: api
        restart_policy: unless-stopped
        networks:
          - name: $prefix-net
    - name: worker
      community.docker.docker_container:
        name: $prefix-worker
        image: $prefix-app:latest
        command: [sleep, "100000"]
        env:
          APP_MODE: worker
          QUEUE: jobs
        labels:
          bench.role: worker
        restart_policy: unless-stopped
        networks:
          - name: $prefix-net
EOF

run() { "$plimsoll" "$@" -i "$work/hosts.ini" "$work/site.yml" --forks 20; }
run apply >"$work/first-apply.log" 2>&1 || { cat "$work/first-apply.log" >&2; exit 1; }
# What is timed below is a converged state: the plan must find nothing to do.
run plan --detailed-exitcode >"$work/check.log" 2>&1 || {
  echo "the plan after the first apply is not empty (exit $?):" >&2; cat "$work/check.log" >&2; exit 1; }
for i in $(seq 1 "$hosts"); do
  running=$(docker exec "$prefix-h$i" docker ps -q --filter "name=^$prefix-" | wc -l)
  [ "$running" = 3 ] || { echo "$prefix-h$i runs $running of the 3 containers" >&2; exit 1; }
done

# Prints "median min max" wall seconds of `runs` runs of the command; any failed run stops the bench.
time_runs() {
  for _ in $(seq 1 "$runs"); do
    start=$(date +%s.%N)
    "$@" >"$work/run.log" 2>&1 || { echo "$* failed:" >&2; cat "$work/run.log" >&2; exit 1; }
    end=$(date +%s.%N)
    awk -v a="$end" -v b="$start" 'BEGIN { printf "%.3f\n", a - b }'
  done | sort -n | awk '{a[NR]=$1} END {printf "median %s  min %s  max %s\n", a[int((NR+1)/2)], a[1], a[NR]}'
}
echo "hosts: $hosts, runs: $runs, 1 image + 1 network + 3 containers per host (wall seconds)"
plan_times=$(time_runs run plan)
apply_times=$(time_runs run apply)
echo "plan:          $plan_times"
echo "no-op apply:   $apply_times"
echo "plan  $(run plan --stats 2>&1 >/dev/null | grep '^ssh:')"
echo "apply $(run apply --stats 2>&1 >/dev/null | grep '^ssh:')"
