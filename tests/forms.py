"""What the admin's article form posts, for tests that write through it."""

from django.utils.text import slugify


def article_add_form(editor, *, title: str = "Written in the admin", **fields) -> dict:
    """The article add form as an editor fills it in: published, on 1 August
    2024, no source, no tags; ``fields`` change or add any field."""
    return {
        "title": title,
        "slug": slugify(title),
        "body": "<p>Hello readers.</p>",
        "excerpt": "",
        "status": "published",
        "publish_at_0": "2024-08-01",
        "publish_at_1": "12:00:00",
        "author": editor.pk,
        "comments_enabled": "on",
        "source": "",
        "source_url": "",
        "source_published_on": "",
        "tags": "",
        "featured_image_alt": "",
        **fields,
    }
