#!/usr/bin/env bash
# Integration test of `synergy slurm` against a real one-node Slurm cluster on localhost.
#
# Usage (as root; Debian 12 or another Debian/Ubuntu with Slurm 22+ in apt):
#     bash ci/slurm_test.sh               # the whole test
#     bash ci/slurm_test.sh --debug       # the same with a debug build (cargo build): shares
#                                         # cargo test's artifacts, so far cheaper in CI
#     bash ci/slurm_test.sh --smoke-only  # only bring the cluster up and run a trivial array job
#
# What it does:
#   1. installs slurmctld, slurmd, slurm-client and munge with apt (skipped when installed);
#   2. writes a one-node slurm.conf under $SYNERGY_SLURM_DIR (default /tmp/synergy-slurm,
#      wiped at start), starts munged (unless one already answers), slurmctld and slurmd in
#      the foreground-mode background (-D), waits for the node to be idle, and runs a trivial
#      3-task array job checked by the files it writes;
#   3. builds `target/release/synergy` (`target/debug/synergy` with --debug; skipped when it
#      is newer than src/, Cargo.toml and Cargo.lock; SYNERGY_BIN=/path/to/synergy skips the
#      build and uses that binary);
#   4. runs the experiment configs/experiments/slurm_ci.toml (or a small built-in one when
#      that file does not exist) twice: `synergy sweep` locally, unsharded, and through
#      `synergy slurm --tasks 3` submitted with sbatch; checks every array task (state and
#      exit code from scontrol, since accounting is off, plus its log file), then compares
#      the two datasets: same files, byte-identical Parquet files.
# Every daemon it started is stopped by PID on exit, whatever happened; daemon and job logs
# are printed on failure. The last line is `slurm: 1 passed, 0 failed` (exit 0) or
# `slurm: 0 passed, 1 failed` (exit 1). ci/SLURM_TEST.md has the details.
#
# Environment (all optional):
#   SYNERGY_SLURM_DIR      work folder (default /tmp/synergy-slurm); wiped at start
#   SYNERGY_SLURM_TIMEOUT  seconds to wait for each job (default 600)
#   SYNERGY_SLURM_PORT     slurmctld port (default 16817; slurmd uses the next one)
#   SYNERGY_SLURM_EXP      experiment file (default configs/experiments/slurm_ci.toml)
#   SYNERGY_BIN            synergy binary to use instead of building target/release/synergy
#   SYNERGY_BUILD_TIMEOUT  seconds allowed for the cargo build (default 3000)
#   SYNERGY_SLURM_NO_INSTALL=1  never run apt-get (fail if Slurm is missing)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
WORK=${SYNERGY_SLURM_DIR:-/tmp/synergy-slurm}
JOB_TIMEOUT=${SYNERGY_SLURM_TIMEOUT:-600}
CTLD_PORT=${SYNERGY_SLURM_PORT:-16817}
SLURMD_PORT=$((CTLD_PORT + 1))
TASKS=3
SMOKE_ONLY=0
PROFILE=release
for arg in "$@"; do
    case $arg in
    --smoke-only) SMOKE_ONLY=1 ;;
    --debug) PROFILE=debug ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "slurm_test.sh: unknown argument $arg (try --help)" >&2
        exit 2
        ;;
    esac
done

MUNGE_SOCK=/run/munge/munge.socket.2
MUNGE_PIDFILE=/run/munge/munged.pid
CONF=$WORK/etc/slurm.conf
MARKER=$WORK/.synergy-slurm-test
CTLD_PID=""
SLURMD_PID=""
MUNGED_PID="" # set only when this script started munged
CLUSTER_STARTED=0
PASSED=0
START_TIME=$(date +%s)

log() { printf '[slurm-test %s +%ss] %s\n' "$(date +%T)" "$(($(date +%s) - START_TIME))" "$*"; }
fail() {
    log "FAIL: $*"
    exit 1
}

# ---------------------------------------------------------------- teardown and diagnostics

dump_logs() {
    local f
    [[ $CLUSTER_STARTED -eq 1 ]] || return 0 # build or sweep failures print their own output
    log "---- diagnostics"
    if [[ -n $CTLD_PID ]] && kill -0 "$CTLD_PID" 2>/dev/null; then
        timeout 10 sinfo -N -l 2>&1 || true
        timeout 10 squeue -a -t all 2>&1 || true
        timeout 10 scontrol show node 2>&1 | head -40 || true
    fi
    # slurmctld and slurmd also copy their log to stderr (-D): the .stderr files matter only
    # when a daemon died before opening its log.
    for f in "$WORK/log/slurmctld.log" "$WORK/log/slurmd.log" "$WORK/log/jobcomp.txt" \
        "$WORK/log/slurmctld.stderr" "$WORK/log/slurmd.stderr" /var/log/munge/munged.log; do
        [[ -s $f ]] || continue
        echo "==== tail -n 40 $f"
        tail -n 40 "$f" || true
    done
    while IFS= read -r f; do
        echo "==== $f"
        head -c 4000 "$f" || true
    done < <(find "$WORK/smoke" "$WORK/slurm" -name '*.out' -type f 2>/dev/null | sort)
}

stop_pid() { # stop_pid PID NAME: TERM, wait up to 15 s, then KILL
    local pid=$1 name=$2 i
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name ($pid) ignored SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

teardown() {
    local i
    if [[ -n $CTLD_PID ]] && kill -0 "$CTLD_PID" 2>/dev/null; then
        # Cancel whatever is left so that no slurmstepd or job outlives the cluster.
        if [[ -n $(timeout 10 squeue -h -o %i 2>/dev/null) ]]; then
            log "cancelling jobs still queued or running"
            timeout 10 scancel --full --user=root 2>/dev/null || true
            for ((i = 0; i < 30; i++)); do
                [[ -z $(timeout 10 squeue -h -o %i 2>/dev/null) ]] && break
                sleep 1
            done
        fi
    fi
    stop_pid "$SLURMD_PID" slurmd
    stop_pid "$CTLD_PID" slurmctld
    if [[ -n $MUNGED_PID ]]; then
        stop_pid "$MUNGED_PID" munged
    fi
    rm -f "$WORK/run/daemons"
}

on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [[ $rc -ne 0 || $PASSED -ne 1 ]]; then
        [[ -d $WORK ]] && dump_logs
    fi
    if [[ -n $CTLD_PID$SLURMD_PID$MUNGED_PID ]]; then
        log "stopping daemons"
        teardown
    fi
    log "took $(($(date +%s) - START_TIME)) s; work folder $WORK"
    local label=slurm
    [[ $SMOKE_ONLY -eq 1 ]] && label=slurm-smoke
    if [[ $rc -eq 0 && $PASSED -eq 1 ]]; then
        echo "$label: 1 passed, 0 failed"
        exit 0
    fi
    echo "$label: 0 passed, 1 failed"
    [[ $rc -eq 0 ]] && rc=1
    exit "$rc"
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# ---------------------------------------------------------------- 1. install

[[ $(id -u) -eq 0 ]] || fail "must run as root (slurmd, munged and apt-get need it)"

install_packages() {
    local need=() p
    for p in slurmctld slurmd slurm-client munge; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
            need+=("$p")
    done
    if [[ ${#need[@]} -eq 0 ]]; then
        log "Slurm and munge already installed ($(dpkg-query -W -f='${Version}' slurmctld))"
        return
    fi
    [[ ${SYNERGY_SLURM_NO_INSTALL:-0} == 1 ]] && fail "missing packages: ${need[*]}"
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get update -q >"$WORK/log/apt.log" 2>&1 ||
        { cat "$WORK/log/apt.log"; fail "apt-get update failed"; }
    timeout 900 apt-get install -y -q --no-install-recommends slurmctld slurmd slurm-client munge \
        >>"$WORK/log/apt.log" 2>&1 ||
        { tail -n 40 "$WORK/log/apt.log"; fail "apt-get install failed"; }
    log "installed Slurm $(dpkg-query -W -f='${Version}' slurmctld)"
}

# ---------------------------------------------------------------- work folder

# Stop daemons left by an earlier run that was killed before its EXIT trap ran.
if [[ -f $WORK/run/daemons ]]; then
    # Its jobs first, while its slurmctld may still answer: slurmstepd outlives slurmd.
    if [[ -f $WORK/etc/slurm.conf ]] && SLURM_CONF=$WORK/etc/slurm.conf timeout 10 scontrol ping 2>/dev/null | grep -q 'is UP'; then
        log "cancelling the jobs of an earlier run"
        SLURM_CONF=$WORK/etc/slurm.conf timeout 10 scancel --full --user=root 2>/dev/null || true
        for ((i = 0; i < 20; i++)); do
            [[ -z $(SLURM_CONF=$WORK/etc/slurm.conf timeout 10 squeue -h -o %i 2>/dev/null) ]] && break
            sleep 1
        done
    fi
    while read -r name pid; do
        [[ -n ${pid:-} && -r /proc/$pid/comm ]] || continue
        if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]]; then
            log "stopping $name ($pid) left by an earlier run"
            kill -TERM "$pid" 2>/dev/null || true
            for ((i = 0; i < 100; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done < <(tac "$WORK/run/daemons") # slurmd, slurmctld, then munged
fi
if [[ -e $WORK ]]; then
    [[ -f $MARKER ]] || fail "$WORK exists and was not made by this script; remove it or set SYNERGY_SLURM_DIR"
    rm -rf "$WORK"
fi
mkdir -p "$WORK"/{etc,state,spool,run,log,smoke} "$WORK/spool/slurmd-$(hostname -s)"
touch "$MARKER"
: >"$WORK/run/daemons"

install_packages

# ---------------------------------------------------------------- 2. munge

munge_ok() {
    timeout 10 munge -n --socket="$MUNGE_SOCK" 2>/dev/null | timeout 10 unmunge --socket="$MUNGE_SOCK" >/dev/null 2>&1
}

start_munge() {
    CLUSTER_STARTED=1
    if munge_ok; then
        log "munged already running; using it"
        return
    fi
    id munge >/dev/null 2>&1 || fail "no munge user (is the munge package installed?)"
    install -d -o munge -g munge -m 0700 /etc/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        log "creating /etc/munge/munge.key"
        if ! runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null; then
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
        fi
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0600 /etc/munge/munge.key
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0711 /var/lib/munge
    install -d -o munge -g munge -m 0700 /var/log/munge
    rm -f "$MUNGE_SOCK" "$MUNGE_SOCK.lock" "$MUNGE_PIDFILE"
    log "starting munged"
    timeout 30 runuser -u munge -- munged --pid-file="$MUNGE_PIDFILE" ||
        fail "munged did not start (see /var/log/munge/munged.log)"
    local i
    for ((i = 0; i < 50; i++)); do
        [[ -s $MUNGE_PIDFILE ]] && break
        sleep 0.1
    done
    MUNGED_PID=$(cat "$MUNGE_PIDFILE" 2>/dev/null || true)
    [[ -n $MUNGED_PID ]] || fail "munged wrote no PID file $MUNGE_PIDFILE"
    echo "munged $MUNGED_PID" >>"$WORK/run/daemons"
    for ((i = 0; i < 50; i++)); do
        munge_ok && return
        sleep 0.2
    done
    fail "munged ($MUNGED_PID) does not answer on $MUNGE_SOCK"
}

# ---------------------------------------------------------------- 2. Slurm

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_conf() {
    NODE=$(hostname -s)
    CPUS=$(nproc)
    local mem_mb margin
    mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
    margin=$((mem_mb / 20 > 256 ? mem_mb / 20 : 256)) # 5%, at least 256 MB
    MEM=$((mem_mb - margin))
    ((MEM >= 1024)) || fail "only ${mem_mb} MB of memory; the jobs ask for 1G"
    cat >"$CONF" <<EOF
# One-node test cluster written by ci/slurm_test.sh; nothing here is for production.
ClusterName=synergyci
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCK
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool/slurmd-%n
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: they break jobs on container-like machines while Slurm still says COMPLETED.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$WORK/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=2,sched_min_interval=100000
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
Waittime=0
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$NODE CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$CONF
}

start_slurm() {
    port_busy "$CTLD_PORT" && fail "port $CTLD_PORT is in use (set SYNERGY_SLURM_PORT)"
    port_busy "$SLURMD_PORT" && fail "port $SLURMD_PORT is in use (set SYNERGY_SLURM_PORT)"
    log "starting slurmctld (node $NODE, $CPUS CPUs, ${MEM} MB, port $CTLD_PORT)"
    slurmctld -D -i -f "$CONF" >"$WORK/log/slurmctld.stderr" 2>&1 &
    CTLD_PID=$!
    echo "slurmctld $CTLD_PID" >>"$WORK/run/daemons"
    local i
    for ((i = 0; i < 60; i++)); do
        kill -0 "$CTLD_PID" 2>/dev/null || fail "slurmctld exited at start"
        timeout 10 scontrol ping 2>/dev/null | grep -q 'is UP' && break
        sleep 0.5
    done
    timeout 10 scontrol ping 2>/dev/null | grep -q 'is UP' || fail "slurmctld does not answer"
    log "starting slurmd"
    slurmd -D -N "$NODE" -f "$CONF" >"$WORK/log/slurmd.stderr" 2>&1 &
    SLURMD_PID=$!
    echo "slurmd $SLURMD_PID" >>"$WORK/run/daemons"
    wait_node_idle
}

wait_node_idle() {
    local state="" deadline=$((SECONDS + 120)) resumed=0
    while ((SECONDS < deadline)); do
        kill -0 "$CTLD_PID" 2>/dev/null || fail "slurmctld died"
        kill -0 "$SLURMD_PID" 2>/dev/null || fail "slurmd died"
        state=$(timeout 10 sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n 1 || true)
        case $state in
        idle)
            log "node $NODE is idle"
            return
            ;;
        down | drained | draining | drain | fail | failing)
            # Registered but down or drained (e.g. after an unclean stop): put it back.
            if ((resumed < 3)); then
                log "node $NODE is $state ($(timeout 10 sinfo -h -n "$NODE" -o %E || true)); resuming it"
                timeout 10 scontrol update nodename="$NODE" state=resume || true
                resumed=$((resumed + 1))
            fi
            ;;
        esac
        sleep 1
    done
    fail "node $NODE not idle after 120 s (state: ${state:-unknown})"
}

# ---------------------------------------------------------------- jobs

submit() { # submit SBATCH_ARGS...: prints the job id
    local out
    out=$(timeout 60 sbatch --parsable "$@") || fail "sbatch $* failed"
    out=${out%%;*}
    [[ $out =~ ^[0-9]+$ ]] || fail "sbatch printed no job id: $out"
    echo "$out"
}

wait_job() { # wait_job JOBID: until no task of the job is pending, running or completing
    local job=$1 deadline=$((SECONDS + JOB_TIMEOUT)) next_report=$((SECONDS + 15)) q errs=0
    while :; do
        kill -0 "$CTLD_PID" 2>/dev/null || fail "slurmctld died while job $job ran"
        kill -0 "$SLURMD_PID" 2>/dev/null || fail "slurmd died while job $job ran"
        if q=$(timeout 10 squeue -h -j "$job" -t PD,CF,R,CG,S,RQ,RS,SO,ST -o '%i %T %r' 2>&1); then
            errs=0
        else
            # A job purged from memory is "invalid"; anything else is a controller problem.
            [[ $q == *"Invalid job id"* ]] && q="" || errs=$((errs + 1))
            ((errs > 10)) && fail "squeue keeps failing: $q"
        fi
        [[ -z $q && $errs -eq 0 ]] && return 0
        if ((SECONDS >= deadline)); then
            log "job $job still not finished after $JOB_TIMEOUT s:"
            echo "$q"
            fail "timeout waiting for job $job"
        fi
        if ((SECONDS >= next_report)); then
            log "job $job: $(echo "$q" | awk '{print $1 ":" $2}' | tr '\n' ' ')"
            next_report=$((SECONDS + 15))
        fi
        sleep 1
    done
}

check_tasks() { # check_tasks JOBID N: tasks 0..N-1 COMPLETED with exit code 0:0
    local job=$1 n=$2 info line tid state code ok=1 seen=()
    info=$(timeout 10 scontrol -o show job "$job" 2>&1) || fail "scontrol show job $job: $info"
    while IFS= read -r line; do
        [[ $line =~ ArrayTaskId=([0-9]+) ]] || continue
        tid=${BASH_REMATCH[1]}
        [[ $line =~ JobState=([A-Z_]+) ]] && state=${BASH_REMATCH[1]} || state=unknown
        [[ $line =~ [[:space:]]ExitCode=([0-9]+:[0-9]+) ]] && code=${BASH_REMATCH[1]} || code=unknown
        seen[tid]=1
        if [[ $state != COMPLETED || $code != 0:0 ]]; then
            log "job ${job}_$tid: state $state, exit code $code"
            ok=0
        fi
    done <<<"$info"
    for ((tid = 0; tid < n; tid++)); do
        [[ -n ${seen[tid]:-} ]] || {
            log "job ${job}_$tid: not known to slurmctld"
            ok=0
        }
    done
    if timeout 10 sacct -n -X -j "$job" -o JobID,State,ExitCode >/dev/null 2>&1; then
        log "sacct: $(timeout 10 sacct -n -X -j "$job" -o JobID,State,ExitCode | tr -s ' \n' ' ')"
    fi
    [[ $ok -eq 1 ]] || fail "some tasks of job $job did not complete with exit code 0"
    log "job $job: tasks 0-$((n - 1)) COMPLETED with exit code 0:0"
}

smoke_test() {
    log "smoke test: sbatch --array=0-2 --wrap 'echo \$SLURM_ARRAY_TASK_ID > out_\$SLURM_ARRAY_TASK_ID'"
    local job i
    # shellcheck disable=SC2016 # $SLURM_ARRAY_TASK_ID is expanded by the job's shell
    job=$(submit --array=0-2 --job-name=synergy-smoke --time=00:05:00 --mem=100M \
        --chdir="$WORK/smoke" --output="$WORK/smoke/slurm-%A_%a.out" \
        --wrap 'echo "$SLURM_ARRAY_TASK_ID" > "out_$SLURM_ARRAY_TASK_ID"')
    wait_job "$job"
    check_tasks "$job" 3
    for i in 0 1 2; do
        [[ $(cat "$WORK/smoke/out_$i" 2>/dev/null) == "$i" ]] ||
            fail "smoke job ${job}_$i did not write $WORK/smoke/out_$i"
    done
    log "smoke test passed (job $job)"
}

# ---------------------------------------------------------------- 3. synergy

build_synergy() {
    if [[ -n ${SYNERGY_BIN:-} ]]; then
        BIN=$(realpath "$SYNERGY_BIN")
        [[ -x $BIN ]] || fail "SYNERGY_BIN=$SYNERGY_BIN is not an executable"
        log "using SYNERGY_BIN=$BIN"
    else
        BIN=${CARGO_TARGET_DIR:-$REPO/target}/$PROFILE/synergy
        local cargo_args=(build)
        [[ $PROFILE == release ]] && cargo_args+=(--release)
        local newer=""
        if [[ -x $BIN ]]; then
            newer=$(cd "$REPO" && { find src Cargo.toml Cargo.lock build.rs -newer "$BIN" -print -quit 2>/dev/null || true; })
        fi
        if [[ -x $BIN && -z $newer ]]; then
            log "reusing $BIN (newer than src/, Cargo.toml and Cargo.lock)"
        else
            command -v cargo >/dev/null 2>&1 || PATH=$HOME/.cargo/bin:$PATH
            command -v cargo >/dev/null 2>&1 || fail "cargo not found"
            log "cargo ${cargo_args[*]} (log: $WORK/log/cargo-build.log)"
            if ! (cd "$REPO" && timeout "${SYNERGY_BUILD_TIMEOUT:-3000}" cargo "${cargo_args[@]}") \
                >"$WORK/log/cargo-build.log" 2>&1; then
                tail -n 60 "$WORK/log/cargo-build.log"
                fail "cargo ${cargo_args[*]} failed"
            fi
            tail -n 1 "$WORK/log/cargo-build.log"
            [[ -x $BIN ]] || fail "the build wrote no $BIN"
        fi
    fi
    local help
    help=$(timeout 60 "$BIN" --help) || fail "$BIN --help failed"
    if ! grep -qE '^[[:space:]]+sweep[[:space:]]' <<<"$help" || ! grep -qE '^[[:space:]]+slurm[[:space:]]' <<<"$help"; then
        fail "$BIN has no sweep and slurm subcommands; its --help says:"$'\n'"$help"
    fi
}

find_experiment() {
    EXP=${SYNERGY_SLURM_EXP:-$REPO/configs/experiments/slurm_ci.toml}
    if [[ ! -f $EXP ]]; then
        [[ -n ${SYNERGY_SLURM_EXP:-} ]] && fail "no experiment file $EXP"
        EXP=$WORK/slurm_ci.toml
        log "WARNING: configs/experiments/slurm_ci.toml missing; using a built-in copy ($EXP)"
        cat >"$EXP" <<'EOF'
[experiment]
name = "slurm_ci"
base = "embedded"
replicates = 2
master_seed = 7
batch_size = 1

[[scenarios]]
name = "current"
set = ["scenario.end_year = 2030"]

[[scenarios]]
name = "auction"
set = ["scenario.end_year = 2030", "markets[0].auction_share = 0.3"]

[output]
firm_level = "none"
EOF
    fi
    EXP=$(realpath "$EXP")
    # name = "..." of the [experiment] table: the dataset folder <out>/<name>/.
    EXP_NAME=$(awk '
        /^[[:space:]]*\[/ { inexp = ($0 ~ /^[[:space:]]*\[experiment\][[:space:]]*(#.*)?$/); next }
        inexp && /^[[:space:]]*name[[:space:]]*=/ {
            sub(/^[^=]*=[[:space:]]*["\047]/, ""); sub(/["\047].*$/, ""); print; exit
        }' "$EXP")
    [[ $EXP_NAME =~ ^[A-Za-z0-9_-]+$ ]] || fail "cannot read [experiment] name from $EXP"
    log "experiment $EXP (name $EXP_NAME)"
}

# ---------------------------------------------------------------- 4. the test

local_sweep() {
    log "local sweep: synergy sweep $EXP --out $WORK/local --jobs 2 --quiet"
    local t0=$SECONDS
    if ! (cd "$WORK" && timeout "$JOB_TIMEOUT" "$BIN" sweep "$EXP" --out "$WORK/local" --jobs 2 --quiet) \
        >"$WORK/log/local-sweep.log" 2>&1; then
        cat "$WORK/log/local-sweep.log"
        fail "local sweep failed"
    fi
    if [[ -s $WORK/log/local-sweep.log ]]; then
        log "local sweep printed (with --quiet):"
        cat "$WORK/log/local-sweep.log"
    fi
    [[ -d $WORK/local/$EXP_NAME ]] || fail "local sweep wrote no $WORK/local/$EXP_NAME"
    log "local sweep done in $((SECONDS - t0)) s"
}

slurm_sweep() {
    log "synergy slurm $EXP --tasks $TASKS --out $WORK/slurm --cpus 1 --time 00:10:00 --mem 1G"
    local out script job i f pattern bad=0 t0
    out=$(cd "$WORK" && timeout 120 "$BIN" slurm "$EXP" --tasks "$TASKS" --out "$WORK/slurm" \
        --cpus 1 --time 00:10:00 --mem 1G 2>"$WORK/log/synergy-slurm.stderr") || {
        echo "$out"
        cat "$WORK/log/synergy-slurm.stderr"
        fail "synergy slurm failed"
    }
    script=$(awk 'NF { last = $0 } END { print last }' <<<"$out")
    [[ -f $script ]] || fail "the last line of synergy slurm's output is not a file: '$script'; output:"$'\n'"$out"
    log "sbatch script $script:"
    sed 's/^/    /' "$script"
    grep -qx "#SBATCH --array=0-$((TASKS - 1))" "$script" || fail "the script has no #SBATCH --array=0-$((TASKS - 1))"
    grep -q -- "--shard" "$script" || fail "the script runs no --shard"
    pattern=$(sed -n 's/^#SBATCH[[:space:]]*--output[= ]//p' "$script" | tail -n 1)
    [[ -n $pattern ]] || fail "the script has no #SBATCH --output"

    t0=$SECONDS
    log "sbatch --parsable $script"
    job=$(cd "$WORK" && submit "$script")
    log "submitted job array $job"
    wait_job "$job"
    log "job array $job finished in $((SECONDS - t0)) s"
    check_tasks "$job" "$TASKS"
    for ((i = 0; i < TASKS; i++)); do
        f=${pattern//%A/$job}
        f=${f//%a/$i}
        if [[ ! -f $f ]]; then
            log "task $i: no log file $f"
            bad=1
        elif grep -qi 'error' "$f"; then
            log "task $i: its log $f reports an error:"
            cat "$f"
            bad=1
        elif [[ -s $f ]]; then
            log "task $i: log $f (not empty):"
            sed 's/^/    /' "$f"
        fi
    done
    [[ $bad -eq 0 ]] || fail "some array tasks failed (see their logs above)"
    log "all $TASKS array tasks ran cleanly"
}

list_files() { # the dataset's files, relative, without experiment.json, slurm/, *.out and
    # hidden paths (writer locks and stagings are not part of a dataset, docs/OUTPUT.md)
    (cd "$1" && find . -type f ! -name experiment.json ! -name '*.out' ! -path './slurm/*' \
        ! -path '*/.*' | sed 's|^\./||' | LC_ALL=C sort)
}

compare_datasets() {
    local L=$WORK/local/$EXP_NAME S=$WORK/slurm/$EXP_NAME f n_parquet=0 n_other=0 bad=0
    [[ -d $S ]] || fail "the Slurm run wrote no $S"
    if [[ -d $S/.staging ]] && [[ -n $(ls -A "$S/.staging") ]]; then
        ls -la "$S/.staging"
        fail "the Slurm tasks left stagings in $S/.staging (every batch must be published)"
    fi
    list_files "$L" >"$WORK/log/files-local.txt"
    list_files "$S" >"$WORK/log/files-slurm.txt"
    if ! diff -u "$WORK/log/files-local.txt" "$WORK/log/files-slurm.txt" >"$WORK/log/files.diff"; then
        cat "$WORK/log/files.diff"
        fail "the local and Slurm datasets have different files (- local, + Slurm)"
    fi
    while IFS= read -r f; do
        if [[ $f == *.parquet ]]; then
            n_parquet=$((n_parquet + 1))
            [[ -s $L/$f ]] || {
                log "empty Parquet file $f"
                bad=1
            }
            cmp -s "$L/$f" "$S/$f" || {
                log "differs: $f"
                bad=1
            }
        else
            n_other=$((n_other + 1))
            cmp -s "$L/$f" "$S/$f" || log "note: non-Parquet file differs (not an error): $f"
        fi
    done <"$WORK/log/files-local.txt"
    ((n_parquet > 0)) || fail "no Parquet file in $L"
    [[ $bad -eq 0 ]] || fail "the Slurm dataset differs from the local one"
    log "datasets match: $n_parquet Parquet files byte-identical, $n_other other files, same file list"
}

# ---------------------------------------------------------------- main

if [[ $SMOKE_ONLY -eq 0 ]]; then
    build_synergy
    find_experiment
    local_sweep
fi
start_munge
write_conf
start_slurm
smoke_test
if [[ $SMOKE_ONLY -eq 0 ]]; then
    slurm_sweep
    compare_datasets
fi
PASSED=1
