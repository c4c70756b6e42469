# Varnish 7 in front of Newsroom: nginx (TLS) -> Varnish -> gunicorn.
#
# Debian: apt install varnish varnish-modules (vmod xkey). Install as
# /etc/varnish/default.vcl, then point the site at it:
#   NEWSROOM_FRONTEND_CACHE_URLS=varnish://127.0.0.1:6081
#   NEWSROOM_TRUSTED_PROXIES=2            (nginx and Varnish each add X-Forwarded-For)
#
# What it does (newsroom/frontcache and newsroom/pagecache say why):
# * caches only what the site marks "Cache-Control: public" (anonymous pages),
#   for their s-maxage, under the surrogate keys in their xkey header;
# * drops exactly the pages tagged with a key when the site sends
#   "PURGE /" with "xkey-purge: <keys>" after a change -- from the app servers only;
# * passes the admin, every method but GET and HEAD, and visitors holding a
#   personal cookie (the same list as newsroom.pagecache: the session, the
#   remembered commenter, the replica pin) with their cookies;
# * strips the tracking parameters newsroom.pagecache.page_key ignores, and sorts the rest;
# * serves a stale page for up to a day while the app servers are down (grace);
#   never one that was purged;
# * never keeps a page whose fetch began before the latest purge: it may have
#   been rendered from the rows the purge is about, and would otherwise be
#   stored just after the purge that should have dropped it.
#
# tests/test_varnish.py runs this file in a real varnishd and checks that its
# cookie and tracking-parameter lists equal newsroom.pagecache's: change them together.

vcl 4.1;

import std;
import var;
import xkey;

# The app servers. Several: one backend each, and a directors.round_robin() in vcl_init.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .first_byte_timeout = 30s;
    .probe = {
        .url = "/healthz";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        # Healthy from the start: a restarted Varnish serves at once.
        .initial = 3;
    }
}

# Who may purge: the app servers (each one's address, or their network).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        # From an app server, directly: a PURGE relayed by nginx (which sits on
        # an allowed address too) carries the visitor's address before client.ip.
        if (client.ip !~ purgers || req.http.X-Forwarded-For ~ ",") {
            return (synth(403, "Forbidden"));
        }
        # Before purging: a fetch under way now is not kept (vcl_backend_response);
        # microseconds, as vcl_backend_fetch writes them.
        var.global_set("purged_at", "" + std.integer(real=(std.time2real(now, 0.0) - 1700000000) * 1000000));
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged " + req.http.n-gone));
        }
        return (purge);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin (NEWSROOM_ADMIN_URL: change this line with it) and the comment
    # form's tokens, which are bound to the visitor's cookies.
    if (req.url ~ "^/admin/" || req.url ~ "^/comments/form-token/") {
        return (pass);
    }
    # Personal cookies (newsroom.pagecache.personal_cookies and SESSION_COOKIE_NAME).
    if (req.http.Cookie ~ "(^|;\s*)(comment_author|pin_primary|sessionid)=") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # No page reads any other cookie (analytics, the CSRF cookie): one shared copy.
    unset req.http.Cookie;
    if (req.url ~ "\?") {  # most page addresses have no query: no regex work on them
        # Tracking parameters (newsroom.pagecache.TRACKING_PARAMETERS and TRACKING_PREFIXES).
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[^=&]*|_ga|_gl|_hsenc|_hsmi|dclid|fbclid|gbraid|gclid|igshid|mc_cid|mc_eid|mkt_tok|msclkid|ref|ref_src|twclid|wbraid|yclid)(=[^&]*)?(&|$)", "");
        set req.url = regsub(req.url, "[?&]+$", "");
        set req.url = std.querysort(req.url);
    }
    if (std.healthy(req.backend_hint)) {
        # App servers up: an expired page is refreshed at once, not served stale.
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_hash {
    # Pages carry absolute links: http and https are different pages.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_fetch {
    # Microseconds since 2023-11-14 (a VCL INT holds 15 digits): a REAL would be
    # written with three decimals, and a fetch in the same millisecond as a
    # purge could not be told from one before it.
    set bereq.http.X-Fetch-Started = "" + std.integer(real=(std.time2real(now, 0.0) - 1700000000) * 1000000);
}

sub vcl_backend_response {
    # Only what the site says any anonymous reader may be given is shared, and
    # only if no purge came while it was being fetched (see the top).
    if (beresp.http.Cache-Control !~ "(^|,)\s*public" || beresp.http.Set-Cookie
        || std.integer(bereq.http.X-Fetch-Started, 0)
           <= std.integer(var.global_get("purged_at"), -1)) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Kept this long past its s-maxage, served only while the app servers are down.
    set beresp.grace = 24h;
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Edge-Cache = "HIT";
    } else {
        set resp.http.X-Edge-Cache = "MISS";
    }
}
