"""Offline evaluation of the suggestion engine against baselines (last-order protocol)."""
