#!/bin/sh
# Starts a sentinel watching the current master (asked of the peers), quorum 2 of 3. Sentinel
# rewrites its own config, so it lives in /tmp (an emptyDir).
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
cat > /tmp/sentinel.conf <<CONF
port 26379
dir /tmp
requirepass "${REDIS_PASSWORD}"
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip ${self}
sentinel monitor ${MASTER_NAME} ${master} 6379 2
sentinel auth-pass ${MASTER_NAME} ${REDIS_PASSWORD}
sentinel down-after-milliseconds ${MASTER_NAME} 5000
sentinel failover-timeout ${MASTER_NAME} 60000
sentinel parallel-syncs ${MASTER_NAME} 1
CONF
exec redis-sentinel /tmp/sentinel.conf
