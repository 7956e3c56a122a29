from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "infuse.web"
    verbose_name = _("Web pages")


class StaticFilesConfig(BaseStaticFilesConfig):
    """Django's static files, collecting only what pages load from the front-end packages.

    ``govuk-frontend`` ships its Sass, Nunjucks and HTML templates, fixtures, ES modules per
    component and source maps beside the compiled files: some 1,700 files that no page asks
    for. Collecting and compressing them took 15 s of every ``infuse init``. Pages load
    ``govuk-frontend.min.js``, the images under ``assets/`` and Infuse's own compiled CSS.
    """

    ignore_patterns = [
        *BaseStaticFilesConfig.ignore_patterns,
        "*.scss",
        "*.njk",
        "*.html",
        "*.json",
        "*.md",
        "*.map",
        "*.mjs",
    ]
