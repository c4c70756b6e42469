"""Article search: PostgreSQL full-text search, with a portable fallback.

On PostgreSQL, ``Article.search_vector`` is kept by a trigger (title weighted
A, body B, English stemming) and has a GIN index; results are ranked and the
shown page gets highlighted snippets from ``ts_headline``. Elsewhere (SQLite),
every word must appear in the title or body, title matches first, and the
snippet is cut in Python. Both give the view the same thing: a queryset, then
``highlight(articles, query)`` for the page shown.
"""

import html
import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections
from django.db.models import Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.html import html_to_text, strip_control_characters

SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200
MAX_FALLBACK_TERMS = 8
SNIPPET_WORDS = 40

# Private-use characters mark matches in ts_headline's output, so the text can
# be escaped before the marks become <mark> elements.
_START, _STOP = "\ue000", "\ue001"


def clean_query(raw: str) -> tuple[str, bool]:
    """The query as searched (control characters removed, spaces collapsed,
    at most ``MAX_QUERY_LENGTH`` characters) and whether it was shortened."""
    query = re.sub(r"\s+", " ", strip_control_characters(raw)).strip()
    if len(query) > MAX_QUERY_LENGTH:
        return query[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0].strip(), True
    return query, False


def _uses_postgres(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _terms(query: str) -> list[str]:
    return [term for term in re.split(r"[\s\"']+", query) if term][:MAX_FALLBACK_TERMS]


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Articles of ``queryset`` matching ``query``, best first."""
    if _uses_postgres(queryset):
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        return (
            queryset.filter(search_vector=search_query)
            .annotate(rank=SearchRank(F("search_vector"), search_query))
            .order_by("-rank", "-publish_at", "-pk")
        )
    terms = _terms(query)
    if not terms:
        return queryset.none()
    for term in terms:
        queryset = queryset.filter(Q(title__icontains=term) | Q(body__icontains=term))
    title_match = Q()
    for term in terms:
        title_match &= Q(title__icontains=term)
    return queryset.annotate(
        title_match=Case(
            When(title_match, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by("-title_match", "-publish_at", "-pk")


def highlight(articles: list, query: str) -> None:
    """Give each article a ``snippet``: safe HTML with the matches in ``<mark>``."""
    if not articles:
        return
    model = type(articles[0])
    manager = model._default_manager.using(articles[0]._state.db)
    if _uses_postgres(manager.all()):
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        body_text = Func(
            F("body"), Value("<[^>]+>"), Value(" "), Value("g"), function="regexp_replace"
        )
        headlines = dict(
            manager.filter(pk__in=[a.pk for a in articles])
            .annotate(
                headline=SearchHeadline(
                    body_text,
                    search_query,
                    config=SEARCH_CONFIG,
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=SNIPPET_WORDS,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                )
            )
            .values_list("pk", "headline")
        )
        for article in articles:
            article.snippet = _marked(html.unescape(headlines.get(article.pk) or ""))
        return
    terms = _terms(query)
    for article in articles:
        article.snippet = _fallback_snippet(html_to_text(article.body), terms)


def _marked(text: str) -> SafeString:
    return mark_safe(escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>"))


def _fallback_snippet(text: str, terms: list[str]) -> SafeString:
    words = text.split(" ")
    lowered = [term.lower() for term in terms]
    first = next(
        (i for i, word in enumerate(words) if any(term in word.lower() for term in lowered)), 0
    )
    start = max(0, first - SNIPPET_WORDS // 4)
    window = words[start : start + SNIPPET_WORDS]
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    marked = [
        pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", word) if terms else word
        for word in window
    ]
    snippet = " ".join(marked)
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_WORDS < len(words) else ""
    return _marked(prefix + snippet + suffix)
