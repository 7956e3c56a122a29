"""The Data Lab's part of the demonstration workspace.

Caerphilly asks which households to offer energy advice first, using smart-meter readings;
the question is shared with the region, a facilitator has commented on it, and its data ethics
canvas is partly filled in with actions agreed, and a DPIA screening finds a DPIA required
because the area figures would be matched with the council's housing records; its Data
Ethics Framework self-assessment has two versions, the second better on transparency.
"""

from __future__ import annotations

from django.db import transaction

from infuse.accounts.models import User
from infuse.datalab import services
from infuse.datalab.dpia import QUESTION_KEYS
from infuse.datalab.models import DataQuestion, EthicsAreaStatus
from infuse.reference.models import Theme, WellbeingGoal

CAERPHILLY = "W06000018"
TITLE = "Household energy use and targeted advice"


def demo_datalab() -> dict[str, int]:
    """Build the Data Lab demo once; building again changes nothing."""
    if DataQuestion.objects.filter(owner_body__code=CAERPHILLY, title=TITLE).exists():
        return {"data_questions": 0}
    with transaction.atomic():
        _caerphilly_energy_question()
    return {"data_questions": 1}


def _caerphilly_energy_question() -> DataQuestion:
    officer = User.objects.get(username="carys")
    facilitator = User.objects.get(username="rhian")
    question = services.question_save(
        actor=officer,
        body=officer.body,
        values={
            "title": TITLE,
            "decision": (
                "Which wards the energy advice team visits first over the next two winters."
            ),
            "decision_maker": "Head of Housing, with the Cabinet Member for Climate Change",
            "question": (
                "In which wards do households use the most energy for the size of their home, "
                "and where is fuel poverty highest?"
            ),
            "data_needed": (
                "Annual gas and electricity use per meter by area; energy performance "
                "certificates; fuel poverty estimates; the council's own housing stock records."
            ),
            "measure": "Median kWh per household per year, by lower layer super output area",
            "data_type": "shared",
            "data_kind": "administrative",
            "sources": (
                "DESNZ sub-national electricity and gas consumption (LSOA)\n"
                "Energy Performance of Buildings Register (EPC)\n"
                "Welsh Government fuel poverty estimates"
            ),
            "visibility": "regional",
        },
        themes=list(Theme.objects.filter(slug="decarbonisation")),
        goals=list(WellbeingGoal.objects.filter(number__in=[2, 4, 7])),
    )
    services.question_comment(
        actor=facilitator,
        question=question,
        text=(
            "A clear decision and measure. Say whether you will use meter-level data for "
            "council homes: that is personal data and changes the ethics questions."
        ),
    )
    answers = {
        "sources": (
            "Published area-level consumption statistics and EPC records; council housing "
            "records for our own homes.",
            EthicsAreaStatus.COMPLETE,
        ),
        "rights": (
            "DESNZ and EPC data are under the Open Government Licence. Housing records are "
            "held for managing tenancies; using them to target advice needs a lawful basis.",
            EthicsAreaStatus.FOR_REVIEW,
        ),
        "limitations": (
            "Area averages hide households who ration energy; prepayment meter users may "
            "look like low users when they are in hardship.",
            EthicsAreaStatus.IN_PROGRESS,
        ),
        "reason": (
            "To send a small advice team where it will cut bills and emissions most.",
            EthicsAreaStatus.COMPLETE,
        ),
        "negative": (
            "Wards not visited first may feel overlooked; households could feel watched if "
            "we use meter-level data.",
            EthicsAreaStatus.IN_PROGRESS,
        ),
    }
    for area, (answer, status) in answers.items():
        services.ethics_area_save(
            actor=officer, question=question, area=area, answer=answer, status=status
        )
    services.ethics_action_add(
        actor=officer,
        question=question,
        area="rights",
        text="Ask the information governance team to confirm the lawful basis for housing records.",
        owner="Information governance lead",
        priority="high",
    )
    services.ethics_action_add(
        actor=officer,
        question=question,
        area="limitations",
        text="Add prepayment meter counts to the ward ranking.",
        owner="Energy advice team leader",
        priority="medium",
    )
    # Area-level statistics alone would not need a DPIA; matching them with the council's own
    # housing records for targeting does, so the screening says "required" and why.
    services.dpia_screening_save(
        actor=officer,
        question=question,
        answers={
            key: key in {"personal_data", "major_project", "data_matching", "denial_of_service"}
            for key in QUESTION_KEYS
        },
    )
    # Two versions of the Data Ethics Framework self-assessment: after publishing the method
    # and naming an owner, transparency and accountability improve.
    rationales = {
        "transparency": "Nothing about the targeting is published yet.",
        "accountability": "No single owner for the data work.",
        "fairness": "Not yet checked whether prepayment households are missed.",
    }
    services.def_assessment_save(
        actor=officer,
        question=question,
        scores={"transparency": 1, "accountability": 2, "fairness": 2},
        rationales=rationales,
        actions="Publish how wards are ranked. Name an owner for the data work.",
    )
    services.def_assessment_save(
        actor=officer,
        question=question,
        scores={"transparency": 3, "accountability": 4, "fairness": 2},
        rationales={
            **rationales,
            "transparency": "The ranking method is on the council website.",
            "accountability": "The Head of Housing owns the data work.",
        },
        actions="Check the ranking against prepayment meter counts.",
    )
    return question
