from newsroom.models import SiteSettings


def site_settings(request):
    """``site``: the site's name and tagline, for every template."""
    return {"site": SiteSettings.load()}
