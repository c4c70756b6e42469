"""WordPress beside Newsroom, in the same run: ``bench/run.py --against-wordpress``.

Installs Debian's WordPress, nginx, PHP-FPM and the classic theme
(Twenty Twenty-One) with apt (root), creates a database on the MariaDB at
127.0.0.1:3306 (root, no password), installs WordPress through its own PHP
install routine (``wp_install``, as WP-CLI's ``core install`` does), and loads
the same post Newsroom serves: the same title and body, the same 50 comments
with the same threads. Then it serves, each from its own nginx server block:

* WordPress through nginx + PHP-FPM (OPcache on; as many PHP workers as
  gunicorn has), no page cache;
* the same behind nginx's FastCGI cache (the usual WordPress cache);
* nginx serving Newsroom's post page as a static file (the ceiling).

Everything it starts (one nginx, one PHP-FPM) runs from ``RUNTIME`` with its
own configuration and ports and is stopped at the end; the system's nginx and
PHP-FPM services are not touched. WordPress's configuration is
``/etc/wordpress/config-newsroombench.php`` (Debian's per-site file, chosen
with ``WORDPRESS_CONFIG``). Called by ``bench/run.py``; nothing imports it.
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PACKAGES = ["wordpress", "wordpress-theme-twentytwentyone", "nginx", "php-fpm", "php-mysql"]
RUNTIME = Path(tempfile.gettempdir()) / "newsroom-bench-wordpress"
CONFIG_NAME = "newsroombench"
CONFIG_FILE = Path(f"/etc/wordpress/config-{CONFIG_NAME}.php")
DATABASE = "newsroom_bench_wordpress"
THEME = "twentytwentyone"
WORDPRESS = Path("/usr/share/wordpress")

SETUP_PHP = r"""<?php
// Installs WordPress (wp_install) and loads the bench post; run by bench/wordpress.py.
$_SERVER['WORDPRESS_CONFIG'] = getenv('BENCH_WP_CONFIG');
$_SERVER['HTTP_HOST'] = getenv('BENCH_WP_HOST');
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$post = json_decode(file_get_contents(getenv('BENCH_WP_POST')), true);
if (!is_blog_installed()) {
    wp_install('Newsroom bench', 'bench', 'bench@example.org', true, '', wp_generate_password(24));
}
update_option('permalink_structure', '/%year%/%monthnum%/%day%/%postname%/');
update_option('thread_comments', 1);
update_option('thread_comments_depth', 5);
update_option('page_comments', 0);
switch_theme(getenv('BENCH_WP_THEME'));
global $wp_rewrite;
$wp_rewrite->init();
$wp_rewrite->flush_rules(false);
$existing = get_page_by_path($post['slug'], OBJECT, 'post');
if ($existing) { wp_delete_post($existing->ID, true); }
$id = wp_insert_post([
    'post_title' => $post['title'], 'post_name' => $post['slug'], 'post_content' => $post['body'],
    'post_status' => 'publish', 'post_date' => $post['date'], 'post_author' => 1,
    'comment_status' => 'open',
], true);
if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }
$ids = [];
foreach ($post['comments'] as $c) {
    $ids[$c['id']] = wp_insert_comment([
        'comment_post_ID' => $id, 'comment_author' => $c['author'],
        'comment_author_email' => $c['email'], 'comment_author_url' => $c['url'],
        'comment_content' => $c['body'], 'comment_date' => $c['date'],
        'comment_parent' => $c['parent'] ? $ids[$c['parent']] : 0, 'comment_approved' => 1,
    ]);
}
echo get_permalink($id), "\n";
"""

NGINX_CONF = """
user www-data;
worker_processes {nginx_workers};
pid {runtime}/nginx.pid;
error_log {runtime}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path {runtime}/tmp/body;
  fastcgi_temp_path {runtime}/tmp/fastcgi;
  proxy_temp_path {runtime}/tmp/proxy;
  uwsgi_temp_path {runtime}/tmp/uwsgi;
  scgi_temp_path {runtime}/tmp/scgi;
  fastcgi_cache_path {runtime}/fastcgi-cache levels=1:2 keys_zone=wordpress:10m inactive=10m;
  upstream php {{ server unix:{runtime}/php-fpm.sock; keepalive 16; }}
  server {{
    listen 127.0.0.1:{wordpress_port};
    root /usr/share/wordpress;
    index index.php;
    location / {{ try_files $uri $uri/ /index.php?$args; }}
    location ~ \\.php$ {{
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_param WORDPRESS_CONFIG {config_name};
      fastcgi_keep_conn on;
      fastcgi_pass php;
    }}
  }}
  server {{
    listen 127.0.0.1:{cache_port};
    root /usr/share/wordpress;
    index index.php;
    location / {{ try_files $uri $uri/ /index.php?$args; }}
    location ~ \\.php$ {{
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_param WORDPRESS_CONFIG {config_name};
      fastcgi_keep_conn on;
      fastcgi_pass php;
      fastcgi_cache wordpress;
      fastcgi_cache_key $scheme$request_method$host$request_uri;
      fastcgi_cache_valid 200 10m;
      fastcgi_cache_lock on;
      fastcgi_ignore_headers Cache-Control Expires Set-Cookie;
      add_header X-Cache $upstream_cache_status;
      # With sendfile, a cached page's header and body leave as two writes and
      # each hit waits out a 40 ms delayed ACK (measured: 540 req/s, 10,500 without).
      sendfile off;
    }}
  }}
  server {{
    listen 127.0.0.1:{static_port};
    root {runtime}/static;
    default_type text/html;
    location / {{ try_files /page.html =404; }}
  }}
}}
"""

PHP_FPM_CONF = """
[global]
pid = {runtime}/php-fpm.pid
error_log = {runtime}/php-fpm.log
daemonize = no
[bench]
user = www-data
group = www-data
listen = {runtime}/php-fpm.sock
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = {workers}
"""


def ensure_packages() -> None:
    """Debian's WordPress, the classic theme, nginx and PHP-FPM (apt, as root)."""
    wanted = [p for p in PACKAGES if not _installed(p)]
    if not wanted:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"--against-wordpress needs root and apt-get to install {wanted}")
    print(f"Installing {' '.join(wanted)} (Debian) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *wanted]
    if subprocess.run(command, env=env, capture_output=True).returncode:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, capture_output=True)
        subprocess.run(command, env=env, check=True, capture_output=True)


def _installed(package: str) -> bool:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    ).stdout
    return status.endswith("installed")


def _php_fpm_binary() -> str:
    found = sorted(Path("/usr/sbin").glob("php-fpm*"))
    if not found:
        raise SystemExit("php-fpm was not installed")
    return str(found[-1])


def _mysql(sql: str) -> None:
    subprocess.run(
        ["mysql", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "-e", sql],
        check=True,
        capture_output=True,
    )


def write_config(password: str) -> None:
    """The database and Debian's per-site WordPress configuration."""
    _mysql(
        f"CREATE DATABASE IF NOT EXISTS {DATABASE} CHARACTER SET utf8mb4;"
        f"CREATE USER IF NOT EXISTS 'newsroom_bench'@'%' IDENTIFIED BY '{password}';"
        f"ALTER USER 'newsroom_bench'@'%' IDENTIFIED BY '{password}';"
        f"GRANT ALL ON {DATABASE}.* TO 'newsroom_bench'@'%';"
    )
    salts = "\n".join(
        f"define('{name}', '{secrets.token_hex(32)}');"
        for name in (
            "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
            "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
        )
    )  # fmt: skip
    CONFIG_FILE.write_text(
        "<?php\n// Written by Newsroom's bench/wordpress.py for its benchmark.\n"
        f"define('DB_NAME', '{DATABASE}');\ndefine('DB_USER', 'newsroom_bench');\n"
        f"define('DB_PASSWORD', '{password}');\ndefine('DB_HOST', '127.0.0.1:3306');\n"
        "define('WP_HOME', 'http://' . $_SERVER['HTTP_HOST']);\n"
        "define('WP_SITEURL', 'http://' . $_SERVER['HTTP_HOST']);\n"
        "// Cron would run from page views; a production site runs it from the system cron.\n"
        "define('DISABLE_WP_CRON', true);\n"
        f"{salts}\n"
    )
    CONFIG_FILE.chmod(0o640)
    shutil.chown(CONFIG_FILE, group="www-data")


def load_post(post: dict, host: str) -> str:
    """Installs WordPress if needed and loads ``post``; its path on the site."""
    (RUNTIME / "post.json").write_text(json.dumps(post))
    (RUNTIME / "setup.php").write_text(SETUP_PHP)
    env = {
        **os.environ,
        "BENCH_WP_CONFIG": CONFIG_NAME,
        "BENCH_WP_HOST": host,
        "BENCH_WP_POST": str(RUNTIME / "post.json"),
        "BENCH_WP_THEME": THEME,
    }
    done = subprocess.run(
        ["php", str(RUNTIME / "setup.php")], env=env, capture_output=True, text=True
    )
    if done.returncode or not done.stdout.strip():
        raise RuntimeError(f"WordPress setup failed:\n{done.stdout}\n{done.stderr}")
    url = done.stdout.strip().splitlines()[-1]
    return "/" + url.split("/", 3)[3]


class WordPress:
    """One nginx and one PHP-FPM serving WordPress, its FastCGI cache and a
    static file, on free ports; ``stop()`` ends both."""

    def __init__(self, *, workers: int, static_html: bytes, free_port):
        RUNTIME.mkdir(exist_ok=True)
        for sub in ("tmp", "static", "fastcgi-cache"):
            shutil.rmtree(RUNTIME / sub, ignore_errors=True)
            (RUNTIME / sub).mkdir()
        shutil.chown(RUNTIME / "fastcgi-cache", user="www-data")
        RUNTIME.chmod(0o755)
        (RUNTIME / "static" / "page.html").write_bytes(static_html)
        self.ports = {n: free_port() for n in ("wordpress", "cache", "static")}
        (RUNTIME / "php-fpm.conf").write_text(PHP_FPM_CONF.format(runtime=RUNTIME, workers=workers))
        (RUNTIME / "nginx.conf").write_text(
            NGINX_CONF.format(
                runtime=RUNTIME,
                nginx_workers=os.cpu_count() or 1,
                config_name=CONFIG_NAME,
                wordpress_port=self.ports["wordpress"],
                cache_port=self.ports["cache"],
                static_port=self.ports["static"],
            )
        )
        log = (RUNTIME / "servers.log").open("ab")
        self.processes = [
            subprocess.Popen(
                [_php_fpm_binary(), "-F", "-y", str(RUNTIME / "php-fpm.conf")],
                stdout=log, stderr=log,
            ),
            subprocess.Popen(
                ["nginx", "-c", str(RUNTIME / "nginx.conf"), "-g", "daemon off;"],
                stdout=log, stderr=log,
            ),
        ]  # fmt: skip
        try:
            self._wait(self.url("static", "/"))
        except BaseException:
            self.stop()
            raise

    def url(self, server: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[server]}{path}"

    def host(self, server: str) -> str:
        return f"127.0.0.1:{self.ports[server]}"

    @staticmethod
    def _wait(url: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"nginx did not answer at {url}")

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.send_signal(signal.SIGQUIT if "nginx" in process.args[0] else signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def bench_post(article) -> dict:
    """The Newsroom post as WordPress will hold it: title, body, date and the
    approved comments with their threads, oldest first."""
    from django.utils import timezone

    def local(moment) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")

    # Parents before their replies, so each reply finds its parent loaded.
    comments = article.comments.approved().order_by("depth", "created_at", "pk")
    return {
        "title": article.title,
        "slug": article.slug,
        "body": article.body,
        "date": local(article.publish_at),
        "comments": [
            {
                "id": c.pk,
                "parent": c.parent_id,
                "author": c.author_name,
                "email": c.author_email,
                "url": c.author_url,
                "body": c.body,
                "date": local(c.created_at),
            }
            for c in comments
        ],
    }


def start(*, article, workers: int, static_html: bytes, free_port) -> tuple[WordPress, str]:
    """Installs what is missing, starts the servers, loads the post: the
    servers and the post's path."""
    ensure_packages()
    RUNTIME.mkdir(exist_ok=True)
    write_config(secrets.token_hex(16))
    server = WordPress(workers=workers, static_html=static_html, free_port=free_port)
    try:
        path = load_post(bench_post(article), server.host("wordpress"))
        page = urllib.request.urlopen(server.url("wordpress", path)).read()
        if b"comment-list" not in page:
            raise RuntimeError(f"WordPress did not show the post's comments at {path}")
    except BaseException:
        server.stop()
        raise
    return server, path
