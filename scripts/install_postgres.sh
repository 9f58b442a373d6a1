#!/usr/bin/env bash
# The PostgreSQL store's tests start a real server (initdb + pg_ctl in a temporary directory):
# install Debian's postgresql where initdb is missing. No cluster is created or started here.
set -euo pipefail
if command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install_postgres.sh: initdb is missing; install the PostgreSQL server (Debian: postgresql)" >&2
    exit 1
fi
# The tests make their own clusters: skip Debian's default "main" cluster.
mkdir -p /etc/postgresql-common
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
