# cluster.sh — sourced by the PostgreSQL suite: a private copy of the server's installation with the extension in it, and clusters started from it in a temporary folder (Unix socket only), stopped and removed on exit.
# Must not touch the system's clusters, its extension directory or the network; as root it runs the servers as the unprivileged user regula-pg (created when missing), since postgres refuses root.
# Needs: B (build dir), ROOT (the repository). Gives: pg_inst, pg_start NAME, pgsql NAME [psql args], PG_TMP.
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PGBIN=$("$PG_CONFIG" --bindir)
PGLIB=$("$PG_CONFIG" --pkglibdir)
PGSHARE=$("$PG_CONFIG" --sharedir)
PSQL="$PGBIN/psql"
PG_TMP=$(mktemp -d /tmp/regula-pg.XXXXXX)
chmod 755 "$PG_TMP"
PG_USER=$(id -un)
PG_STARTED=""
if [ "$(id -u)" = 0 ]; then
  PG_USER=regula-pg
  id "$PG_USER" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER" ||
    { echo "cannot create the user $PG_USER to run the test servers"; exit 1; }
fi

pg_cleanup() {
  for n in $PG_STARTED; do
    as_pg "$PG_TMP/inst$PGBIN/pg_ctl" -D "$PG_TMP/$n/data" -m immediate -w stop >/dev/null 2>&1
  done
  # a server that pg_ctl could not stop (its pid file gone): by its own pid
  for n in $PG_STARTED; do
    pid=$(head -1 "$PG_TMP/$n/data/postmaster.pid" 2>/dev/null)
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$PG_TMP"
}
trap 'pg_cleanup' EXIT
trap 'exit 130' INT TERM

as_pg() {
  if [ "$PG_USER" = "$(id -un)" ]; then (cd "$PG_TMP" && "$@"); else (cd "$PG_TMP" && runuser -u "$PG_USER" -- "$@"); fi
}

# The server's tree under $PG_TMP/inst: its binaries copied (a server finds its
# share and lib folders from where its binary lies), the rest linked, and the
# extension installed into it.
pg_inst() {
  local inst="$PG_TMP/inst" f
  make --no-print-directory -C "$B/pg" -f "$ROOT/pg/Makefile" VPATH="$ROOT/pg" REGULA_ROOT="$ROOT" \
    REGULA_LIB="$B/libregula.a" PG_CONFIG="$PG_CONFIG" with_llvm=no DESTDIR="$inst" install >/dev/null || return 1
  mkdir -p "$inst$PGBIN" "$inst$PGLIB" "$inst$PGSHARE/extension"
  cp "$PGBIN/postgres" "$PGBIN/initdb" "$PGBIN/pg_ctl" "$inst$PGBIN/"
  for f in "$PGLIB"/*; do [ -e "$inst$PGLIB/${f##*/}" ] || ln -s "$f" "$inst$PGLIB/"; done
  for f in "$PGSHARE"/*; do [ -e "$inst$PGSHARE/${f##*/}" ] || ln -s "$f" "$inst$PGSHARE/"; done
  for f in "$PGSHARE"/extension/*; do [ -e "$inst$PGSHARE/extension/${f##*/}" ] || ln -s "$f" "$inst$PGSHARE/extension/"; done
}

# pg_start NAME: a new cluster in $PG_TMP/NAME, its socket in $PG_TMP/NAME/sock
pg_start() {
  local n=$1 d="$PG_TMP/$1"
  mkdir -p "$d/sock" && chmod 755 "$d" && chown "$PG_USER" "$d" "$d/sock" 2>/dev/null
  as_pg "$PG_TMP/inst$PGBIN/initdb" -D "$d/data" -U postgres --auth=trust -N -E UTF8 --locale=C >"$d/initdb.log" 2>&1 ||
    { cat "$d/initdb.log"; return 1; }
  PG_STARTED="$PG_STARTED $n"
  as_pg "$PG_TMP/inst$PGBIN/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $d/sock -c fsync=off -c max_connections=20 -c shared_buffers=64MB" start >/dev/null ||
    { cat "$d/server.log"; return 1; }
}

# pgsql NAME [ARGS]: psql on the cluster's database regula, stopping at the first error
pgsql() {
  local n=$1; shift
  "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$PG_TMP/$n/sock" -U postgres -d "${PGDB:-regula}" "$@"
}
