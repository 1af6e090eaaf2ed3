#!/usr/bin/env bash
# Runs a command in the background at the lowest priority, and later waits
# for it: `make test` builds for Windows with what the Linux tests leave of
# the processor, instead of after them.
#
#   scripts/background.sh start NAME COMMAND...   start it; output in target/NAME.log
#   scripts/background.sh wait NAME               wait; its exit status (its log on failure)
set -euo pipefail

action=${1:?usage: background.sh start NAME COMMAND... | wait NAME}
name=${2:?a name}
log="target/$name.log"
status="target/$name.status"
mkdir -p target

case "$action" in
  start)
    shift 2
    rm -f "$status"
    : > "$log"
    # setsid: a Ctrl-C of the make in front does not reach it half-way.
    # A new session is also a new scheduling group when the kernel groups
    # by session (autogroup, on by default in Debian's kernels), and then
    # `nice` weighs only within that group: the two groups share the
    # processor evenly, which slowed the Linux tests by half. The group's
    # own nice value (/proc/self/autogroup) puts it behind them.
    setsid nohup bash -c '
        if [ -w /proc/self/autogroup ]; then echo 19 > /proc/self/autogroup; fi
        status=$1; shift; "$@" > "$0" 2>&1; echo $? > "$status"' \
      "$log" "$status" nice -n 19 "$@" \
      < /dev/null > /dev/null 2>&1 &
    echo "background: $name started (nice 19, log in $log)"
    ;;
  wait)
    [ -e "$log" ] || { echo "background: $name was never started" >&2; exit 1; }
    while [ ! -s "$status" ]; do sleep 2; done
    code=$(cat "$status")
    if [ "$code" != 0 ]; then
      tail -n 60 "$log" >&2
      echo "background: $name failed (exit status $code); all of it in $log" >&2
    else
      echo "background: $name done"
    fi
    exit "$code"
    ;;
  *) echo "usage: background.sh start NAME COMMAND... | wait NAME" >&2; exit 2 ;;
esac
