#!/usr/bin/env bash
# Benchmark: Redress, grammY and Telegraf, one after another, against the
# same load tool (tools/load) with the same users and script. Results are
# appended as JSON lines to bench/results/<time>.jsonl; the ratios against
# the targets of issue 4 are printed at the end. See docs/PERFORMANCE.md.
#
#   bench/run.sh                      # 100 users, 30 s each (+5 s warm-up)
#   bench/run.sh -c 50 -d 20s         # other sizes
#   bench/run.sh --only redress       # one bot (redress, grammy, telegraf)
#   bench/run.sh --worktree           # Redress from the working tree (default: HEAD)
#   bench/run.sh --million            # also: start-up and memory with 1,000,000 stored sessions
#
# Needs Go, gcc, Node.js 20 and npm (the npm registry), nothing else. Every
# bot talks only to the load tool's fake Bot API on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

USERS=100 DURATION=30s WARMUP=5s ONLY="redress grammy telegraf" MILLION=0 WORKERS= WORKTREE=0
while [ $# -gt 0 ]; do
	case "$1" in
	-c) USERS=$2; shift 2 ;;
	-d) DURATION=$2; shift 2 ;;
	-w) WARMUP=$2; shift 2 ;;
	--workers) WORKERS="--workers $2"; shift 2 ;;
	--only) ONLY=${2//,/ }; shift 2 ;;
	--worktree) WORKTREE=1; shift ;;
	--million) MILLION=1; shift ;;
	-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

WORK=$(mktemp -d /tmp/redress-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/results/$STAMP.jsonl
KEY=$(head -c 32 /dev/urandom | base64)

say() { printf '\n== %s\n' "$*"; }

# The peers' dependencies, once (better-sqlite3 12 builds from source: minutes).
for peer in grammy telegraf; do
	case " $ONLY " in *" $peer "*) ;; *) continue ;; esac
	if [ ! -e "bench/peers/$peer/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ]; then
		say "npm ci in bench/peers/$peer (compiles better-sqlite3)"
		(cd "bench/peers/$peer" && npm_config_nodedir=/usr npm ci --no-audit --no-fund)
	fi
done

# The binaries: Redress as committed (HEAD), so that a result names the
# commit it measured; --worktree builds the working tree instead.
say "build redress and the load tool"
SRC=$WORK/src
mkdir -p "$SRC"
if [ "$WORKTREE" = 1 ]; then
	tar --exclude=.git --exclude=node_modules --exclude='*.db' -cf - . | tar -xf - -C "$SRC"
	COMMIT="$(git rev-parse --short HEAD)+worktree"
else
	git archive HEAD | tar -xf - -C "$SRC"
	COMMIT=$(git rev-parse --short HEAD)
fi
echo "redress: $COMMIT"
(cd "$SRC" && CGO_ENABLED=1 go build -o "$WORK/redress" .)
go build -o "$WORK/load" ./tools/load
go build -o "$WORK/seed" ./tools/seed

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "go: $(go version | cut -d' ' -f3); node: $(node --version)"

run_load() { # name command...
	local name=$1; shift
	say "$name: $USERS users, $DURATION (+$WARMUP warm-up), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	local note="redress $COMMIT; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	"$WORK/load" --name "$name" --note "$note" --script bench/scripts/questionnaire.txt -c "$USERS" \
		--duration "$DURATION" --warmup "$WARMUP" --json "$OUT" --log "$WORK/$name.log" --cmd "$*"
}

for bot in $ONLY; do
	case $bot in
	redress)
		run_load redress env REDRESS_KEY="$KEY" "$WORK/redress" serve --db "$WORK/redress.db" \
			--flow bench/questionnaire.yaml --locales bench/locales --log-level warn $WORKERS ;;
	grammy)
		run_load grammy env BENCH_DB="$WORK/grammy.db" node bench/peers/grammy/bot.js ;;
	telegraf)
		run_load telegraf env BENCH_DB="$WORK/telegraf.db" node bench/peers/telegraf/bot.js ;;
	*) echo "run.sh: unknown bot $bot" >&2; exit 2 ;;
	esac
done

if [ "$MILLION" = 1 ]; then
	DB=bench/results/million.db # kept between runs: seeding takes minutes
	if [ ! -e "$DB" ]; then
		say "seed 1,000,000 sessions into $DB"
		"$WORK/seed" --db "$DB" --sessions 1000000
	fi
	name=redress-1M
	say "$name: start-up with 1,000,000 stored sessions (5 starts)"
	for i in 1 2 3 4 5; do
		"$WORK/load" --name "$name-startup" --startup-only --json "$OUT" --log "$WORK/million.log" \
			--cmd "env -u REDRESS_KEY $WORK/redress serve --db $DB --flow bench/questionnaire.yaml --locales bench/locales --log-level warn" | tail -2 | head -1
	done
	# The key is the file beside the database (million.key), as the seeder made it.
	run_load "$name" env -u REDRESS_KEY "$WORK/redress" serve --db "$DB" --flow bench/questionnaire.yaml --locales bench/locales --log-level warn $WORKERS
fi

say "results: $OUT"
node - "$OUT" <<'EOF'
const fs = require('fs');
const runs = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const by = {};
for (const r of runs) by[r.name] = r;
const row = (r) => `${r.name.padEnd(22)} ${String(r.updates ?? '').padStart(7)} ${(r.updates_per_s ?? 0).toFixed(0).padStart(7)} ` +
  `${(r.latency_ms?.p50 ?? 0).toFixed(1).padStart(8)} ${(r.latency_ms?.p95 ?? 0).toFixed(1).padStart(8)} ${(r.latency_ms?.p99 ?? 0).toFixed(1).padStart(8)} ` +
  `${String(r.errors ?? '').padStart(6)} ${(r.cpu_s ?? 0).toFixed(1).padStart(6)} ${(r.peak_rss_mb ?? 0).toFixed(1).padStart(8)} ${(r.startup_ms ?? 0).toFixed(0).padStart(7)}`;
console.log('bot                    updates   upd/s   p50 ms   p95 ms   p99 ms errors  cpu s  RSS MB  start ms');
for (const r of runs) console.log(row(r));
const g = by.grammy;
for (const name of ['redress']) {
  const r = by[name];
  if (!r || !g) continue;
  const tput = r.updates_per_s / g.updates_per_s, p99 = r.latency_ms.p99 / g.latency_ms.p99;
  console.log(`\n${name} vs grammY at ${r.users} chats:`);
  console.log(`  updates/s  ${tput.toFixed(2)}x grammY   (target >= 2x)    ${tput >= 2 ? 'met' : 'NOT met'}`);
  console.log(`  p99        ${p99.toFixed(2)}x grammY's (target <= 0.5x) ${p99 <= 0.5 ? 'met' : 'NOT met'}`);
  console.log(`  peak RSS   ${r.peak_rss_mb} MB          (target <= 40 MB)  ${r.peak_rss_mb <= 40 ? 'met' : 'NOT met'}`);
  console.log(`  errors     ${r.errors}`);
}
const starts = runs.filter((r) => /-1M-startup$/.test(r.name));
if (starts.length) {
  const ms = starts.map((r) => r.startup_ms).sort((a, b) => a - b);
  const med = ms[Math.floor(ms.length / 2)];
  const rss = Math.max(...starts.map((r) => r.peak_rss_mb));
  console.log(`\nwith 1,000,000 stored sessions: start-up median ${med.toFixed(0)} ms of ${ms.map((x) => x.toFixed(0)).join(', ')} (target < 200 ms) ${med < 200 ? 'met' : 'NOT met'}`);
  console.log(`  peak RSS at start ${rss} MB (target < 60 MB) ${rss < 60 ? 'met' : 'NOT met'}`);
  const m = runs.find((r) => /-1M$/.test(r.name));
  if (m) console.log(`  under load (${m.users} chats): ${m.updates_per_s.toFixed(0)} upd/s, p99 ${m.latency_ms.p99} ms, peak RSS ${m.peak_rss_mb} MB (target < 60 MB) ${m.peak_rss_mb < 60 ? 'met' : 'NOT met'}`);
}
EOF
