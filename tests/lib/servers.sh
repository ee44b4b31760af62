# tests/lib/servers.sh - shell functions the end-to-end scripts share
# (integrations/nginx/test.sh and bench.sh, examples/*/test.sh): free
# loopback ports, processes started in the background and stopped by their
# pid, nginx in the foreground with its own prefix. POSIX sh; sourced, it
# runs nothing. The scripts keep their pids in variables of their own and
# stop them from their EXIT trap.

# random_port: a port in 20000-59999. Servers that can report the port they
# bound (-P FILE) use that instead; nginx cannot, so its callers pick ports
# and retry when nginx reports one in use.
random_port() {
    echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
}

# pick_ports TAKEN VAR...: sets each VAR to a random port, all distinct and
# none equal to TAKEN (a port already in use, or "").
pick_ports() {
    _taken=" $1 "
    shift
    for _var in "$@"; do
        _p=$(random_port)
        while case $_taken in *" $_p "*) true ;; *) false ;; esac; do
            _p=$(random_port)
        done
        _taken="$_taken$_p "
        eval "$_var=\$_p"
    done
}

# stop PID [TICKS]: SIGTERM, then SIGKILL after TICKS tenths of a second
# (default 50: 5 s); waits for the process and returns its exit status. An
# empty PID is nothing to stop (status 0).
stop() {
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null
    _i=0
    while kill -0 "$1" 2>/dev/null && [ $_i -lt "${2:-50}" ]; do
        sleep 0.1
        _i=$((_i + 1))
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# wait_file FILE PID TICKS: waits until FILE is not empty (a server writes
# its port there once it listens), TICKS tenths of a second at most, while
# PID runs. Returns 0 when FILE has something in it.
wait_file() {
    _i=0
    while [ ! -s "$1" ] && [ $_i -lt "$3" ] && kill -0 "$2" 2>/dev/null; do
        sleep 0.1
        _i=$((_i + 1))
    done
    [ -s "$1" ]
}

# nginx_start PREFIX CONF TICKS URL...: nginx in the foreground with prefix
# PREFIX and config CONF, its error log PREFIX/error.log (emptied) and its
# stderr PREFIX/nginx.stderr; sets nginx_pid at once (for the caller's EXIT
# trap). Waits until every URL answers, TICKS tenths of a second at most.
# Returns 0 when nginx is up; else stops it (nginx_pid empty again) and
# returns 1 when an address was in use (pick other ports, call again) or 2.
nginx_start() {
    _pre=$1 _conf=$2 _ticks=$3
    shift 3
    : > "$_pre/error.log"
    nginx -p "$_pre" -c "$_conf" -e "$_pre/error.log" 2> "$_pre/nginx.stderr" &
    nginx_pid=$!
    _i=0
    while [ $_i -lt "$_ticks" ] && kill -0 "$nginx_pid" 2>/dev/null; do
        _up=1
        for _url in "$@"; do
            curl -s -o /dev/null --max-time 1 "$_url" || { _up=; break; }
        done
        [ -n "$_up" ] && return 0
        sleep 0.1
        _i=$((_i + 1))
    done
    stop "$nginx_pid"
    nginx_pid=
    grep -q 'Address already in use' "$_pre/error.log" "$_pre/nginx.stderr" && return 1
    return 2
}

# nginx_main MODULE PID-FILE ERROR-LOG LEVEL CONNECTIONS: the main context
# of a test or benchmark nginx.conf (foreground, the module loaded);
# the caller adds worker_processes or master_process and the http block.
nginx_main() {
    cat <<END
load_module $1;
daemon off;
pid $2;
error_log $3 $4;
events { worker_connections $5; }
END
}

# nginx_temp_paths DIR: the http block's temporary directories, under DIR.
nginx_temp_paths() {
    for _t in client_body proxy fastcgi uwsgi scgi; do
        echo "    ${_t}_temp_path $1/$_t;"
    done
}
