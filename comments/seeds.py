"""The responses of a seed page (``articles.seeds``), stored as approved
comments through ``comments.services.comments_import``.

A seed page gives its comments no IDs, so a comment already stored on the
article with the same author and text is the same comment: it is left as it
is (with whatever moderation it had since), a re-run duplicates nothing, and
only responses new to the page are added. Called by ``manage.py load_seeds``.
"""

from collections import Counter

from articles.models import Article
from articles.seeds import SeedResponse
from comments.models import Comment
from comments.services import ImportedComment, comments_import


def seed_responses_store(*, article: Article, responses: list[SeedResponse]) -> Counter:
    """Store ``responses`` on ``article``; return how many were created and how
    many were there already (``{"created": …, "unchanged": …}``)."""
    stored = {
        (author, body): pk
        for pk, author, body in Comment.objects.filter(article=article)
        .order_by("-pk")
        .values_list("pk", "author_name", "body")
    }
    rows, outcome = [], Counter(created=0, unchanged=0)
    for index, response in enumerate(responses):
        pk = stored.get((response.author_name, response.body))
        outcome["unchanged" if pk is not None else "created"] += 1
        rows.append(
            ImportedComment(
                key=index,
                replies_to=response.replies_to,
                author_name=response.author_name,
                body=response.body,
                created_at=response.created_at,
                status=Comment.Status.APPROVED,
                pk=pk,
                write=pk is None,
            )
        )
    if rows:
        comments_import(article=article, rows=rows)
    return outcome
