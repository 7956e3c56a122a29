"""The assignments each lab's cohorts start with; the kinds of output they ask for are in the
register of lab outputs (:mod:`infuse.lab_outputs`)."""

from __future__ import annotations

#: The assignments each lab's cohorts start with: (kind, English title, Welsh title).
DEFAULT_ASSIGNMENTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "data": (
        ("data_question", "Frame a data question", "Llunio cwestiwn data"),
        (
            "ethics_canvas",
            "Work through the data ethics canvas",
            "Gweithio drwy'r cynfas moeseg data",
        ),
        (
            "ethics_framework",
            "Assess against the Data Ethics Framework",
            "Asesu yn erbyn y Fframwaith Moeseg Data",
        ),
        ("dpia_screening", "Screen for a DPIA", "Sgrinio ar gyfer DPIA"),
    ),
    "adaption": (
        (
            "adopt_adapt",
            "Assess an innovation for your area",
            "Asesu arloesedd ar gyfer eich ardal",
        ),
        ("experiment_plan", "Design an experiment", "Cynllunio arbrawf"),
    ),
    "procurement": (
        (
            "spend_analysis",
            "Load and analyse your body's spend",
            "Llwytho a dadansoddi gwariant eich corff",
        ),
    ),
}
