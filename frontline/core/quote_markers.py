# ruff: noqa: RUF001, RUF003  (Cyrillic, Greek, Turkish, CJK letters and full-width colons are the point)
"""What mail clients write above quoted history and below a reply, per language.

Only vocabulary lives here; `frontline.core.quotes` decides how the words count
(an attribution needs a date or an address, a header block needs a "From" and a
"Sent" line, a mobile line must stand near the end). Adding a language is adding
its words below and a case to `tests/core/replies/`.

The words are those the clients themselves produce: Gmail, Outlook (desktop, web,
mobile), Apple Mail and iOS, Thunderbird, Yahoo, GMX/Web.de, Yandex, Mail.ru, QQ/Foxmail,
in English, German, French, Spanish, Catalan, Portuguese, Italian, Dutch, Norwegian,
Swedish, Danish, Finnish, Polish, Czech, Slovak, Russian, Ukrainian, Croatian,
Hungarian, Turkish, Greek, Romanian, Indonesian, Vietnamese, Lithuanian, Estonian,
Japanese, Chinese, Korean, Hebrew and Arabic.
"""

from __future__ import annotations

# "<prefix> ... <verb>:" attribution lines. The verb (a pattern that must end the
# line, before the colon) is required; the prefix, the word a client starts the line
# with, is used to tell a wrapped attribution from a sentence above it.
ATTRIBUTIONS: tuple[tuple[str, str], ...] = (
    # "On Tue, Mar 3, 2026 at 10:12 AM Lena <l@x> wrote:";
    # Lotus Notes: "Lena <l@x> wrote on 03/03/2026 10:12:23 AM:"
    (r"on\b", r"\bwrote(?:\s+on\b.*)?"),
    (r"", r"\bquoting\b.*"),  # Horde: "Quoting Lena <l@x>:"
    # "Am 3. März 2026 um 10:12 schrieb Lena <l@x>:";
    # Yahoo: "Am Dienstag, 3. März 2026, 10:12 MEZ hat Lena <l@x> Folgendes geschrieben:"
    (r"am\b", r"\b(?:schrieb\b.*|folgendes\s+geschrieben)"),
    (r"zitat\s+von\b", r"^zitat\s+von\b.*"),  # Horde
    (r"le\b", r"\ba\s+écrit"),  # "Le mar. 3 mars 2026 à 10:12, Lena <l@x> a écrit :"
    (r"el\b", r"\bescribió"),  # "El mar, 3 mar 2026 a las 10:12, Lena (<l@x>) escribió:"
    (r"el\b", r"\bva\s+escriure"),  # Catalan
    (r"il\b", r"\bha\s+scritto"),  # "Il giorno mar 3 mar 2026 alle ore 10:12 Lena ha scritto:"
    (r"op\b", r"\b(?:schreef\b.*|het\s+volgende\s+geschreven)"),  # Dutch (Gmail, Apple Mail)
    (r"(?:em|no\s+dia)\b", r"\bescreveu"),  # Portuguese
    (r"w\s+dniu\b", r"\b(?:napisał(?:\(a\)|a)?|pisze)"),  # Polish (Gmail, Thunderbird)
    (r"den\b", r"\bskrev\b.*"),  # Swedish, Norwegian, Danish
    (r"dne\b", r"\b(?:napsal(?:\(a\)|a)?|napísal(?:\(a\)|a)?)"),  # Czech, Slovak
    (r"στις\b", r"\bέγραψε"),  # Greek
    (r"pe\b", r"\ba\s+scris"),  # Romanian
    (r"pada\b", r"\bmenulis"),  # Indonesian
    (r"vào\b", r"\bđã\s+viết"),  # Vietnamese
    (r"", r"(?:пишет|написал(?:\(а\)|а)?)"),  # Russian
    (r"", r"(?:пише|написав(?:\(ла\))?|написала)"),  # Ukrainian
    (r"", r"\bkirjoitti\b.*"),  # Finnish: "Lena <l@x> kirjoitti 3.3.2026 kello 10.12:"
    (r"", r"\bkirjutas\b.*"),  # Estonian
    (r"", r"\brašė"),  # Lithuanian
    (r"", r"\brakstīja"),  # Latvian
    (r"", r"\b(?:je\s+)?napisa(?:o|la)(?:\s+je)?"),  # Croatian, Serbian, Bosnian
    (r"", r"\bírta\b.*"),  # Hungarian: "Lena <l@x> ezt írta (időpont: 2026. márc. 3., K, 10:12):"
    (r"", r"\byazdı"),  # Turkish: "... tarihinde şunu yazdı:"
    (r"", r"님이\s*작성"),  # Korean
    (r"", r"のメール"),  # Japanese (Apple Mail): "2026/03/03 10:12、Lena <l@x>のメール:"
    (r"", r"(?:写道|寫道)"),  # Chinese: "Lena <l@x> 于2026年3月3日周二 10:12写道："
)

# A word (or stem) of every verb above, lower case: a line with none of them is no
# attribution, which a substring test tells faster than the expressions.
ATTRIBUTION_WORDS = (
    "wrote", "quoting", "schrieb", "geschrieben", "zitat", "écrit", "escribió", "escriure",
    "scritto", "schreef", "geschreven", "escreveu", "napisa", "pisze", "skrev", "napsal",
    "napísal", "έγραψε", "scris", "menulis", "viết", "пиш", "напис", "kirjoitti", "kirjutas",
    "rašė", "rakstīja", "írta", "yazdı", "작성", "のメール", "写道", "寫道",
)

# "-----Original Message-----", "---------- Forwarded message ---------", with the
# dashes; also accepted without dashes when a header line follows (BlackBerry).
BANNER_PHRASES = (
    "original message", "forwarded message", "ursprüngliche nachricht", "originalnachricht",
    "weitergeleitete nachricht", "message d'origine", "message original", "message transféré",
    "mensaje original", "mensaje reenviado", "missatge original", "messaggio originale",
    "messaggio inoltrato", "oorspronkelijk bericht", "origineel bericht", "doorgestuurd bericht",
    "mensagem original", "mensagem encaminhada", "wiadomość oryginalna", "oryginalna wiadomość",
    "wiadomość przekazana dalej", "wiadomość przekazana", "opprinnelig melding",
    "videresendt melding", "oprindelig meddelelse", "videresendt besked",
    "videresendt meddelelse", "ursprungligt meddelande", "vidarebefordrat meddelande",
    "alkuperäinen viesti", "välitetty viesti", "původní zpráva", "přeposlaná zpráva",
    "původní e-mail", "pôvodná správa", "preposlaná správa", "исходное сообщение",
    "пересылаемое сообщение",
    "пересланное сообщение", "вихідне повідомлення", "оригінальне повідомлення",
    "переслане повідомлення", "orijinal ileti", "iletilen ileti", "eredeti üzenet",
    "továbbított levél", "αρχικό μήνυμα", "προωθημένο μήνυμα", "mesaj original",
    "mesaj redirecționat", "pesan asli", "pesan yang diteruskan", "元のメッセージ",
    "転送されたメッセージ", "원본 메시지", "전달된 메시지", "原始邮件", "原始郵件", "原始信件",
    "转发的邮件", "轉寄的郵件",
)

# Apple Mail's forward, "Begin forwarded message:", localised.
FORWARD_BANNERS = (
    "begin forwarded message", "anfang der weitergeleiteten nachricht",
    "début du message réexpédié", "début du message réenvoyé", "début du message transféré",
    "inicio del mensaje reenviado", "inizio messaggio inoltrato", "begin doorgestuurd bericht",
    "início da mensagem reencaminhada", "início da mensagem encaminhada",
    "początek przekazanej wiadomości", "начало переадресованного сообщения",
    "початок пересланого повідомлення", "vidarebefordrat brev", "videresendt melding",
    "videresendt e-mail", "välitetty viesti alkaa", "转发的邮件", "転送されたメッセージ",
)

# The labels of Outlook-style header blocks ("From: / Sent: / To: / Subject:"), by role.
HEADER_LABELS: dict[str, tuple[str, ...]] = {
    "from": (
        "from", "von", "de", "de la", "da", "van", "od", "от", "від", "från", "fra",
        "lähettäjä", "kimden", "feladó", "από", "dari", "šalje", "מאת", "من", "差出人",
        "发件人", "寄件者", "寄件人", "보낸 사람",
    ),
    "sent": (
        "sent", "date", "gesendet", "datum", "envoyé", "enviado", "enviado el", "enviada em",
        "enviado em", "fecha", "inviato", "data", "verzonden", "verstuurd", "wysłano",
        "data wysłania", "отправлено", "дата", "надіслано", "skickat", "sendt", "dato",
        "lähetetty", "päivämäärä", "odesláno", "odoslané", "poslano", "gönderildi", "tarih",
        "elküldve", "dátum", "στάλθηκε", "ημερομηνία", "trimis", "dikirim", "tanggal", "נשלח",
        "تم الإرسال", "التاريخ", "送信日時", "发送时间", "日期", "寄件日期", "傳送時間", "時間",
        "보낸 날짜",
    ),
    "to": (
        "to", "an", "à", "a", "para", "per", "aan", "do", "till", "til", "кому", "vastaanottaja",
        "komu", "kime", "címzett", "προς", "către", "kepada", "prima", "אל", "إلى", "宛先",
        "收件人", "收件者", "받는 사람", "cc", "bcc", "kopie", "kopi", "kopio", "копия", "копія",
        "dw", "másolat", "κοιν", "抄送", "副本",
    ),
    "subject": (
        "subject", "betreff", "objet", "sujet", "asunto", "oggetto", "onderwerp", "assunto",
        "temat", "тема", "ämne", "emne", "aihe", "předmět", "predmet", "konu", "tárgy", "θέμα",
        "subiect", "perihal", "נושא", "الموضوع", "件名", "主题", "主旨", "제목",
    ),
}

# A mobile client's line under the reply ("Sent from my iPhone"). Each names the client,
# so "Sent with priority shipping ..." in a customer's own text is not one.
# A device: "iPhone", "Galaxy Tab S9", "BlackBerry 10 smartphone." (no clause after it).
_DEVICE = r"\S[^,;]{0,40}"
_OUTLOOK_APP = (
    r"outlook\s+(?:for|für|pour|para|per|voor|för|dla(?:\s+systemu)?|для|pro|za)\s+(?:ios|android)"
)
MOBILE_SIGNATURES = (
    rf"sent from my {_DEVICE}",
    r"sent from (?:mail for windows|outlook|yahoo mail|samsung mobile|my mobile device)\b.{0,60}",
    r"sent (?:with|via|from) (?:proton\s?mail|spark|blackberry|superhuman|airmail|blue\s?mail"
    r"|the samsung|samsung|newton|edison mail|aquamail|fairemail)\b.{0,80}",
    rf"(?:get|hent|skaffa|hanki|obtenir|télécharger|obtener|descargar|obter|scarica|pobierz|"
    rf"получить|отримати|stáhnout|descarcă|unduh)\s+(?:the\s+|o\s+|l')?{_OUTLOOK_APP}.{{0,60}}",
    rf"{_OUTLOOK_APP}\s+(?:herunterladen|downloaden|laden).{{0,60}}",
    rf"von meinem {_DEVICE} gesendet", rf"gesendet von (?:meinem )?{_DEVICE}",
    rf"gesendet mit der {_DEVICE}",
    rf"envoyé de mon {_DEVICE}", rf"envoyé depuis mon {_DEVICE}",
    rf"enviado desde mi {_DEVICE}", rf"enviado (?:do|de) meu {_DEVICE}",
    rf"inviato da(?:l mio)? {_DEVICE}",
    rf"(?:verzonden|verstuurd) (?:vanaf|met) (?:mijn )?{_DEVICE}",
    rf"sendt fra min {_DEVICE}", rf"skickat från min {_DEVICE}",
    r"lähetetty (?:laitteesta )?\S+(?:sta|stä)\b.{0,40}",
    rf"wysłane z (?:mojego )?{_DEVICE}", rf"odesláno z (?:mého )?{_DEVICE}",
    rf"odoslané z (?:môjho )?{_DEVICE}", rf"отправлено с (?:моего )?{_DEVICE}",
    rf"надіслано з (?:мого )?{_DEVICE}", rf"στάλθηκε από (?:το )?{_DEVICE}",
    rf"trimis de pe {_DEVICE}", r"\S{1,30}(?:'|’)?(?:umdan|ümden|imden|ımdan) gönderildi",
    r"\S{1,30}-?(?:ról|ről) küldve", r"\S{1,30}から送信", r"(?:나의 )?\S{1,30}에서 보냄",
    r"(?:发自我的|來自我的|寄自我的)\S{1,30}", r"从我的\S{1,30}发送",
)
