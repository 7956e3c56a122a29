"""Spend-ledger imports. The ledger lines themselves live in the analytical store (Parquet);
these tables say which files are live, how each was read, and what was rejected."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from infuse.accounts.models import OwnedRecord


class Undoable(models.Model):
    """A decision an analyst can undo: undoing marks it (who, when) and never deletes it, so
    the history stays whole and the decision can be read back."""

    reverted_at = models.DateTimeField(_("undone"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.reverted_at is None


class SpendBatch(OwnedRecord):
    """One uploaded spend file of one body, from upload to live (or refused)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting to import")
        NEEDS_MAPPING = "needs_mapping", _("Columns need checking")
        NEEDS_CONFIRMATION = "needs_confirmation", _("Replaces an earlier file: confirm")
        LIVE = "live", _("Imported")
        DUPLICATE = "duplicate", _("Already imported")
        REPLACED = "replaced", _("Replaced by a corrected file")
        FAILED = "failed", _("Refused")

    file_name = models.CharField(_("file"), max_length=255)
    upload = models.FileField(upload_to="spend/%Y/%m/", max_length=300)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    rows_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mapping = models.JSONField(_("column mapping"), null=True, blank=True)
    inspection = models.JSONField(null=True, blank=True)
    summary = models.JSONField(null=True, blank=True)
    rejected = models.JSONField(_("rejected rows"), default=list, blank=True)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    first_payment_date = models.DateField(null=True, blank=True)
    last_payment_date = models.DateField(null=True, blank=True)
    parquet_path = models.CharField(max_length=300, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    error = models.TextField(_("reason"), blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("spend file")
        verbose_name_plural = _("spend files")
        constraints = [
            # A body holds one live copy of a file: importing it again changes nothing.
            models.UniqueConstraint(
                fields=["owner_body", "file_sha256"],
                condition=models.Q(status="live"),
                name="one_live_copy_of_a_spend_file",
            )
        ]

    def __str__(self) -> str:
        return self.file_name


class ColumnMapping(models.Model):
    """A body's confirmed mapping for files laid out the same way (the same headings)."""

    owner_body = models.ForeignKey("reference.Body", on_delete=models.CASCADE, related_name="+")
    heading_signature = models.CharField(max_length=64)
    mapping = models.JSONField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner_body", "heading_signature"], name="one_mapping_per_layout"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_body_id}:{self.heading_signature[:8]}"


class SupplierDecision(Undoable, OwnedRecord):
    """An analyst's decision about a body's supplier clusters: a merge, a split or a
    confirmation. Decisions are replayed in order over the automatic clusters
    (``suppliers.apply_decisions``); undoing one marks it reverted and replays the rest, so
    nothing is ever deleted and the history shows who decided what, and who undid it."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")
        CONFIRM = "confirm", _("Confirm")

    kind = models.CharField(_("decision"), max_length=16, choices=Kind.choices)
    # Cluster ids as the analyst saw them (a merge keeps the first) and, for each, one spelling
    # in it: ids are derived from a cluster's alphabetically first spelling, which a new ledger
    # can change, so replay finds each cluster by its spelling first and by its id second.
    cluster_ids = models.JSONField(default=list, blank=True)
    anchor_names = models.JSONField(default=list, blank=True)
    # A split's spelling; empty for merges and confirmations.
    raw_name = models.CharField(_("spelling"), max_length=500, blank=True)
    # The spellings each cluster held when the decision was made, for the history and to tell
    # when a confirmed cluster has gained spellings since.
    spellings = models.JSONField(default=list, blank=True)
    label = models.CharField(_("supplier"), max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("supplier decision")
        verbose_name_plural = _("supplier decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["merge", "split", "confirm"]),
                name="supplier_decision_kind_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.label or self.raw_name}"[:300]


class SupplierList(OwnedRecord):
    """An uploaded list of a body's suppliers (CSV or spreadsheet) that adds what ledgers
    rarely say: postcode, size (SME or not) and SIC codes. Withdrawing a list marks it, so its
    entries stop counting and the upload stays on record."""

    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    columns = models.JSONField(_("columns recognised"), default=dict, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(_("rejected rows"), default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("supplier list")
        verbose_name_plural = _("supplier lists")

    def __str__(self) -> str:
        return self.file_name

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class SupplierListEntry(models.Model):
    """One supplier of an uploaded list. It attaches to whichever cluster holds its company
    number, VAT number or normalised name when the clusters are read, so it follows merges
    and splits without being rewritten."""

    class Size(models.TextChoices):
        SME = "sme", _("SME")
        LARGE = "large", _("Not an SME")
        UNKNOWN = "unknown", _("Size unknown")

    supplier_list = models.ForeignKey(
        SupplierList, on_delete=models.CASCADE, related_name="entries"
    )
    line_number = models.PositiveIntegerField()
    name = models.CharField(_("supplier"), max_length=500)
    normalised_name = models.CharField(max_length=500, db_index=True)
    company_number = models.CharField(_("company number"), max_length=16, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, default=Size.UNKNOWN)
    sic_codes = models.JSONField(_("SIC codes"), default=list, blank=True)

    class Meta:
        ordering = ["supplier_list", "line_number"]
        verbose_name = _("supplier list entry")
        verbose_name_plural = _("supplier list entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__in=["sme", "large", "unknown"]),
                name="supplier_size_known",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CarbonFactorSet(models.Model):
    """A versioned set of spend-based emission factors (kgCO2e per £ by SIC code) with its
    source and licence: reference data every body may use. Uploading the same file again
    changes nothing; a set is never edited, only replaced by another version."""

    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=50)
    base_year = models.PositiveIntegerField(_("price base year"))
    source = models.TextField(_("source"))
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=200)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64, unique=True)
    factors = models.JSONField(default=list)
    notes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("emission factor set")
        verbose_name_plural = _("emission factor sets")

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class CarbonSettings(models.Model):
    """A body's choices for its supply-chain carbon: the factor set it uses and the standard
    exclusion rules it has switched off."""

    owner_body = models.OneToOneField(
        "reference.Body", on_delete=models.CASCADE, related_name="carbon_settings"
    )
    factor_set = models.ForeignKey(
        CarbonFactorSet, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disabled_rules = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return str(self.owner_body_id)


class CarbonExclusionRule(OwnedRecord):
    """A body's own rule for spend that is out of scope of supply-chain emissions: lines whose
    ``field`` matches ``pattern`` (a case-insensitive regular expression) are excluded and
    reported under ``reason``."""

    field = models.CharField(_("column"), max_length=32)
    pattern = models.CharField(_("pattern"), max_length=300)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("carbon exclusion rule")
        verbose_name_plural = _("carbon exclusion rules")

    def __str__(self) -> str:
        return f"{self.field} ~ {self.pattern}"


class SupplierEmissions(OwnedRecord):
    """A supplier's own emissions figure recorded by an analyst of a body: it replaces the
    spend-based estimate for that supplier's spend (all spellings of its cluster). Withdrawn
    figures stay on record."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("Reported emissions and revenue")
        INTENSITY = "intensity", _("Reported emissions per £ of revenue")
        AVERAGE = "average", _("Average-data intensity for what it sells")

    cluster_id = models.CharField(max_length=64)
    anchor_name = models.CharField(_("spelling"), max_length=500)
    label = models.CharField(_("supplier"), max_length=500)
    kind = models.CharField(_("kind of figure"), max_length=16, choices=Kind.choices)
    reported_tco2e = models.DecimalField(
        _("reported emissions (tCO2e)"), max_digits=16, decimal_places=3, null=True, blank=True
    )
    revenue_gbp = models.DecimalField(
        _("revenue (£)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    kgco2e_per_gbp = models.FloatField(_("kgCO2e per £"))
    year = models.PositiveIntegerField(_("year of the figure"))
    source = models.CharField(_("source"), max_length=500)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("supplier emissions figure")
        verbose_name_plural = _("supplier emissions figures")

    def __str__(self) -> str:
        return self.label

    @property
    def tier(self) -> int:
        return 2 if self.kind == self.Kind.AVERAGE else 3


class CarbonScenario(OwnedRecord):
    """A body's "what if" to 2030: levers (move spend to lower-carbon suppliers, a supplier
    cutting its intensity, spending less in a category) over one financial year's figures."""

    name = models.CharField(_("name"), max_length=200)
    base_year = models.PositiveIntegerField(_("baseline financial year"))
    levers = models.JSONField(_("changes"), default=list)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("carbon scenario")
        verbose_name_plural = _("carbon scenarios")

    def __str__(self) -> str:
        return self.name


# --- contract data (OCDS files and contracts registers) ----------------------------------------


# The kind of background job that loads a contract data file uploaded on the contracts page.
CONTRACT_IMPORT_JOB = "procurement.contract_import"


class ContractFile(OwnedRecord):
    """One uploaded file of contract data (OCDS or a contracts register), kept as uploaded."""

    class Kind(models.TextChoices):
        RELEASE_PACKAGE = "release_package", _("Release package")
        RECORD_PACKAGE = "record_package", _("Record package")
        RELEASE = "release", _("Releases")
        COMPILED_RELEASE = "compiled_release", _("Compiled releases")
        REGISTER = "register", _("Contracts register (CSV)")

    file_name = models.CharField(_("file"), max_length=255)
    upload = models.FileField(upload_to="contracts/%Y/%m/", max_length=300)
    file_sha256 = models.CharField(max_length=64)
    kind = models.CharField(_("format"), max_length=24, choices=Kind.choices)
    json_lines = models.BooleanField(default=False)
    encoding = models.CharField(_("encoding"), max_length=16, default="utf-8")
    releases_read = models.PositiveIntegerField(_("releases"), default=0)
    contracts_read = models.PositiveIntegerField(_("contracts"), default=0)
    # Quality problems as {"code", "template", "params"}: translated when shown.
    problems = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contract data file")
        verbose_name_plural = _("contract data files")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_body", "file_sha256"], name="one_copy_of_a_contract_file"
            )
        ]

    def __str__(self) -> str:
        return self.file_name


class ContractRelease(models.Model):
    """One OCDS release as read from a file (the input of the merge)."""

    file = models.ForeignKey(ContractFile, on_delete=models.CASCADE, related_name="releases")
    owner_body = models.ForeignKey("reference.Body", on_delete=models.CASCADE, related_name="+")
    ocid = models.CharField(max_length=200, db_index=True)
    release_id = models.CharField(max_length=200, blank=True)
    date = models.CharField(max_length=40, blank=True)
    data = models.JSONField()

    class Meta:
        ordering = ["ocid", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.ocid}/{self.release_id}"


class ContractRecord(OwnedRecord):
    """One contracting process of a body: its compiled release and the fields pages show."""

    ocid = models.CharField(_("OCID"), max_length=200)
    source_file = models.ForeignKey(
        ContractFile, on_delete=models.SET_NULL, null=True, related_name="contracts"
    )
    buyer = models.CharField(_("buyer"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=1000, blank=True)
    description = models.TextField(_("description"), blank=True)
    cpv = models.CharField(_("CPV code"), max_length=20, blank=True, db_index=True)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="GBP")
    suppliers = models.JSONField(_("suppliers"), default=list, blank=True)
    tender_start = models.DateField(_("tender opens"), null=True, blank=True)
    tender_end = models.DateField(_("tender closes"), null=True, blank=True)
    contract_start = models.DateField(_("contract starts"), null=True, blank=True)
    contract_end = models.DateField(_("contract ends"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=40, blank=True)
    compiled = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["contract_end", "title"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(fields=["owner_body", "ocid"], name="one_record_per_ocid")
        ]

    def __str__(self) -> str:
        return self.title or self.ocid

    @property
    def cpv_group(self) -> str:
        """The CPV group: the first three digits of the code (CPV 2008 structure)."""
        return self.cpv[:3] if len(self.cpv) >= 3 else ""


class RedFlagSettings(OwnedRecord):
    """A body's red-flag settings in Cardinal's INI format (``redflags.parse_settings``), as its
    analysts last saved them; a body without one uses the pages' defaults. Each save is audited
    with the text before and after."""

    settings = models.TextField(_("settings"))

    class Meta:
        verbose_name = _("red-flag settings")
        verbose_name_plural = _("red-flag settings")
        constraints = [
            models.UniqueConstraint(fields=["owner_body"], name="one_red_flag_settings_per_body")
        ]

    def __str__(self) -> str:
        return f"red-flag settings of body {self.owner_body_id}"


class RedFlagReview(OwnedRecord):
    """One review of one red flag: the flag is named as the engine emits it (indicator code,
    group and the flagged item's id: an OCID, a buyer or a supplier). Reviews are never changed
    or deleted: a later one supersedes, so the history stays whole."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        NO_CONCERN = "no_concern", _("Reviewed — no concern")
        REFERRED = "referred", _("Referred for investigation")

    indicator = models.CharField(_("indicator"), max_length=16)
    group = models.CharField(_("raised on"), max_length=20)
    item_id = models.CharField(_("flagged item"), max_length=500)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("red-flag review")
        verbose_name_plural = _("red-flag reviews")
        indexes = [models.Index(fields=["owner_body", "indicator", "group", "item_id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "no_concern", "referred"]),
                name="red_flag_review_status_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.group} {self.item_id}: {self.status}"


# --- spend categories -----------------------------------------------------------------------


class CategoryRule(OwnedRecord):
    """An analyst's rule of a body: lines whose ``field`` matches ``pattern`` (a
    case-insensitive regular expression) get ``category_code`` (ProClass). Rules are tried
    in ``position`` order after a code in the file; the first enabled match wins."""

    name = models.CharField(_("name"), max_length=100)
    field = models.CharField(_("column"), max_length=32)
    pattern = models.CharField(_("pattern"), max_length=300)
    category_code = models.CharField(_("category"), max_length=12)
    position = models.PositiveIntegerField(_("order"), default=100)
    enabled = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("category rule")
        verbose_name_plural = _("category rules")

    def __str__(self) -> str:
        return self.name


class CategoryCorrection(Undoable, OwnedRecord):
    """An analyst's category for one line, or for every line of a supplier or of an expense
    type, of a body. Applied first on every run and used to train the model; undoing marks it
    reverted (the history stays)."""

    class Scope(models.TextChoices):
        LINE = "line", _("This line")
        SUPPLIER = "supplier", _("Every line of this supplier")
        EXPENSE_TYPE = "expense_type", _("Every line of this expense type")

    scope = models.CharField(_("applies to"), max_length=16, choices=Scope.choices)
    batch = models.ForeignKey(
        SpendBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    line_number = models.PositiveIntegerField(null=True, blank=True)
    value = models.CharField(_("supplier or expense type"), max_length=500, blank=True)
    category_code = models.CharField(_("category"), max_length=12)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("category correction")
        verbose_name_plural = _("category corrections")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["line", "supplier", "expense_type"]),
                name="category_correction_scope_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}: {self.category_code}"


class CategoryModel(models.Model):
    """A trained text model (``categorising.SpendCategoryModel.to_bytes``): a body's own, or,
    with no body, the starting model trained on Trafford's ProClass-coded ledger."""

    body = models.ForeignKey(
        "reference.Body", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    data = models.BinaryField()
    trained_lines = models.PositiveIntegerField(default=0)
    corrections_used = models.PositiveIntegerField(default=0)
    held_out_lines = models.PositiveIntegerField(default=0)
    held_out_accuracy = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.body_id or 'starting'}:{self.pk}"


class CategoryRun(OwnedRecord):
    """One categorisation of a body's live lines: the side table it wrote to the store (the
    latest finished run's file is live) and what decided how many lines."""

    parquet_path = models.CharField(max_length=300, blank=True)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lines = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    amounts = models.JSONField(default=dict, blank=True)
    share_classified = models.FloatField(default=0.0)
    model = models.ForeignKey(
        CategoryModel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("categorisation")
        verbose_name_plural = _("categorisations")

    def __str__(self) -> str:
        return f"{self.owner_body_id}:{self.pk}"
