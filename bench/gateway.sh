#!/usr/bin/env bash
# The gateway's added latency and throughput: the same wrk load on GET /products/{id}, straight to
# catalog, through the YARP gateway (this checkout) and through the old hand-written forwarder
# (built from OLD_GATEWAY_COMMIT), interleaved over several rounds in one run. Prints req/s,
# p50/p99 latency and CPU ms per request of the gateway (and of catalog) from /proc/<pid>/stat,
# and the ratios YARP ÷ old within each round.
#
#   bench/gateway.sh [--rounds 3] [--duration 10] [--connections "1 32"] [--threads 1]
#
# Each connection count is one load: 1 shows the latency a hop adds to a lone request, 32
# saturates the machine and shows throughput and CPU per request.
#
# Needs wrk (apt-get install -y wrk). Uses the `bench` server instance (durable PostgreSQL, Redis,
# RabbitMQ): started for the run and stopped after it unless it was already running.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

old_commit="${OLD_GATEWAY_COMMIT:-7cb82e0}" # the parent of 73d0e26, the switch to YARP
rounds=3 duration=10 connections="1 32" threads=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

catalog_port=5702 yarp_port=5780 old_port=5781
work="$(mktemp -d /tmp/stampede-gateway-bench.XXXXXX)"
pids=()
stop_servers=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $stop_servers == 1 ]]; then ./stampede servers stop --instance bench >/dev/null || true; fi
}
trap cleanup EXIT

for port in $catalog_port $yarp_port $old_port; do
  if ss -ltn "sport = :$port" | grep -q LISTEN; then echo "port $port is taken" >&2; exit 1; fi
done

echo "== Building catalog and the YARP gateway (this checkout), and the old gateway ($old_commit) in $work"
publish() { dotnet publish "$1" -c Release -o "$2" --nologo -v q -nodeReuse:false >"$2.log" 2>&1 || { cat "$2.log" >&2; exit 1; }; }
publish src/Services/Catalog/Stampede.Catalog/Stampede.Catalog.csproj "$work/catalog"
publish src/Services/Gateway/Stampede.Gateway/Stampede.Gateway.csproj "$work/yarp"
mkdir -p "$work/old-src"
git archive "$old_commit" | tar -x -C "$work/old-src"
(cd "$work/old-src" && publish src/Services/Gateway/Stampede.Gateway/Stampede.Gateway.csproj "$work/old")

echo "== Servers"
env_file="$work/servers.env"
bench_pg_port="$(sed -n 's/.*"Postgres": *\([0-9]*\).*/\1/p' .stampede/bench/ports.json 2>/dev/null)"
ss -ltn "sport = :${bench_pg_port:-31432}" | grep -q LISTEN || stop_servers=1
if ! ./stampede servers start --instance bench | grep '^export' >"$env_file"; then echo "servers did not start" >&2; exit 1; fi
# shellcheck disable=SC1090
. "$env_file"
pg_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$STAMPEDE_POSTGRES")"
database="gateway_bench_$(date +%s)"
export PGPASSWORD=stampede
psql -q -h 127.0.0.1 -p "$pg_port" -U stampede -d postgres -c "CREATE DATABASE $database" >/dev/null

start() { # name dll port [env...]
  local name="$1" dll="$2" port="$3"; shift 3
  env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" \
    ConnectionStrings__Redis="$STAMPEDE_REDIS" ConnectionStrings__RabbitMQ="$STAMPEDE_RABBITMQ" \
    Jwt__JwksUrl="http://127.0.0.1:1/.well-known/jwks.json" Logging__LogLevel__Default=Warning "$@" \
    dotnet "$dll" >"$work/$name.out" 2>&1 &
  pids+=("$!")
  eval "${name}_pid=$!"
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && return 0
    sleep 0.5
  done
  echo "$name did not start; its log:" >&2; tail -20 "$work/$name.out" >&2; exit 1
}
gateway_env=(Gateway__Services__catalog="http://127.0.0.1:$catalog_port"
  Gateway__RateLimits__PerIp__Permits=100000000 Gateway__RateLimits__PerUser__Permits=100000000
  Gateway__RateLimits__KeyPrefix="gateway-bench:$database")

echo "== Starting catalog, the YARP gateway and the old gateway"
start catalog "$work/catalog/Stampede.Catalog.dll" $catalog_port ConnectionStrings__Postgres="$STAMPEDE_POSTGRES;Database=$database"
start yarp "$work/yarp/Stampede.Gateway.dll" $yarp_port "${gateway_env[@]}"
start old "$work/old/Stampede.Gateway.dll" $old_port "${gateway_env[@]}"

# One active product with one SKU, written as the catalog's own migrations define the tables.
category="$(cat /proc/sys/kernel/random/uuid)" product="$(cat /proc/sys/kernel/random/uuid)" sku="$(cat /proc/sys/kernel/random/uuid)"
psql -q -h 127.0.0.1 -p "$pg_port" -U stampede -d "$database" -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO categories (id, name, slug, created_at, updated_at) VALUES ('$category', 'Bench', 'bench', now(), now());
INSERT INTO products (id, category_id, name, description, status, options, created_at, updated_at)
  VALUES ('$product', '$category', 'Bench sneaker', 'A product the gateway bench reads.', 'active', '[]', now(), now());
INSERT INTO skus (id, product_id, position, option_values, price, status, created_at, updated_at)
  VALUES ('$sku', '$product', 0, '{}', 129000, 'active', now(), now());
SQL

declare -A url=(
  [direct]="http://127.0.0.1:$catalog_port/products/$product"
  [yarp]="http://127.0.0.1:$yarp_port/api/catalog/products/$product"
  [old]="http://127.0.0.1:$old_port/api/catalog/products/$product"
)
for target in direct yarp old; do
  code="$(curl -s -o "$work/$target.body" -w '%{http_code}' "${url[$target]}")"
  [[ $code == 200 ]] || { echo "$target answered $code: $(cat "$work/$target.body")" >&2; exit 1; }
done
cmp -s "$work/direct.body" "$work/yarp.body" && cmp -s "$work/direct.body" "$work/old.body" \
  || echo "note: the three answers differ in their bytes" >&2

ticks="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime

# wrk's summary, latency in ms: "<req/s> <p50> <p99> <requests> <errors>"
summarise() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /requests in/ { requests = $1 } /Requests\/sec/ { rps = $2 }
    /Non-2xx/ { errors += $NF } /Socket errors/ { errors += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, requests, errors + 0 }'
}
per_request() { awk -v d="$1" -v n="$2" -v t="$ticks" 'BEGIN { printf "%.3f", d * 1000 / t / n }'; } # ticks, requests

echo "== Warming up each target for 3 s"
for target in direct yarp old; do wrk -t1 -c8 -d3s "${url[$target]}" >/dev/null; done

echo "== Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== Load: wrk -t$threads -c$connections -d${duration}s, $rounds rounds, targets interleaved"
measure() { # connections
  local connections="$1" round target order shift_by
  echo "== Load: wrk -t$threads -c$connections -d${duration}s, $rounds rounds, targets interleaved"
  printf '%-6s %-7s %10s %9s %9s %7s %14s %15s\n' round target 'req/s' 'p50 ms' 'p99 ms' errors 'gw CPU ms/req' 'catalog ms/req'
  declare -A sum
  for round in $(seq 1 "$rounds"); do
    # Each round starts with another target, so drift in the machine's load spreads evenly.
    order=(direct yarp old); shift_by=$(( (round - 1) % 3 )); order=("${order[@]:shift_by}" "${order[@]:0:shift_by}")
    for target in "${order[@]}"; do
      local catalog_before gw_before=0 gw_pid=0 rps p50 p99 requests errors gw_cpu="-" catalog_cpu
      catalog_before="$(cpu_ticks "$catalog_pid")"
      if [[ $target == yarp ]]; then gw_pid=$yarp_pid; elif [[ $target == old ]]; then gw_pid=$old_pid; fi
      [[ $gw_pid == 0 ]] || gw_before="$(cpu_ticks "$gw_pid")"
      read -r rps p50 p99 requests errors < <(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "${url[$target]}" | summarise)
      catalog_cpu="$(per_request $(( $(cpu_ticks "$catalog_pid") - catalog_before )) "$requests")"
      [[ $gw_pid == 0 ]] || gw_cpu="$(per_request $(( $(cpu_ticks "$gw_pid") - gw_before )) "$requests")"
      printf '%-6s %-7s %10s %9s %9s %7s %14s %15s\n' "$round" "$target" "$rps" "$p50" "$p99" "$errors" "$gw_cpu" "$catalog_cpu"
      sum[$target]="$rps $p50 $p99 $gw_cpu"
    done
    awk -v r="$round" -v d="${sum[direct]}" -v y="${sum[yarp]}" -v o="${sum[old]}" 'BEGIN {
      split(d, D, " "); split(y, Y, " "); split(o, O, " ")
      printf "round %s  YARP ÷ old: req/s %.2f, p50 %.2f, p99 %.2f, gateway CPU/req %.2f | p50 added over direct: YARP %.2f ms, old %.2f ms\n",
        r, Y[1] / O[1], Y[2] / O[2], Y[3] / O[3], Y[4] / O[4], Y[2] - D[2], O[2] - D[2] }'
  done
}

echo "== Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for c in $connections; do measure "$c"; done
echo "== Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== Logs and builds in $work"
