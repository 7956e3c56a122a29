"""The default capability items: innovation skills and attitudes, each with its source.

Six items follow the OECD Observatory of Public Sector Innovation's six *core skills for public
sector innovation* (OECD, 2017, "Core skills for public sector innovation": iteration, data
literacy, user centricity, curiosity, storytelling, insurgency). Four cover what the three labs
teach: experiments (Adaption Lab; Nesta Standards of Evidence), data ethics (Data Lab; the UK
Data Ethics Framework, Central Digital and Data Office, 2020), spending for wider goals
(Procurement Lab; the Well-being of Future Generations (Wales) Act 2015) and collaboration
(one of the Act's five ways of working). Statements are our own words, rated on a five-point
agreement scale (1 strongly disagree … 5 strongly agree). Programme managers can change, add
and retire items; retired items stay in the answers already given.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

OECD = (
    "OECD (2017), Core skills for public sector innovation, Observatory of Public Sector Innovation"
)

#: (key, kind, English, Welsh, source and rationale)
DEFAULT_ITEMS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "iteration",
        "skill",
        "I can try an idea on a small scale, learn from it and improve it before rolling it out.",
        "Gallaf roi cynnig ar syniad ar raddfa fach, dysgu ohono a'i wella cyn ei gyflwyno'n "
        "ehangach.",
        f"{OECD}: iteration.",
    ),
    (
        "data-literacy",
        "skill",
        "I can use data to understand a problem and to inform a decision.",
        "Gallaf ddefnyddio data i ddeall problem ac i lywio penderfyniad.",
        f"{OECD}: data literacy. Taught in the Data Lab.",
    ),
    (
        "user-centricity",
        "skill",
        "I involve the people who use a service when I look for ways to change it.",
        "Rwy'n cynnwys y bobl sy'n defnyddio gwasanaeth pan fyddaf yn chwilio am ffyrdd o'i newid.",
        f"{OECD}: user centricity; also Involvement, a way of working in the Well-being of "
        "Future Generations (Wales) Act 2015.",
    ),
    (
        "curiosity",
        "attitude",
        "I look for new ideas and ways of working from other places and sectors.",
        "Rwy'n chwilio am syniadau a ffyrdd newydd o weithio o leoedd a sectorau eraill.",
        f"{OECD}: curiosity. The Adaption Lab starts from what worked elsewhere.",
    ),
    (
        "storytelling",
        "skill",
        "I can explain a change and the evidence for it in a way that persuades others.",
        "Gallaf egluro newid a'r dystiolaeth drosto mewn ffordd sy'n perswadio pobl eraill.",
        f"{OECD}: storytelling.",
    ),
    (
        "insurgency",
        "attitude",
        "I feel able to challenge the usual way of doing things and to work with unusual partners.",
        "Rwy'n teimlo y gallaf herio'r ffordd arferol o wneud pethau a gweithio gyda "
        "phartneriaid anarferol.",
        f"{OECD}: insurgency.",
    ),
    (
        "experiments",
        "skill",
        "I can design a fair test that shows whether a change works.",
        "Gallaf gynllunio prawf teg sy'n dangos a yw newid yn gweithio.",
        "Adaption Lab: experiment design; Nesta Standards of Evidence (Puttick and Ludlow, "
        "2013), levels 3 and above need a comparison group.",
    ),
    (
        "data-ethics",
        "skill",
        "I can recognise the ethical and legal risks of using data about people, and how to "
        "reduce them.",
        "Gallaf adnabod y risgiau moesegol a chyfreithiol o ddefnyddio data am bobl, a sut i'w "
        "lleihau.",
        "Data Lab: UK Data Ethics Framework (Central Digital and Data Office, 2020) and the "
        "ODI Data Ethics Canvas.",
    ),
    (
        "spend-for-goals",
        "skill",
        "I can use spending and procurement to reach wider goals, such as well-being and "
        "lower carbon.",
        "Gallaf ddefnyddio gwariant a chaffael i gyrraedd nodau ehangach, fel llesiant a llai "
        "o garbon.",
        "Procurement Lab: the seven well-being goals of the Well-being of Future Generations "
        "(Wales) Act 2015, section 4.",
    ),
    (
        "collaboration",
        "attitude",
        "I am confident working with other public bodies on a shared problem.",
        "Rwy'n hyderus wrth weithio gyda chyrff cyhoeddus eraill ar broblem sy'n gyffredin i ni.",
        "Collaboration, a way of working in the Well-being of Future Generations (Wales) Act "
        "2015, section 5; the Challenge Fund asks for collaborative bids.",
    ),
)

#: The five points of the agreement scale.
SCALE: tuple[tuple[int, Any], ...] = (
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
)
