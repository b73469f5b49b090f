# ruff: noqa: RUF001  (typographic quotes „“ are what people type)
"""Which facts an agent's reply asks the customer for.

    asked_keys("Which version are you on? Version 5.2 fixes the crash.", questions)
        -> ["version"]

The desk warns before a reply asks for a fact the ticket already has (and shows
it, with where it came from); the workflow records what each reply asked (the
`facts_asked` event), which frontline.insights.intake counts as "agents had to
ask it later". Pure Python (no ORM, no I/O), fast enough to run on every reply
and on every pause in typing (well under a millisecond for a reply).

What counts, decided here once:

- Only the agent's own words. Quoted lines ("> ...") and quoted history below an
  attribution or a header block (frontline.core.quotes) are the customer's.
- Only sentences that ask: a question ("Which version are you on?", "Welche
  Version verwenden Sie?"), or a request for information ("Please send us the
  exact error message", "Bitte teilen Sie uns Ihr Betriebssystem mit", "We need
  your database version"), and the items of a list such a sentence introduces.
  A statement ("Version 5.2 fixes this.", "Ihre Version ist betroffen.") asks
  nothing, and neither does a request to *do* something ("Could you upgrade to
  the latest version?", "Bitte starten Sie den Browser neu.").
- Within an asking sentence, only what comes after what makes it ask ("Since
  the database is Oracle, which browser do you use?" asks for the browser).
- Words name keys:
  - built-in terms for the extractor's keys (frontline.intake.extract
    .BUILT_IN_KEYS), English and German. Distinctive ones ("operating system",
    "Fehlermeldung", "how many users") count anywhere in the asking part;
    generic ones ("error", "Schritte", "product", one product name such as
    "Windows") only as the thing asked for: right after which/what/welche or a
    verb of telling or sending ("tell us the exact error", "beschreiben Sie die
    Schritte"), or as an item of an asking list;
  - two or more named alternatives ask for what they are alternatives of
    ("Windows or Mac?", "Chrome oder Firefox?", and a choice question's
    choices: "a new installation or an upgrade?");
  - each question of the category: its key in words ("invoice-number":
    "invoice number") like a distinctive term, the salient words of its text
    and agent text like generic ones. A question whose key is a built-in one is
    found by the built-in terms only: its text ("Which version of the product
    ...") would otherwise make "product" ask for the version.
- "Version" asks for the product's version, not a version it names ("Does
  version 5.2 fix it?"), not the version of something else ("database version",
  "Version von Windows", "Java version") and not a version to come ("the next
  version").

Missing a question costs little (the agent asks what we know; the metric counts
one ask fewer); warning about a question nobody asked costs the agent's trust in
the warning. So where a rule is unsure it leaves the sentence alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from frontline.core.quotes import quote_start

MAX_INPUT = 20_000
# A request may introduce a list of what it asks for; this many items at most.
MAX_LIST_ITEMS = 20


class Askable(Protocol):
    """What asked_keys reads of a question: a Question row, or anything shaped like one
    (an optional `choices` list is read too)."""

    @property
    def key(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def agent_text(self) -> str: ...


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# How strongly a term says what is asked for.
STRONG = "strong"  # anywhere in the asking part of a sentence
WEAK = "weak"  # only as the thing asked for (after which/what, tell us, ...)
NAME = "name"  # a named value: like WEAK, and two of one key are alternatives
CHOICE = "choice"  # a choice of a question: only two of one key ask (alternatives)


# -- built-in terms ------------------------------------------------------------------------

_OS_NAMES = (r"windows(?:\s+server)?|mac\s?os(?:\s?x)?|os\s?x|macs?|linux|ubuntu|debian|red\s?hat"
             r"|rhel|centos|suse|sles|fedora|android|ios|ipados|chrome\s?os")
_DATABASE_NAMES = (r"oracle|postgres(?:ql)?|psql|mysql|maria\s?db|(?:ms\s?)?sql\s?server|mssql"
                   r"|sqlite|db2|mongo\s?db")
_BROWSER_NAMES = (r"chrome|chromium|firefox|safari|edge|internet\s+explorer|ie|opera|brave"
                  r"|vivaldi")

_BUILT_IN: tuple[tuple[str, str, str], ...] = (
    # (key, strength, pattern): the earlier of two terms at one place wins.
    ("product", STRONG, r"product\s?names?|produktnamen?|which\s+of\s+our\s+products"
                        r"|welches\s+unserer\s+produkte"),
    ("version", STRONG, r"version\s?numbers?|versionsnummer\w*|versionsstand\w*|build\s?numbers?"
                        r"|build-?nummer\w*|release\s?numbers?|patch\s?level|patchstand"
                        r"|(?:produkt|software|programm)-?versions?(?:en)?|versions?|versionen"),
    ("os", STRONG, r"operating\s+systems?|betriebssystem\w*|os"),
    ("database", STRONG, r"database\s+servers?|databases?|datenbank\w*|r?dbms"),
    # Not the browser's cache, cookies or console: those are things to clear or open.
    ("browser", STRONG, r"(?:web\s?)?browser(?:s|n|version(?:en)?)?(?![\s-]*(?:cache|cookies?"
                        r"|console|konsole|window|fenster|tabs?|extensions?|erweiterung\w*"
                        r"|add-?ons?|plug-?ins?|settings|einstellungen|history|verlauf|data"
                        r"|daten|zoom)(?!\w))"),
    ("error", STRONG, r"error\s?(?:messages?|codes?|texts?|numbers?|output|details|logs?|dialog)"
                      r"|(?:exact|full|complete|whole|entire)\s+(?:error|message|wording)"
                      r"|errors?\s+(?:that\s+)?you\s+(?:see|get|got|receive|are\s+(?:seeing"
                      r"|getting))|stack\s?traces?|tracebacks?|exceptions?|fehlermeldung\w*"
                      r"|fehlercode\w*|fehlernummer\w*|fehlertext\w*|fehlerausgabe\w*"
                      r"|wortlaut\w*"),
    ("steps", STRONG, r"steps?\s+to\s+reproduce|reproduction\s+steps|repro\s+steps"
                      r"|how\s+to\s+reproduce|how\s+(?:can|could|do)\s+(?:we|i)\s+reproduce"
                      r"|step[\s-]+by[\s-]+step|walk\s+(?:us|me)\s+through"
                      r"|what\s+(?:exactly\s+)?did\s+you\s+do|what\s+were\s+you\s+doing"
                      r"|schritt\s+für\s+schritt|wie\s+genau|reproduktionsschritte"
                      r"|was\s+(?:genau\s+)?haben\s+sie\s+(?:genau\s+)?(?:gemacht|getan)"
                      r"|wie\s+sind\s+sie\s+(?:genau\s+)?vorgegangen|vorgehensweise"
                      r"|wie\s+(?:können|kann|könnten)\s+(?:wir|man|ich)\s+(?:das|es"
                      r"|den\s+fehler|das\s+problem)\s+(?:nachstellen|reproduzieren"
                      r"|nachvollziehen)"),
    ("expected", STRONG, r"expected\s+(?:results?|behaviou?r|outcome)"
                         r"|what\s+(?:did|do|would)\s+you\s+expect|what\s+you\s+expected"
                         r"|what\s+should\s+(?:happen|it\s+do)|erwartete[ns]?\s+(?:ergebnis"
                         r"|verhalten)|was\s+(?:haben|hätten)\s+sie\s+erwartet"
                         r"|was\s+erwarten\s+sie|was\s+sollte\s+(?:passieren|geschehen)"
                         r"|soll-?verhalten|sollzustand"),
    ("actual", STRONG, r"actual\s+(?:results?|behaviou?r|outcome)"
                       r"|what\s+(?:actually\s+)?happen(?:s|ed)(?:\s+instead)?"
                       r"|what\s+(?:do|did)\s+you\s+see(?:\s+instead)?"
                       r"|tatsächliche[ns]?\s+(?:ergebnis|verhalten)|ist-?verhalten|istzustand"
                       r"|was\s+ist\s+(?:denn\s+)?(?:genau\s+|stattdessen\s+|dann\s+)?passiert"
                       r"|was\s+(?:passiert|geschieht)(?:\s+(?:stattdessen|genau|dann))?"),
    ("impact", STRONG, r"how\s+many\s+(?:of\s+your\s+)?(?:users|people|colleagues|employees|staff"
                       r"|customers|seats|persons|accounts|sites|locations)"
                       r"|wie\s+viele\s+(?:ihrer\s+)?(?:benutzer|nutzer|anwender|mitarbeiter\w*"
                       r"|kollegen|personen|kunden|arbeitsplätze|standorte)"
                       r"|who\s+(?:else\s+)?is\s+affected|is\s+everyone\s+affected"
                       r"|are\s+all\s+(?:\w+\s+)?affected|(?:business\s+)?impact"
                       r"|(?:other|all|any|more|several|many)\s+(?:of\s+your\s+)?(?:users|colleagues"
                       r"|people|employees)\s+(?:also\s+|too\s+)?affected"
                       r"|(?:colleagues|others|other\s+users)\s+affected"
                       r"|bei\s+allen\s+(?:benutzern|nutzern|anwendern|mitarbeitern|kollegen)"
                       r"|(?:andere|alle|weitere|mehrere)\s+(?:benutzer|nutzer|anwender|mitarbeiter"
                       r"|kollegen)\s+(?:auch\s+|ebenfalls\s+)?betroffen"
                       r"|auswirkung\w*|wer\s+(?:ist|sind)\s+(?:alles\s+|noch\s+)?betroffen"
                       r"|(?:wie\s+viele|sind\s+alle)\s+[^.?!\n]{0,30}betroffen"
                       r"|how\s+(?:urgent|critical|severe)|wie\s+(?:dringend|kritisch)"
                       r"|dringlichkeit|severity|schweregrad"),
    ("product", WEAK, r"products?|produkte?n?|applications?|anwendung(?:en)?|software|apps?"),
    ("version", WEAK, r"releases?|builds?|patch(?:es)?"),
    ("os", WEAK, r"platforms?|plattform(?:en)?"),
    ("database", WEAK, r"dbs?"),
    ("error", WEAK, r"errors?|fehler[ns]?|meldung(?:en)?|warnings?|warnung(?:en)?"),
    ("steps", WEAK, r"steps?|schritte?n?|vorgehen"),
    ("os", NAME, _OS_NAMES),
    ("database", NAME, _DATABASE_NAMES),
    ("browser", NAME, _BROWSER_NAMES),
)
BUILT_IN_KEYS = frozenset(key for key, _strength, _pattern in _BUILT_IN)
# What has versions of its own: "database version" is not the product's version.
_ENVIRONMENT_KEYS = frozenset({"os", "database", "browser"})


# -- the words that make a sentence ask -----------------------------------------------------

_WH = (r"which|what|whichever|welche[rsnm]?|was\s+für(?:\s+eine?[nmrs]?)?"
       r"|wie\s+laute[nt]")
# Verbs of telling, sending and checking: what follows them is asked for.
_INFO_VERBS_EN = (r"send|tell|provide|share|attach|confirm|give|specify|describe|check|include"
                  r"|paste|forward|add|mention|post|upload|list|explain|clarify|state|name"
                  r"|know|copy|enter|read|look\s+up|find\s+out")
_INFO_VERBS_DE = (r"sende[nt]?|schicke[nt]?|teile[nt]?|nenne[nt]?|gebe[nt]?|gib|übermittel\w*"
                  r"|beschreibe[nt]?|prüfe[nt]?|sage[nt]?|schreibe[nt]?|angeben|mitteilen"
                  r"|kopiere[nt]?|füge[nt]?|hänge[nt]?|anhängen|hinzufügen|bestätige[nt]?"
                  r"|schildere?[nt]?|erkläre[nt]?|wissen|lade[nt]?|hochladen|nachsehen"
                  r"|nachschauen|zukommen")
# In a question, "do you get / see / use ..." asks for what follows too.
_QUESTION_VERBS = (r"get|getting|got|see|seeing|receive|receiving|have|use|using|run|running"
                   r"|bekommen|erhalten|sehen|haben|nutzen|verwenden|einsetzen")
_FILLERS = (r"us|me|the|your|a|an|this|that|these|those|exact|exactly|full|complete|entire|whole"
            r"|precise|any|some|more|all|of|about|for|also|please|again|current|currently"
            r"|installed|used|kind|type|screenshots?|screen\s?shots?|copy|text|wording|does|do"
            r"|did|is|are|was|were|uns|mir|die|den|das|der|dem|des|ihre[nmrs]?|ihr|eine?[nmrs]?"
            r"|genaue[nmrs]?|genau|vollständige[nmrs]?|exakte[nmrs]?|komplette[nmrs]?"
            r"|aktuelle[nmrs]?|installierte[nmrs]?|verwendete[nmrs]?|eingesetzte[nmrs]?|sie"
            r"|bitte|einmal|mal|kurz|noch|auch|art|kopie|bildschirmfotos?|ist|sind|war"
            r"|lautet|lauten")
_GAP = rf"(?:[\s,:]+(?:{_FILLERS})){{0,4}}[\s,:]+$"
_ASKED_AFTER = re.compile(rf"(?<!\w)(?:{_WH}|{_INFO_VERBS_EN}|{_INFO_VERBS_DE}){_GAP}", re.I)
_ASKED_AFTER_IN_QUESTION = re.compile(rf"(?<!\w)(?:{_QUESTION_VERBS}){_GAP}", re.I)

# Verbs of doing: "Could you upgrade ...?" asks for an action, not a fact.
ACTION_VERBS = _word_set("""
    try tried trying retry restart restarted restarting reboot rebooting reinstall reinstalled
    install installed installing update updated updating upgrade upgraded upgrading downgrade
    downgraded downgrading clear cleared clearing delete deleted deleting remove removed removing
    disable disabled disabling enable enabled enabling switch switched switching change changed
    changing set apply applied applying run rerun migrating moving testing
    open close log sign reset test tested deploy roll rollback restore increase decrease raise
    move migrate flush stop start kill wait refresh reload empty activate deactivate uninstall
    grant assign configure adjust modify edit replace rename import export click go navigate
    create save use
    versuchen versucht probieren probiert ausprobieren ausprobiert starten gestartet neustarten
    installieren installiert
    aktualisieren aktualisiert updaten leeren geleert löschen gelöscht deaktivieren aktivieren
    wechseln ändern setzen ausführen öffnen schließen anmelden abmelden zurücksetzen testen
    getestet einspielen verwenden nutzen benutzen klicken speichern erhöhen reduzieren
    entfernen deinstallieren konfigurieren umstellen
""")
_ACTION_GAP = (r"(?:[\s,:]+(?:it|es|with|mit|in|using|to|auf|zu|on|the|a|an|your|ihre[nmrs]?"
               r"|latest|newest|new|neue[nmrs]?|neueste[nmrs]?|another|other|different"
               r"|einen?|anderen?|den|die|das|dem|der)){0,4}[\s,:]+$")
# "Do you use Windows or Mac?" asks which; "Could you use Chrome?" is a request to act,
# which _asks_to_act finds. So what follows "use" is not done-to.
_DONE_TO_VERBS = ACTION_VERBS - {"use", "run", "nutzen", "verwenden", "benutzen"}
_DONE_TO = re.compile(rf"(?<!\w)(?:{'|'.join(sorted(_DONE_TO_VERBS, key=len, reverse=True))})"
                      rf"{_ACTION_GAP}", re.I)

# A request for information, anywhere in a sentence.
_REQUEST = re.compile(
    r"(?<!\w)(?:"
    rf"(?:please|kindly)\s+(?:also\s+|just\s+|first\s+|now\s+)?(?:{_INFO_VERBS_EN}"
    r"|let\s+(?:us|me)\s+know|advise)"
    rf"|(?:could|can|would|will)\s+you\s+(?:please\s+|kindly\s+|also\s+|just\s+|quickly\s+"
    rf"|maybe\s+|perhaps\s+|first\s+|then\s+)*(?:{_INFO_VERBS_EN}|let\s+(?:us|me)\s+know)"
    r"|let\s+(?:us|me)\s+know|walk\s+(?:us|me)\s+through"
    r"|(?:send|tell|give|share|provide|forward|describe|explain)\s+(?:us|me)(?!\w)"
    r"|(?:we|i)(?:['’](?:d|ll)|\s+(?:will|would|also|still|now|first|do|definitely))*"
    r"\s+(?:need|require)\s+(?!to\s+(?!know|see|understand|have|get))"
    r"|(?:we|i)(?:['’]d|\s+would)\s+(?:like|love)\s+to\s+(?:know|see|have|get)"
    r"|it\s+would\s+(?:help|be\s+(?:very\s+)?(?:helpful|useful))"
    r"|(?:may|might|can)\s+i\s+ask|i\s+(?:was\s+)?wonder(?:ing)?"
    rf"|bitte\s+(?:\w+\s+){{0,6}}?(?:{_INFO_VERBS_DE})(?!\w)"
    r"|(?:senden|schicken|teilen|nennen|geben|beschreiben|schildern|übermitteln|bestätigen"
    r"|prüfen|sagen|schreiben|erklären|kopieren|hängen|fügen|laden)\s+sie\s+(?:uns|mir|bitte)"
    r"|lassen\s+sie\s+(?:uns|mich)\s+(?:\w+\s+){0,5}?wissen"
    r"|(?:wir|ich)\s+(?:benötige[n]?|brauche[n]?|bräuchte[n]?)"
    r"|(?:wir|ich)\s+(?:würden?|möchten?|hätten?)\s+(?:gerne?\s+|noch\s+)*(?:wissen|erfahren)"
    r"|(?:es\s+)?wäre\s+(?:sehr\s+)?(?:hilfreich|gut|schön)"
    rf"|(?:können|könnten|würden)\s+sie\s+(?:\w+\s+){{0,6}}?(?:{_INFO_VERBS_DE})(?!\w)"
    r")",
    re.I,
)
# A question word or a question addressed to the reader: where a question starts asking.
_QUESTION_START = re.compile(
    r"(?<!\w)(?:which|what|who|whom|whose|where|when|why|how|welche\w*|was|wer|wen|wem|wessen"
    r"|wo|wann|warum|wieso|weshalb|wie|woher|womit|wodurch"
    r"|(?:do|does|did|can|could|would|will|are|is|were|have|has)\s+you)(?!\w)",
    re.I,
)
_WH_WORD = re.compile(rf"(?<!\w)(?:{_WH}|who|how|wer|wie|where|wo|when|wann)(?!\w)", re.I)
# A request to do something: the verb after "could you", "please", "have you", ...
_ACTION_REQUEST = re.compile(
    r"(?<!\w)(?:(?:could|can|would|will)\s+you\s+(?:please\s+|kindly\s+|also\s+|just\s+"
    r"|quickly\s+|maybe\s+|perhaps\s+|first\s+|now\s+|then\s+)*"
    r"|(?:please|kindly)\s+(?:also\s+|just\s+|first\s+|now\s+)?"
    r"|(?:have|did)\s+you\s+(?:already\s+|also\s+|ever\s+|yet\s+)?"
    r"|bitte\s+)(?P<verb>\w+)"
    r"|(?P<verb2>\w+)\s+sie\s+bitte(?!\w)",
    re.I,
)
_ACTION_FIRST = re.compile(r"^\W*(?P<verb>\w+)(?:\s+sie)?(?!\w)", re.I)
# German puts the verb last: "Können Sie den Browser-Cache leeren?"
_GERMAN_MODAL = re.compile(r"(?<!\w)(?:können|könnten|würden|haben)\s+sie(?!\w)", re.I)
_LAST_WORD = re.compile(r"(\w+)\W*$")

# -- version rules ----------------------------------------------------------------------

_NAMES_A_VERSION = re.compile(r"\s*(?:[:#]|number|nummer|nr\.?|no\.?)?\s*v?\.?\s?\d", re.I)
_OF_SOMETHING = re.compile(r"\s+(?:of|for|von|des|der|vom|für)\s+(?:the\s+|your\s+|ihre[mrns]?\s+"
                           r"|dem\s+|den\s+|die\s+)?(?P<what>[\w.]+)", re.I)
_OTHER_SOFTWARE = _word_set("""
    java jdk jre python node nodejs php net dotnet kernel driver drivers treiber firmware bios
    excel office outlook word kubernetes docker tomcat iis apache nginx ssl tls tomcat jvm
    library bibliothek plugin plug-in
""")
_NOT_YOURS = _word_set("""
    new newer newest next upcoming fixed patched corrected later previous former old older
    neue neuen neuer neues neuere neueren neueste neuesten nächste nächsten korrigierte
    korrigierten spätere späteren vorherige vorherigen alte alten bisherige bisherigen
""")
_VERSION_OF = re.compile(r"(?<!\w)(?:versions?|versionen|releases?)\s+(?:of|von|des|der|vom)"
                         r"\s+(?:the\s+|your\s+|ihre[mrns]?\s+|dem\s+|den\s+|die\s+)?$", re.I)
_VERSION_ALTERNATIVES = re.compile(r"(?<![\w.])v?\d{1,4}(?:\.\d{1,4}){1,3}\s*(?:,|or|oder)\s*"
                                   r"v?\d{1,4}(?:\.\d{1,4}){1,3}(?![\w.])", re.I)
_WORD_BEFORE = re.compile(r"([\w.]+)[\s-]*$")

# -- sentences --------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?]+[\"'”“»)]*(?=\s)")
_ABBREVIATIONS = _word_set("""
    e.g i.e z.b bzw ca etc vs nr no d.h u.a ggf evtl inkl bspw v ver vers approx resp
    usw z.t s.o s.u
""")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–·]|\(?\d{1,2}[.)]|[a-h]\))\s+")


@dataclass(frozen=True)
class _Term:
    key: str
    strength: str


@dataclass(frozen=True)
class _Matcher:
    regex: re.Pattern[str] | None
    terms: tuple[_Term, ...]  # by group index: t0, t1, ...

    def matches(self, sentence: str) -> Iterable[tuple[int, int, _Term, str]]:
        if self.regex is None:
            return
        for match in self.regex.finditer(sentence):
            group = match.lastgroup
            assert group is not None
            yield match.start(), match.end(), self.terms[int(group[1:])], match.group().lower()


def _matcher(terms: Sequence[tuple[str, str, str]]) -> _Matcher:
    if not terms:
        return _Matcher(None, ())
    alternatives = "|".join(f"(?P<t{index}>{pattern})"
                            for index, (_key, _strength, pattern) in enumerate(terms))
    return _Matcher(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I),
                    tuple(_Term(key, strength) for key, strength, _pattern in terms))


_BUILT_IN_MATCHER = _matcher(_BUILT_IN)
_BUILT_IN_WORD = re.compile(rf"(?:{'|'.join(p for _k, _s, p in _BUILT_IN)})", re.I)

# Words of a question's text that say nothing about what it asks for.
_STOP_WORDS = _word_set("""
    about above after again against also always another answer anything anyone around asked
    because been before being below between both could does doing done during each either else
    even every everything exact exactly example first from further have having here into just
    know kind last least like likely many might more most much must need never next often once
    only other over please possible rather really same see seen should show shows since some
    something sometimes still such tell than that their them then there these they thing
    things this those through time times under until very want were what when where which
    while whom whose will with within word words would your yours yourself happen happened
    happens happening usually read paste attach attached give instead
    reproduce send share help support problem problems issue issues information info details
    detail data settings setting account user users customer customers company team number
    name type file files thing system systems service services server servers screen screens
    people person case cases work works working able using used does doesn't don't can't
    aber alle allem allen aller alles also andere anderen auch auf aus bei beim bitte dann
    darum dass dein deine dem den denn der des dessen die dies diese diesem diesen dieser
    dieses doch dort durch eine einem einen einer eines etwas euch euer eure für gegen gibt
    haben hatte hatten hier hinter ihnen ihre ihrem ihren ihrer ihres immer jede jedem jeden
    jeder jedes jetzt kann kein keine können könnte machen mein meine mehr muss nach nicht
    noch nur oder ohne schon sehr sein seine selbst sich sind sodass sollte sondern über
    unser unsere unter viel vom von vor wann warum was weil welche welchem welchen welcher
    welches wenn wer werden wie wieder will wird wo worden wurde zum zur zwischen genau
    bitte geben sagen senden schicken teilen nennen beschreiben problem fehlerhaft frage
    fragen angaben informationen daten einstellung einstellungen benutzer kunde datei
    dateien system systeme server bildschirm passiert passieren
""")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]{4,}", text.lower())


def _phrase(words: Sequence[str]) -> str:
    return r"[\s_-]+".join(re.escape(word) for word in words)


@lru_cache(maxsize=128)
def _question_matcher(spec: tuple[tuple[str, str, str, tuple[str, ...]], ...]) -> _Matcher:
    """Terms of the questions themselves: key words, salient words, choices."""
    strong: list[tuple[str, str, str]] = []
    choices: list[tuple[str, str, str]] = []
    weak: list[tuple[str, str, str]] = []
    taken: set[str] = set()
    for key, text, agent_text, named in spec:
        shown = [" ".join(choice.split()) for choice in named if len(choice.strip()) >= 2]
        if len(shown) >= 2:
            choices.extend((key, CHOICE, re.escape(choice).replace(r"\ ", r"\s+"))
                           for choice in sorted(shown, key=len, reverse=True))
        if key in BUILT_IN_KEYS:
            continue
        key_words = [word for word in re.split(r"[-_]+", key.lower()) if word]
        if not key_words:
            continue
        strong.append((key, STRONG, _phrase(key_words) + r"s?"))
        salient = key_words[:] if len(key_words) > 1 else []
        salient += _words(f"{text} {agent_text}")
        for word in salient:
            if (len(word) < 4 or word in _STOP_WORDS or word in ACTION_VERBS or word in taken
                    or _BUILT_IN_WORD.fullmatch(word)):
                continue
            taken.add(word)
            weak.append((key, WEAK, re.escape(word) + r"(?:s|es|e|en|n)?"))
    return _matcher([*strong, *choices, *weak])


def _spec(questions: Sequence[Any]) -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    found = []
    for question in questions:
        named = getattr(question, "choices", None) or ()
        found.append((str(question.key), str(question.text or ""),
                      str(getattr(question, "agent_text", "") or ""),
                      tuple(str(choice) for choice in named if isinstance(choice, str))))
    return tuple(found)


# -- the agent's own words ---------------------------------------------------------------


def own_lines(text: str) -> list[str]:
    """The agent's lines: quoted lines blanked, quoted history below an attribution or
    a header block dropped (inline answers between quoted lines kept)."""
    lines = text[:MAX_INPUT].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = quote_start(lines)
    if start is not None:
        following = [line for line in lines[start + 1 : start + 4] if line.strip()]
        if following and following[0].lstrip().startswith(">"):
            # Answers between the quoted lines: under the attribution, what is not
            # quoted is the writer's own, up to a history quoted inside that.
            nested = quote_start(lines[start + 1 :])
            end = len(lines) if nested is None else start + 1 + nested
            lines = [*lines[:start], "", *lines[start + 1 : end]]
        else:
            lines = lines[:start]
    return ["" if line.lstrip().startswith(">") else line for line in lines]


_MONTHS = re.compile(r"\s*(?:jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec)",
                     re.I)
_BEFORE_ORDINAL = _word_set("am dem den zum vom ab bis seit der die das im")


def _is_ordinal(before: str, after: str) -> bool:
    """ "am 3. März", "bis zum 12. des Monats": a German ordinal, not a sentence's end
    ("... to PostgreSQL 16. Does that work?" is one)."""
    words = before.lower().split()
    if not words or not words[-1].isdigit() or len(words[-1]) > 2:
        return False
    return bool(_MONTHS.match(after)) or (len(words) > 1 and words[-2] in _BEFORE_ORDINAL)


def sentences(line: str) -> list[str]:
    """A line cut into sentences; not after an abbreviation ("e.g.", "z. B.") or an
    ordinal ("am 3. März")."""
    found: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(line):
        before = line[start : end.start()].rstrip()
        word = before.rsplit(None, 1)[-1].lower().strip("(\"'„“") if before else ""
        if line[end.start()] == "." and (
                word in _ABBREVIATIONS or _is_ordinal(before, line[end.end():])
                or before.lower().endswith(("z. b", "d. h", "u. a", "s. o"))):
            continue
        found.append(line[start : end.end()].strip())
        start = end.end()
    rest = line[start:].strip()
    if rest:
        found.append(rest)
    return [sentence for sentence in found if sentence]


# -- one sentence --------------------------------------------------------------------------


def _is_question(sentence: str) -> bool:
    return sentence.rstrip(" \"'”“»)").endswith("?")


def _asks_to_act(sentence: str) -> bool:
    """A request to do something ("Could you restart it?", "Bitte leeren Sie den Cache.")."""
    for match in _ACTION_REQUEST.finditer(sentence):
        verb = (match.group("verb") or match.group("verb2") or "").lower()
        if verb in ACTION_VERBS:
            return True
    # An imperative ("Restart the service.", "Starten Sie den Dienst neu."); as a
    # question the same words ask ("Nutzen Sie Windows oder Linux?").
    first = _ACTION_FIRST.match(sentence)
    if (first is not None and first.group("verb").lower() in ACTION_VERBS
            and not _is_question(sentence)):
        return True
    if _is_question(sentence) and _GERMAN_MODAL.search(sentence):
        last = _LAST_WORD.search(sentence.rstrip(" ?\"'”“»)"))
        if last is not None and last.group(1).lower() in ACTION_VERBS:
            return True
    return False


def _version_is_asked(sentence: str, start: int, end: int,
                      environment: list[tuple[int, int]]) -> bool:
    """Whether "version" at sentence[start:end] asks for the product's version."""
    if _NAMES_A_VERSION.match(sentence, end):
        return False
    before = _WORD_BEFORE.search(sentence[max(0, start - 40) : start])
    if before is not None:
        word = before.group(1).lower().strip(".")
        if word in _OTHER_SOFTWARE or word in _NOT_YOURS:
            return False
    for _s, e in environment:
        if e <= start and not sentence[e:start].strip(" -"):
            return False
    of = _OF_SOMETHING.match(sentence, end)
    if of is not None:
        what = of.start("what")
        if of.group("what").lower() in _OTHER_SOFTWARE or any(s == what for s, _e in environment):
            return False
    return True


def _governed(prefix: str, question: bool) -> bool:
    """Whether what follows `prefix` is the thing asked for: "which ...", "tell us the
    ...", in a question "do you get ...", and "which version of ..." (Windows)."""
    if _ASKED_AFTER.search(prefix) or (question and _ASKED_AFTER_IN_QUESTION.search(prefix)):
        return True
    of = _VERSION_OF.search(prefix)
    return of is not None and _governed(prefix[: of.start()], question)


def _sentence_keys(sentence: str, matcher: _Matcher, *, listed: bool) -> list[str]:
    """The keys one sentence asks for; `listed`: an item of a list an asking sentence
    introduced, which asks for everything it names."""
    question = _is_question(sentence)
    request = _REQUEST.search(sentence)
    if not (listed or question or request):
        return []
    if not listed and not request and _asks_to_act(sentence) and not _WH_WORD.search(sentence):
        return []
    if listed:
        asking_from = 0
    else:
        starts = [found.start() for found in (request, _QUESTION_START.search(sentence))
                  if found is not None]
        asking_from = min(starts) if starts else 0
        if request is not None and _asks_to_act(sentence[: request.start()]):
            asking_from = request.start()  # "Please restart it and send us the log."
    found = [*_BUILT_IN_MATCHER.matches(sentence), *matcher.matches(sentence)]
    environment = [(start, end) for start, end, term, _text in found
                   if term.key in _ENVIRONMENT_KEYS]
    keys: list[tuple[int, str]] = []
    alternatives: dict[str, set[str]] = {}
    for start, end, term, text in found:
        if start < asking_from:
            continue
        if term.strength in (NAME, CHOICE):
            # "Do you sign in with a password or with single sign-on?": alternatives
            # ask whatever verb they follow.
            alternatives.setdefault(term.key, set()).add(" ".join(text.split()))
        prefix = sentence[max(0, start - 80) : start]
        if _DONE_TO.search(prefix):
            continue  # "restart the browser", "upgrade to the latest version"
        if term.key == "version" and not _version_is_asked(sentence, start, end, environment):
            continue
        if term.strength == CHOICE:
            continue  # "Do you have a password?" asks nothing about how they sign in
        if term.strength != STRONG and not listed and not _governed(prefix, question):
            continue
        keys.append((start, term.key))
    if question and not any(key == "version" for _s, key in keys):
        versions = _VERSION_ALTERNATIVES.search(sentence, asking_from)
        if versions is not None:
            keys.append((versions.start(), "version"))  # "Are you on 5.1 or 5.2?"
    for key, named in alternatives.items():
        if len(named) >= 2:
            keys.append((min(s for s, _e, t, _x in found if t.key == key), key))
    return [key for _start, key in sorted(keys)]


# -- the reply ---------------------------------------------------------------------------


def asked_keys(text: str, questions: Sequence[Askable] = ()) -> list[str]:
    """The fact keys `text` (an agent's reply) asks the customer for, in the order it
    asks them, each once. `questions`: the ticket's questions (the standard ones and
    its category's), whose keys, words and choices count besides the built-in terms."""
    matcher = _question_matcher(_spec(questions))
    keys: list[str] = []
    listing = False  # the items of a list an asking sentence introduced
    items = 0
    for line in own_lines(text):
        if not line.strip():
            continue
        if listing and _LIST_ITEM.match(line) and items < MAX_LIST_ITEMS:
            items += 1
            for sentence in sentences(_LIST_ITEM.sub("", line, count=1)):
                keys.extend(_sentence_keys(sentence, matcher, listed=True))
            continue
        listing, items = False, 0
        found = sentences(line)
        for sentence in found:
            keys.extend(_sentence_keys(sentence, matcher, listed=False))
        last = found[-1] if found else ""
        listing = bool(last) and last.rstrip().endswith((":", "?")) and bool(
            _is_question(last) or _REQUEST.search(last))
    return list(dict.fromkeys(keys))
