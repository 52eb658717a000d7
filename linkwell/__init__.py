"""Linkwell: open-source social prescribing for the NHS."""
