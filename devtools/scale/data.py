"""The words and numbers the scale dataset is made of."""

from __future__ import annotations

from programs.models import Discipline
from projects.models import DoorRequest

ORGANIZATION = "Northfield Health Network"
PROGRAM = "Leadership at Scale"
DOMAIN = "northfield-health.example"
BENCH_PASSWORD = "actionlab-bench"  # noqa: S105  (printed; benchmark data only)

MORE_UNITS = [
    "Oncology",
    "Neurology",
    "Orthopedics",
    "Radiology",
    "Laboratory Medicine",
    "Anesthesiology",
    "Obstetrics",
    "Behavioral Health",
    "Rehabilitation",
    "Primary Care Network",
    "Supply Chain",
    "Human Resources",
    "Facilities",
    "Patient Experience",
]
FIRST_NAMES = (  # noqa: SIM905  (a list of words reads best as words)
    "Aisha Kevin Sofia Hannah Daniel Mei Grace Samuel Olivia Rahul Chloe Jamal Fatima "
    "Benjamin Yuki Laura Marcus Elena Nathan Isabel Victor Amara Ruth Tyler Noah Zara "
    "Owen Priya Robert Evelyn Gregory Ingrid Tomas Leah Dana Carmen Felix Ines Jonas "
    "Keiko Lucia Malik Nadia Oscar Paula Quentin Rosa Stefan Tariq Ursula Vera Wei "
    "Ximena Yusuf"
).split()
LAST_NAMES = (  # noqa: SIM905  (a list of words reads best as words)
    "Mensah OBrien Delgado Becker Osei Lin Adeyemi Whitaker Brennan Iyer Martin Carter "
    "Haddad Clarke Tanaka Schmidt Bell Popescu Greene Moreno Chen Nwosu Goldberg Jensen "
    "Fischer Ahmed Gallagher Raman Nakamura Castellanos Lindqvist Halvorsen Ribeiro "
    "Abernathy Whitfield Alvarez Bauer Costa Dubois Eriksen Farouk Gomez Horvat Ivanova "
    "Jovanovic Kowalski Larsen Mbeki Novak Okafor Petrov Quinn Rossi Sato Torres"
).split()
TIME_ZONES = [
    ("America/New_York", 80),
    ("America/Chicago", 10),
    ("America/Denver", 4),
    ("America/Los_Angeles", 5),
    ("Europe/London", 1),
]
DISCIPLINES = [
    (Discipline.PHYSICIAN, 30),
    (Discipline.NURSE, 30),
    (Discipline.ADMINISTRATOR, 22),
    (Discipline.ALLIED_HEALTH, 12),
    (Discipline.RESEARCH, 4),
    (Discipline.OTHER, 2),
]
JOB_TITLES: dict[str, list[str]] = {
    Discipline.PHYSICIAN: ["Attending Physician", "Hospitalist", "Medical Director"],
    Discipline.NURSE: ["Nurse Manager", "Charge Nurse", "Clinical Nurse Specialist"],
    Discipline.ADMINISTRATOR: ["Operations Manager", "Senior Analyst", "Practice Manager"],
    Discipline.ALLIED_HEALTH: ["Clinical Pharmacist", "Lead Therapist", "Dietitian Lead"],
    Discipline.RESEARCH: ["Research Coordinator", "Clinical Scientist"],
    Discipline.OTHER: ["Project Lead"],
}
TEAM_WORDS = (  # noqa: SIM905  (a list of words reads best as words)
    "Flow Forward Safe Passage Heart Home Right Time Bright Path Clear View Open Door "
    "First Light North Star Steady Hands Bridge Builders Common Ground New Rhythm"
).split()
PROJECT_VERBS = ["Cut", "Spread", "Pilot", "Redesign", "Shorten", "Standardise", "Improve"]
PROJECT_OBJECTS = [
    "discharge delays",
    "emergency department boarding",
    "medication reconciliation at admission",
    "heart failure follow-up",
    "operating room turnover",
    "handoffs between shifts",
    "referral waiting times",
    "falls on inpatient units",
    "no-shows in outpatient clinics",
    "sepsis recognition",
]
ACTION_TITLES = [
    "Map today's process with frontline staff",
    "Pull baseline data",
    "Draft the pilot checklist",
    "Agree the next test with unit leaders",
    "Interview two stakeholders",
    "Review the run chart with the team",
    "Prepare the sponsor briefing",
    "Confirm report access with Information Services",
    "Write up what the last test taught us",
    "Visit a unit that already does this well",
]
STAKEHOLDERS = [
    "Director of Patient Access",
    "Unit nurse managers",
    "Chief Financial Officer",
    "Frontline staff forum",
    "Patient and family advisory council",
    "Hospital operations committee",
    "Pharmacy leadership",
    "Information Services",
]
DOOR_REQUESTS = [
    (DoorRequest.Kind.INTRODUCTION, "An introduction to the service line's medical director."),
    (DoorRequest.Kind.RESOURCE, "Two hours a week of an analyst's time for six weeks."),
    (DoorRequest.Kind.DECISION, "A decision on whether the pilot may extend to nights."),
]
RATIONALE = "The team's rationale for this criterion, confirmed with the sponsor."
TAGS = [
    "questioning",
    "listening",
    "sponsor",
    "scope",
    "cross-boundary",
    "data",
    "feedback",
    "stakeholders",
    "team",
    "psychological-safety",
    "delegation",
    "conflict",
]
MINUTES_PAST_SLOT = 15
MEETING_EVERY_WEEKS = 2
