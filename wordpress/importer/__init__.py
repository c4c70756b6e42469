"""Import a WordPress export (WXR) into Newsroom: ``WordPressImporter(path).run()``.

One module per concern:

* ``reading`` — the two passes over the file, groups of posts, checkpoints
  (``WordPressImporter``);
* ``state`` — what a run keeps in memory (``ImportState``);
* ``dates`` — the blog's time zone against ``TIME_ZONE`` (``BlogClock``);
* ``records`` — outcomes, the summary, the ``ImportedItem`` bookkeeping;
* ``authors``, ``terms`` (categories and tags, one upserter), ``media``
  (attachments, featured images, galleries), ``posts`` (articles, through
  ``articles.services.article_save``), ``comments`` (through
  ``comments.services.comments_import_threads``), ``redirects`` (old links).

Every WordPress item is recorded in ``ImportedItem`` with a digest of what was
written, so a second run updates what changed in the export, leaves the rest
(and any editing done in Newsroom since) alone, and duplicates nothing.
WordPress IDs are per site: import one WordPress site into one Newsroom.

Imported comments are stored as they were moderated on WordPress: no emails,
no spam checks, unless ``check_spam`` (then the pending ones are checked).

Used by ``manage.py import_wordpress``.
"""

from wordpress.importer.reading import WordPressImporter
from wordpress.importer.records import ImportAborted, Summary

__all__ = ["ImportAborted", "Summary", "WordPressImporter"]
