"""Every write of staff data: PINs for the shared tablet, and staff with their stores from the
retailer's systems."""

from accounts.services.pins import PinLocked, set_pin, verify_pin
from accounts.services.staff import write_staff

__all__ = ["PinLocked", "set_pin", "verify_pin", "write_staff"]
