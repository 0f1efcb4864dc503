#!/usr/bin/env bash
# Two replicas, one PostgreSQL database (issue 16): does shared state hold across replicas?
#
#   tests/replicas/run.sh               the two-replica run (Storage__Provider=postgres); exit 1 on any FAIL
#   tests/replicas/run.sh --self-test   the script's own machinery: cluster start, a database, stop; ONE
#                                       replica on the default SQLite store; the tokens it mints accepted,
#                                       a replayed JWT rejected by the same replica; SIGTERM exits cleanly
#
# Needs the .NET SDK; installs what else is missing with apt-get (as root, or through sudo -n):
# postgresql (server binaries), curl, openssl. Steps:
#   1. builds the API in Release (dotnet publish -c Release) into a temporary folder (the working
#      tree's bin/ and obj/ are not touched); SERVICE_DIR=<a publish folder> skips the build
#   2. starts a throw-away PostgreSQL cluster as the fixture does (tests/ClonusCds.Api.Tests/Storage/
#      PostgresCluster.cs): initdb in a temporary folder as a non-root user (the postgres system user
#      when run as root), scram-sha-256 with generated passwords, 127.0.0.1 on a free port, the unix
#      socket inside the folder; one database owned by an ordinary role for the replicas
#   3. generates one RSA key (openssl) for both trust configurations: CDS Hooks JWTs (RS384) and REST
#      access tokens; the replicas get the public key as an inline JWK Set
#   4. starts replicas A and B together (Production, two loopback ports, Storage__Provider=postgres,
#      one Storage__ConnectionString; migrations run at start-up, so both race to migrate)
#   5. as an adversary and an operator, checks (one PASS/FAIL line each):
#        - the replicas migrated the shared database at start-up (it has tables)
#        - a CDS Hooks JWT accepted by A is rejected when replayed to B (and to A)
#        - the same feedback posted to A and B is stored once; each replica reads back one row
#        - an assessment posted to either replica has its audit record readable from the other
#        - feedback acknowledged by A survives `kill -9` of A: B reads it back
# Cleans up on every exit path (trap): replicas killed, cluster stopped, temporary folders removed
# (the replicas' logs are kept when a check failed, and their folder printed). A run killed with
# SIGKILL cannot clean up: the next run kills its replicas and removes its cluster.
# Exit status: 0 every check passed, 1 a check failed, 2 the set-up failed, 130 interrupted.
#
# Environment: SERVICE_DIR (skip the build), READY_TIMEOUT (60 s per replica), KEEP=1 (keep the work
# folder), OUT (work folder; default a new /tmp/clonus-replicas.XXXXXX)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HERE/../.." && pwd)
MODE=replicas
case "${1:-}" in
    "") ;;
    --self-test) MODE=self-test ;;
    -h|--help) sed -n '2,33p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
esac

READY_TIMEOUT=${READY_TIMEOUT:-60}
OUT=${OUT:-$(mktemp -d /tmp/clonus-replicas.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

PUBLIC_BASE_URL=https://cds.replicas.test
CDS_ISSUER=https://ehr.replicas.test
AUTH_ISSUER=https://auth.replicas.test
AUDIENCE=$PUBLIC_BASE_URL/api
KID=replicas-rs384-1
CLIENT_ID=replica-script
SERVICE=clonus-patient-view
PG_SUPERUSER=clonus_admin
PG_PREFIX=clonus-replicas-pg.

PASSED=0
FAILED=0
PG_ROOT=""
PG_BIN=""
PG_PORT=""
RUN_AS=""
declare -A REPLICA_PID=() REPLICA_URL=() REPLICA_LOG=()

say() { printf '%s\n' "$*" >&2; }
pass() { PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL  %s\n' "$*"; }
die() { printf 'FAIL  %s\n' "$*"; FAILED=$((FAILED + 1)); exit 2; }

# ---- cleanup, on every exit path ---------------------------------------------------------------------

cleanup() {
    local status=$? name
    for name in "${!REPLICA_PID[@]}"; do
        kill -9 "${REPLICA_PID[$name]}" 2>/dev/null || true
        wait "${REPLICA_PID[$name]}" 2>/dev/null || true
    done
    stop_cluster
    rm -rf "$OUT/keys" "$OUT/artifacts" "$OUT/app"
    if [ "$FAILED" -eq 0 ] && [ "$status" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
        rm -rf "$OUT"
    else
        say "logs kept in $OUT"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- tools -------------------------------------------------------------------------------------------

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi

apt_install() {
    say "installing $* with apt-get (apt-get update only if the install fails without it)"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y "$@" >"$OUT/apt.log" 2>&1 \
        || { $SUDO apt-get update >>"$OUT/apt.log" 2>&1 && $SUDO apt-get install -y "$@" >>"$OUT/apt.log" 2>&1; } \
        || { tail -20 "$OUT/apt.log" >&2; die "could not install $* (apt-get as root, or sudo -n apt-get)"; }
}

# initdb, pg_ctl and postgres: /usr/lib/postgresql/<version>/bin, highest version first; then
# pg_config --bindir (which may be a client-only folder); then the PATH.
find_pg_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -V -r) \
               "$(pg_config --bindir 2>/dev/null)" $(printf '%s' "$PATH" | tr ':' ' '); do
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    return 1
}

ensure_tools() {
    command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is required"
    local missing=()
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    find_pg_bin >/dev/null || missing+=(postgresql)
    if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
    PG_BIN=$(find_pg_bin) || die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found after installing postgresql"
    [ -x "$PG_BIN/psql" ] || PSQL=$(command -v psql) || die "psql not found next to $PG_BIN/initdb nor on the PATH"
    PSQL=${PSQL:-$PG_BIN/psql}
}

# base64url without padding, of stdin (bytes)
b64url() {
    if command -v basenc >/dev/null 2>&1; then
        basenc --base64url -w0 | tr -d '='
    else
        base64 -w0 | tr '+/' '-_' | tr -d '='
    fi
}

# bytes from an uppercase hex string on stdin
unhex() {
    if command -v basenc >/dev/null 2>&1; then
        tr -d '\n' | basenc --base16 -d
    elif command -v xxd >/dev/null 2>&1; then
        xxd -r -p
    else
        die "neither basenc (coreutils >= 8.31) nor xxd is available to decode hex"
    fi
}

free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        # Nothing answers on it: free enough (a start that loses a race is retried).
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            printf '%s\n' "$port"
            return
        fi
    done
}

# ---- the PostgreSQL cluster --------------------------------------------------------------------------

# Runs a command as the user the server runs as (the postgres system user when this runs as root).
as_pg() {
    if [ -z "$RUN_AS" ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$RUN_AS" -- "$@"
    else
        setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --init-groups -- "$@"
    fi
}

# A process's start time in clock ticks since boot (/proc/pid/stat field 22; the fields after "(comm)").
process_start() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }

owner_alive() { [ -n "$1" ] && [ -d "/proc/$1" ] && [ "$(process_start "$1")" = "$2" ]; }

# Replicas and clusters of earlier runs of this script, or of the test fixtures, whose owner was killed
# before it could clean up: replicas carry CLONUS_REPLICA_OWNER=pid:start (as ReplicaProcess's do),
# clusters an owner file.
sweep_orphans() {
    local dir pid start environ owner
    for environ in /proc/[0-9]*/environ; do
        owner=$( { tr '\0' '\n' <"$environ"; } 2>/dev/null | sed -n 's/^CLONUS_REPLICA_OWNER=//p')
        [ -n "$owner" ] || continue
        pid=${environ#/proc/}
        pid=${pid%/environ}
        [ "$pid" != "$$" ] || continue
        if ! owner_alive "${owner%%:*}" "${owner#*:}"; then
            kill -9 "$pid" 2>/dev/null && say "killed a replica left by an earlier run that did not finish (pid $pid)"
        fi
    done
    for dir in /tmp/"$PG_PREFIX"*; do
        [ -f "$dir/owner" ] || continue
        read -r pid start <"$dir/owner" || continue
        if owner_alive "$pid" "$start"; then continue; fi
        if [ -f "$dir/data/postmaster.pid" ]; then
            (cd "$dir" && as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -s) >/dev/null 2>&1 || true
        fi
        rm -rf "$dir" 2>/dev/null && say "removed a cluster left by an earlier run that did not finish ($dir)"
    done
}

start_cluster() {
    local started=$SECONDS
    if [ "$(id -u)" -eq 0 ]; then
        # initdb and postgres refuse to run as root.
        RUN_AS=postgres
        if ! id -u "$RUN_AS" >/dev/null 2>&1; then
            say "running as root and there is no '$RUN_AS' user to run the server as: creating it as a system user"
            useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_AS" \
                || die "could not create the $RUN_AS system user"
        fi
    fi
    sweep_orphans
    PG_ROOT=$(mktemp -d "/tmp/${PG_PREFIX}XXXXXX")
    printf '%s %s\n' "$$" "$(process_start $$)" >"$PG_ROOT/owner"
    mkdir -p "$PG_ROOT/socket"
    local admin_password
    admin_password=$(openssl rand -hex 24)
    (umask 077 && printf '%s\n' "$admin_password" >"$PG_ROOT/pwfile")
    if [ -n "$RUN_AS" ]; then chown -R "$RUN_AS:" "$PG_ROOT"; fi
    # The server tools call getcwd(): run them from a folder the service user can enter.
    (cd "$PG_ROOT" && as_pg "$PG_BIN/initdb" -D "$PG_ROOT/data" -U "$PG_SUPERUSER" --pwfile="$PG_ROOT/pwfile" \
        --auth=scram-sha-256 -E UTF8 --locale=C --no-sync --no-instructions) >"$OUT/initdb.log" 2>&1 \
        || { tail -20 "$OUT/initdb.log" >&2; die "initdb failed"; }
    rm -f "$PG_ROOT/pwfile"
    local attempt
    for attempt in 1 2 3; do
        PG_PORT=$(free_port)
        cat >"$PG_ROOT/data/postgresql.auto.conf" <<EOF
# ClonusCds two-replica run (tests/replicas/run.sh)
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_ROOT/socket'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 32MB
dynamic_shared_memory_type = mmap
log_min_messages = warning
EOF
        if [ -n "$RUN_AS" ]; then chown "$RUN_AS:" "$PG_ROOT/data/postgresql.auto.conf"; fi
        if (cd "$PG_ROOT" && as_pg "$PG_BIN/pg_ctl" start -D "$PG_ROOT/data" -l "$PG_ROOT/postgres.log" -w -t 30 -s) >"$OUT/pg_ctl.log" 2>&1; then
            break
        fi
        grep -qi "could not bind" "$PG_ROOT/postgres.log" 2>/dev/null && [ "$attempt" -lt 3 ] && continue
        tail -20 "$PG_ROOT/postgres.log" "$OUT/pg_ctl.log" >&2
        die "pg_ctl start failed"
    done
    export PGPASSWORD=$admin_password
    APP_PASSWORD=$(openssl rand -hex 24)
    "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres -v ON_ERROR_STOP=1 -q -X >"$OUT/psql.log" 2>&1 <<EOF \
        || { cat "$OUT/psql.log" >&2; die "could not create the replicas' database"; }
CREATE ROLE clonus LOGIN PASSWORD '$APP_PASSWORD';
CREATE DATABASE clonus OWNER clonus;
REVOKE ALL ON DATABASE clonus FROM PUBLIC;
EOF
    unset PGPASSWORD
    CONNECTION_STRING="Host=127.0.0.1;Port=$PG_PORT;Database=clonus;Username=clonus;Password=$APP_PASSWORD"
    local version
    version=$(PGPASSWORD=$APP_PASSWORD "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U clonus -d clonus -X -A -t -c 'SHOW server_version' 2>>"$OUT/psql.log")
    if [ -n "$version" ]; then
        pass "PostgreSQL $version cluster on 127.0.0.1:$PG_PORT (${RUN_AS:+as $RUN_AS, }scram-sha-256, data in $PG_ROOT) in $((SECONDS - started)) s; the replicas' role connects to its database"
    else
        cat "$OUT/psql.log" >&2
        die "the replicas' role could not connect to its database"
    fi
}

stop_cluster() {
    if [ -n "$PG_ROOT" ] && [ -d "$PG_ROOT" ]; then
        if [ -f "$PG_ROOT/data/postmaster.pid" ]; then
            (cd "$PG_ROOT" && as_pg "$PG_BIN/pg_ctl" stop -D "$PG_ROOT/data" -m immediate -w -s) >/dev/null 2>&1 || true
        fi
        rm -rf "$PG_ROOT"
    fi
    PG_ROOT=""
}

# ---- the API -----------------------------------------------------------------------------------------

build_service() {
    if [ -n "${SERVICE_DIR:-}" ]; then
        APP_DIR=$(cd "$SERVICE_DIR" && pwd)
        [ -f "$APP_DIR/ClonusCds.Api.dll" ] || die "SERVICE_DIR=$SERVICE_DIR has no ClonusCds.Api.dll"
        say "using the existing build in $APP_DIR"
        return
    fi
    local started=$SECONDS
    say "building the API (dotnet publish -c Release) into $OUT/app"
    dotnet publish "$REPO_ROOT/src/ClonusCds.Api/ClonusCds.Api.csproj" -c Release -nologo -v:q -o "$OUT/app" \
        -p:UseArtifactsOutput=true -p:ArtifactsPath="$OUT/artifacts" >"$OUT/build.log" 2>&1 \
        || { tail -30 "$OUT/build.log" >&2; die "the Release build failed (see $OUT/build.log)"; }
    APP_DIR=$OUT/app
    say "built in $((SECONDS - started)) s"
}

# Starts a replica in the background: start_replica NAME PROVIDER
start_replica() {
    local name=$1 provider=$2 port
    port=$(free_port)
    REPLICA_URL[$name]="http://127.0.0.1:$port"
    REPLICA_LOG[$name]="$OUT/replica-$name.log"
    local storage=(Storage__Provider="$provider")
    if [ "$provider" = postgres ]; then storage+=(Storage__ConnectionString="$CONNECTION_STRING"); fi
    # Started from its folder, as deployed (content root: appsettings.json, wwwroot). Each replica's
    # SQLite paths point at a file of its own: state shared through one SQLite file would pass the
    # cross-replica checks without PostgreSQL.
    (
        cd "$APP_DIR" || exit 1
        exec env \
            CLONUS_REPLICA_OWNER="$$:$(process_start $$)" \
            ASPNETCORE_ENVIRONMENT=Production \
            ASPNETCORE_URLS="${REPLICA_URL[$name]}" \
            "${storage[@]}" \
            Storage__SqlitePath="$OUT/replica-$name.db" \
            CdsHooks__Feedback__DatabasePath="$OUT/replica-$name.db" \
            CdsHooks__PublicBaseUrl="$PUBLIC_BASE_URL" \
            CdsHooks__Trust__RequireJwt=true \
            CdsHooks__Trust__Issuers__0__Issuer="$CDS_ISSUER" \
            CdsHooks__Trust__Issuers__0__Jwks="$JWKS" \
            Auth__RequireBearer=true \
            Auth__Audience="$AUDIENCE" \
            Auth__Issuers__0__Issuer="$AUTH_ISSUER" \
            Auth__Issuers__0__Jwks="$JWKS" \
            dotnet ClonusCds.Api.dll
    ) >"${REPLICA_LOG[$name]}" 2>&1 &
    REPLICA_PID[$name]=$!
}

# Waits until every named replica answers 200 on /health/ready.
wait_ready() {
    local name deadline=$((SECONDS + READY_TIMEOUT)) pending=("$@") still
    while [ "${#pending[@]}" -gt 0 ]; do
        still=()
        for name in "${pending[@]}"; do
            if ! kill -0 "${REPLICA_PID[$name]}" 2>/dev/null; then
                wait "${REPLICA_PID[$name]}"
                local code=$?
                unset 'REPLICA_PID[$name]'
                tail -15 "${REPLICA_LOG[$name]}" >&2
                die "replica $name exited during start-up (exit $code; log ${REPLICA_LOG[$name]})"
            fi
            if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${REPLICA_URL[$name]}/health/ready")" = 200 ]; then
                say "replica $name ready at ${REPLICA_URL[$name]} (pid ${REPLICA_PID[$name]})"
            else
                still+=("$name")
            fi
        done
        pending=("${still[@]}")
        if [ "${#pending[@]}" -gt 0 ]; then
            [ "$SECONDS" -lt "$deadline" ] || { tail -15 "${REPLICA_LOG[${pending[0]}]}" >&2; die "replica(s) ${pending[*]} not ready within $READY_TIMEOUT s"; }
            sleep 0.2
        fi
    done
}

# ---- tokens ------------------------------------------------------------------------------------------

make_keys() {
    mkdir -p "$OUT/keys" && chmod 700 "$OUT/keys"
    KEY=$OUT/keys/rs384.pem
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEY" 2>/dev/null || die "openssl could not generate an RSA key"
    openssl rsa -in "$KEY" -noout -text 2>/dev/null | grep -q 'publicExponent: 65537' || die "unexpected RSA public exponent"
    local n
    n=$(openssl rsa -in "$KEY" -noout -modulus 2>/dev/null | sed 's/^Modulus=//' | unhex | b64url)
    [ "${#n}" -ge 340 ] || die "could not read the RSA modulus"
    JWKS="{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"$KID\",\"use\":\"sig\",\"alg\":\"RS384\",\"n\":\"$n\",\"e\":\"AQAB\"}]}"
}

uuid() { cat /proc/sys/kernel/random/uuid; }

# sign HEADER_JSON PAYLOAD_JSON: a compact JWS, RS384 (RSASSA-PKCS1-v1_5 with SHA-384)
sign() {
    local input
    input="$(printf '%s' "$1" | b64url).$(printf '%s' "$2" | b64url)"
    printf '%s.%s' "$input" "$(printf '%s' "$input" | openssl dgst -sha384 -sign "$KEY" -binary | b64url)"
}

# A CDS Hooks client JWT for the service: aud = PublicBaseUrl + /cds-services/{id}, fresh jti, 5 minutes.
cds_jwt() {
    local now
    now=$(date +%s)
    sign "{\"alg\":\"RS384\",\"typ\":\"JWT\",\"kid\":\"$KID\"}" \
        "{\"iss\":\"$CDS_ISSUER\",\"sub\":\"$CLIENT_ID\",\"aud\":\"$PUBLIC_BASE_URL/cds-services/$SERVICE\",\"iat\":$now,\"exp\":$((now + 300)),\"jti\":\"$(uuid)\"}"
}

# A REST access token granting the given scopes (space-separated), 5 minutes.
access_token() {
    local now
    now=$(date +%s)
    sign "{\"alg\":\"RS384\",\"typ\":\"at+jwt\",\"kid\":\"$KID\"}" \
        "{\"iss\":\"$AUTH_ISSUER\",\"sub\":\"$CLIENT_ID\",\"client_id\":\"$CLIENT_ID\",\"aud\":\"$AUDIENCE\",\"scope\":\"$1\",\"iat\":$now,\"exp\":$((now + 300)),\"jti\":\"$(uuid)\"}"
}

# ---- requests ----------------------------------------------------------------------------------------

ASSESSMENT='{"patient":{"ageYears":34},"clonus":{"present":true,"types":["inducible"],"onset":"acute"},"vitals":{"temperatureC":38.4},"exam":{"agitation":true,"diaphoresis":true,"tremor":true,"reflexes":"increased","tone":"normal"},"medications":[{"name":"sertraline","rxcui":"36437"},{"name":"Ultram","change":"new","daysSinceChange":1}]}'
CDS_CALL='{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"patientId":"p1","userId":"Practitioner/1"},"prefetch":{"patient":null,"conditions":null,"medications":null,"vitals":null,"labs":null,"findings":null}}'

feedback_body() {
    printf '{"feedback":[{"card":"%s","outcome":"accepted","acceptedSuggestions":[{"id":"s-1"}],"outcomeTimestamp":"%s"}]}' "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

# request METHOD URL TOKEN [BODY]: sets STATUS and BODY (the response)
request() {
    local method=$1 url=$2 token=$3 data=${4:-} response
    local args=(-s -X "$method" --max-time 15 -w '\n%{http_code}')
    if [ -n "$token" ]; then args+=(-H "Authorization: Bearer $token"); fi
    if [ -n "$data" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$data"); fi
    response=$(curl "${args[@]}" "$url") || response=$'\n000'
    STATUS=${response##*$'\n'}
    BODY=${response%$'\n'*}
}

json_number() { printf '%s' "$BODY" | grep -o "\"$1\": *[0-9]*" | head -1 | grep -o '[0-9]*$'; }

# Rows for the card in the feedback a replica lists (REST token with clonus.feedback.read).
feedback_rows() {
    request GET "${REPLICA_URL[$1]}/cds-services/$SERVICE/feedback?limit=500" "$(access_token clonus.feedback.read)"
    ROWS=$(printf '%s' "$BODY" | grep -o "\"card\": *\"$2\"" | wc -l)
}

# Posts the README's assessment to a replica; sets ASSESSMENT_ID.
post_assessment() {
    request POST "${REPLICA_URL[$1]}/api/v1/assessments" "$(access_token clonus.assess)" "$ASSESSMENT"
    ASSESSMENT_ID=$(printf '%s' "$BODY" | grep -o '"assessmentId": *"[0-9a-fA-F-]*"' | head -1 | grep -o '[0-9a-fA-F-]\{36\}')
}

replayed_in_log() { grep -q 'replayed_jti' "${REPLICA_LOG[$1]}"; }

# ---- the checks --------------------------------------------------------------------------------------

# The replicas migrated the shared database at start-up: it has tables now (it had none).
check_migrated() {
    local tables
    tables=$(PGPASSWORD=$APP_PASSWORD "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U clonus -d clonus -X -A -t \
        -c "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')" 2>>"$OUT/psql.log")
    if [ "${tables:-0}" -gt 0 ]; then
        pass "the replicas migrated the shared database at start-up ($tables tables)"
    else
        fail "the shared database has no tables: the replicas did not migrate it (is Storage__Provider=postgres in effect?)"
    fi
}

check_replay_across() {
    local jwt url_a=${REPLICA_URL[A]}/cds-services/$SERVICE url_b=${REPLICA_URL[B]}/cds-services/$SERVICE
    jwt=$(cds_jwt)
    request POST "$url_a" "$jwt" "$CDS_CALL"
    if [ "$STATUS" = 200 ]; then pass "replica A accepts a fresh CDS Hooks JWT (200)"; else fail "replica A answered $STATUS to a fresh CDS Hooks JWT (expected 200)"; fi
    request POST "$url_b" "$jwt" "$CDS_CALL"
    if [ "$STATUS" = 401 ] && replayed_in_log B; then
        pass "the same JWT replayed to replica B is rejected (401, replayed_jti)"
    else
        fail "the same JWT replayed to replica B answered $STATUS (expected 401 for a replayed jti: B must see the jti A recorded)"
    fi
    request POST "$url_a" "$jwt" "$CDS_CALL"
    if [ "$STATUS" = 401 ]; then pass "the same JWT replayed to replica A is rejected (401)"; else fail "the same JWT replayed to replica A answered $STATUS (expected 401)"; fi
    request POST "$url_b" "$(cds_jwt)" "$CDS_CALL"
    if [ "$STATUS" = 200 ]; then pass "replica B accepts a fresh CDS Hooks JWT (200): B trusts the tokens minted here"; else fail "replica B answered $STATUS to a fresh CDS Hooks JWT (expected 200)"; fi
}

check_feedback_once() {
    local card body name
    card=$(uuid)
    body=$(feedback_body "$card")
    request POST "${REPLICA_URL[A]}/cds-services/$SERVICE/feedback" "$(cds_jwt)" "$body"
    if [ "$STATUS" = 200 ] && [ "$(json_number stored)" = 1 ]; then pass "feedback posted to replica A is stored (200, stored 1)"; else fail "feedback posted to replica A: $STATUS $BODY (expected 200, stored 1)"; fi
    request POST "${REPLICA_URL[B]}/cds-services/$SERVICE/feedback" "$(cds_jwt)" "$body"
    if [ "$STATUS" = 200 ] && [ "$(json_number stored)" = 0 ] && [ "$(json_number duplicates)" = 1 ]; then
        pass "the same feedback posted to replica B is a duplicate (200, stored 0, duplicates 1)"
    else
        fail "the same feedback posted to replica B: $STATUS $BODY (expected 200, stored 0, duplicates 1)"
    fi
    for name in A B; do
        feedback_rows "$name" "$card"
        if [ "$STATUS" = 200 ] && [ "$ROWS" -eq 1 ]; then pass "replica $name lists that feedback once (1 row)"; else fail "replica $name lists that feedback $ROWS time(s) (HTTP $STATUS; expected 1 row)"; fi
    done
}

check_audit_across() {
    local from to id
    for from in A B; do
        to=$([ "$from" = A ] && echo B || echo A)
        post_assessment "$from"
        id=$ASSESSMENT_ID
        if [ "$STATUS" != 200 ] || [ -z "$id" ]; then fail "assessment posted to replica $from: $STATUS (expected 200 with an assessmentId)"; continue; fi
        request GET "${REPLICA_URL[$to]}/api/v1/assessments/$id" "$(access_token clonus.audit.read)"
        if [ "$STATUS" = 200 ] && printf '%s' "$BODY" | grep -q "$id"; then
            pass "the audit record of assessment $id (posted to $from) is read from replica $to (200)"
        else
            fail "the audit record of assessment $id (posted to $from) read from replica $to: $STATUS (expected 200 with the record)"
        fi
    done
}

check_survives_kill() {
    local card
    card=$(uuid)
    request POST "${REPLICA_URL[A]}/cds-services/$SERVICE/feedback" "$(cds_jwt)" "$(feedback_body "$card")"
    if [ "$STATUS" = 200 ]; then pass "feedback acknowledged by replica A (200)"; else fail "feedback posted to replica A: $STATUS (expected 200)"; fi
    kill -9 "${REPLICA_PID[A]}" 2>/dev/null
    wait "${REPLICA_PID[A]}" 2>/dev/null
    unset 'REPLICA_PID[A]'
    say "replica A killed with SIGKILL"
    feedback_rows B "$card"
    if [ "$STATUS" = 200 ] && [ "$ROWS" -eq 1 ]; then pass "after kill -9 of replica A, replica B reads the feedback A acknowledged (1 row)"; else fail "after kill -9 of replica A, replica B lists that feedback $ROWS time(s) (HTTP $STATUS; expected 1 row)"; fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${REPLICA_URL[B]}/health/ready")" = 200 ]; then pass "replica B is still ready"; else fail "replica B is not ready after A was killed"; fi
}

# --self-test: the machinery alone, on one replica with the default SQLite store.
self_test() {
    local url=${REPLICA_URL[A]} jwt card
    request POST "$url/api/v1/assessments" "" "$ASSESSMENT"
    if [ "$STATUS" = 401 ]; then pass "replica A (Production) requires a bearer token (401 without)"; else fail "replica A answered $STATUS without a token (expected 401)"; fi
    post_assessment A
    if [ "$STATUS" = 200 ] && [ -n "$ASSESSMENT_ID" ]; then pass "an access token minted here (RS384, clonus.assess) is accepted: assessment $ASSESSMENT_ID"; else fail "assessment with a minted access token: $STATUS (expected 200)"; fi
    jwt=$(cds_jwt)
    request POST "$url/cds-services/$SERVICE" "$jwt" "$CDS_CALL"
    if [ "$STATUS" = 200 ]; then pass "a CDS Hooks JWT minted here (RS384) is accepted (200)"; else fail "a minted CDS Hooks JWT: $STATUS (expected 200)"; fi
    request POST "$url/cds-services/$SERVICE" "$jwt" "$CDS_CALL"
    if [ "$STATUS" = 401 ] && replayed_in_log A; then pass "the same JWT replayed to the same replica is rejected (401, replayed_jti)"; else fail "the same JWT replayed: $STATUS (expected 401, replayed_jti)"; fi
    card=$(uuid)
    request POST "$url/cds-services/$SERVICE/feedback" "$(cds_jwt)" "$(feedback_body "$card")"
    if [ "$STATUS" = 200 ] && [ "$(json_number stored)" = 1 ]; then pass "feedback is stored (200, stored 1)"; else fail "feedback: $STATUS $BODY (expected 200, stored 1)"; fi
    feedback_rows A "$card"
    if [ "$STATUS" = 200 ] && [ "$ROWS" -eq 1 ]; then pass "feedback read back with a clonus.feedback.read token (1 row)"; else fail "feedback read back: HTTP $STATUS, $ROWS row(s) (expected 1)"; fi
    kill -TERM "${REPLICA_PID[A]}"
    local code
    wait "${REPLICA_PID[A]}"
    code=$?
    unset 'REPLICA_PID[A]'
    if [ "$code" = 0 ]; then pass "replica A exits cleanly on SIGTERM (exit 0)"; else fail "replica A exited with $code on SIGTERM (expected 0)"; fi
}

# ---- main --------------------------------------------------------------------------------------------

say "ClonusCds two-replica run ($MODE); work folder $OUT"
ensure_tools
build_service
start_cluster
make_keys
if [ "$MODE" = self-test ]; then
    start_replica A sqlite
    wait_ready A
    self_test
    local_root=$PG_ROOT local_port=$PG_PORT
    stop_cluster
    if [ ! -d "$local_root" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$local_port") 2>/dev/null; then
        pass "cluster stopped (nothing listens on $local_port) and its folder removed"
    else
        fail "cluster still running on $local_port or its folder $local_root still there"
    fi
else
    start_replica A postgres
    start_replica B postgres
    wait_ready A B
    pass "replicas A and B ready, started together against one fresh database (Storage__Provider=postgres)"
    check_migrated
    check_replay_across
    check_feedback_once
    check_audit_across
    check_survives_kill
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
