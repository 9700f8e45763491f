#!/bin/sh
# Starts Redis as a replica of the master the sentinels know, or, in a set that has none yet, as
# master on ordinal 0 and replica of it elsewhere. Writes its config to /tmp (an emptyDir).
set -eu
domain="${HEADLESS}.${NAMESPACE}.svc.cluster.local"
self="$(hostname).${domain}"
master=""
for i in 0 1 2; do
  answer=$(redis-cli -h "${SET}-${i}.${domain}" -p 26379 --no-auth-warning -a "$REDIS_PASSWORD" \
    sentinel get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | head -n 1) || true
  if [ -n "$answer" ]; then master="$answer"; break; fi
done
[ -n "$master" ] || master="${SET}-0.${domain}"
cat > /tmp/redis.conf <<CONF
port 6379
bind * -::*
protected-mode no
dir /data
appendonly yes
appendfsync everysec
requirepass "${REDIS_PASSWORD}"
masterauth "${REDIS_PASSWORD}"
replica-announce-ip ${self}
CONF
if [ "$master" != "$self" ]; then echo "replicaof ${master} 6379" >> /tmp/redis.conf; fi
exec redis-server /tmp/redis.conf
