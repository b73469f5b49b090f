"""What the demo's customers ask and how support answers: the words of the history.

Each `Scenario` is one kind of support request with every line its conversation
needs (the request, the question back, the customer's answer, the internal notes
of tier 2 and engineering, the solution). `flow` says how far up the tiers it
goes; `frontline.demo.history` turns a scenario into one ticket's timed story.
Kept apart from that code so the wording can grow without touching the logic.

Placeholders: `{version}` is the release the request is about (the one the customer
runs, or upgrades to), `{previous}` the release before it (the one they upgraded
from); a scenario with `{previous}` in its subject is an upgrade, asked only by a
customer who has a newer release to upgrade to. `{release}` is the Atlas Cloud
release the customer reads under Help > About (the hosted product has no releases
on record), `{invoice}` the number of their latest invoice.

`complete` holds other wordings of the request, in English and German, from
customers who tell everything support needs at once: who is affected and the
answers to the category's required questions (frontline.demo.questions), in
their own words, as frontline.intake.reading reads them. Some customers write
those, the others the short `body`, so the desk's "complete at first contact"
figure and its follow-up questions tell a believable story.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """One kind of support request, with the words its conversation uses."""

    flow: str  # quick | needs_info | escalate | develop | outage
    category: str
    product: str | None
    subject: str
    body: str
    answer: str
    ask: str = ""
    info: str = ""
    note: str = ""
    dev_note: str = ""
    complete: tuple[str, ...] = ()

    @property
    def upgrade(self) -> bool:
        """An upgrade from one release to a newer one (the subject names both)."""
        return "{previous}" in self.subject


SCENARIOS = [
    Scenario(
        "needs_info", "login", "atlas-server",
        "Cannot log in after upgrade to {version}",
        "Since we upgraded to {version} this morning the login page says 'invalid token' for "
        "everyone except the local admin account. Nothing else was changed.",
        ask="Sorry about that. Could you send us the last 200 lines of atlas.log from the "
            "server and tell us whether you sign in through LDAP or local accounts?",
        info="We use LDAP (Active Directory). Log attached below:\n\n"
             "ERROR auth.ldap: bind failed: certificate verify failed (self signed certificate "
             "in certificate chain)",
        complete=(
            "Since we upgraded to {version} this morning nobody can sign in with their LDAP "
            "password any more; the login page says 'invalid token'. All our users are "
            "affected, everyone is locked out except the built-in admin.",
            "Seit dem Update auf {version} heute früh kann sich niemand mehr mit seinem "
            "Passwort (LDAP) anmelden, die Anmeldeseite meldet 'invalid token'. Alle sind "
            "ausgesperrt, betroffen sind alle Benutzer.",
        ),
        answer="Thanks, the log shows it: {version} verifies the LDAP server's certificate by "
               "default. Add your internal CA under Settings > Authentication > Trusted "
               "certificates (or set ldap.verify_tls=false as a stop-gap) and sign-in works "
               "again.",
    ),
    Scenario(
        "escalate", "login", "atlas-cloud",
        "SAML login loops back to the sign-in page",
        "Users who sign in through our identity provider end up back on the sign-in page. "
        "It started yesterday afternoon. Direct logins still work.",
        ask="We can see the SAML responses arriving. Could you export the SAML metadata from "
            "your identity provider and send us a HAR file of one failed attempt?",
        info="Metadata and HAR file attached. Our IdP team rotated the signing certificate "
             "yesterday, could that be related?",
        note="Assertion signature fails against the old certificate. Customer rotated the IdP "
             "signing cert; the new one is not in their Atlas Cloud tenant.",
        complete=(
            "Since yesterday afternoon my colleagues who sign in through our identity provider "
            "(SAML, Okta) end up back on the sign-in page. Only some people are locked out: "
            "direct logins still work. Atlas Cloud shows release {release} under Help > About.",
            "Seit gestern Nachmittag landen meine Kollegen bei der Anmeldung über SAML (ADFS) "
            "wieder auf der Anmeldeseite. Nur einige sind ausgesperrt, die direkte Anmeldung "
            "funktioniert. Laut Hilfe > Info läuft Atlas Cloud {release}.",
        ),
        answer="That was it: your tenant still trusted the previous signing certificate. We "
               "have uploaded the new one from the metadata you sent; sign-in works again. "
               "Next time you rotate, upload the new certificate under Settings > SSO first.",
    ),
    Scenario(
        "quick", "login", "atlas-cloud",
        "Password reset email never arrives",
        "I requested a password reset three times in the last hour and no email came. "
        "Spam folder is empty too.",
        complete=(
            "I requested a password reset for Atlas Cloud three times in the last hour and no "
            "email came; the spam folder is empty too. It is just me, nobody else is locked "
            "out. Help > About says release {release}.",
        ),
        answer="Our mail logs show your mail server rejected the messages as bulk mail. Please "
               "ask your IT team to allow mail from no-reply@atlas-cloud.example; meanwhile I "
               "have sent you a one-time sign-in link separately.",
    ),
    Scenario(
        "needs_info", "installation", "atlas-server",
        "Installer stops at 'configuring database'",
        "The {version} installer on a fresh server stops at 'configuring database' and never "
        "finishes. We left it for an hour.",
        ask="Which database version do you use, and does the installer's log "
            "(/var/log/atlas/install.log) show anything after 'configuring database'?",
        info="PostgreSQL 16. The log ends with: 'waiting for lock on schema atlas'.",
        complete=(
            "This is a new installation of {version} on a fresh server. The installer stops at "
            "'configuring database' and never finishes, we left it for an hour. It affects "
            "only me for now: I am the admin setting it up.",
            "Neuinstallation von {version} auf einem neuen Server: das Setup bleibt bei "
            "'configuring database' stehen. Betroffen bin nur ich als Administrator, der "
            "Server ist noch nicht in Betrieb.\n\nSchritte:\n1. Installer als root starten\n"
            "2. PostgreSQL als Datenbank wählen\n3. Warten: keine Ausgabe mehr",
        ),
        answer="A previous, interrupted installation still holds a lock. Stop the old "
               "atlas-migrate process (systemctl stop atlas-migrate) and run the installer "
               "again; it resumes where it stopped.",
    ),
    Scenario(
        "develop", "installation", "atlas-server",
        "Upgrade from {previous} to {version} fails during migration 0412",
        "The upgrade aborts with 'duplicate key value violates unique constraint "
        "report_schedule_name' in migration 0412. We restored the backup and are back on "
        "{previous}.",
        ask="Thanks for restoring. Could you run the query below on the {previous} database "
            "and send us the output?\n\nSELECT name, count(*) FROM report_schedule GROUP BY name "
            "HAVING count(*) > 1;",
        info="It returns 14 rows, all schedules that were copied from a template.",
        note="Reproduced with duplicate schedule names. Migration 0412 adds a unique "
             "constraint without de-duplicating first. Needs a code fix: escalating.",
        dev_note="Root cause confirmed: 0412 assumes names are unique, the {previous} "
                 "'copy schedule' action did not enforce it. Fix renames duplicates to "
                 "'name (2)' before adding the constraint; goes out in the next patch release.",
        complete=(
            "Our upgrade from {previous} to {version} aborts in migration 0412 with 'duplicate "
            "key value violates unique constraint report_schedule_name'. We restored the "
            "backup and are back on {previous}; our team is stuck in the maintenance window."
            "\n\nSteps to reproduce:\n1. Stop the services\n2. Run the {version} installer "
            "in upgrade mode\n3. Migration 0412 fails after about two minutes",
            "Beim Update von {previous} auf {version} bricht Migration 0412 ab: 'duplicate key "
            "value violates unique constraint report_schedule_name'. Unser Team hat das "
            "Backup zurückgespielt und arbeitet wieder mit {previous}.",
        ),
        answer="The fix is in the latest patch release: the migration now renames duplicate "
               "schedules ('Weekly sales (2)') before adding the constraint. Please upgrade "
               "straight to it; no manual clean-up is needed.",
    ),
    Scenario(
        "develop", "integrations", "atlas-server",
        "Nightly export job fails with a timeout",
        "Our nightly export to the data warehouse has failed three nights in a row with "
        "'statement timeout'. It ran fine for months.",
        ask="Roughly how many rows does the export table hold now, and when did the failures "
            "start relative to your upgrade to {version}?",
        info="About 40 million rows. The failures started two days after the upgrade.",
        note="{version} changed the export query to sort by updated_at; there is no index on "
             "it. Full scan on 40M rows hits the 30-minute statement timeout.",
        dev_note="Confirmed: the new export query needs an index on (updated_at, id). Adding it "
                 "in a migration; as a workaround CREATE INDEX CONCURRENTLY is safe to run by "
                 "hand.",
        complete=(
            "Our nightly CSV export to the data warehouse has failed three nights in a row with "
            "'statement timeout' since we moved to {version}. The whole company reads those "
            "figures every morning.",
            "Der nächtliche Export (CSV) ins Data Warehouse bricht seit drei Nächten mit "
            "'statement timeout' ab, seit dem Update auf {version}. Mein Team wartet jeden "
            "Morgen auf die Zahlen.",
        ),
        answer="Engineering confirmed the cause (a missing index after {version}). The patch "
               "release adds it; until you upgrade, you can create it by hand:\n\nCREATE INDEX "
               "CONCURRENTLY export_updated_id ON export_rows (updated_at, id);",
    ),
    Scenario(
        "escalate", "integrations", "atlas-cloud",
        "CSV import rejects our file: 'unexpected character in header'",
        "The customer import says 'unexpected character in header' for a file exported from "
        "Excel. The columns look right to us.",
        ask="Could you attach the file (or its first few lines)? Which Excel version and "
            "which 'Save as' type did you use?",
        info="Excel 365, 'CSV UTF-8'. First line: customer_id;name;email",
        note="Two things: Excel's 'CSV UTF-8' writes a byte-order mark, and the file uses "
             "semicolons. The importer handles the BOM but the delimiter is set to comma.",
        complete=(
            "The customer import in Atlas Cloud {release} says 'unexpected character in "
            "header' for a CSV file saved from our spreadsheet. The columns look right to us. "
            "It holds up my team: we cannot load this week's new customers.",
            "Beim Import einer CSV aus unserer Tabellenkalkulation meldet Atlas Cloud "
            "{release} 'unexpected character in header'. Der Fehler tritt nur bei mir auf, "
            "ich pflege die Kundendaten.",
        ),
        answer="Your file uses semicolons as separators (Excel does that in many European "
               "locales). Choose 'Semicolon' under Import > Options > Delimiter and it imports "
               "cleanly.",
    ),
    Scenario(
        "escalate", "performance", "atlas-cloud",
        "Dashboards take over a minute to load",
        "Since Monday our sales dashboards take 60-90 seconds to load, they used to be "
        "instant. Every user sees it.",
        ask="Which dashboards are affected, and do they use the 'all time' date range?",
        info="The ones based on the 'Orders' dataset. Yes, most default to all time.",
        note="The Orders dataset grew past 20M rows after their ERP sync started sending line "
             "items. All-time ranges bypass the aggregate cache.",
        complete=(
            "Since Monday our sales dashboards in Atlas Cloud {release} take 60-90 seconds to "
            "load; they used to be instant. All users see it, with about 40 people online.",
            "Seit Montag brauchen unsere Vertriebs-Dashboards in Atlas Cloud {release} 60 bis "
            "90 Sekunden zum Laden. Alle Nutzer sind betroffen.",
        ),
        answer="The Orders dataset grew twentyfold last week (your ERP now sends line items). "
               "We have enabled pre-aggregation for it, and we suggest a default range of the "
               "last 12 months; dashboards now load in about two seconds.",
    ),
    Scenario(
        "develop", "performance", "atlas-server",
        "Report generation runs out of memory",
        "Generating the quarterly report fails with 'java.lang.OutOfMemoryError: Java heap "
        "space' on {version}. The server has 16 GB.",
        ask="Could you send us the report definition (Reports > Export definition) and the "
            "heap size configured in atlas.conf?",
        info="Definition attached. Heap is -Xmx4g.",
        note="Report has a pivot on customer x product x day: 30M cells held in memory. {previous} "
             "streamed this; {version} materialises it.",
        dev_note="Regression from the new pivot engine: it builds the whole grid before "
                 "writing. Patch streams rows again. Raising the heap to 8g works meanwhile.",
        complete=(
            "Since the upgrade to {version} the quarterly report fails with "
            "'java.lang.OutOfMemoryError: Java heap space'. The server has 16 GB. It hits my "
            "team, we run it every quarter.",
            "Seit dem Update auf {version} bricht der Quartalsbericht mit "
            "'java.lang.OutOfMemoryError: Java heap space' ab (16 GB RAM). Unser Team braucht "
            "ihn für den Abschluss.",
        ),
        answer="This is a regression in {version}'s pivot engine, fixed in the next patch. "
               "Until then, raising the heap to -Xmx8g in atlas.conf lets the report finish.",
    ),
    Scenario(
        "develop", "bug", "beacon-mobile",
        "App crashes on launch after updating to {version}",
        "Since the {version} update the app closes immediately on launch on several of our "
        "iPads. Reinstalling does not help.",
        ask="Which iPadOS version are the affected devices on? Are they managed by an MDM?",
        info="iPadOS 16.7, managed through Intune. iPads on 17 are fine.",
        note="Crash log shows a call to an API only available on iPadOS 17. Reproduced on a "
             "16.7 simulator.",
        dev_note="Guarded the call behind an availability check; also added a 16.x device to "
                 "the release test matrix.",
        complete=(
            "Since the {version} update Beacon closes immediately on launch on several of our "
            "iPads, every time. Reinstalling does not help. It affects my colleagues in the "
            "stores.\n\nSteps:\n1. Install {version} from the App Store\n2. Tap the Beacon "
            "icon\n3. The app closes before the start screen",
            "Seit dem Update auf {version} stürzt die App auf unseren iPads beim Start ab, "
            "jedes Mal. Neu installieren hilft nicht. Betroffen sind alle Mitarbeiter in den "
            "Filialen.",
        ),
        answer="The crash affects iPadOS 16 only and is fixed in the next app update, now in "
               "the App Store review. Updating the devices to iPadOS 17 also avoids it.",
    ),
    Scenario(
        "needs_info", "bug", "beacon-mobile",
        "Push notifications not received on Android",
        "Our drivers stopped getting push notifications on their Android phones. iPhones "
        "still get them.",
        ask="Do the affected phones use battery optimisation or a work profile? Could you send "
            "us the device model and Android version of one of them?",
        info="Samsung Galaxy XCover 6 Pro, Android 14, battery optimisation on (default).",
        complete=(
            "Our drivers stopped getting push notifications from Beacon {version} on their "
            "Android phones; iPhones still get them. It happens every time we dispatch a job, "
            "and all users on Android are affected.",
        ),
        answer="Samsung's battery optimisation puts the app to sleep. Under Settings > Apps > "
               "Beacon > Battery choose 'Unrestricted'; your MDM can push that setting to all "
               "devices.",
    ),
    Scenario(
        "quick", "billing", None,
        "Invoice shows the wrong VAT number",
        "Our latest invoice shows our old VAT number. Could you reissue it with the new one? "
        "Our finance team cannot book it otherwise.",
        complete=(
            "Our latest invoice {invoice} shows our old VAT number. Could you reissue it with "
            "the new one? It is only me who handles billing here, so please send it to me.",
            "Auf unserer letzten Rechnung {invoice} steht noch die alte USt-IdNr. Bitte "
            "stellen Sie sie neu aus, sonst kann sie nicht verbucht werden. Betroffen ist "
            "nur unser Team in der Buchhaltung.",
        ),
        answer="I have updated the VAT number on your account and reissued the invoice; you "
               "will find the corrected copy under Billing > Invoices.",
    ),
    Scenario(
        "quick", "billing", None,
        "Adding 25 seats to our subscription",
        "We are onboarding a new team next month. How do we add 25 seats, and will it be "
        "prorated?",
        complete=(
            "My team grows by 25 people next month. How do we add 25 seats to the contract "
            "on invoice {invoice}, and will they be prorated?",
        ),
        answer="You can add seats any time under Billing > Subscription > Seats; the new seats "
               "are prorated to your renewal date. I can also do it for you if you tell me the "
               "start date.",
    ),
    Scenario(
        "quick", "how-to", "atlas-cloud",
        "How do we send events to our own system with webhooks?",
        "We want our ticketing system to be notified when an order is flagged. Is there a "
        "webhook for that?",
        complete=(
            "We want to notify our ticketing system when an order is flagged in Atlas Cloud "
            "{release}. Is there a webhook for that? It would help my team, who handle "
            "flagged orders.",
            "Wir möchten unser Ticketsystem benachrichtigen, sobald eine Bestellung markiert "
            "wird. Gibt es dafür in Atlas Cloud {release} einen Webhook? Das betrifft mein "
            "Team im Kundenservice.",
        ),
        answer="Yes: Settings > Integrations > Webhooks > Add. Choose the 'order.flagged' "
               "event and your endpoint URL; each delivery is signed (X-Atlas-Signature) so "
               "your side can check it.",
    ),
    Scenario(
        "quick", "how-to", "atlas-server",
        "Can reports be emailed on a schedule?",
        "Is it possible to email the weekly KPI report to a distribution list every Monday "
        "morning?",
        complete=(
            "We would like to email the weekly KPI report to a distribution list every Monday "
            "morning. Is that possible on {version}? The whole company gets that report.",
        ),
        answer="It is: open the report, choose Schedule > Weekly, Monday 07:00, and add the "
               "list's address as a recipient. The server needs outgoing mail configured under "
               "Settings > Mail.",
    ),
    Scenario(
        "outage", "bug", "atlas-server",
        "URGENT: production down, all users get error 502",
        "Phone call: since 20 minutes all users get '502 Bad Gateway'. Production is down for "
        "the whole company.",
        ask="We are on it. Please send the output of 'atlasctl status' and the last lines of "
            "atlas.log.",
        info="atlasctl says the worker pool is 'starting' in a loop. Log: 'disk quota exceeded "
             "on /var/lib/atlas/tmp'.",
        note="Temp directory full: a stuck export wrote 200 GB of spill files. Clearing "
             "/var/lib/atlas/tmp restores service.",
        dev_note="The export spill files are not cleaned up when the job is cancelled. Fix: "
                 "clean up on cancel and cap spill size.",
        complete=(
            "Phone call: since 20 minutes all users get '502 Bad Gateway', every time they "
            "open a page. Production is down for the whole company.",
        ),
        answer="Service is back: the temporary directory was full from a cancelled export's "
               "spill files. Engineering is adding a clean-up on cancel; until then we "
               "recommend monitoring /var/lib/atlas/tmp.",
    ),
]

ACKNOWLEDGEMENTS = [
    "Thanks for the details. I am looking into this now and will get back to you today.",
    "Thank you for reporting this. I have reproduced the behaviour and am checking with our "
    "specialists.",
    "Thanks, we have what we need to start. I will update you as soon as I know more.",
]
ESCALATION_NOTES = [
    "Basic checks done (versions, logs, known issues). Needs a specialist: escalating to tier 2.",
    "Not covered by the knowledge base; customer is blocked. Escalating to tier 2.",
]
ENGINEERING_REPLIES = [
    "Our engineers have confirmed this is a defect and are working on a fix. I will let you "
    "know as soon as it is available.",
    "We have passed this to engineering together with your logs. I will update you when the "
    "fix is scheduled.",
]
STILL_BROKEN = [
    "Unfortunately it is happening again: it started over this morning.",
    "We applied the change but two of our users still see the problem.",
]
FOLLOW_UPS = [
    "Those two users had a cached session; signing out everywhere (Profile > Sessions) clears "
    "it. Everything else from my previous reply still applies.",
    "Thanks for checking. One more step was missing: restart the service after the change. "
    "That should settle it.",
]

# Most requests are answered at the front line; a few need engineering.
FLOW_WEIGHTS = {"quick": 3.0, "needs_info": 2.0, "escalate": 1.5, "develop": 1.0, "outage": 1.0}
