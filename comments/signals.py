"""Signals a site can connect to, to add its own behaviour to comments.

Both are sent after the transaction that stored the change has committed, with
``send_robust``: a receiver that raises is logged and never loses the comment
or fails the reader's request.

Example::

    from django.dispatch import receiver
    from comments.signals import comment_was_posted

    @receiver(comment_was_posted)
    def tell_the_author(sender, comment, request_info, **kwargs):
        ...  # e.g. email the article's author
"""

from django.dispatch import Signal

#: A reader's comment was stored (as pending). Arguments: ``comment`` (the
#: ``Comment``) and ``request_info`` (a ``comments.services.RequestInfo``).
comment_was_posted = Signal()

#: A moderator changed a comment's status. Arguments: ``comment``,
#: ``previous_status``, ``moderator`` (the user, or None for an automatic verdict).
comment_was_moderated = Signal()
