"""Signals a site can connect to, to add its own behaviour to comments, and
the two by which ``comments.services`` hands work to ``comments.tasks``.

``comment_was_posted`` and ``comment_was_moderated`` are sent after the
transaction that stored the change has committed, with ``send_robust``: a
receiver that raises is logged and never loses the comment or fails the
reader's request.

Example::

    from django.dispatch import receiver
    from comments.signals import comment_was_posted

    @receiver(comment_was_posted)
    def tell_the_author(sender, comment, request_info, **kwargs):
        ...  # e.g. email the article's author

``comment_checks_wanted`` and ``comment_checks_failed`` are the services asking
for background work; ``comments.tasks`` receives them (connected in
``CommentsConfig.ready()``) and queues the ``check_comment`` task. They are sent
with ``send``: the receiver keeps a queue that is down from failing anyone.
"""

from django.dispatch import Signal

#: A reader's comment was stored (as pending). Arguments: ``comment`` (the
#: ``Comment``) and ``request_info`` (a ``comments.services.RequestInfo``).
comment_was_posted = Signal()

#: A moderator changed a comment's status. Arguments: ``comment``,
#: ``previous_status``, ``moderator`` (the user, or None for an automatic verdict).
#: ``comments.tasks`` teaches the learning checks a moderator's approve or spam.
comment_was_moderated = Signal()

#: The spam checks should run on a stored comment (``comment_request_checks``:
#: after a reader's comment is committed; imported comments). Arguments:
#: ``comment``, ``request_info``, ``network_budget`` (seconds the network checks
#: may spend if they run in the caller's request; None: their own timeouts).
comment_checks_wanted = Signal()

#: A run of the checks failed on a comment no moderator has decided (sent by
#: ``comment_run_checks``, at once, not after a commit). Arguments: ``comment``,
#: ``request_info``, ``attempt`` (1 for the first run).
comment_checks_failed = Signal()
