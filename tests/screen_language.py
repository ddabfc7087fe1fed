"""Finding English on a Danish screen: the check the translation tests share.

A rendered screen leaks English in two ways, and both are looked for in the text a user can
read or hear (text nodes, visually hidden text, tooltip-like attributes, button values and
the labels in Wagtail's JSON props):

- *untranslated*: a msgid the merged Danish catalogue leaves in English appears as a phrase
  ("%(count)s pages" matches "3 pages");
- *hard-coded*: a whole piece of text is exactly an English msgid whose Danish differs, or
  a Python value ("True", "None"). The template wrote the English itself instead of asking
  gettext (Wagtail's ``<nav aria-label="Actions">``, ``<input value="Search">``), so the
  catalogue, however complete, cannot translate it; it needs a template override
  (templates/wagtailadmin/, see tests/test_template_overrides.py).

The msgids come from every catalogue the project uses: Django's, each installed app's
(Wagtail, viewflow…), locale_thirdparty/ (which holds viewflow's msgids, since viewflow ships
no Danish) and our own locale/.
"""

import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.utils.translation import trans_real

MIN_LENGTH = 4  # shorter msgids ("All", "ID", "Tag"…) match Danish text by chance as phrases
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")
VISIBLE_ATTRIBUTES = {
    "title",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "alt",
    "data-w-tooltip-content-value",  # Wagtail's tooltips
}
BUTTON_TYPES = {"submit", "button", "reset"}
JSON_LABEL_KEYS = {"label", "title", "text", "placeholder", "help_text", "helpText", "heading"}
VOID_ELEMENTS = {
    *("area", "base", "br", "col", "embed", "hr", "img", "input"),
    *("link", "meta", "source", "track", "wbr"),
}
# str() of Python values: a template printed a value instead of words for it.
PYTHON_VALUES = {"True", "False", "None"}

# English on purpose: the language menu names each language in that language.
ENGLISH_ON_PURPOSE = {"English"}


# --- the catalogues -----------------------------------------------------------------------


def _unquote(text):
    return text.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def read_msgids(path):
    """Yield (msgctxt, msgid, msgid_plural) from a .po file, obsolete entries left out."""
    entry, field = {}, None
    for line in [*Path(path).read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.get("msgid"):
                yield entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")
            entry, field = {}, None
        elif line.startswith('"') and field:
            entry[field] += _unquote(line)
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ")):
            field, _, value = line.partition(" ")
            entry[field] = _unquote(value)
        else:
            field = None  # comments, msgstr lines, obsolete (#~) entries


def catalogue_files():
    """The django.po files naming every msgid the project's screens may show.

    An app's English catalogue where it ships one (Wagtail regenerates it from its source
    each release); otherwise any of its catalogues, since every one holds the same msgids.
    """
    locale_dirs = [Path(django.__file__).parent / "conf" / "locale"]
    locale_dirs += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    files = []
    for locale_dir in locale_dirs:
        english = locale_dir / "en" / "LC_MESSAGES" / "django.po"
        found = (
            [english] if english.exists() else sorted(locale_dir.glob("*/LC_MESSAGES/django.po"))
        )
        files += found[:1]
    files += [Path(path) / "da" / "LC_MESSAGES" / "django.po" for path in settings.LOCALE_PATHS]
    return files


@cache
def english_and_danish():
    """{English text: its Danish in the merged catalogue, or None}, singulars and plurals.

    None means no catalogue has a Danish msgstr for it: gettext would show the English. A
    msgstr the same as its msgid ("Status", "Team") is Danish on purpose.
    """
    catalog = trans_real.translation("da")._catalog
    pairs = {}
    for path in catalogue_files():
        for context, msgid, plural in read_msgids(path):
            key = msgid if context is None else f"{context}\x04{msgid}"
            if plural is None:
                found = [(msgid, catalog.get(key))]
            else:
                found = [(msgid, catalog.get((key, 0))), (plural, catalog.get((key, 1)))]
            for english, danish in found:
                # The same English under two contexts: untranslated if either is.
                if english not in pairs or pairs[english] is not None:
                    pairs[english] = danish or None
    return pairs


@cache
def danish_texts():
    """Every msgstr of the merged Danish catalogue: words a Danish screen may show."""
    texts = set()
    for key, value in trans_real.translation("da")._catalog.items():
        if key:  # not the header
            text = normalise(value)
            # Labels and column headings are verbose names with a capital first letter.
            texts |= {text, text[:1].upper() + text[1:]}
    return texts


class Catalogue:
    """What counts as English on a Danish screen.

    pairs: {English: its Danish, or None if untranslated}; danish_words: texts that are Danish
    words even though they are also an English msgid ("Sat" is Danish for "Set" and
    Django's "Sat"urday; "Form" is our Danish for "Form" and Wagtail's English for
    "Formular").
    """

    def __init__(self, pairs, danish_words=()):
        self.untranslated = {}  # {msgid: phrase pattern} of what stays English
        for english, danish in pairs.items():
            if danish is None and english not in ENGLISH_ON_PURPOSE:
                pattern = phrase_pattern(english)
                if pattern:
                    self.untranslated[english] = pattern
        # Seen whole, these were hard-coded: gettext would have given the Danish.
        self.translated = (
            {
                normalise(english)
                for english, danish in pairs.items()
                if danish not in {None, english}
                and english not in ENGLISH_ON_PURPOSE
                and not PLACEHOLDER.search(english)
            }
            - {""}
            - set(danish_words)
        )

    def english_on(self, html):
        """The English a Danish page shows: sorted untranslated msgids and hard-coded texts."""
        shown, hidden = segments(html)
        # One segment a line: a phrase never spans two separate pieces of text.
        text = "\n".join(shown + hidden)
        untranslated = {
            msgid for msgid, pattern in self.untranslated.items() if pattern.search(text)
        }
        # Scripts fill hidden elements before showing them: a hidden "None" is a placeholder.
        heard = shown + [segment for segment in hidden if segment not in PYTHON_VALUES]
        hard_coded = {
            f"hard-coded: {segment}"
            for segment in heard
            if segment in self.translated or segment in PYTHON_VALUES
        }
        return sorted(untranslated | hard_coded)


@cache
def project_catalogue():
    return Catalogue(english_and_danish(), danish_texts())


def english_on_screen(html):
    """The English a Danish page of this project shows (see the module docstring)."""
    return project_catalogue().english_on(html)


def phrase_pattern(msgid):
    """A regex matching the msgid as a whole phrase of visible text, or None if too short."""
    text = normalise(re.sub(r"<[^>]+>", "", msgid))
    pieces = PLACEHOLDER.split(text)
    if sum(len(piece.strip()) for piece in pieces) < MIN_LENGTH:
        return None
    # A placeholder inside the phrase may be any text; one at either end a single token, or
    # "%(count)s pages" would match every English "… pages".
    body = re.escape(pieces[0])
    for index, piece in enumerate(pieces[1:], start=1):
        at_edge = (index == 1 and not pieces[0]) or (index == len(pieces) - 1 and not piece)
        body += (r"\S+" if at_edge else r".+?") + re.escape(piece)
    return re.compile(rf"(?<!\w){body}(?!\w)")


def normalise(text):
    return re.sub(r"\s+", " ", text).strip()


# --- what a screen shows ------------------------------------------------------------------


class VisibleText(HTMLParser):
    """Collect the text a user can read or hear, one segment per text node or attribute.

    Text inside an element with the ``hidden`` attribute is kept apart: scripts fill such
    elements (Wagtail's counters start as "None") before they show them.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.segments, self.hidden_segments = [], []
        self._skip = None  # the script/style element being skipped
        self._json = False
        self._hidden = None  # [tag, depth] of the outermost hidden element we are in

    def _add(self, text):
        text = normalise(text)
        if text:
            (self.hidden_segments if self._hidden else self.segments).append(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._hidden and tag == self._hidden[0] and tag not in VOID_ELEMENTS:
            self._hidden[1] += 1
        elif not self._hidden and "hidden" in attrs and tag not in VOID_ELEMENTS:
            self._hidden = [tag, 1]
        for name, value in attrs.items():
            if name in VISIBLE_ATTRIBUTES and value:
                self._add(value)
        if tag == "input" and attrs.get("type") in BUTTON_TYPES and attrs.get("value"):
            self._add(attrs["value"])
        if tag in {"script", "style"}:
            self._skip = tag
            self._json = tag == "script" and attrs.get("type") == "application/json"

    def handle_endtag(self, tag):
        if tag == self._skip:
            self._skip, self._json = None, False
        if self._hidden and tag == self._hidden[0]:
            self._hidden[1] -= 1
            if not self._hidden[1]:
                self._hidden = None

    def handle_data(self, data):
        if self._json:
            self._collect_json(json.loads(data) if data.strip() else None)
        elif not self._skip:
            self._add(data)

    def _collect_json(self, value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in JSON_LABEL_KEYS and isinstance(item, str):
                    self._add(item)
                else:
                    self._collect_json(item)
        elif isinstance(value, list):
            for item in value:
                self._collect_json(item)


def segments(html):
    """(segments, hidden segments) of a page."""
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.segments, parser.hidden_segments
