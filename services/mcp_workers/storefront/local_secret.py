"""The checkout signing secret: `MUSEO_CHECKOUT_SECRET`, else the dev file `checkout.secret`
(through `libs.dev_secrets`, the one helper every secret goes through)."""

from __future__ import annotations

from libs.dev_secrets import dev_secret

ENV_VAR = "MUSEO_CHECKOUT_SECRET"
FILE_NAME = "checkout.secret"


def checkout_secret(allow_file: bool = True) -> str:
    return dev_secret(ENV_VAR, FILE_NAME, allow_file=allow_file)
