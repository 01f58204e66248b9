"""Numbers as the templates show them, computed in Python for long tables.

`fixed(x, 2)` is what `{{ x|floatformat:2 }}` prints for a float or int (half-up rounding of the
decimal repr, no thousands separator: settings.USE_THOUSAND_SEPARATOR is off), at a fraction of the
filter's cost: the ranking page shows ~2,000 such numbers."""

from decimal import ROUND_HALF_UP, Decimal

_EXP = {p: Decimal(1).scaleb(-p) for p in range(0, 7)}


def fixed(value, places):
    """floatformat:places for a number; "" for None (as floatformat prints for an empty value)."""
    if value is None:
        return ""
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    out = str(d.quantize(_EXP[places], ROUND_HALF_UP))
    if out.startswith("-") and not d.quantize(_EXP[places], ROUND_HALF_UP):  # floatformat never prints "-0.00"
        out = out[1:]
    return out
