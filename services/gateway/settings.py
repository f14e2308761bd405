from __future__ import annotations

from libs.contracts.topics import (
    ADMIN_REQUESTS,
    CHAT_REQUESTS,
    EVENTS_RAW,
    MARKETS_REQUESTS,
    NOTIFICATIONS_CALLBACKS,
    NOTIFICATIONS_REQUESTS,
    PRIVACY_REQUESTS,
    RECOMMEND_REQUESTS,
    SHIPMENTS,
    STOREFRONT_REQUESTS,
    USER_EVENTS_REQUESTS,
    WHATSAPP_INBOUND,
)
from libs.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    host: str = "127.0.0.1"
    port: int = 3300
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 50_000_000  # MUSEO_MAX_UPLOAD_BYTES
    max_ws_frame_bytes: int = 64_000
    public_base_url: str = "http://127.0.0.1:3300"
    asyncapi_path: str = "docs/asyncapi.json"
    # The topics the gateway talks to (MUSEO_<NAME>_TOPIC). A second shop on the same cluster,
    # or a test's own worker beside a running system, gets its own, so two workers never race
    # to answer one request nor read each other's facts.
    chat_topic: str = CHAT_REQUESTS
    storefront_topic: str = STOREFRONT_REQUESTS
    markets_topic: str = MARKETS_REQUESTS
    admin_topic: str = ADMIN_REQUESTS
    recommend_topic: str = RECOMMEND_REQUESTS
    user_events_topic: str = USER_EVENTS_REQUESTS
    notifications_topic: str = NOTIFICATIONS_REQUESTS
    privacy_topic: str = PRIVACY_REQUESTS
    events_topic: str = EVENTS_RAW
    callbacks_topic: str = NOTIFICATIONS_CALLBACKS
    whatsapp_inbound_topic: str = WHATSAPP_INBOUND
    shipments_topic: str = SHIPMENTS
    chat_timeout_s: float = 20.0  # a turn makes several hops, each with its own deadline
    env: str = "dev"  # MUSEO_ENV: "dev" enables the demo sign-in page
    ws_allowed_origins: list[str] = []  # MUSEO_WS_ALLOWED_ORIGINS (JSON list); [] = own origins
    demo_customers_path: str = ""  # JSON list of demo customers; "" = the packaged sample
    # The admin live panel's other Prometheus endpoints, a JSON object name -> URL (the launcher
    # sets it to every worker's /metrics and its own); this gateway's metrics are read in-process.
    admin_metrics_sources: dict[str, str] = {}
    # Every Redis call and every Kafka send the gateway makes is bounded by these: a dependency
    # that is down or stalled gives a 503 in about this long, never a hang.
    redis_timeout_s: float = 0.8
    kafka_send_timeout_s: float = 1.2
    # Rate limits ("N/second|minute|hour", the `limits` notation): per principal, then per
    # client IP. MUSEO_RATE_LIMITS_ENABLED=false turns them off (benches that flood on purpose).
    rate_limits_enabled: bool = True
    rate_limit_chat: str = "30/minute"
    rate_limit_chat_ip: str = "300/minute"
    rate_limit_ws_frames: str = "60/minute"
    rate_limit_ws_frames_ip: str = "600/minute"
    rate_limit_events: str = "300/minute"
    rate_limit_events_ip: str = "3000/minute"
    rate_limit_carts: str = "120/minute"
    rate_limit_carts_ip: str = "1200/minute"
    rate_limit_token: str = "10/minute"
    rate_limit_token_ip: str = "30/minute"
    rate_limit_uploads: str = "20/hour"
    rate_limit_uploads_ip: str = "60/hour"
