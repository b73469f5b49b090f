"""What the demo's customers ask and how support answers: the words of the history.

Each `Scenario` is one kind of support request with every line its conversation
needs (the request, the question back, the customer's answer, the internal notes
of tier 2 and engineering, the solution). `flow` says how far up the tiers it
goes; `frontline.demo.history` turns a scenario into one ticket's timed story.
Kept apart from that code so the wording can grow without touching the logic.
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
        answer="That was it: your tenant still trusted the previous signing certificate. We "
               "have uploaded the new one from the metadata you sent; sign-in works again. "
               "Next time you rotate, upload the new certificate under Settings > SSO first.",
    ),
    Scenario(
        "quick", "login", "atlas-cloud",
        "Password reset email never arrives",
        "I requested a password reset three times in the last hour and no email came. "
        "Spam folder is empty too.",
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
        answer="A previous, interrupted installation still holds a lock. Stop the old "
               "atlas-migrate process (systemctl stop atlas-migrate) and run the installer "
               "again; it resumes where it stopped.",
    ),
    Scenario(
        "develop", "installation", "atlas-server",
        "Upgrade from 4.1 to {version} fails during migration 0412",
        "The upgrade aborts with 'duplicate key value violates unique constraint "
        "report_schedule_name' in migration 0412. We restored the backup and are back on 4.1.",
        ask="Thanks for restoring. Could you run the query below on the 4.1 database and send "
            "us the output?\n\nSELECT name, count(*) FROM report_schedule GROUP BY name "
            "HAVING count(*) > 1;",
        info="It returns 14 rows, all schedules that were copied from a template.",
        note="Reproduced with duplicate schedule names. Migration 0412 adds a unique "
             "constraint without de-duplicating first. Needs a code fix: escalating.",
        dev_note="Root cause confirmed: 0412 assumes names are unique, the 4.1 'copy schedule' "
                 "action did not enforce it. Fix renames duplicates to 'name (2)' before adding "
                 "the constraint; goes out in the next patch release.",
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
        info="All dashboards based on the 'Orders' dataset. Yes, most default to all time.",
        note="The Orders dataset grew past 20M rows after their ERP sync started sending line "
             "items. All-time ranges bypass the aggregate cache.",
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
        note="Report has a pivot on customer x product x day: 30M cells held in memory. 4.1 "
             "streamed this; {version} materialises it.",
        dev_note="Regression from the new pivot engine: it builds the whole grid before "
                 "writing. Patch streams rows again. Raising the heap to 8g works meanwhile.",
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
        answer="Samsung's battery optimisation puts the app to sleep. Under Settings > Apps > "
               "Beacon > Battery choose 'Unrestricted'; your MDM can push that setting to all "
               "devices.",
    ),
    Scenario(
        "quick", "billing", None,
        "Invoice shows the wrong VAT number",
        "Our latest invoice shows our old VAT number. Could you reissue it with the new one? "
        "Our finance team cannot book it otherwise.",
        answer="I have updated the VAT number on your account and reissued the invoice; you "
               "will find the corrected copy under Billing > Invoices.",
    ),
    Scenario(
        "quick", "billing", None,
        "Adding 25 seats to our subscription",
        "We are onboarding a new team next month. How do we add 25 seats, and will it be "
        "prorated?",
        answer="You can add seats any time under Billing > Subscription > Seats; the new seats "
               "are prorated to your renewal date. I can also do it for you if you tell me the "
               "start date.",
    ),
    Scenario(
        "quick", "how-to", "atlas-cloud",
        "How do we send events to our own system with webhooks?",
        "We want our ticketing system to be notified when an order is flagged. Is there a "
        "webhook for that?",
        answer="Yes: Settings > Integrations > Webhooks > Add. Choose the 'order.flagged' "
               "event and your endpoint URL; each delivery is signed (X-Atlas-Signature) so "
               "your side can check it.",
    ),
    Scenario(
        "quick", "how-to", "atlas-server",
        "Can reports be emailed on a schedule?",
        "Is it possible to email the weekly KPI report to a distribution list every Monday "
        "morning?",
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
    "Unfortunately it is happening again since this morning.",
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
