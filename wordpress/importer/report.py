"""The end-of-run import table, as the terminal shows it and as Markdown.

One row per kind (authors, categories, … media) with its created / updated /
unchanged / skipped counts, then every loss or warning: those about the whole
export first, then those about each post under its title and old address.

``import_wordpress`` prints ``text_report`` and writes ``markdown_report``
to the file ``--report`` names, for the site owner to keep.
"""

import re

from wordpress.importer.records import OUTCOMES, Summary

PLURAL = {"category": "categories", "media": "media", "nav_menu_item": "menu items"}


def kind_label(kind: str) -> str:
    """``posts``, ``categories``, ``media``, ``wp_blocks`` … as a row's name."""
    return PLURAL.get(kind, kind if kind == "total" else f"{kind}s")


def text_report(summary: Summary, heading: str) -> list[str]:
    """The table and the losses as lines for the terminal."""
    rows = [
        (kind_label(kind), [outcomes[o] for o in OUTCOMES]) for kind, outcomes in summary.table()
    ]
    first = max(len(name) for name, _ in rows)
    widths = [max(len(o), *(len(str(n[i])) for _, n in rows)) for i, o in enumerate(OUTCOMES)]
    lines = [
        heading,
        "  " + " " * first + "".join(f"  {o:>{w}}" for o, w in zip(OUTCOMES, widths, strict=True)),
    ]
    for name, numbers in rows:
        cells = "".join(f"  {n:>{w}}" for n, w in zip(numbers, widths, strict=True))
        lines.append(f"  {name:<{first}}{cells}")
    general, posts = summary.losses()
    if not general and not posts:
        lines.append("Reported: nothing.")
        return lines
    lines.append(f"Reported ({len(summary.problems)}):")
    lines.extend(f"  - {problem}" for problem in general)
    for post in posts:
        link = f" — {post.link}" if post.link else ""
        lines.append(f"  {post.kind} {post.wp_id} “{post.title}”{link}:")
        lines.extend(f"    - {problem}" for problem in post.problems)
    return lines


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    """Text as Markdown shows it literally (titles and reports hold ``*``, ``|`` …)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _md_link(url: str) -> str:
    return f"<{url}>" if re.fullmatch(r"https?://[^\s<>]+", url) else _md(url)


def markdown_report(summary: Summary, heading: str) -> str:
    """The same report as a Markdown document."""
    lines = [f"# {_md(heading)}", "", "| | " + " | ".join(OUTCOMES) + " |"]
    lines.append("|---|" + "---:|" * len(OUTCOMES))
    for kind, outcomes in summary.table():
        name = kind_label(kind)
        name = f"**{name}**" if kind == "total" else name
        lines.append(f"| {name} | " + " | ".join(str(outcomes[o]) for o in OUTCOMES) + " |")
    general, posts = summary.losses()
    lines += ["", f"## Reported ({len(summary.problems)})", ""]
    if not general and not posts:
        lines.append("Nothing.")
    if general:
        lines += ["### The whole export", "", *(f"- {_md(problem)}" for problem in general), ""]
    for post in posts:
        link = f" — {_md_link(post.link)}" if post.link else ""
        lines += [f"### {post.kind.capitalize()} {_md(post.wp_id)} “{_md(post.title)}”{link}", ""]
        lines += [*(f"- {_md(problem)}" for problem in post.problems), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
