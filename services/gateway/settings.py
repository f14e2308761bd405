from __future__ import annotations

from libs.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    host: str = "127.0.0.1"
    port: int = 3300
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 200_000_000
    max_ws_frame_bytes: int = 64_000
    public_base_url: str = "http://127.0.0.1:3300"
    asyncapi_path: str = "docs/asyncapi.json"
    chat_timeout_s: float = 20.0  # a turn makes several hops, each with its own deadline
    env: str = "dev"  # MUSEO_ENV: "dev" enables the demo sign-in page
    ws_allowed_origins: list[str] = []  # MUSEO_WS_ALLOWED_ORIGINS (JSON list); [] = own origins
    demo_customers_path: str = ""  # JSON list of demo customers; "" = the packaged sample
