"""Reads for the wire: which articles were reposted from which links, and the
feeds' states for the Source list. Called by ``wire.services`` and ``wire.admin``."""

from collections.abc import Iterable

from articles.models import Article


def article_reposted_from(link: str) -> Article | None:
    """The first article whose original URL is ``link``, if any."""
    if not link:
        return None
    return Article.objects.filter(source_url=link).order_by("pk").first()


def articles_reposted_from(links: Iterable[str]) -> dict[str, Article]:
    """For each of ``links`` that was reposted, its (first) article: one query."""
    wanted = {link for link in links if link}
    if not wanted:
        return {}
    found: dict[str, Article] = {}
    articles = Article.objects.filter(source_url__in=wanted).only("pk", "title", "source_url")
    for article in articles.order_by("-pk"):
        found[article.source_url] = article  # the lowest pk wins
    return found
