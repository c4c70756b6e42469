"""Feeds as sources publish them, for the wire's tests and bench: RSS 2.0 as
WordPress writes it (the seed page's source, The Cradle, runs WordPress),
Atom 1.0 and RSS 1.0 (RDF), built from a list of ``FeedEntry``.

``story(n)`` makes the n-th of a run of realistic entries; ``rss2``, ``atom``
and ``rss1`` render a list of them.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

BASE = datetime(2024, 8, 1, 9, 30, tzinfo=UTC)


@dataclass
class FeedEntry:
    title: str
    link: str
    guid: str
    published: datetime
    summary_html: str
    author: str


def story(n: int, site: str = "https://thecradle.example") -> FeedEntry:
    slug = f"west-asia-briefing-{n}"
    return FeedEntry(
        title=f"West Asia briefing {n}: talks resume in Doha & Cairo",
        link=f"{site}/{slug}/",
        guid=f"{site}/?p={10_000 + n}",
        published=BASE - timedelta(hours=n),
        summary_html=(
            f"<p>Negotiators met for the {n}th round on Thursday, officials said.</p>"
            f'<p>The post <a href="{site}/{slug}/">West Asia briefing {n}</a> '
            f'appeared first on <a href="{site}">The Cradle</a>.</p>'
        ),
        author="News Desk",
    )


def rss2(entries: list[FeedEntry], *, title: str = "The Cradle") -> str:
    items = "".join(
        f"""
    <item>
      <title>{escape(e.title)}</title>
      <link>{escape(e.link)}</link>
      <dc:creator><![CDATA[{e.author}]]></dc:creator>
      <pubDate>{format_datetime(e.published)}</pubDate>
      <category><![CDATA[News]]></category>
      <guid isPermaLink="false">{escape(e.guid)}</guid>
      <description><![CDATA[{e.summary_html}]]></description>
    </item>"""
        for e in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{escape(title)}</title>
    <link>https://thecradle.example</link>
    <description>News from West Asia</description>
    <language>en-US</language>
    <generator>https://wordpress.org/?v=6.6.1</generator>{items}
  </channel>
</rss>
"""


def atom(entries: list[FeedEntry], *, title: str = "Middle East Eye") -> str:
    items = "".join(
        f"""
  <entry>
    <title type="html">{escape(e.title)}</title>
    <link rel="alternate" type="text/html" href="{escape(e.link)}"/>
    <id>{escape(e.guid)}</id>
    <published>{e.published.isoformat()}</published>
    <updated>{e.published.isoformat()}</updated>
    <author><name>{escape(e.author)}</name></author>
    <summary type="html">{escape(e.summary_html)}</summary>
  </entry>"""
        for e in entries
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>{escape(title)}</title>
  <id>tag:mee.example,2024:feed</id>
  <updated>{BASE.isoformat()}</updated>
  <link rel="self" href="https://mee.example/feed.atom"/>{items}
</feed>
"""


def rss1(entries: list[FeedEntry], *, title: str = "Al Mayadeen English") -> str:
    seq = "".join(f'<rdf:li rdf:resource="{escape(e.link)}"/>' for e in entries)
    items = "".join(
        f"""
  <item rdf:about="{escape(e.link)}">
    <title>{escape(e.title)}</title>
    <link>{escape(e.link)}</link>
    <description>{escape(e.summary_html)}</description>
    <dc:date>{e.published.isoformat()}</dc:date>
    <dc:creator>{escape(e.author)}</dc:creator>
  </item>"""
        for e in entries
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://mayadeen.example/rss">
    <title>{escape(title)}</title>
    <link>https://mayadeen.example/</link>
    <description>News</description>
    <items><rdf:Seq>{seq}</rdf:Seq></items>
  </channel>{items}
</rdf:RDF>
"""
