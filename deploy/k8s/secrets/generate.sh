#!/usr/bin/env bash
# Writes, unless they exist (all git-ignored; kustomize turns them into Secrets; keep them safe,
# they are the only copy):
#   db-<service>.env        a random password for each service's PostgreSQL role (wardlink-db-<service>)
#   rabbitmq-<service>.env  a random password for each service's RabbitMQ user (wardlink-rabbitmq-<service>)
#   auth-signing-key.pem    the gateway's token signing key, and auth-public-key.pem (wardlink-auth)
#   tips.env                the tips service's contact encryption key (wardlink-tips)
#   partners.env            the partners service's key sealing webhook signing secrets (wardlink-partners)
#   checkpoint-<service>.pem each service's ECDSA P-256 key for signing its audit checkpoints
#                           (wardlink-checkpoint-<service>), and checkpoint-<service>-public.pem, its
#                           public half, which every service gets (wardlink-checkpoint-public)
#   gateway-clients.env     the police-desk client's role and secret hash (wardlink-gateway-clients);
#                           its secret is printed once and kept in police-desk.secret
set -euo pipefail
cd "$(dirname "$0")"
# credentials <file> <username>: a random password for that user, unless the file exists.
credentials() {
  if [[ -e "$1" ]]; then
    echo "kept $1"
    return
  fi
  umask 077
  printf 'username=%s\npassword=%s\n' "$2" "$(openssl rand -hex 24)" > "$1"
  echo "wrote $1"
}
for service in incidents patrols tips partners; do
  credentials "db-$service.env" "$service"
  credentials "rabbitmq-$service.env" "wardlink_$service"
done

umask 077
if [[ ! -e auth-signing-key.pem ]]; then
  openssl genrsa -out auth-signing-key.pem 2048 2>/dev/null
  openssl rsa -in auth-signing-key.pem -pubout -out auth-public-key.pem 2>/dev/null
  echo "wrote auth-signing-key.pem and auth-public-key.pem"
fi
for service in incidents patrols tips partners; do
  if [[ ! -e "checkpoint-$service.pem" ]]; then
    openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "checkpoint-$service.pem"
    openssl ec -in "checkpoint-$service.pem" -pubout -out "checkpoint-$service-public.pem" 2>/dev/null
    echo "wrote checkpoint-$service.pem and checkpoint-$service-public.pem"
  fi
done
if [[ ! -e tips.env ]]; then
  printf 'Tips__ContactKey=%s\n' "$(openssl rand -base64 32)" > tips.env
  echo "wrote tips.env"
fi
if [[ ! -e partners.env ]]; then
  printf 'Webhooks__SecretKey=%s\n' "$(openssl rand -base64 32)" > partners.env
  echo "wrote partners.env"
fi
if [[ ! -e gateway-clients.env ]]; then
  # The hash format of ClientSecrets (gateway/WardLink.Gateway/TokenIssuer.cs): PBKDF2-SHA256.
  secret="$(openssl rand -hex 24)"
  salt="$(openssl rand 16 | base64)"
  hash="$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "pass:$secret" \
    -kdfopt "hexsalt:$(printf '%s' "$salt" | base64 -d | od -An -v -tx1 | tr -d ' \n')" -kdfopt iter:50000 -binary PBKDF2 | base64)"
  printf 'Auth__Clients__police-desk__Role=police\nAuth__Clients__police-desk__SecretHash=pbkdf2-sha256:50000:%s:%s\n' "$salt" "$hash" > gateway-clients.env
  printf '%s\n' "$secret" > police-desk.secret
  echo "wrote gateway-clients.env; the police-desk client's secret is in police-desk.secret"
fi
