"""Local stand-in for Twilio's Messages API and Meta's WhatsApp Cloud API (no network here)."""
