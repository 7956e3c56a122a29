"""The demo's programme: the Spring 2026 intake with a cohort in each of the three labs,
participants from all ten authorities, bilingual session titles and materials, a handout and
realistic attendance. Everything is made through the services a manager's and a facilitator's
clicks use; building it twice changes nothing."""

from __future__ import annotations

import datetime
import random
from typing import Any

from infuse.accounts.models import Role, User
from infuse.accounts.services import user_create
from infuse.lab_outputs import KINDS
from infuse.programme import services
from infuse.programme.models import CapabilityItem, Enrolment, Intake
from infuse.reference.models import Body, Lab

INTAKE_EN, INTAKE_CY = "Spring 2026", "Gwanwyn 2026"

#: Extra demo participants so that every one of the ten authorities takes part
#: (username, first name, last name, body code, preferred language).
PARTICIPANTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("bethan", "Bethan", "Hughes", "W06000019", "en"),
    ("rhys", "Rhys", "Powell", "W06000013", "en"),
    ("megan", "Megan", "Williams", "W06000015", "cy"),
    ("gethin", "Gethin", "Harris", "W06000015", "en"),
    ("tomos", "Tomos", "Griffiths", "W06000024", "cy"),
    ("elin", "Elin", "Watkins", "W06000021", "en"),
    ("aled", "Aled", "Pritchard", "W06000016", "cy"),
    ("ffion", "Ffion", "Jones", "W06000014", "en"),
    ("lowri", "Lowri", "Phillips", "W06000022", "en"),
    ("dylan", "Dylan", "Edwards", "W06000018", "en"),
)

#: Session titles of each lab's six weeks, in English and Welsh.
CURRICULUM: dict[str, tuple[tuple[str, str], ...]] = {
    "adaption": (
        (
            "Adopt or adapt: what works elsewhere",
            "Mabwysiadu neu addasu: beth sy'n gweithio mewn mannau eraill",
        ),
        (
            "Fit to your place: the adopt/adapt assessment",
            "Addas i'ch ardal: yr asesiad mabwysiadu neu addasu",
        ),
        ("Hypotheses and outcomes", "Rhagdybiaethau a chanlyniadau"),
        ("Randomised designs across authorities", "Dyluniadau ar hap ar draws awdurdodau"),
        ("Power and sample size", "Pŵer a maint sampl"),
        (
            "Analysing and deciding: scale, adapt or stop",
            "Dadansoddi a phenderfynu: ehangu, addasu neu stopio",
        ),
    ),
    "data": (
        ("From a decision to a data question", "O benderfyniad i gwestiwn data"),
        ("Types of data and where to find them", "Mathau o ddata a ble i'w cael"),
        ("Data ethics: the canvas", "Moeseg data: y cynfas"),
        ("DPIA screening and the Data Ethics Framework", "Sgrinio DPIA a'r Fframwaith Moeseg Data"),
        ("Data quality and profiling", "Ansawdd data a phroffilio"),
        ("Using data in decisions", "Defnyddio data wrth wneud penderfyniadau"),
    ),
    "procurement": (
        ("Spending for well-being", "Gwario er llesiant"),
        ("Reading your spend data", "Darllen eich data gwariant"),
        ("Suppliers: cleaning and matching", "Cyflenwyr: glanhau a chyfateb"),
        ("Supply-chain carbon", "Carbon y gadwyn gyflenwi"),
        ("Social value and evaluating tenders", "Gwerth cymdeithasol a gwerthuso tendrau"),
        ("Procuring innovation", "Caffael arloesedd"),
    ),
}

COHORTS: tuple[tuple[str, str, str, datetime.date, str, tuple[str, ...]], ...] = (
    (
        "adaption",
        "Adaption Lab, spring 2026",
        "Labordy Addasu, gwanwyn 2026",
        datetime.date(2026, 3, 3),
        "in_person",
        ("carys", "owen", "sian", "bethan", "rhys", "aled"),
    ),
    (
        "data",
        "Data Lab, spring 2026",
        "Labordy Data, gwanwyn 2026",
        datetime.date(2026, 4, 21),
        "online",
        ("carys", "megan", "tomos", "elin", "ffion", "dylan"),
    ),
    (
        "procurement",
        "Procurement Lab, spring 2026",
        "Labordy Caffael, gwanwyn 2026",
        datetime.date(2026, 6, 9),
        "in_person",
        ("owen", "sian", "gethin", "lowri", "dylan", "bethan", "aled"),
    ),
)

FIRST_MATERIALS = {
    "data": (
        "## Before you come\n\nBring one decision your team must take this year, and who "
        "takes it.\n\n- We start from the decision, not the data.\n- You will leave with a "
        "first data question on the canvas.\n\nReading: [the Data Ethics Canvas]"
        "(https://theodi.org/insights/tools/the-data-ethics-canvas/).",
        "## Cyn dod\n\nDewch ag un penderfyniad y mae'n rhaid i'ch tîm ei wneud eleni, a phwy "
        "sy'n ei wneud.\n\n- Rydym yn dechrau o'r penderfyniad, nid y data.\n- Byddwch yn "
        "gadael gyda chwestiwn data cyntaf ar y cynfas.\n\nDarllen: [y Cynfas Moeseg Data]"
        "(https://theodi.org/insights/tools/the-data-ethics-canvas/).",
    ),
    "adaption": (
        "## Before you come\n\nThink of a service change another council made that you would "
        "like to try.\n\n- What was its core: the part that made it work?\n- What would you "
        "need to change for your area?",
        "## Cyn dod\n\nMeddyliwch am newid i wasanaeth a wnaeth cyngor arall yr hoffech ei "
        "roi ar brawf.\n\n- Beth oedd ei graidd: y rhan a wnaeth iddo weithio?\n- Beth fyddai "
        "angen i chi ei newid ar gyfer eich ardal?",
    ),
    "procurement": (
        "## Before you come\n\nAsk your finance team for last year's spend over £500 file.\n\n"
        "- We will load it together in week 2.\n- Think about which of the seven well-being "
        "goals your spending touches most.",
        "## Cyn dod\n\nGofynnwch i'ch tîm cyllid am ffeil gwariant dros £500 y llynedd.\n\n"
        "- Byddwn yn ei llwytho gyda'n gilydd yn wythnos 2.\n- Meddyliwch pa rai o'r saith "
        "nod llesiant y mae eich gwariant yn cyffwrdd â nhw fwyaf.",
    ),
}

WORKSHEET = (
    b"Data question canvas / Cynfas cwestiwn data\n\n"
    b"1. The decision / Y penderfyniad:\n2. Who decides / Pwy sy'n penderfynu:\n"
    b"3. The question / Y cwestiwn:\n4. The data / Y data:\n5. The measure / Y mesur:\n"
)


def demo_programme(*, password: str) -> dict[str, Any]:
    """Build the demo intake once; returns what it holds."""
    participants = _participants(password)
    facilitator = User.objects.filter(username="rhian").first()
    manager = User.objects.filter(username="gareth").first()
    if facilitator is None or manager is None:
        return {"cohorts": 0}
    existing = Intake.objects.filter(name_en=INTAKE_EN).first()
    if existing is not None:
        return {"cohorts": existing.cohorts.count(), "participants": len(participants)}
    intake = services.intake_create(
        actor=manager, name_en=INTAKE_EN, name_cy=INTAKE_CY, starts_on=datetime.date(2026, 3, 2)
    )
    labs = {lab.slug: lab for lab in Lab.objects.all()}
    chance = random.Random(2026)  # noqa: S311 - invented attendance, not security
    cohorts = []
    for slug, name_en, name_cy, starts_on, mode, members in COHORTS:
        if slug not in labs:
            continue
        cohort = services.cohort_create(
            actor=manager,
            intake=intake,
            lab=labs[slug],
            name_en=name_en,
            name_cy=name_cy,
            starts_on=starts_on,
            facilitator=facilitator,
            mode=mode,
            session_time=datetime.time(9, 30),
        )
        cohorts.append(cohort)
        place = "Online (Microsoft Teams)" if mode == "online" else "Ty Penallta, Ystrad Mynach"
        for session, (title_en, title_cy) in zip(
            cohort.sessions.all(), CURRICULUM[slug], strict=False
        ):
            values: dict[str, Any] = {"title_en": title_en, "title_cy": title_cy, "place": place}
            if session.number == 1:
                values["materials_en"], values["materials_cy"] = FIRST_MATERIALS[slug]
            if session.number == 4 and slug == "adaption":
                values["facilitator"] = manager  # a guest session led by the programme manager
            services.session_update(actor=facilitator, session=session, values=values)
        if slug == "data":
            services.session_file_add(
                actor=facilitator,
                session=cohort.sessions.get(number=1),
                title="Data question canvas worksheet",
                language="both",
                file_name="data-question-canvas.txt",
                content=WORKSHEET,
            )
        people = [participants[name] for name in members if name in participants]
        services.enrol(actor=facilitator, cohort=cohort, participants=people)
        enrolments = list(Enrolment.objects.filter(cohort=cohort).select_related("participant"))
        _hand_ins(cohort, enrolments, facilitator)
        for session in cohort.sessions.all():
            marks = {}
            for enrolment in enrolments:
                roll = chance.random()
                marks[enrolment.pk] = (
                    "present"
                    if roll < 0.78
                    else "late"
                    if roll < 0.88
                    else "excused"
                    if roll < 0.95
                    else "absent"
                )
            services.attendance_record(actor=session.facilitator, session=session, marks=marks)
        _self_assessments(enrolments, chance, follow_up=slug == "adaption")
    _funder_records(manager)
    return {"cohorts": len(cohorts), "participants": len(participants)}


def _funder_records(manager: User) -> None:
    """Funder records for every enrolled participant (entry at their first cohort, exit at the
    end of their last), and consent with special-category answers for two of them."""
    chance = random.Random(7)  # noqa: S311 - invented demo answers, not security
    spans: dict[int, tuple[datetime.date, datetime.date, User]] = {}
    for enrolment in Enrolment.objects.select_related("cohort__lab", "participant"):
        start, end = enrolment.cohort.starts_on, enrolment.cohort.ends_on
        known = spans.get(enrolment.participant_id)
        if known:
            start, end = min(start, known[0]), max(end, known[1])
        spans[enrolment.participant_id] = (start, end, enrolment.participant)
    for start, end, person in spans.values():
        services.funder_record_save(
            actor=manager,
            participant=person,
            values={
                "entry_date": start,
                "exit_date": end,
                "employment_status": chance.choice(
                    ["employed_full_time"] * 4 + ["employed_part_time"]
                ),
                "age_band": chance.choice(["25_34", "35_44", "35_44", "45_54", "55_plus"]),
                "education_level": chance.choice(["isced_3_4", "isced_5_8", "isced_5_8"]),
                "job_title": chance.choice(
                    ["Service improvement officer", "Policy officer", "Team manager", "Analyst"]
                ),
            },
        )
    from infuse.programme.forms import CONSENT_WORDING

    for username, disability, ethnicity in (
        ("carys", "no", "white"),
        ("owen", "declined", "mixed"),
    ):
        found = User.objects.filter(username=username).first()
        if found is None:
            continue
        services.special_category_consent_record(
            actor=manager, participant=found, wording=str(CONSENT_WORDING)
        )
        services.special_category_save(
            actor=manager, participant=found, disability=disability, ethnicity=ethnicity
        )


def _self_assessments(
    enrolments: list[Enrolment], chance: random.Random, *, follow_up: bool
) -> None:
    """Entry and exit ratings (and follow-up for the first cohort): most people rate themselves
    a little higher at exit, and "looking back" a little lower than they did at entry, the
    response shift a retrospective pre-test is meant to catch."""
    items = list(CapabilityItem.objects.filter(active=True))
    for enrolment in enrolments:
        growth = chance.choice([0, 1, 1, 1, 2])
        entry = {item.pk: chance.randint(2, 4) for item in items}
        exit_ = {k: min(5, v + chance.choice([0, growth, growth, 1])) for k, v in entry.items()}
        looking_back = {k: max(1, v - chance.choice([0, 0, 1])) for k, v in entry.items()}
        person = enrolment.participant
        services.self_assessment_save(
            actor=person, enrolment=enrolment, timing="entry", scores=entry
        )
        services.self_assessment_save(
            actor=person,
            enrolment=enrolment,
            timing="exit",
            scores=exit_,
            before_scores=looking_back,
        )
        if follow_up:
            later = {k: max(v - chance.choice([0, 0, 1]), entry[k]) for k, v in exit_.items()}
            services.self_assessment_save(
                actor=person, enrolment=enrolment, timing="follow_up", scores=later
            )


def _hand_ins(cohort: Any, enrolments: list[Enrolment], facilitator: User) -> None:
    """Each participant hands in their own body's real demo work where there is some (Carys's
    data question and its ethics work, the demo experiments and assessments, each body's live
    spend files), and the facilitator reviews it: accepted, or sent back once with a comment."""
    for enrolment in enrolments:
        person = enrolment.participant
        for assignment in cohort.assignments.all():
            kind = KINDS[assignment.kind]
            # Their own work; a spend file is their body's (an analyst usually imports it).
            own = [
                obj
                for obj in kind.visible_to(person).order_by("-pk")[:20]
                if kind.owned_record(obj).owner_body_id == person.body_id
                and (
                    kind.key == "spend_analysis"
                    or kind.owned_record(obj).created_by_id == person.pk
                )
            ]
            if not own:
                continue
            submission = services.assignment_submit(
                actor=person, assignment=assignment, enrolment=enrolment, object_id=own[0].pk
            )
            if assignment.kind == "experiment_plan" and person.username == "owen":
                services.submission_review(
                    actor=facilitator,
                    submission=submission,
                    verdict="needs_changes",
                    text="Say how you will handle households that cancel before the reminder.",
                )
                continue
            services.submission_review(
                actor=facilitator,
                submission=submission,
                verdict="accepted",
                text="Clear and well argued." if assignment.order == 1 else "",
            )


def _participants(password: str) -> dict[str, User]:
    bodies = {b.code: b for b in Body.objects.all()}
    for username, first, last, code, language in PARTICIPANTS:
        if User.objects.filter(username=username).exists() or code not in bodies:
            continue
        user_create(
            actor=None,
            username=username,
            password=password,
            role=Role.PARTICIPANT,
            body=bodies[code],
            email=f"{username}@example.org",
            first_name=first,
            last_name=last,
            preferred_language=language,
            check_password=False,
        )
    return {
        u.username: u
        for u in User.objects.filter(role=Role.PARTICIPANT, body__isnull=False).select_related(
            "body"
        )
    }
