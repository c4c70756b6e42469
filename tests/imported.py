"""What a WordPress import made, looked up by the export's own IDs."""

from articles.models import Article
from comments.models import Comment
from wordpress.models import ImportedItem


def wp_article(post_id: int) -> Article:
    """The article imported from the post ``post_id``."""
    item = ImportedItem.objects.get(kind=ImportedItem.Kind.POST, wp_id=str(post_id))
    return Article.objects.get(pk=item.object_id)


def wp_comment(comment_id: int) -> Comment:
    """The comment imported from the export's comment ``comment_id``."""
    item = ImportedItem.objects.get(kind=ImportedItem.Kind.COMMENT, wp_id=str(comment_id))
    return Comment.objects.get(pk=item.object_id)
