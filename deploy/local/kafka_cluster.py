"""The 3-broker mode (`MUSEO_KAFKA_BROKERS=3`): three KRaft nodes on this machine, SASL and ACLs.

Why: one broker never shows what a broker failure does, nor whether a service could read what
is not its own. Each node is broker + controller (a 3-voter static quorum). Ports: node i
(0, 1, 2) serves clients on MUSEO_KAFKA_PORT + 2i and its controller on
MUSEO_KAFKA_CONTROLLER_PORT + 2i (defaults 9092/9094/9096 and 9093/9095/9097), data in
`$MUSEO_DATA_DIR/kafka3-<port>`, heap MUSEO_KAFKA_HEAP (384m here).

Security: clients and brokers speak SASL_PLAINTEXT with SCRAM-SHA-512; the controller listener
uses SASL/PLAIN (SCRAM credentials live in the metadata log, which controllers must read
before they could check them). `StandardAuthorizer` with `allow.everyone.if.no.acl.found=false`:
the super user `admin` (the brokers themselves, the launcher) may do anything, every service
user only what `libs/contracts/access.py` grants. Passwords are dev secrets made once under
`$MUSEO_DATA_DIR/kafka-users/` (libs/dev_secrets.py); the SCRAM users are written into the
storage at format time (`kafka-storage format --add-scram`), so they exist before any broker
starts; ACLs are created over the wire once the cluster answers (aiokafka has no ACL API for
Kafka 4, see deploy/local/kafka_acls.py).
"""

from __future__ import annotations

import base64
import os
import subprocess
import uuid
from pathlib import Path

from deploy.local.infra import InfraConfig, kafka_java, log
from libs.contracts.access import ADMIN_USER, USERS
from libs.dev_secrets import file_secret

MECHANISM = "SCRAM-SHA-512"
DEFAULT_HEAP = "384m"


def password(cfg: InfraConfig, user: str) -> str:
    """`user`'s Kafka password, created once under the data folder (mode 0600)."""
    return file_secret(cfg.data_dir / "kafka-users" / f"{user}.password")


def client_kwargs(cfg: InfraConfig, user: str) -> dict[str, str]:
    """aiokafka keyword arguments for `user` on this cluster."""
    return {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": MECHANISM,
            "sasl_plain_username": user, "sasl_plain_password": password(cfg, user)}


def service_env(cfg: InfraConfig, user: str) -> dict[str, str]:
    """What the launcher gives a service so that it connects as `user` (libs/settings.py)."""
    return {"MUSEO_KAFKA_SASL_USERNAME": user, "MUSEO_KAFKA_SASL_PASSWORD": password(cfg, user),
            "MUSEO_KAFKA_SASL_MECHANISM": MECHANISM,
            "MUSEO_KAFKA_REPLICATION_FACTOR": str(min(cfg.kafka_brokers, 3))}


def node_dir(cfg: InfraConfig, i: int) -> Path:
    return cfg.data_dir / f"kafka3-{cfg.kafka_ports[i]}"


def controller_ports(cfg: InfraConfig) -> list[int]:
    return [cfg.controller_port + 2 * i for i in range(cfg.kafka_brokers)]


def node_properties(cfg: InfraConfig, i: int, admin_password: str) -> str:
    port, cport = cfg.kafka_ports[i], controller_ports(cfg)[i]
    voters = ",".join(f"{n + 1}@127.0.0.1:{p}" for n, p in enumerate(controller_ports(cfg)))
    replicas = min(cfg.kafka_brokers, 3)
    min_isr = max(replicas - 1, 1)
    scram = (f'org.apache.kafka.common.security.scram.ScramLoginModule required '
             f'username="{ADMIN_USER}" password="{admin_password}";')
    plain = (f'org.apache.kafka.common.security.plain.PlainLoginModule required '
             f'username="{ADMIN_USER}" password="{admin_password}" '
             f'user_{ADMIN_USER}="{admin_password}";')
    return f"""process.roles=broker,controller
node.id={i + 1}
controller.quorum.voters={voters}
listeners=SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
sasl.enabled.mechanisms={MECHANISM}
sasl.mechanism.inter.broker.protocol={MECHANISM}
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config={scram}
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config={plain}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{ADMIN_USER}
log.dirs={node_dir(cfg, i) / "data"}
num.partitions=3
default.replication.factor={replicas}
min.insync.replicas={min_isr}
unclean.leader.election.enable=false
auto.create.topics.enable=false
offsets.topic.replication.factor={replicas}
offsets.topic.num.partitions=3
transaction.state.log.replication.factor={replicas}
transaction.state.log.min.isr={min_isr}
share.coordinator.state.topic.replication.factor={replicas}
share.coordinator.state.topic.min.isr={min_isr}
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.cleaner.backoff.ms=5000
"""


def cluster_id(cfg: InfraConfig) -> str:
    """One id for the three nodes, kept next to them so a re-format matches."""
    path = cfg.data_dir / f"kafka3-{cfg.kafka_port}.cluster-id"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))
    return path.read_text().strip()


def node_command(cfg: InfraConfig, i: int) -> list[str]:
    """The command line of node i; formats its storage (with every SCRAM user) the first time.
    Rebuilt on each restart by the launcher, like the single node's."""
    kdir = node_dir(cfg, i)
    java = kafka_java(cfg, kdir, _heap())
    admin_password = password(cfg, ADMIN_USER)
    props = kdir / "server.properties"
    props.write_text(node_properties(cfg, i, admin_password))
    props.chmod(0o600)  # it holds the admin password
    if not (kdir / "data" / "meta.properties").exists():
        log(f"formatting KRaft storage of node {i + 1} in {kdir / 'data'}")
        users = [ADMIN_USER, *USERS]
        scram = [a for u in users for a in
                 ("--add-scram", f"{MECHANISM}=[name={u},password={password(cfg, u)}]")]
        subprocess.run([*java, "kafka.tools.StorageTool", "format", "-t", cluster_id(cfg),
                        "-c", str(props), *scram], check=True, capture_output=True)
    return [*java, "kafka.Kafka", str(props)]


def _heap() -> str:
    # MUSEO_KAFKA_HEAP when set; else three nodes share the machine with 384m each.
    return os.environ.get("MUSEO_KAFKA_HEAP", DEFAULT_HEAP)


async def secure(cfg: InfraConfig) -> int:
    """Create the ACLs of libs/contracts/access.py (idempotent); returns how many."""
    from deploy.local.kafka_acls import create_acls
    from libs.contracts.access import all_grants

    grants = all_grants()
    await create_acls(cfg.bootstrap, grants, client_kwargs(cfg, ADMIN_USER))
    log(f"Kafka ACLs: {len(grants)} grants for {len(USERS)} service users")
    return len(grants)
