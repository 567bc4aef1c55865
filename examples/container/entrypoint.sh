#!/bin/sh
# Container entrypoint: check the store configuration DataJoint will read, then start.
#
# The pre-flight reads exactly what DataJoint 2.3.5 reads in this container: DJ_STORES,
# the datajoint.json found from the working directory, and the secrets directory
# (/run/secrets/datajoint/ when no .secrets/ sits next to that file), unless
# DJ_IGNORE_CONFIG_FILE says no file counts. Any problem, or with --strict any warning,
# stops the container here with the store, the key and the source named, instead of at
# the pipeline's first insert. Secrets are never printed.
set -eu

if ! datajoint-storage validate --strict; then
    echo "entrypoint: the store configuration above is refused; not starting: $*" >&2
    exit 78  # EX_CONFIG: an orchestrator shows the container as failed, not crashed
fi
exec "$@"
