#!/usr/bin/env bash
# A local stack for exploring medallion: S3 (s3proxy), Kafka, SQS (ElasticMQ) and Kinesis (kinesalite)
# on 127.0.0.1, started by the test kit's own launchers (io.medallion.localstack.LocalStack).
#
#   scripts/local-stack.sh up      # starts it in the background, prints the endpoints and the env file
#   scripts/local-stack.sh down    # stops it (the servers keep everything in memory: data is gone)
#   scripts/local-stack.sh status
#
# Needs Java 17, Maven and Node.js (kinesalite). State lives in target/local-stack/ (LOCAL_STACK_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${LOCAL_STACK_DIR:-target/local-stack}
pidfile=$dir/pid

running() { [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-}" in
  up)
    if running; then
      echo "The local stack already runs (pid $(cat "$pidfile")); its env file: $dir/local-stack.env" >&2
      exit 0
    fi
    mkdir -p "$dir"
    rm -f "$dir/ready"
    if [[ ! -d target/test-classes/io/medallion/localstack || ! -f target/test-classpath.txt ]]; then
      echo "Building the test kit and the launcher (mvn -q test-compile)..." >&2
      mvn -q -B -Dstyle.color=never test-compile
      mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >/dev/null
    fi
    opens=$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' pom.xml)
    # shellcheck disable=SC2086
    nohup java -Xmx1g $opens -Dmedallion.test.servers=target/test-servers \
      -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
      io.medallion.localstack.LocalStack "$dir" >"$dir/stack.log" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 180); do
      if [[ -f $dir/ready ]]; then
        grep -A20 '^medallion local stack' "$dir/stack.log"
        exit 0
      fi
      if ! running; then
        echo "The local stack did not start; its log ($dir/stack.log):" >&2
        tail -n 30 "$dir/stack.log" >&2
        exit 1
      fi
      sleep 1
    done
    echo "The local stack did not start within 180 s; see $dir/stack.log" >&2
    exit 1
    ;;
  down)
    if running; then
      pid=$(cat "$pidfile")
      kill "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      echo "Stopped the local stack (pid $pid)."
    else
      echo "The local stack is not running."
    fi
    rm -f "$pidfile" "$dir/ready" "$dir/local-stack.env"
    ;;
  status)
    if running; then grep -A20 '^medallion local stack' "$dir/stack.log"; else echo "The local stack is not running."; exit 1; fi
    ;;
  *)
    echo "Usage: scripts/local-stack.sh up|down|status" >&2
    exit 2
    ;;
esac
