#!/bin/sh
# The stand-in's server process (tests/e2e), started as `sh backend.sh -jar server.jar` so that `docker top`
# shows server.jar as it does for Appsmith's java: like run-with-env.sh, it sources docker.env and then the
# container's saved variables at every start, converts APPSMITH_DISABLE_TELEMETRY with Spring's boolean rules
# (unset = disabled; anything else stops it: exit 1) and answers /api/v1/users/me and /api/v1/health.
set -eu

log() { echo "standin: $*" >&2; }

echo "$$" > /tmp/backend.pid  # for the stand-in's supervisorctl (busybox-static has no pkill)
rm -f /www/api/v1/health /www/api/v1/users/me
set +u
set -a
. /appsmith-stacks/configuration/docker.env
. /tmp/pre-define.env
set +a
set -u

# Spring: disable.telemetry = ${APPSMITH_DISABLE_TELEMETRY:true}, bound to a boolean.
if [ -z "${APPSMITH_DISABLE_TELEMETRY+set}" ]; then
  disabled=true
  log "APPSMITH_DISABLE_TELEMETRY is not set: telemetry disabled (server default)"
else
  value=$(printf '%s' "$APPSMITH_DISABLE_TELEMETRY" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | tr 'A-Z' 'a-z')
  case "$value" in
    true | on | yes | 1) disabled=true ;;
    false | off | no | 0) disabled=false ;;
    *)
      log "APPSMITH_DISABLE_TELEMETRY='$APPSMITH_DISABLE_TELEMETRY' is not a boolean (true/false/on/off/yes/no/1/0):" \
        "the server cannot start (exit 1)"
      exit 1
      ;;
  esac
  log "APPSMITH_DISABLE_TELEMETRY='$APPSMITH_DISABLE_TELEMETRY': telemetry disabled=$disabled"
fi
if [ "$disabled" = true ]; then enable_telemetry=false; else enable_telemetry=true; fi

# Write a file so that httpd never serves it half written.
publish() {
  mkdir -p "$(dirname "$1")"
  printf '%s\n' "$2" > "$1.tmp"
  mv "$1.tmp" "$1"
}

delay=${STANDIN_BOOT_DELAY:-0}
if [ "$delay" != 0 ]; then
  log "booting for ${delay}s (STANDIN_BOOT_DELAY)"
  sleep "$delay"
fi
if [ "${STANDIN_NO_TELEMETRY_FIELD:-0}" = 1 ]; then
  field=""
else
  field=",\"enableTelemetry\":$enable_telemetry"
fi
publish /www/api/v1/users/me \
  "{\"responseMeta\":{\"status\":200,\"success\":true},\"data\":{\"email\":\"anonymousUser\"$field}}"
publish /www/api/v1/health '{"responseMeta":{"status":200,"success":true},"data":"All systems are up"}'
log "All systems are up"

trap 'exit 0' TERM INT
while :; do
  sleep 3600 &
  wait $! || true
done
