"""`python -m deploy.local.provider_sim`: the Twilio + WhatsApp Cloud API simulator for dev.

The services point at it with MUSEO_TWILIO_BASE_URL / MUSEO_WHATSAPP_BASE_URL; its secrets are
the same dev secrets the services and the gateway read (one file each under the data folder), so
what it signs, the gateway verifies.
"""

from __future__ import annotations

import uvicorn
from pydantic_settings import BaseSettings, SettingsConfigDict

from deploy.local.provider_sim.app import SimConfig, create_app
from libs.dev_secrets import dev_secret


class SimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MUSEO_SIM_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8089
    twilio_account_sid: str = "AC" + "0" * 32
    whatsapp_phone_number_id: str = "100000000000001"
    whatsapp_webhook_url: str | None = "http://127.0.0.1:3300/webhooks/whatsapp"
    twilio_inbound_url: str | None = "http://127.0.0.1:3300/webhooks/twilio/inbound"
    twilio_number: str = "+15005550006"


def config(settings: SimSettings) -> SimConfig:
    return SimConfig(
        twilio_account_sid=settings.twilio_account_sid,
        twilio_auth_token=dev_secret("MUSEO_TWILIO_AUTH_TOKEN", "twilio-auth.token"),
        meta_access_token=dev_secret("MUSEO_WHATSAPP_ACCESS_TOKEN", "whatsapp-access.token"),
        meta_app_secret=dev_secret("MUSEO_WHATSAPP_APP_SECRET", "whatsapp-app.secret"),
        meta_phone_number_id=settings.whatsapp_phone_number_id,
        whatsapp_webhook_url=settings.whatsapp_webhook_url,
        twilio_inbound_url=settings.twilio_inbound_url, twilio_number=settings.twilio_number,
    )


def main() -> None:
    settings = SimSettings()
    uvicorn.run(create_app(config(settings)), host=settings.host, port=settings.port,
                log_level="warning")


if __name__ == "__main__":
    main()
