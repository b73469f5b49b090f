"""The demo's question sets: the standard questions every request answers, and
each demo category's own, each with the reason support gives for asking.
Written and published through frontline.intake.questions, as an admin would."""

from __future__ import annotations

from typing import Any

from frontline.core.models import User
from frontline.intake import questions
from frontline.tickets.taxonomy import STANDARD_CATEGORY, find_category

PRODUCTS = ["Atlas Server", "Atlas Cloud", "Beacon Mobile"]


def _q(key: str, text: str, why: str, type: str = "text", *, required: bool = False,
       choices: list[str] | None = None, when: dict[str, str] | None = None,
       agent_text: str = "", keywords: dict[str, list[str]] | None = None,
       patterns: list[str] | None = None) -> dict[str, Any]:
    return {"key": key, "text": text, "why": why, "type": type, "required": required,
            "choices": choices or [], "when": when or {}, "agent_text": agent_text,
            "keywords": keywords or {}, "patterns": patterns or []}


STANDARD = [
    _q("product", "Which product is this about?",
       "Each product has its own specialists; naming it sends your request to them.",
       "choice", required=True, choices=PRODUCTS, agent_text="Which of our products is it?"),
    _q("version", "Which version are you running?",
       "Many problems are fixed in a later release; the version tells us at once whether "
       "yours is one of them.", "version", required=True,
       agent_text="Ask them to read the version from Help > About."),
    _q("environment", "Which operating system does it run on?",
       "Installers, paths and permissions differ between systems.", "choice",
       choices=["Windows Server", "Linux", "macOS", "iOS", "Android"],
       when={"product": "Atlas Server"}),
    _q("impact", "Who is affected?",
       "A problem that stops everyone is handled before one that slows one person down.",
       "choice", required=True, choices=["Only me", "My team", "Everyone in our company"],
       # How customers say it, in English and German: the answer is read from their mail.
       keywords={"Only me": ["only me", "just me", "only for me", "nur ich", "nur bei mir"],
                 "My team": ["my team", "our team", "my colleagues", "mein Team",
                             "unser Team", "meine Kollegen"],
                 "Everyone in our company": ["all users", "all our users", "everyone",
                                             "everybody", "the whole company", "alle Benutzer",
                                             "alle Nutzer", "alle Mitarbeiter", "niemand kann"]}),
    _q("error", "What does the error message say, word for word?",
       "The exact message and code point straight at the part that failed; a paraphrase "
       "rarely can.", "long_text", agent_text="Ask them to read it out or paste it."),
    # Asked of every request but not required: a billing or how-to question has no
    # steps, and a follow-up asking for them would make no sense to its customer.
    _q("steps", "What did you do before it happened, step by step?",
       "If we can make it happen here, we can fix it; without the steps we guess.",
       "long_text"),
    _q("expected", "What did you expect to happen, and what happened instead?",
       "Sometimes the software works as designed and the documentation is what needs fixing.",
       "long_text"),
]

# category slug -> its own questions
CATEGORY_QUESTIONS: dict[str, list[dict[str, Any]]] = {
    "installation": [
        _q("install-kind", "Is this a new installation or an upgrade?",
           "Upgrades migrate your data first, so they fail in other places than new installs.",
           "choice", required=True, choices=["New installation", "Upgrade"],
           keywords={"New installation": ["new installation", "fresh install", "fresh server",
                                          "first installation", "Neuinstallation",
                                          "neuen Server"],
                     "Upgrade": ["upgrade", "upgrading", "Update von", "Update auf"]}),
        _q("previous-version", "Which version are you upgrading from?",
           "Some upgrade paths skip a data migration; knowing the start tells us which ran.",
           "version", when={"install-kind": "Upgrade"}),
        _q("installer-log", "Please attach the installer log.",
           "The log records the last step that worked, which saves a round of questions.",
           "file"),
    ],
    "login": [
        _q("sign-in-method", "How do you sign in?",
           "Single sign-on problems are usually in the identity provider's settings, not ours.",
           "choice", required=True, choices=["Password", "Single sign-on (SAML)",
                                             "Single sign-on (OpenID Connect)"],
           keywords={"Password": ["password", "Passwort", "local account"],
                     "Single sign-on (SAML)": ["SAML", "ADFS", "Okta"],
                     "Single sign-on (OpenID Connect)": ["OpenID Connect", "OIDC", "Azure AD"]}),
        _q("identity-provider", "Which identity provider do you use?",
           "Each provider names its claims differently; we check the mapping for yours.",
           when={"sign-in-method": "Single sign-on (SAML)"}),
        _q("everyone-locked-out", "Is everyone locked out, or only some people?",
           "If everyone is, we treat it as an outage.", "yes_no", required=True,
           keywords={"yes": ["everyone is locked out", "nobody can sign in", "no one can sign in",
                             "alle sind ausgesperrt", "niemand kann sich anmelden"],
                     "no": ["only some", "only a few", "nobody else", "just me",
                            "nur einige", "nur wenige"]}),
    ],
    "performance": [
        # The customer's words "since Monday", "seit dem Update" answer it.
        _q("slow-since", "Since when is it slow?",
           "A start date lines up with upgrades, data growth or changes on your side.",
           required=True,
           patterns=[r"\b((?:since|seit)\s(?:(?:last|this|the|letzte[nmr]?|dem|der)\s)?"
                     r"[\w.-]{2,20})"]),
        _q("slow-where", "Which screens or reports are slow?",
           "Slowness is nearly always one query or one screen; naming it finds it.",
           "long_text", required=True,
           patterns=[r"\b(\w{0,30}\s?(?:dashboards?|reports?|screens?|berichte?|"
                     r"auswertungen?))\b"]),
        _q("users-online", "How many people use it at the same time?",
           "Load explains some slowness; knowing it tells us whether to look at sizing."),
    ],
    "integrations": [
        _q("direction", "Is it an import or an export?",
           "Imports and exports run through different code.", "choice", required=True,
           choices=["Import", "Export", "Both"]),
        _q("file-format", "Which file format?",
           "Each format has its own reader; CSV problems are often about separators or "
           "encodings.", "choice", required=True, choices=["CSV", "Excel", "XML", "JSON"]),
        _q("database", "Which database does Atlas Server use?",
           "Import errors depend on the database: Oracle and SQL Server convert numbers and "
           "dates differently.", "choice", required=True,
           choices=["PostgreSQL", "Oracle", "SQL Server", "MySQL"],
           when={"product": "Atlas Server"}),
        _q("oracle-version", "Which Oracle release, e.g. 19c?",
           "Oracle releases treat empty strings and number formats differently (ORA-01722).",
           when={"database": "Oracle"}, agent_text="Ask for the release: 12c, 19c or 23ai."),
        _q("sample-file", "Please attach a small file that shows the problem.",
           "A sample lets us reproduce the import exactly; remove anything confidential first.",
           "file"),
    ],
    "bug": [
        _q("reproducible", "Does it happen every time?",
           "A problem that happens every time is found quickly; one that comes and goes needs "
           "logs.", "yes_no", required=True,
           keywords={"yes": ["every time", "each time", "always", "jedes Mal", "immer"],
                     "no": ["sometimes", "now and then", "from time to time", "intermittently",
                            "manchmal", "ab und zu"]}),
        _q("screenshot", "A screenshot, if you have one.",
           "A picture shows us what you see, including messages you may not think matter.",
           "file"),
    ],
    "billing": [
        _q("invoice-number", "Which invoice is it about?",
           "The invoice number finds your contract and the lines in question at once.",
           required=True, patterns=[r"\b(INV-\d{4}-\d{4,6})\b"]),
    ],
    "how-to": [
        _q("goal", "What are you trying to achieve?",
           "Knowing the goal lets us suggest the best way, not only answer the question.",
           "long_text", required=True,
           patterns=[r"\b(?:we\s(?:want|would\slike|need)\sto|our\sgoal\sis\sto|"
                     r"wir\smöchten|ich\smöchte)\s([^.!?\n]{5,200})"]),
    ],
}


def create_question_sets(admin: User) -> None:
    """Write and publish version 1 of every demo set that has none yet."""
    sets = [(STANDARD_CATEGORY, STANDARD), *CATEGORY_QUESTIONS.items()]
    for slug, rows in sets:
        category = find_category(slug)
        if category is None or questions.published(category) is not None:
            continue
        questions.write_draft(admin, category, rows)
        questions.publish(admin, category)
