"""Keep locale_thirdparty/ (our Danish for Wagtail and viewflow) in step with the packages.

Wagtail's own Danish catalogues are only partly translated and viewflow ships no Danish, so
locale_thirdparty/da/LC_MESSAGES/{django,djangojs}.po hold a Danish msgstr for every
Wagtail/viewflow msgid that would otherwise come out in English. Django merges catalogues and
LOCALE_PATHS win over app catalogues, so these files complete (and, where our glossary
differs, override) Wagtail's Danish.

Where the msgids come from:
  - Wagtail: the English catalogues it ships (wagtail/**/locale/en/LC_MESSAGES/*.po), which
    are regenerated from the source on every Wagtail release;
  - viewflow: its shipped catalogues are older than its source, so the msgids are extracted
    from a temporary copy of the installed package with ``makemessages`` (needs GNU gettext).
A msgid counts as missing when the merged Danish catalogue of the installed apps (Django's,
Wagtail's and the rest, *without* locale_thirdparty) has no non-empty msgstr for it.

Usage, after upgrading Wagtail or viewflow (GNU gettext on PATH):

    python scripts/thirdparty_catalog.py pot     # writes locale_thirdparty/{django,djangojs}.pot
    python scripts/thirdparty_catalog.py merge   # msgmerge the .pot into da/*.po, new ones empty
    # translate the empty and fuzzy entries in da/*.po (see docs/glossary.md), then
    python scripts/thirdparty_catalog.py compile # msgfmt --check to .mo (commit .po and .mo)
    python scripts/thirdparty_catalog.py stats   # translated / missing per package

Entries we keep on purpose although Wagtail has a Danish msgstr (terminology overrides)
carry the translator comment ``override`` and survive ``merge`` because their msgids are
added to the .pot as well.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "locale_thirdparty"
DA_DIR = OUT_DIR / "da" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
HEADER = (
    "Project-Id-Version: Brobygger third-party Danish\n"
    "Report-Msgid-Bugs-To: \n"
    "PO-Revision-Date: 2026-11-23 08:00+0100\n"
    "Last-Translator: Brobygger <brobygger@localhost>\n"
    "Language-Team: Danish\n"
    "Language: da\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\n"
)


# --- a small .po reader/writer (stdlib only; polib is not a dependency) -----------------


def _unquote(text):
    body = text.strip()[1:-1]
    return body.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")


def read_po(path):
    """Return the entries of a .po file as dicts (obsolete ones skipped)."""
    entries, entry, field = [], None, None

    def flush():
        if entry and "msgid" in entry:
            entries.append(entry)

    entry = {"comments": [], "flags": set(), "refs": [], "msgstr": {}}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("#~"):
            continue
        if not line.strip():
            flush()
            entry, field = {"comments": [], "flags": set(), "refs": [], "msgstr": {}}, None
            continue
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith("#:"):
            entry["refs"].append(line[2:].strip())
        elif line.startswith("# ") or line == "#":
            entry["comments"].append(line[2:])
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field[0]] += _unquote(line)
        else:
            keyword, _, value = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                field = ("msgstr", int(match.group(1)))
                entry["msgstr"][field[1]] = _unquote(value)
            elif keyword == "msgstr":
                field = ("msgstr", 0)
                entry["msgstr"][0] = _unquote(value)
            else:
                field = (keyword, None)
                entry[keyword] = _unquote(value)
    flush()
    return entries


def _quote(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return '""\n' + "\n".join(f'"{part}"' for part in parts)


def write_po(path, entries, header=HEADER):
    out = ['msgid ""', "msgstr " + _quote(header), ""]
    for entry in entries:
        if not entry["msgid"]:
            continue  # the header, written above
        out.extend(f"# {c}" if c else "#" for c in entry.get("comments", []))
        out.extend(f"#: {ref}" for ref in entry.get("refs", []))
        if entry.get("flags"):
            out.append("#, " + ", ".join(sorted(entry["flags"])))
        if entry.get("msgctxt") is not None:
            out.append("msgctxt " + _quote(entry["msgctxt"]))
        out.append("msgid " + _quote(entry["msgid"]))
        if entry.get("msgid_plural") is not None:
            out.append("msgid_plural " + _quote(entry["msgid_plural"]))
            for index in (0, 1):
                out.append(f"msgstr[{index}] " + _quote(entry["msgstr"].get(index, "")))
        else:
            out.append("msgstr " + _quote(entry["msgstr"].get(0, "")))
        out.append("")
    Path(path).write_text("\n".join(out), encoding="utf-8")


def key(entry):
    return (entry.get("msgctxt"), entry["msgid"])


# --- where the English msgids come from ---------------------------------------------------


def _package_dir(name):
    import importlib.util

    return Path(importlib.util.find_spec(name).origin).parent


def wagtail_sources(domain):
    """Yield (package label, entry) for every msgid in Wagtail's English catalogues."""
    root = _package_dir("wagtail")
    for po in sorted(root.glob(f"**/locale/en/LC_MESSAGES/{domain}.po")):
        label = "wagtail/" + str(po.relative_to(root).parent.parent.parent.parent)
        label = label.removesuffix("/.")
        for entry in read_po(po):
            if entry["msgid"]:
                yield label, entry


def viewflow_sources():
    """Yield ("viewflow", entry) for every msgid in viewflow's source (via makemessages)."""
    root = _package_dir("viewflow")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "viewflow"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("static", "locale"))
        (copy / "locale").mkdir()
        subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"],
            cwd=copy,
            check=True,
            capture_output=True,
            env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        )
        for entry in read_po(copy / "locale/en/LC_MESSAGES/django.po"):
            if entry["msgid"]:
                yield "viewflow", entry


def sources(domain):
    yield from wagtail_sources(domain)
    if domain == "django":
        yield from viewflow_sources()


# --- what the installed apps already translate ---------------------------------------------


def _setup_django():
    import django
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("DJANGO_SECRET_KEY", "catalogue-script")
        sys.path.insert(0, str(BASE_DIR))
        from intranet import settings as project

        local = {"intranet.apps.IntranetConfig", "pages", "workflows"}
        settings.configure(
            INSTALLED_APPS=[app for app in project.INSTALLED_APPS if app not in local],
            LOCALE_PATHS=[],  # without locale_thirdparty: what is missing upstream
            USE_I18N=True,
            LANGUAGE_CODE="da",
            STATIC_URL="/static/",
        )
        django.setup()


def upstream_catalog(domain):
    """The merged Danish catalogue of the installed apps, without locale_thirdparty."""
    _setup_django()
    from django.utils.translation.trans_real import DjangoTranslation, translation

    if domain == "django":
        return translation("da")._catalog
    # Wagtail's JavaScriptCatalog is built from wagtail.admin's djangojs catalogue only.
    localedir = _package_dir("wagtail.admin") / "locale"
    return DjangoTranslation("da", domain="djangojs", localedirs=[str(localedir)])._catalog


def is_translated(catalog, entry):
    msgid = entry["msgid"]
    if entry.get("msgctxt") is not None:
        msgid = f"{entry['msgctxt']}\x04{msgid}"
    if entry.get("msgid_plural") is not None:
        return all(catalog.get((msgid, index)) for index in (0, 1))
    return bool(catalog.get(msgid))


def missing(domain):
    """Return {key: (labels, entry)} of the msgids without a Danish msgstr upstream."""
    catalog = upstream_catalog(domain)
    found = {}
    for label, entry in sources(domain):
        if is_translated(catalog, entry):
            continue
        if key(entry) in found:
            found[key(entry)][0].append(label)
        else:
            found[key(entry)] = ([label], entry)
    return found


# --- commands -----------------------------------------------------------------------------


def _flags(entry):
    flags = entry["flags"] - {"fuzzy"}
    plural = entry.get("msgid_plural")
    if plural is not None and not _names(entry["msgid"]) <= _names(plural):
        # viewflow's {% blocktrans count %} singulars name other variables than the plural
        # (all are in the template context); msgfmt --check would refuse msgstr[0].
        flags -= {"python-format"}
    return flags


def _names(text):
    return set(re.findall(r"%\((\w+)\)", text))


def cmd_pot():
    for domain in DOMAINS:
        entries = []
        overrides = []
        po_path = DA_DIR / f"{domain}.po"
        if po_path.exists():
            overrides = [e for e in read_po(po_path) if "override" in e["comments"]]
        for labels, entry in missing(domain).values():
            entries.append(
                {
                    "comments": [],
                    "refs": [" ".join(sorted(set(labels)))],
                    "flags": _flags(entry),
                    "msgctxt": entry.get("msgctxt"),
                    "msgid": entry["msgid"],
                    "msgid_plural": entry.get("msgid_plural"),
                    "msgstr": {},
                }
            )
        known = {key(e) for e in entries}
        for entry in overrides:
            if key(entry) not in known:
                entries.append({**entry, "comments": [], "msgstr": {}})
        write_po(OUT_DIR / f"{domain}.pot", entries)
        print(f"{domain}.pot: {len(entries)} msgids")


def _gettext_tool(*args):
    # GNU gettext from PATH with arguments built here, never from user input.
    subprocess.run([str(arg) for arg in args], check=True)  # noqa: S603


def cmd_merge():
    DA_DIR.mkdir(parents=True, exist_ok=True)
    for domain in DOMAINS:
        po, pot = DA_DIR / f"{domain}.po", OUT_DIR / f"{domain}.pot"
        if not po.exists():
            _gettext_tool("msginit", "--no-translator", "-l", "da", "-i", pot, "-o", po)
        else:
            _gettext_tool(
                "msgmerge", "--quiet", "--update", "--backup=none", "--no-fuzzy-matching", po, pot
            )


def cmd_compile():
    for domain in DOMAINS:
        po = DA_DIR / f"{domain}.po"
        _gettext_tool("msgfmt", "--check", "--statistics", "-o", po.with_suffix(".mo"), po)


def cmd_stats():
    for domain in DOMAINS:
        ours = (
            {key(e): e for e in read_po(DA_DIR / f"{domain}.po")}
            if (DA_DIR / f"{domain}.po").exists()
            else {}
        )
        total, done = Counter(), Counter()
        for labels, entry in missing(domain).values():
            label = labels[0]
            total[label] += 1
            mine = ours.get(key(entry))
            if mine and "fuzzy" not in mine["flags"] and all(mine["msgstr"].values()):
                done[label] += 1
        print(f"[{domain}]")
        for label in sorted(total):
            print(f"  {label:40} {done[label]:5} / {total[label]:5}")
        print(f"  {'total':40} {sum(done.values()):5} / {sum(total.values()):5}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["pot", "merge", "compile", "stats"])
    command = parser.parse_args().command
    {"pot": cmd_pot, "merge": cmd_merge, "compile": cmd_compile, "stats": cmd_stats}[command]()


if __name__ == "__main__":
    main()
