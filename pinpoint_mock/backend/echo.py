"""How a one-sentence error of our own API shows the value it refuses.

``repr`` of the value, cut to :data:`LIMIT` characters; a whole number too long to print (Python
refuses ``repr`` of an ``int`` of more than 4,300 digits, ``sys.get_int_max_str_digits``) by its
number of digits. So ``advance(10**5000)`` or a 10 MB fault ``code`` is refused with a short
sentence, never with an error about the message itself.
"""

from __future__ import annotations

import math

LIMIT = 60
"""The most characters of a value an error message echoes."""

_BIG = 10 ** 30


def echo(value: object) -> str:
    """``repr(value)`` cut to :data:`LIMIT` characters (``'aaaa...'``), or ``a whole number of
    about N digits`` for an ``int`` of more than 30 digits."""
    if isinstance(value, int) and not isinstance(value, bool) and not -_BIG < value < _BIG:
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        sign = "a negative" if value < 0 else "a"
        return f"{sign} whole number of about {digits:,} digits"
    try:
        text = repr(value)
    except ValueError:  # an int of more than 4,300 digits inside a list or mapping
        return f"a {type(value).__name__} holding a number too long to print"
    return text if len(text) <= LIMIT else text[:LIMIT - 3] + "..."
