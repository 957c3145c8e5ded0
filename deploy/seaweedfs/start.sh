#!/bin/sh
# Start SeaweedFS (master, volume, filer and S3 in one process) with the S3 identity built
# from the s3_access_key and s3_secret_key secret files. The identity file is written to a
# tmpfs; only its path is on the command line.
set -eu
umask 077
IFS= read -r access_key < /run/secrets/s3_access_key || [ -n "${access_key:-}" ]
IFS= read -r secret_key < /run/secrets/s3_secret_key || [ -n "${secret_key:-}" ]
for value in "${access_key:-}" "${secret_key:-}"; do
    case "$value" in
        '' | *[!A-Za-z0-9+/=._-]*)
            echo "seaweedfs: S3 keys must be non-empty letters, digits and +/=._- only" >&2
            exit 1
            ;;
    esac
done
# A here-document, so the keys reach the file through the shell alone, never as arguments.
cat > /run/seaweedfs/s3.json <<JSON
{"identities": [{"name": "narration",
  "credentials": [{"accessKey": "$access_key", "secretKey": "$secret_key"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
unset access_key secret_key
exec weed server -dir=/data -ip=seaweedfs -ip.bind=0.0.0.0 -master.volumeSizeLimitMB=1024 \
    -volume.max=0 -s3 -s3.port=8333 -s3.config=/run/seaweedfs/s3.json
