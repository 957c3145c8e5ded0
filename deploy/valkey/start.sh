#!/bin/sh
# Start Valkey with its password read from the valkey_password secret file. The password goes
# into a config file on a tmpfs that only the server reads, never onto a command line or into
# the server's environment. Then the image's own entrypoint drops root and runs the server.
set -eu
umask 077
IFS= read -r password < /run/secrets/valkey_password || [ -n "${password:-}" ]
if [ -z "${password:-}" ]; then
    echo "valkey: the valkey_password secret is empty" >&2
    exit 1
fi
case "$password" in
    *'"'* | *'\'* | *' '*)
        echo "valkey: use a password of letters and digits (openssl rand -hex 24)" >&2
        exit 1
        ;;
esac
# A here-document, so the password reaches the file through the shell alone, never as an
# argument of another program.
cat > /run/valkey/auth.conf <<CONF
requirepass "$password"
CONF
chown valkey:valkey /run/valkey /run/valkey/auth.conf
unset password
exec docker-entrypoint.sh valkey-server /etc/narration/valkey.conf
