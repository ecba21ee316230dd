#!/usr/bin/env bash
# Regional failover of one Mowt stage from eu-west-2 to eu-west-1 (docs/operations.md, "Disaster recovery").
#
#   infra/scripts/failover.sh <staging|production> planned   [--yes] [--no-deploy]
#   infra/scripts/failover.sh <staging|production> unplanned [--yes] [--no-deploy]
#
# planned   — both regions are up (a drill, or moving away from a degrading region): Aurora's
#             switchover-global-cluster waits for the secondary to catch up, so nothing is lost (RPO 0).
# unplanned — eu-west-2 is down: failover-global-cluster --allow-data-loss promotes eu-west-1 at once; what
#             had not replicated yet is lost (the lag alarm keeps that under the 15-minute RPO).
#
# Steps, each printed as it runs: find the global database and its writer; stop the primary region's app
# tier (best effort when that region is down); promote the eu-west-1 cluster and wait until it is the writer
# and available; deploy the app tier in eu-west-1 (the DR stack with mowt:<stage>:drActive=true), whose
# SECONDARY Route 53 record takes over; wait until https://<domain>/readyz answers. Every AWS call is a
# documented AWS CLI command; the caller's credentials decide the account (run it as the deploy role).
set -euo pipefail

AWS=${AWS:-aws}
CDK=${CDK:-npx --yes aws-cdk@2}
CURL=${CURL:-curl}
POLL_SECONDS=${FAILOVER_POLL_SECONDS:-15}
TIMEOUT_SECONDS=${FAILOVER_TIMEOUT_SECONDS:-3600}
PRIMARY_REGION=eu-west-2
DR_REGION=eu-west-1

die() { echo "failover: $*" >&2; exit 1; }
step() { echo "[$(date -u +%H:%M:%S)] $*"; }
usage() { echo "usage: $0 <staging|production> <planned|unplanned> [--yes] [--no-deploy]" >&2; exit 2; }

stage=${1:-}; mode=${2:-}
[[ $stage == staging || $stage == production ]] || usage
[[ $mode == planned || $mode == unplanned ]] || usage
shift 2
yes=false; deploy=true
for arg in "$@"; do
  case $arg in
    --yes) yes=true ;;
    --no-deploy) deploy=false ;;
    *) usage ;;
  esac
done

case $stage in
  staging) domain=${MOWT_DOMAIN:-staging.mowt.example}; title=Staging ;;
  production) domain=${MOWT_DOMAIN:-app.mowt.example}; title=Production ;;
esac
global_id="mowt-${stage}-global"

step "1/6 checking the caller and the global database ${global_id}"
account=$($AWS sts get-caller-identity --query Account --output text) || die "no AWS credentials"
target_arn="arn:aws:rds:${DR_REGION}:${account}:cluster:mowt-${stage}-secondary"
writer=$($AWS rds describe-global-clusters --region "$DR_REGION" --global-cluster-identifier "$global_id" \
  --query 'GlobalClusters[0].GlobalClusterMembers[?IsWriter==`true`].DBClusterArn' --output text) || die "cannot read the global database ${global_id}"
echo "    account ${account}; writer now: ${writer:-none}; target: ${target_arn}"
[[ $writer == "$target_arn" ]] && die "the ${DR_REGION} cluster is already the writer; nothing to fail over"

if [[ $yes != true ]]; then
  read -r -p "Type the stage name (${stage}) to fail it over to ${DR_REGION} (${mode}): " answer || answer=
  [[ $answer == "$stage" ]] || die "not confirmed"
fi

step "2/6 stopping the app tier in ${PRIMARY_REGION} (so nothing writes to the old primary)"
cluster="mowt-${stage}-${PRIMARY_REGION}"
for service in web worker; do
  if $AWS application-autoscaling register-scalable-target --region "$PRIMARY_REGION" --service-namespace ecs \
      --scalable-dimension ecs:service:DesiredCount --resource-id "service/${cluster}/${service}" --min-capacity 0 --max-capacity 0 >/dev/null \
    && $AWS ecs update-service --region "$PRIMARY_REGION" --cluster "$cluster" --service "$service" --desired-count 0 >/dev/null; then
    echo "    ${service}: scaled to 0"
  elif [[ $mode == planned ]]; then
    die "could not stop ${service} in ${PRIMARY_REGION}; a planned switchover needs the primary region reachable"
  else
    echo "    ${service}: ${PRIMARY_REGION} unreachable, continuing (unplanned failover)"
  fi
done

step "3/6 promoting ${target_arn}"
if [[ $mode == planned ]]; then
  $AWS rds switchover-global-cluster --region "$DR_REGION" --global-cluster-identifier "$global_id" --target-db-cluster-identifier "$target_arn" >/dev/null
else
  $AWS rds failover-global-cluster --region "$DR_REGION" --global-cluster-identifier "$global_id" --target-db-cluster-identifier "$target_arn" --allow-data-loss >/dev/null
fi

step "4/6 waiting until ${DR_REGION} is the writer"
waited=0
while :; do
  writer=$($AWS rds describe-global-clusters --region "$DR_REGION" --global-cluster-identifier "$global_id" \
    --query 'GlobalClusters[0].GlobalClusterMembers[?IsWriter==`true`].DBClusterArn' --output text || true)
  [[ $writer == "$target_arn" ]] && break
  (( waited >= TIMEOUT_SECONDS )) && die "the ${DR_REGION} cluster is not the writer after ${TIMEOUT_SECONDS}s (writer: ${writer:-none})"
  echo "    writer: ${writer:-none} (${waited}s)"
  sleep "$POLL_SECONDS"; waited=$(( waited + POLL_SECONDS ))
done
$AWS rds wait db-cluster-available --region "$DR_REGION" --db-cluster-identifier "mowt-${stage}-secondary"
echo "    mowt-${stage}-secondary is the writer and available"

if [[ $deploy == true ]]; then
  step "5/6 deploying the app tier in ${DR_REGION} (Mowt${title}Dr with mowt:${stage}:drActive=true)"
  $CDK deploy "Mowt${title}Dr" --app "npx tsx infra/bin/app.ts" -c "mowt:${stage}:drActive=true" --require-approval never --exclusively
else
  step "5/6 skipped: deploy Mowt${title}Dr with -c mowt:${stage}:drActive=true yourself"
fi

step "6/6 waiting for https://${domain}/readyz"
waited=0
until $CURL -fsS --max-time 10 "https://${domain}/readyz" >/dev/null; do
  (( waited >= TIMEOUT_SECONDS )) && die "https://${domain}/readyz did not answer within ${TIMEOUT_SECONDS}s"
  echo "    not ready yet (${waited}s)"
  sleep "$POLL_SECONDS"; waited=$(( waited + POLL_SECONDS ))
done
step "done: ${stage} is served from ${DR_REGION}. Follow docs/operations.md \"After a failover\" to re-protect it."
