"""The blog's time zone, as the export tells it, against this site's ``TIME_ZONE``.

Each post carries its date twice: on the blog's clock (``wp:post_date``) and
in UTC (``wp:post_date_gmt``); the difference is the blog's offset then.
Articles are stored at the UTC instant, so no date is wrong; but permalink
dates (``/2013/05/01/slug/``) follow ``TIME_ZONE``, so when it is not the
blog's zone some posts are filed under another day than on the blog. Their
old links still answer (``OldLink`` rows and the article page both redirect in
one hop, whatever ``TIME_ZONE`` is later), but the run says so, and how to keep
the blog's dates: set ``TIME_ZONE`` to the blog's zone. ``--timezone`` names
that zone for the dates the export gives on the blog's clock only (drafts,
comments with no GMT date), and is checked against the export.

``BlogClock`` is filled by ``reading`` in its first pass and reports at the end.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, timedelta, tzinfo
from datetime import timezone as fixed_zone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone

from wordpress.importer.state import ImportState
from wordpress.wxr import WxrItem, parse_date

_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?")
_WXR_DATE = "%Y-%m-%d %H:%M:%S"


def parse_zone(value: str) -> tzinfo:
    """``Asia/Shanghai``, ``UTC``, ``+08:00`` or ``UTC-3:30`` as a tzinfo;
    ``ValueError`` for anything else."""
    value = value.strip()
    match = _OFFSET.fullmatch(value)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14):
            raise ValueError(f"{value}: an offset is at most 14 hours")
        return fixed_zone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value}: not a time zone (give a name such as Asia/Shanghai, or an offset "
            "such as +08:00)"
        ) from None


def offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@dataclass
class BlogClock:
    """What the posts' two dates say about the blog's time zone."""

    zone: tzinfo | None = None  # --timezone
    offsets: Counter = field(default_factory=Counter)  # minutes → posts
    dated: int = 0  # posts with both dates
    other_day: int = 0  # … filed here under another day than on the blog
    not_zone: int = 0  # … whose offset is not --timezone's then

    def reset(self) -> None:
        self.offsets.clear()
        self.dated = self.other_day = self.not_zone = 0

    def note(self, post_date: str, post_date_gmt: str) -> None:
        """One post's dates (a published post's: drafts have no GMT date)."""
        local, gmt = parse_date(post_date, gmt=False), parse_date(post_date_gmt, gmt=True)
        if local is None or gmt is None:
            return
        offset = local - gmt.replace(tzinfo=None)
        minutes = round(offset.total_seconds() / 900) * 15  # zones are whole quarters
        self.offsets[minutes] += 1
        self.dated += 1
        if timezone.localtime(gmt).date() != local.date():
            self.other_day += 1
        if self.zone is not None and gmt.astimezone(self.zone).utcoffset() != timedelta(
            minutes=minutes
        ):
            self.not_zone += 1

    def place(self, item: WxrItem) -> None:
        """With ``--timezone``: give a post and its comments with a date on the
        blog's clock only (drafts) their GMT date in that zone."""
        if self.zone is None:
            return
        item.post_date_gmt = self._gmt(item.post_date, item.post_date_gmt)
        for comment in item.comments:
            comment.date_gmt = self._gmt(comment.date, comment.date_gmt)

    def _gmt(self, local_text: str, gmt_text: str) -> str:
        local = parse_date(local_text, gmt=False)
        if parse_date(gmt_text, gmt=True) is not None or local is None:
            return gmt_text
        return timezone.make_aware(local, self.zone).astimezone(UTC).strftime(_WXR_DATE)

    def report(self, state: ImportState) -> None:
        if not self.dated:
            return
        common = self.offsets.most_common(3)
        blog = (
            offset_text(common[0][0])
            if len(common) == 1
            else ", ".join(f"{offset_text(m)} ({n} posts)" for m, n in common)
        )
        if self.other_day:
            state.report(
                f"time zone: the blog's dates are {blog} (post_date − post_date_gmt), "
                f"TIME_ZONE is {settings.TIME_ZONE}: {self.other_day} of {self.dated} posts "
                "are filed under another day than on the blog (their old links redirect "
                "once). To keep the blog's dates, set TIME_ZONE to the blog's zone"
                + (f" ({self.zone})" if self.zone is not None else "")
                + "; the old links keep working either way"
            )
        if self.not_zone:
            state.report(
                f"time zone: --timezone {self.zone} does not match {self.not_zone} of "
                f"{self.dated} posts, whose dates say {blog}"
            )
