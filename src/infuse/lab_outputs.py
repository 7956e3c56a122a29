"""The register of the labs' own outputs: what a participant hands in as an assignment and
what a Challenge Fund bid links to as its evidence.

Each kind says which lab it belongs to, the record the permission policy reads (the output
itself, or the data question an ethics assessment belongs to), which outputs a user may see
and through which field they belong to a body, how to name and link one, and the themes and
well-being goals it carries, if any. A submission or a bid link stores the kind's key and the
output's id, so a new kind (a tender evaluation, say) is one more entry here and nothing else
changes.

Kinds and why:

* Data Lab: the data question canvas, its ethics canvas (ODI areas), its UK Data Ethics
  Framework self-assessment (latest version) and its DPIA screening (latest).
* Adaption Lab: an adopt/adapt assessment and an experiment plan (the draft or locked plan).
* Procurement Lab: a **spend analysis** is a live (imported) spend file of the participant's
  body — ``procurement.SpendBatch`` with status ``live``. The lab's spend analytics (by month,
  category, department and supplier, concentration, duplicates) are computed from exactly the
  live files a user may see, so the imported file is the real, reviewable thing the officer
  produced; an un-imported or refused upload is not offered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ArtefactKind:
    key: str
    lab_slug: str
    label: Any
    visible_to: Callable[[Any], QuerySet[Any]]
    owned_record: Callable[[Any], Any]
    url: Callable[[Any], str]
    describe: Callable[[Any], str]
    themes: Callable[[Any], list[Any]] = field(default=lambda obj: [])
    goals: Callable[[Any], list[Any]] = field(default=lambda obj: [])
    # The lookup from an output to the body it belongs to (for "the outputs of these bodies").
    owner_field: str = "owner_body"

    def find(self, user: Any, object_id: int) -> Any | None:
        """The artefact ``object_id`` if ``user`` may see it."""
        return self.visible_to(user).filter(pk=object_id).first()

    def of_bodies(self, user: Any, body_ids: list[int]) -> QuerySet[Any]:
        """The outputs of these bodies that ``user`` may see."""
        return self.visible_to(user).filter(**{f"{self.owner_field}__in": body_ids})


def _questions(user: Any) -> QuerySet[Any]:
    from infuse.datalab.selectors import questions_visible_to

    return questions_visible_to(user)


def _question_children(model_name: str) -> Callable[[Any], QuerySet[Any]]:
    def visible(user: Any) -> QuerySet[Any]:
        from infuse.datalab import models

        model: type[Model] = getattr(models, model_name)
        return model.objects.filter(question__in=_questions(user).values("pk")).select_related(  # type: ignore[attr-defined]
            "question__owner_body"
        )

    return visible


def _assessments(user: Any) -> QuerySet[Any]:
    from infuse.adaption.selectors import assessments_visible_to

    return assessments_visible_to(user)


def _experiments(user: Any) -> QuerySet[Any]:
    from infuse.adaption.selectors import experiments_visible_to

    return experiments_visible_to(user).select_related("innovation")


def _spend_files(user: Any) -> QuerySet[Any]:
    from infuse.accounts.policy import visible_filter
    from infuse.procurement.models import SpendBatch

    return SpendBatch.objects.filter(
        visible_filter(user), status=SpendBatch.Status.LIVE
    ).select_related("owner_body")


def _innovation_themes(obj: Any) -> list[Any]:
    innovation = getattr(obj, "innovation", None)
    return list(innovation.themes.all()) if innovation is not None else []


def _innovation_goals(obj: Any) -> list[Any]:
    innovation = getattr(obj, "innovation", None)
    return list(innovation.goals.all()) if innovation is not None else []


KINDS: dict[str, ArtefactKind] = {
    kind.key: kind
    for kind in (
        ArtefactKind(
            key="data_question",
            lab_slug="data",
            label=_("Data question canvas"),
            visible_to=_questions,
            owned_record=lambda q: q,
            url=lambda q: reverse("datalab:question", args=[q.pk]),
            describe=lambda q: f"{q.title} ({q.owner_body.name})",
            themes=lambda q: list(q.themes.all()),
            goals=lambda q: list(q.goals.all()),
        ),
        ArtefactKind(
            key="ethics_canvas",
            lab_slug="data",
            label=_("Data ethics canvas"),
            visible_to=_questions,
            owned_record=lambda q: q,
            url=lambda q: reverse("datalab:ethics", args=[q.pk]),
            describe=lambda q: f"{q.title} ({q.owner_body.name})",
            themes=lambda q: list(q.themes.all()),
            goals=lambda q: list(q.goals.all()),
        ),
        ArtefactKind(
            key="ethics_framework",
            lab_slug="data",
            label=_("Data Ethics Framework self-assessment"),
            visible_to=_question_children("DefAssessment"),
            owned_record=lambda a: a.question,
            owner_field="question__owner_body",
            url=lambda a: reverse("datalab:def", args=[a.question_id]),
            describe=lambda a: f"{a.question.title}, v{a.version} ({a.question.owner_body.name})",
            themes=lambda a: list(a.question.themes.all()),
            goals=lambda a: list(a.question.goals.all()),
        ),
        ArtefactKind(
            key="dpia_screening",
            lab_slug="data",
            label=_("DPIA screening"),
            visible_to=_question_children("DpiaScreening"),
            owned_record=lambda s: s.question,
            owner_field="question__owner_body",
            url=lambda s: reverse("datalab:dpia", args=[s.question_id]),
            describe=lambda s: (
                f"{s.question.title}, {s.created_at:%Y-%m-%d} ({s.question.owner_body.name})"
            ),
            themes=lambda s: list(s.question.themes.all()),
            goals=lambda s: list(s.question.goals.all()),
        ),
        ArtefactKind(
            key="adopt_adapt",
            lab_slug="adaption",
            label=_("Adopt/adapt assessment"),
            visible_to=_assessments,
            owned_record=lambda a: a,
            url=lambda a: reverse("adaption:assessment", args=[a.pk]),
            describe=lambda a: str(a),
            themes=_innovation_themes,
            goals=_innovation_goals,
        ),
        ArtefactKind(
            key="experiment_plan",
            lab_slug="adaption",
            label=_("Experiment plan"),
            visible_to=_experiments,
            owned_record=lambda e: e,
            url=lambda e: reverse("adaption:experiment", args=[e.pk]),
            describe=lambda e: f"{e.title} ({e.owner_body.name})",
            themes=_innovation_themes,
            goals=_innovation_goals,
        ),
        ArtefactKind(
            key="spend_analysis",
            lab_slug="procurement",
            label=_("Spend analysis (an imported spend file)"),
            visible_to=_spend_files,
            owned_record=lambda b: b,
            url=lambda b: reverse("procurement:spend-file", args=[b.pk]),
            describe=lambda b: f"{b.file_name} ({b.owner_body.name})",
        ),
    )
}
