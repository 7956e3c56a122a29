"""Fixed public facts every part of Infuse relies on.

Regions and bodies are data, not code: the Cardiff Capital Region and its ten authorities are
loaded from ``reference/data/``, and any other public body can be added the same way.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from infuse.i18n import Bilingual


class Region(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_cy = models.CharField(_("name (Welsh)"), max_length=200, blank=True)
    source = models.TextField(_("source"), blank=True)

    name = Bilingual("name")

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return str(self.name)


class Body(models.Model):
    """A public body: a local authority, a health board, a university or any other."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        HEALTH_BOARD = "health_board", _("Health board")
        UNIVERSITY = "university", _("University")
        NATIONAL = "national", _("National body")
        OTHER = "other", _("Other public body")

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("The ONS (GSS) code for a local authority, or another stable identifier."),
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_cy = models.CharField(_("name (Welsh)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="bodies"
    )
    nation = models.CharField(_("nation"), max_length=32, blank=True)
    programme_member = models.BooleanField(
        _("programme member"),
        default=False,
        help_text=_("Takes part in the InFuSe programme."),
    )
    lead = models.BooleanField(_("leads the programme"), default=False)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)

    name = Bilingual("name")

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("public body")
        verbose_name_plural = _("public bodies")

    def __str__(self) -> str:
        return str(self.name)


class NamedFact(models.Model):
    """A fixed, bilingual, ordered fact: a theme, a lab, a goal, a way of working."""

    name_en = models.CharField(max_length=200)
    name_cy = models.CharField(max_length=200)
    summary_en = models.TextField(blank=True)
    summary_cy = models.TextField(blank=True)

    name = Bilingual("name")
    summary = Bilingual("summary")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.name)


class Theme(NamedFact):
    slug = models.SlugField(unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]


class Lab(NamedFact):
    slug = models.SlugField(unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    weeks = models.PositiveSmallIntegerField(default=6)

    class Meta:
        ordering = ["order"]


class WellbeingGoal(NamedFact):
    """A well-being goal of the Well-being of Future Generations (Wales) Act 2015, section 4."""

    number = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["number"]


class WayOfWorking(NamedFact):
    """One of the five ways of working (the sustainable development principle) in the 2015 Act."""

    slug = models.SlugField(unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]


class PostcodeDistrictTable(models.Model):
    """A postcode districts table built from the ONS National Statistics Postcode Lookup and
    loaded on the postcode districts page or with ``infuse postcode-districts --load``.

    The latest one is what the local share of spend uses (``selectors.postcode_districts_file``),
    unless the deployment names a file in ``INFUSE_POSTCODE_DISTRICTS``. The table itself is a
    CSV file under the data directory, named by its hash and never changed once written, so
    every process reads the same table for the same record.
    """

    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    districts = models.PositiveIntegerField(_("postcode districts"))
    rows = models.PositiveIntegerField(_("rows"))
    straddling = models.PositiveIntegerField(_("districts in more than one authority"))
    sources = models.JSONField(_("files it was built from"), default=list)
    loaded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("loaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("postcode districts table")
        verbose_name_plural = _("postcode districts tables")

    def __str__(self) -> str:
        return self.file_name
