#!/bin/sh
# One-shot job (temporalio/admin-tools image) started by docker-compose.yml once
# the Temporal server reports healthy. It makes sure that
#   1. the namespace the worker and the API use exists, and
#   2. our custom search attributes are registered on it, each with its type,
# then exits 0 so that the worker and the API may start. Safe to run again on
# every `docker compose up`: nothing that already exists is touched.
#
# Inputs (environment):
#   TEMPORAL_ADDRESS     frontend host:port; read by the `temporal` CLI itself
#   TEMPORAL_NAMESPACE   namespace to prepare (default: default)
#   NAMESPACE_RETENTION  retention of closed workflows when the namespace is created (default: 720h = 30 days)
#   SEARCH_ATTRIBUTES    space-separated attributes, Name or Name:Type (Type defaults to Keyword;
#                        default: the contract's four Keyword ones and OnboardingReportAt:Datetime)
#   SETUP_ATTEMPTS, SETUP_PAUSE_SECONDS  retry budget while the server warms up (default: 60 x 2 s)
set -eu

namespace=${TEMPORAL_NAMESPACE:-default}
retention=${NAMESPACE_RETENTION:-720h}
attributes=${SEARCH_ATTRIBUTES:-OnboardingPhase PartnerSegment PartnerManager OnboardingHealth OnboardingReportAt:Datetime}
attempts=${SETUP_ATTEMPTS:-60}
pause=${SETUP_PAUSE_SECONDS:-2}

log() { echo "temporal-setup: $*"; }

# with_retries DESCRIPTION COMMAND...: run COMMAND until it succeeds or the budget is spent.
with_retries() {
  what=$1
  shift
  n=1
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      log "giving up: $what still failing after $n attempts" >&2
      return 1
    fi
    log "$what not ready yet (attempt $n/$attempts), retrying in ${pause}s"
    n=$((n + 1))
    sleep "$pause"
  done
}

# The type a search attribute has on the namespace, or nothing when it is absent.
attribute_type() {
  temporal operator search-attribute list --namespace "$namespace" |
    awk -v name="$1" '$1 == name { print $2; exit }'
}

ensure_namespace() {
  if temporal operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
    return 0
  fi
  temporal operator namespace create --namespace "$namespace" --retention "$retention"
}

# ensure_attribute NAME TYPE
ensure_attribute() {
  current=$(attribute_type "$1") || return 1
  case "$current" in
    "$2") return 0 ;;
    "") temporal operator search-attribute create --namespace "$namespace" --name "$1" --type "$2" ;;
    *)
      log "search attribute $1 exists on namespace $namespace with type $current, expected $2" >&2
      exit 3
      ;;
  esac
}

name_of() { echo "${1%%:*}"; }
type_of() { case "$1" in *:*) echo "${1#*:}" ;; *) echo Keyword ;; esac; }

log "waiting for the Temporal frontend at ${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
with_retries "cluster health" temporal operator cluster health

with_retries "namespace $namespace" ensure_namespace
log "namespace $namespace is present"

for attribute in $attributes; do
  name=$(name_of "$attribute")
  type=$(type_of "$attribute")
  # A new namespace takes a moment to reach every frontend cache; retry meanwhile.
  with_retries "search attribute $name" ensure_attribute "$name" "$type"
  log "search attribute $name ($type) is registered on $namespace"
done

# Read the registrations back: the worker relies on them from its first workflow on.
for attribute in $attributes; do
  if [ "$(attribute_type "$(name_of "$attribute")")" != "$(type_of "$attribute")" ]; then
    log "search attribute $(name_of "$attribute") is missing on $namespace after setup" >&2
    exit 1
  fi
done
log "done: namespace $namespace with search attributes: $attributes"
