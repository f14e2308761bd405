"""Does a broker or Redis hold what tests leave behind? `make test` runs the suite on its own
ports and data folder, then runs this against the developer's own Kafka and Redis (the ports in
the environment before `make test` changed them) to prove they saw no test topic or key.

    python -m deploy.local.hygiene [--kafka HOST:PORT] [--redis URL]   # exit 1 when dirty
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from deploy.local.infra import InfraConfig, port_open, redis_auth_problem

# Names the tests and benches give what they create (topics and Redis keys).
TEST_TOPIC = re.compile(r"^(test[.\-_]|bench-|events-|catalog-|privacy-|recreq-|e2e-|chaos-)")
TEST_KEY = re.compile(r"(^|:)(test|bench|e2e|chaos|it)[-_:]")


def leftover_topics(topics: list[str]) -> list[str]:
    return sorted(t for t in topics if TEST_TOPIC.match(t))


def leftover_keys(keys: list[str]) -> list[str]:
    return sorted(k for k in keys if TEST_KEY.search(k))


async def _topics(bootstrap: str) -> list[str]:
    from aiokafka.admin import AIOKafkaAdminClient

    # the 3-broker mode's admin user: a service user would not see every topic
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000,
                                **InfraConfig().admin_kwargs())
    await admin.start()
    try:
        return list(await admin.list_topics())
    finally:
        await admin.close()


def _keys(url: str, limit: int = 200_000) -> list[str]:
    import redis

    client = redis.Redis.from_url(url, decode_responses=True)
    return [k for _, k in zip(range(limit), client.scan_iter(count=1000), strict=False)]


def without_password(url: str) -> str:
    """The URL as printed: a Redis URL carries the password (`redis://:secret@host`)."""
    return re.sub(r"//[^@/]*@", "//", url)


def main(argv: list[str]) -> int:
    cfg = InfraConfig()
    p = argparse.ArgumentParser(prog="python -m deploy.local.hygiene", description=__doc__)
    p.add_argument("--kafka", default=cfg.bootstrap)
    p.add_argument("--redis", default=cfg.redis_url, help="default: the local Redis, with its "
                   "password (MUSEO_REDIS_PASSWORD, else the data folder's redis.password)")
    args = p.parse_args(argv)
    dirty = False
    kafka_port = int(args.kafka.rsplit(":", 1)[1])
    if port_open(kafka_port):
        found = leftover_topics(asyncio.run(_topics(args.kafka)))
        dirty |= bool(found)
        print(f"hygiene: Kafka {args.kafka}: {len(found)} test topics {found[:10]}")
    else:
        print(f"hygiene: Kafka {args.kafka} not running: nothing to check")
    redis_port = int(args.redis.rsplit(":", 1)[1].split("/")[0])
    shown = without_password(args.redis)
    if port_open(redis_port):
        import redis

        try:
            keys = leftover_keys(_keys(args.redis))
        except redis.AuthenticationError as exc:
            print(f"hygiene: cannot check: {redis_auth_problem(cfg, exc)}")
            return 1
        dirty |= bool(keys)
        print(f"hygiene: Redis {shown}: {len(keys)} test keys {keys[:10]}")
    else:
        print(f"hygiene: Redis {shown} not running: nothing to check")
    return 1 if dirty else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
