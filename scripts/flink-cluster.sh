#!/usr/bin/env bash
# A real local Flink 2.3.0 cluster for workshops, development and memlab's own tests:
# one JobManager and N TaskManagers on this machine, REST on 127.0.0.1:$PORT.
#
#   scripts/flink-cluster.sh start [TMS]     start (default 2 TaskManagers) and wait until all registered
#   scripts/flink-cluster.sh submit [ARGS]   build and submit the load job (e.g. --grow true --rate 5000)
#   scripts/flink-cluster.sh kill-tm         kill one TaskManager (to see it marked gone)
#   scripts/flink-cluster.sh status | stop
#   scripts/flink-cluster.sh prometheus      print the first TaskManager's Prometheus scrape
#
# MEMLAB_FLINK_CONF: extra config.yaml lines (flat keys), e.g.
#   MEMLAB_FLINK_CONF='taskmanager.memory.managed.fraction: 0.05' scripts/flink-cluster.sh start
# MEMLAB_TM_PROCESS_SIZE: the TaskManagers' taskmanager.memory.process.size (default 1024m).
#
# Installs what is missing: Java 17 (Debian) and the Flink jars (PyPI's
# apache-flink-libraries wheel, downloaded once into ~/.cache/memlab/flink).
source "$(dirname "$0")/lib.sh"

FLINK_VERSION=2.3.0
PORT="${MEMLAB_FLINK_PORT:-8081}"
RPC_PORT="${MEMLAB_FLINK_RPC_PORT:-$((PORT - 1958))}" # 8081 → 6123 (Flink's default)
# Flink's PrometheusReporter (from the wheel's plugins/): the JobManager and each TaskManager
# take the first free port of this range.
PROM_PORTS="${MEMLAB_PROM_PORTS:-$((PORT + 1169))-$((PORT + 1179))}" # 8081 → 9250-9260
CACHE="$HOME/.cache/memlab/flink"
FLINK="$CACHE/$FLINK_VERSION/pyflink"
STATE="${MEMLAB_CLUSTER_DIR:-$HOME/.cache/memlab/cluster}"
REST="http://127.0.0.1:$PORT"

ensure_java() {
  if ! command -v java >/dev/null || ! java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
    log "installing Java 17 (Debian openjdk-17-jre-headless)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless
  fi
}

ensure_flink() {
  if [[ -f "$FLINK/bin/bash-java-utils.jar" && -d "$FLINK/lib" ]]; then return; fi
  mkdir -p "$CACHE"
  local wheel="$CACHE/apache_flink_libraries-$FLINK_VERSION-py2.py3-none-any.whl"
  if [[ ! -f "$wheel" ]]; then
    log "downloading apache-flink-libraries==$FLINK_VERSION from PyPI (~330 MB, once)"
    python3 -m pip download --no-deps --quiet -d "$CACHE" "apache-flink-libraries==$FLINK_VERSION"
  fi
  mkdir -p "$CACHE/$FLINK_VERSION"
  (cd "$CACHE/$FLINK_VERSION" && python3 -m zipfile -e "$wheel" . >/dev/null)
  # Keep only what the cluster needs.
  (cd "$CACHE/$FLINK_VERSION" && find . -mindepth 1 -maxdepth 1 ! -name pyflink -exec rm -rf {} +)
}

write_conf() {
  mkdir -p "$STATE/conf" "$STATE/log" "$STATE/tmp"
  cat > "$STATE/conf/config.yaml" <<YAML
jobmanager:
  rpc:
    address: 127.0.0.1
    port: $RPC_PORT
  bind-host: 127.0.0.1
  memory:
    process.size: 1024m
taskmanager:
  bind-host: 127.0.0.1
  host: 127.0.0.1
  numberOfTaskSlots: 2
  memory:
    process.size: ${MEMLAB_TM_PROCESS_SIZE:-1024m}
rest:
  address: 127.0.0.1
  bind-address: 127.0.0.1
  port: $PORT
# Short heartbeats: a killed TaskManager is dropped within seconds (default 50 s).
heartbeat:
  interval: 1000
  timeout: 5000
metrics.fetcher.update-interval: 2000
io.tmp.dirs: $STATE/tmp
parallelism.default: 2
# One task per TaskManager (Flink would otherwise fill the first TaskManager's slots).
taskmanager.load-balance.mode: SLOTS
web.access-control-allow-origin: "*"
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: $PROM_PORTS
${MEMLAB_FLINK_CONF:-}
YAML
  cat > "$STATE/conf/log4j.properties" <<'LOG'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
appender.main.name = MainAppender
appender.main.type = File
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
LOG
}

rest_get() { curl -sf --max-time 3 "$REST$1"; }

# Flink finds its plugins (the Prometheus reporter) here.
export FLINK_PLUGINS_DIR="$FLINK/plugins"

registered_tms() { rest_get /taskmanagers | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["taskmanagers"]))' 2>/dev/null || echo 0; }

# Flink's own derivation for this config: line 1 the JVM arguments, line 2 the -D properties.
resource_params() {
  java -cp "$FLINK/bin/bash-java-utils.jar:$FLINK/lib/*" org.apache.flink.runtime.util.bash.BashJavaUtils \
    "$1" --configDir "$STATE/conf" 2>/dev/null | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

start_tm() {
  local i="$1" params jvm dyn
  params=$(resource_params GET_TM_RESOURCE_PARAMS)
  jvm=$(sed -n 1p <<<"$params")
  dyn=$(sed -n 2p <<<"$params")
  # shellcheck disable=SC2086 # the JVM arguments and -D properties are word lists
  nohup java $jvm --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    -Dlog.file="$STATE/log/taskmanager-$i.log" -Dlog4j.configurationFile="file:$STATE/conf/log4j.properties" \
    -cp "$FLINK/lib/*" org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$STATE/conf" $dyn \
    > "$STATE/log/taskmanager-$i.out" 2>&1 &
  echo $! > "$STATE/taskmanager-$i.pid"
}

start() {
  local tms="${1:-2}"
  ensure_java
  ensure_flink
  if rest_get /overview >/dev/null; then
    log "a cluster already answers on $REST"
    return 0
  fi
  rm -rf "$STATE"
  write_conf
  log "starting the JobManager (REST $REST)"
  # Like Flink's own start scripts: the JVM arguments and -D properties BashJavaUtils derives.
  local params jvm dyn
  params=$(resource_params GET_JM_RESOURCE_PARAMS)
  jvm=$(sed -n 1p <<<"$params")
  dyn=$(sed -n 2p <<<"$params")
  # shellcheck disable=SC2086 # word lists
  nohup java $jvm --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
    -Dlog.file="$STATE/log/jobmanager.log" -Dlog4j.configurationFile="file:$STATE/conf/log4j.properties" \
    -cp "$FLINK/lib/*" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$STATE/conf" $dyn \
    > "$STATE/log/jobmanager.out" 2>&1 &
  echo $! > "$STATE/jobmanager.pid"
  for i in $(seq 1 "$tms"); do start_tm "$i"; done
  log "waiting for $tms TaskManager(s) to register"
  for _ in $(seq 1 120); do
    [[ "$(registered_tms)" -ge "$tms" ]] && { log "cluster up: $REST ($tms TaskManagers)"; return 0; }
    sleep 1
  done
  echo "the cluster did not come up within 120 s; logs in $STATE/log" >&2
  return 1
}

submit() {
  ensure_java
  local build="$STATE/job" id=""
  # The jar is built and uploaded once per cluster; later submissions run the same jar.
  if [[ -f "$build/jar-id" ]] && rest_get /jars | grep -q "$(cat "$build/jar-id")"; then
    id=$(cat "$build/jar-id")
  else
    mkdir -p "$build/classes"
    javac -d "$build/classes" -cp "$FLINK/lib/*" "$ROOT/tools/flink-load/src/memlab/LoadJob.java"
    (cd "$build/classes" && jar cf "$build/memlab-load.jar" memlab)
    id=$(curl -sf -X POST -F "jarfile=@$build/memlab-load.jar" "$REST/jars/upload" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["filename"].split("/")[-1])')
    echo "$id" > "$build/jar-id"
  fi
  # Flink 2.x takes the job's arguments as a JSON list (`programArgs` was removed).
  local body
  body=$(python3 -c 'import json,sys; print(json.dumps({"entryClass": "memlab.LoadJob", "programArgsList": sys.argv[1:]}))' "$@")
  curl -sf -X POST -H 'Content-Type: application/json' -d "$body" "$REST/jars/$id/run"
  echo
}

kill_tm() {
  local pid
  pid=$(ls "$STATE"/taskmanager-*.pid 2>/dev/null | sort | tail -n 1)
  [[ -n "$pid" ]] || { echo "no TaskManager running" >&2; return 1; }
  kill -9 "$(cat "$pid")" 2>/dev/null || true
  rm -f "$pid"
  log "killed $(basename "$pid" .pid)"
}

stop() {
  for p in "$STATE"/*.pid; do
    [[ -f "$p" ]] || continue
    kill "$(cat "$p")" 2>/dev/null || true
    rm -f "$p"
  done
  log "cluster stopped"
}

status() {
  if rest_get /overview; then echo; else echo "no cluster answers on $REST"; fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  submit) shift; submit "$@" ;;
  kill-tm) kill_tm ;;
  stop) stop ;;
  status) status ;;
  prometheus)
    lo="${PROM_PORTS%-*}"; hi="${PROM_PORTS#*-}"
    for p in $(seq "$lo" "$hi"); do
      body=$(curl -sf --max-time 3 "http://127.0.0.1:$p/metrics" || true)
      if grep -q '^flink_taskmanager_' <<<"$body"; then printf '%s\n' "$body"; exit 0; fi
    done
    echo "no TaskManager Prometheus endpoint in $PROM_PORTS" >&2; exit 1 ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
