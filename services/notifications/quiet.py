"""Quiet hours in the recipient's own time zone.

Marketing messages (abandoned-cart reminders) are not sent at night where the person is: one due
inside the quiet window waits for its end. Transactional messages (an order confirmation, a
shipping update) answer something the person just did and go at once.

The time zone is the contact's own when known; else their phone number's (libphonenumber knows
the zones of a number's area: +1 202 is New York, +34 6.. mainland Spain or the Canaries, and
the country's main zone is preferred among them); else the main zone of their country (the first
one tz's zone.tab lists, its most populous); else UTC.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_zones

from libs.contracts.notifications import Contact

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, spec: str | None) -> QuietHours | None:
        """`"21:00-08:00"` (may wrap midnight); empty or `off` means none."""
        if not spec or spec.strip().lower() in ("off", "none", "0"):
            return None
        first, _, second = spec.partition("-")
        try:
            start, end = time.fromisoformat(first.strip()), time.fromisoformat(second.strip())
        except ValueError as exc:
            raise ValueError(f"quiet hours must look like 21:00-08:00, not {spec!r}") from exc
        return None if start == end else cls(start, end)

    def quiet_at(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def until(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """When the quiet window around `now` (aware) ends in `zone`; None when not quiet."""
        local = now.astimezone(zone)
        if not self.quiet_at(local.time().replace(tzinfo=None)):
            return None
        end = datetime.combine(local.date(), self.end, tzinfo=zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=zone)
        return end


@functools.cache
def _main_zones() -> dict[str, str]:
    """Country code -> the first zone tz's zone.tab lists for it (its most populous)."""
    text = None
    try:
        text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        path = Path("/usr/share/zoneinfo/zone.tab")
        text = path.read_text("utf-8") if path.exists() else ""
    zones: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                zones.setdefault(parts[0], parts[2])
    return zones


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _phone_zone(phone: str) -> tuple[ZoneInfo | None, str | None]:
    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return None, None
    region = phonenumbers.region_code_for_number(number)
    names = [n for n in phone_zones.time_zones_for_number(number) if n != "Etc/Unknown"]
    main = _main_zones().get(region or "")
    name = main if main in names else (names[0] if names else None)
    return _zone(name), region


def zone_for(contact: Contact) -> ZoneInfo:
    """The recipient's time zone: their own, their phone's, their country's, else UTC."""
    if (own := _zone(contact.timezone)) is not None:
        return own
    if contact.phone:
        zone, _ = _phone_zone(contact.phone)
        if zone is not None:
            return zone
    return _zone(_main_zones().get((contact.country or "").upper())) or UTC_ZONE
