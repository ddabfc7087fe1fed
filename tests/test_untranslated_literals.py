"""Every text our code shows a user goes through gettext.

English left outside gettext stays English on the Danish screens; Danish written straight
into the code cannot follow a user who chooses English. So:

- our templates (templates/) show no words outside {% translate %} and
  {% blocktranslate %}: not in text, nor in the attributes a user reads or hears (title,
  placeholder, aria-label, alt, a button's value);
- our Python gives no literal text to what users see: messages, ValidationError, labels,
  verbose names, help texts, choices, flow annotations;
- every model field, model, form field and choice of ours has a translatable label.

Content is not checked: demo and generated data (management commands) are Danish on
purpose, as are page titles and the texts editors write. templates/wagtailadmin/ holds
copies of Wagtail's templates (tests/test_template_overrides.py).
"""

import ast
import importlib
import inspect
import pkgutil
import re
from html.parser import HTMLParser
from pathlib import Path

from django import forms
from django.apps import apps
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.functional import Promise
from modelcluster.fields import ParentalKey

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = BASE_DIR / "templates"
OUR_APPS = ("intranet", "pages", "workflows")

# Words that are the same in every language: the product's name and file formats.
ALLOWED_WORDS = {"Brobygger", "CSV", "JSON", "HTML", "PDF"}
WORD = re.compile(r"[^\W\d_]{2,}")  # numbers ("112", "§ 99") and symbols pass
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "aria-description", "alt"}
BUTTON_TYPES = {"submit", "button", "reset"}
# {% block %}s whose content is not text: CSS classes.
NON_TEXT_BLOCK = re.compile(r"(^|_)class$")
TRANSLATING_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}


# --- templates --------------------------------------------------------------------------------


def untranslated_template_text(source):
    """The template with every tag, variable and comment turned into a space and the
    contents of translating blocks, comments and non-text blocks left out."""
    out, end_of_skip, blocks = [], None, []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.split_contents()[0]
            if end_of_skip:
                if name == end_of_skip:
                    end_of_skip = None
                continue
            if name in TRANSLATING_BLOCKS:
                end_of_skip = TRANSLATING_BLOCKS[name]
            elif name in {"comment", "verbatim"}:
                end_of_skip = f"end{name}"
            elif name == "block":
                blocks.append(token.split_contents()[1])
            elif name == "endblock" and blocks:
                blocks.pop()
            out.append(" ")
        elif end_of_skip:
            continue
        elif token.token_type == TokenType.TEXT:
            if not any(NON_TEXT_BLOCK.search(block) for block in blocks):
                out.append(token.contents)
        else:  # variables ({{ }}) and {# #} comments
            out.append(" ")
    return "".join(out)


class ReadText(HTMLParser):
    """The pieces of a template's text a user reads: text nodes and read attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces, self._skip = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name in READ_ATTRIBUTES and value:
                self.pieces.append(f'{name}="{value.strip()}"')
        if tag == "input" and attrs.get("type") in BUTTON_TYPES and attrs.get("value"):
            self.pieces.append(f'value="{attrs["value"].strip()}"')
        if tag in {"script", "style"}:
            self._skip = tag

    def handle_endtag(self, tag):
        if tag == self._skip:
            self._skip = None

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.pieces.append(" ".join(data.split()))


def bare_words(template_source):
    """The pieces of text outside gettext that contain words (not allowed ones)."""
    parser = ReadText()
    parser.feed(untranslated_template_text(template_source))
    parser.close()
    return [
        piece
        for piece in parser.pieces
        if any(word not in ALLOWED_WORDS for word in WORD.findall(piece.split("=", 1)[-1]))
    ]


def our_templates():
    return sorted(
        path
        for path in TEMPLATES.rglob("*")
        if path.is_file() and "wagtailadmin" not in path.relative_to(TEMPLATES).parts
    )


def test_templates_show_no_words_outside_translate_tags():
    found = {}
    for path in our_templates():
        words = bare_words(path.read_text(encoding="utf-8"))
        if words:
            found[str(path.relative_to(BASE_DIR))] = words
    assert len(our_templates()) > 50
    assert not found, f"text outside {{% translate %}} in templates: {found}"


def test_bare_words_are_found_in_text_and_read_attributes():
    template = """{% load i18n %}{% block body_class %}template-home{% endblock %}
<h1>{% translate "Cases" %}</h1> <p>Open cases</p> <p>{{ count }} sager</p>
<button aria-label="Close" title="{% translate 'Close' %}">×</button>
<input type="submit" value="Gem"> <input type="hidden" value="secret">
<img alt="{{ page.title }}" src="x.png">
<p>{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}</p>
{% comment %}Not shown{% endcomment %}<script>var English = 1;</script>
<p>Brobygger · 112 · CSV</p>"""

    assert bare_words(template) == ["Open cases", "sager", 'aria-label="Close"', 'value="Gem"']


# --- Python ---------------------------------------------------------------------------------

# Keyword arguments whose value a user reads.
TEXT_KEYWORDS = {
    *("verbose_name", "verbose_name_plural", "help_text", "label", "empty_label"),
    *("placeholder", "title", "message", "heading", "empty_value_display"),
}
# Calls whose positional arguments a user reads: messages.<level>(request, text), …
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error", "add_message"}
TEXT_CALLS = {"ValidationError", "Annotation"}


def _has_words(node):
    """A literal string (or the literal parts of an f-string) with words in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(word not in ALLOWED_WORDS for word in WORD.findall(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_has_words(part) for part in node.values)
    return False


def _call_name(call):
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def literal_user_texts(source):
    """(line, text) of literal strings the code hands to what users see."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        shown = [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        for kw in node.keywords:
            if kw.arg == "choices" and isinstance(kw.value, ast.List | ast.Tuple):
                shown += [
                    pair.elts[1]
                    for pair in kw.value.elts
                    if isinstance(pair, ast.Tuple) and len(pair.elts) == 2
                ]
        is_message = (
            name in MESSAGE_LEVELS
            and isinstance(node.func, ast.Attribute)
            and getattr(node.func.value, "id", "") == "messages"
        )
        if is_message or name in TEXT_CALLS:
            shown += node.args
        found += [(value.lineno, ast.unparse(value)) for value in shown if _has_words(value)]
    return found


def our_python_files():
    for app in OUR_APPS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            parts = path.relative_to(BASE_DIR).parts
            # Migrations copy the models' texts; commands write content (demo data).
            if "migrations" not in parts and "management" not in parts:
                yield path


def test_python_hands_no_literal_text_to_users():
    found = {}
    for path in our_python_files():
        texts = literal_user_texts(path.read_text(encoding="utf-8"))
        if texts:
            found[str(path.relative_to(BASE_DIR))] = texts
    assert not found, f"literal text shown to users, not wrapped in gettext: {found}"


def test_literal_user_texts_are_found():
    source = """
messages.success(request, "Saved.")
messages.error(request, _("Not saved."))
logger.warning("Team %s has no mailbox", team)
raise ValidationError("Ugyldig dato")
name = models.CharField(verbose_name="name", help_text=_("Your name"))
kind = forms.ChoiceField(choices=[("a", "All"), ("b", _("Both")), ("csv", "CSV")])
bar = Bar(title=f"{label}: {value}")
node = flow.View(Task).Annotation(title=f"Step {n}")
"""
    assert [text for _, text in literal_user_texts(source)] == [
        "'Saved.'",
        "'Ugyldig dato'",
        "'name'",
        "'All'",
        "f'Step {n}'",
    ]


# --- models and forms -------------------------------------------------------------------------


def _translatable(text):
    return isinstance(text, Promise)


def test_model_names_fields_help_texts_and_choices_are_translatable():
    untranslatable = []
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            for attr in ("verbose_name", "verbose_name_plural"):
                if not _translatable(getattr(model._meta, attr)):
                    untranslatable.append(f"{model.__name__}.Meta.{attr}")
            for field in model._meta.get_fields(include_parents=False):
                if field.auto_created or not getattr(field, "editable", False):
                    continue
                if field.model is not model:  # a proxy's fields are its concrete model's
                    continue
                # Primary keys, parent links and inline parent keys are never shown.
                if field.primary_key or isinstance(field, ParentalKey):
                    continue
                name = f"{model.__name__}.{field.name}"
                if not _translatable(field.verbose_name):
                    untranslatable.append(f"{name} verbose_name")
                if field.help_text and not _translatable(field.help_text):
                    untranslatable.append(f"{name} help_text")
                untranslatable += [
                    f"{name} choice {label!r}"
                    for _value, label in field.flatchoices
                    if label and not _translatable(label)
                ]
    assert not untranslatable, untranslatable


def our_form_classes():
    classes = set()
    for app in OUR_APPS:
        package = importlib.import_module(app)
        for module_info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in module_info.name or module_info.name.endswith("settings"):
                continue
            module = importlib.import_module(module_info.name)
            classes |= {
                value
                for value in vars(module).values()
                if inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__.split(".")[0] in OUR_APPS
            }
    return classes


def test_form_labels_help_texts_and_choices_are_translatable():
    untranslatable = []
    classes = our_form_classes()
    assert len(classes) > 15, "found hardly any forms: check our_form_classes"
    for form_class in classes:
        for name, field in form_class.base_fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            where = f"{form_class.__module__}.{form_class.__name__}.{name}"
            # No label: Django makes one from the field's (English) name.
            if not _translatable(field.label):
                untranslatable.append(f"{where} label {field.label!r}")
            if field.help_text and not _translatable(field.help_text):
                untranslatable.append(f"{where} help_text")
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                untranslatable += [
                    f"{where} choice {label!r}"
                    for value, label in field.choices
                    if value not in ("", None)
                    and isinstance(label, str)
                    and not _translatable(label)
                    and any(word not in ALLOWED_WORDS for word in WORD.findall(label))
                ]
    assert not untranslatable, untranslatable
