"""HTML written in Python where a template would cost too much (long lists, choice lists)."""

from html import escape as html_escape


def quick_escape(value):
    """What a template's autoescape does to a value (`conditional_escape`: a value marked
    safe is kept), without Django's lazy-string wrappers, which cost more than the escaping
    itself when a list escapes a few hundred values."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_escape(str(value))
