"""The checkout signing secret: `MUSEO_CHECKOUT_SECRET`, else the dev file `checkout.secret`."""

from __future__ import annotations

from libs.dev_secrets import data_dir, dev_secret, file_secret

ENV_VAR = "MUSEO_CHECKOUT_SECRET"
FILE_NAME = "checkout.secret"

__all__ = ["ENV_VAR", "FILE_NAME", "checkout_secret", "data_dir", "file_secret"]


def checkout_secret(allow_file: bool = True) -> str:
    return dev_secret(ENV_VAR, FILE_NAME, allow_file=allow_file)
