"""How tnef_winmail.eml was made (run by hand, not by the tests).

No Python library writes TNEF, so this builds a minimal winmail.dat by the
[MS-OXTNEF] layout: signature, key, then attributes of
level (1 byte), id (2), type (2), length (4), data, checksum (2, sum of data bytes).
It is the shape Outlook sends with "Rich Text" format: a body and one attachment.
tnefparse reads it back; the parser's tests check the attachment comes out whole.

    python tests/mail/corpus/make_winmail.py > tests/mail/corpus/tnef_winmail.eml
"""

from __future__ import annotations

import base64
import struct
import sys

SIGNATURE = 0x223E9F78
MESSAGE, ATTACHMENT = 1, 2

QUOTE_PDF = b"%PDF-1.4\n% quote 2026-117 for Globex\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attribute(level: int, attribute_id: int, attribute_type: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return (struct.pack("<BHHI", level, attribute_id, attribute_type, len(data)) + data
            + struct.pack("<H", checksum))


def winmail() -> bytes:
    parts = [struct.pack("<IH", SIGNATURE, 0x1234)]
    parts.append(attribute(MESSAGE, 0x9006, 0x0008, struct.pack("<I", 0x00010000)))  # version
    parts.append(attribute(MESSAGE, 0x9007, 0x0006, struct.pack("<II", 1252, 0)))  # OEM codepage
    parts.append(attribute(MESSAGE, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\x00"))
    parts.append(attribute(MESSAGE, 0x800C, 0x0002,
                           "Please find our quote attached. Größe: 1 page.\r\n".encode("cp1252")))
    parts.append(attribute(ATTACHMENT, 0x9002, 0x0006, bytes(14)))  # starts the attachment
    parts.append(attribute(ATTACHMENT, 0x8010, 0x0001, b"Quote 2026-117.pdf\x00"))
    parts.append(attribute(ATTACHMENT, 0x800F, 0x0006, QUOTE_PDF))
    return b"".join(parts)


def main() -> None:
    encoded = base64.encodebytes(winmail()).decode("ascii")
    sys.stdout.write(f"""From: "Smith, Anna" <anna.smith@globex.example>
To: Frontline Support <support@frontline.example>
Subject: Quote for the renewal
Date: Thu, 5 Mar 2026 13:00:00 +0000
Message-ID: <tnef@globex.example>
MIME-Version: 1.0
X-MS-TNEF-Correlator: <tnef@globex.example>
Content-Type: multipart/mixed; boundary="tnef"

--tnef
Content-Type: text/plain; charset="us-ascii"

Please find our quote attached.

--tnef
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Disposition: attachment; filename="winmail.dat"
Content-Transfer-Encoding: base64

{encoded}
--tnef--
""")


if __name__ == "__main__":
    main()
