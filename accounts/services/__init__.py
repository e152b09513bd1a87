"""Every write of staff data: PINs for the shared tablet, and staff with their stores from the
retailer's systems."""

from accounts.services.pins import PinLocked, set_pin, verify_pin
from accounts.services.staff import unlock_sign_in, write_staff

__all__ = ["PinLocked", "set_pin", "unlock_sign_in", "verify_pin", "write_staff"]
