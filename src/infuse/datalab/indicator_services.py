"""Writes of the Indicator explorer: loading open indicators and linking them to questions.

Loading is all or nothing and idempotent: each indicator's values are replaced by the file's
(new ones added, changed ones updated, ones the file no longer has removed), so loading the
same file twice changes nothing and writes no second audit entry.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from infuse.accounts.policy import Action, recorded_user, require_unless_system
from infuse.audit.trail import audit_record, audited, snapshot
from infuse.errors import UserFacingError

from .indicators import Reading
from .models import DataQuestion, Indicator, IndicatorLink, IndicatorValue

INDICATOR_FIELDS = (
    "theme",
    "name_en",
    "name_cy",
    "unit",
    "publisher",
    "source_file",
    "licence",
    "higher_is_better",
    "note",
    "sample",
)


@audited
@transaction.atomic
def indicators_load(*, actor: Any, readings: list[Reading], sample: bool = False) -> dict[str, int]:
    """Load the readings' indicators and values; returns counts of what changed."""
    counts = {"indicators": 0, "added": 0, "updated": 0, "removed": 0}
    for reading in readings:
        changed = {"added": 0, "updated": 0, "removed": 0, "indicators": 0}
        by_indicator: dict[str, list[Any]] = {}
        for value in reading.values:
            by_indicator.setdefault(value.indicator, []).append(value)
        for definition in reading.indicators:
            wanted = {
                "theme": definition.theme,
                "name_en": definition.name_en[:300],
                "name_cy": definition.name_cy[:300],
                "unit": definition.unit[:100],
                "publisher": definition.publisher,
                "source_file": definition.file[:300],
                "licence": definition.licence[:200],
                "higher_is_better": definition.higher_is_better,
                "note": definition.note,
                "sample": sample,
            }
            indicator = Indicator.objects.filter(code=definition.code).first()
            if indicator is None:
                indicator = Indicator.objects.create(code=definition.code, **wanted)
                changed["indicators"] += 1
            elif snapshot(indicator, INDICATOR_FIELDS) != wanted:
                for name, field_value in wanted.items():
                    setattr(indicator, name, field_value)
                indicator.save()
                changed["indicators"] += 1
            existing = {
                (row.area_code, row.period): row
                for row in IndicatorValue.objects.filter(indicator=indicator)
            }
            seen: set[tuple[str, str]] = set()
            new_rows = []
            for value in by_indicator.get(definition.code, []):
                key = (value.area, value.period)
                if key in seen:
                    continue
                seen.add(key)
                row = existing.get(key)
                if row is None:
                    new_rows.append(
                        IndicatorValue(
                            indicator=indicator,
                            area_code=value.area,
                            period=value.period[:40],
                            period_label=value.period_label[:60],
                            period_end=value.period_end,
                            value=value.value,
                        )
                    )
                elif (row.value, row.period_label, row.period_end) != (
                    value.value,
                    value.period_label[:60],
                    value.period_end,
                ):
                    row.value = value.value
                    row.period_label = value.period_label[:60]
                    row.period_end = value.period_end
                    row.save()
                    changed["updated"] += 1
            IndicatorValue.objects.bulk_create(new_rows)
            changed["added"] += len(new_rows)
            gone = [row.pk for key, row in existing.items() if key not in seen]
            if gone:
                IndicatorValue.objects.filter(pk__in=gone).delete()
                changed["removed"] += len(gone)
        if any(changed.values()):
            audit_record(
                actor=actor,
                action="datalab.indicators_loaded",
                target_type="datalab.indicator",
                target_id=reading.kind,
                target_label=reading.file,
                after={"file": reading.file, "sample": sample, **changed},
            )
        for name, number in changed.items():
            counts[name] += number
    return counts


@audited
@transaction.atomic
def indicator_link(
    *, actor: Any, indicator: Indicator, question: DataQuestion | None = None, challenge: Any = None
) -> IndicatorLink:
    """Link an indicator to a data question or a challenge the actor may change."""
    target = question if question is not None else challenge
    if target is None:
        raise UserFacingError(_("Choose a data question or a challenge to link."))
    require_unless_system(actor, Action.CHANGE, target)
    link, created = IndicatorLink.objects.get_or_create(
        indicator=indicator,
        question=question,
        challenge=challenge,
        defaults={"created_by": recorded_user(actor)},
    )
    if created:
        audit_record(
            actor=actor,
            action="datalab.indicator_linked",
            target=link,
            target_label=f"{indicator.code} → {target}",
            body=target.owner_body,
            after=snapshot(link, ("indicator", "question", "challenge")),
        )
    return link


@audited
@transaction.atomic
def indicator_unlink(*, actor: Any, link: IndicatorLink) -> None:
    target: Any = link.question if link.question_id else link.challenge
    require_unless_system(actor, Action.CHANGE, target)
    before = snapshot(link, ("indicator", "question", "challenge"))
    audit_record(
        actor=actor,
        action="datalab.indicator_unlinked",
        target=link,
        target_label=str(link.indicator.code),
        body=target.owner_body,
        before=before,
    )
    link.delete()
