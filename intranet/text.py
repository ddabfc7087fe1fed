"""Plain text typed by users, as the forms and the access log keep it."""

import re

# Invisible characters that change how the text around them is drawn: the bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the direction marks
# (U+200E, U+200F, U+061C) and the zero-width characters (U+200B-U+200D, U+2060-U+2064,
# U+FEFF). A name ending in U+202E would draw the rest of its line backwards.
INVISIBLE_CONTROLS = re.compile(
    "[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def strip_invisible_controls(text):
    return INVISIBLE_CONTROLS.sub("", text)
