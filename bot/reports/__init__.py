"""Satisfaction and on-time reports per unit, field and procedure; CSV export; weekly charts."""
