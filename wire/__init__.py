"""The wire: the sources' feeds, fetched on a schedule, as a desk of items to
repost or dismiss. Start at ``services.py``; the manual is ``docs/architecture.md``."""
