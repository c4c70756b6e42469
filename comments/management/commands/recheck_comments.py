from django.core.management.base import BaseCommand

from comments import spam
from comments.models import Comment
from comments.services import RequestInfo, comment_run_checks


class Command(BaseCommand):
    help = (
        "Re-run the spam checks on pending comments whose checks failed or never ran "
        "(run it from cron when the task backend cannot defer retries)."
    )

    def handle(self, *args, **options):
        waiting = (
            Comment.objects.pending()
            .filter(moderated_by__isnull=True)
            .filter(check_verdict__in=["", spam.Verdict.FAILED])
        )
        counts: dict[str, int] = {}
        for comment in waiting.select_related("article").iterator():
            info = RequestInfo.for_rerun(comment)
            verdict = comment_run_checks(comment=comment, request_info=info)
            counts[verdict] = counts.get(verdict, 0) + 1
        summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items())) or "nothing to do"
        self.stdout.write(f"Re-checked pending comments: {summary}.")
