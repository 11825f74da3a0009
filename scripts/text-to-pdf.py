#!/usr/bin/env python3
"""Writes a plain-text file as a simple PDF (Helvetica 10 pt, A4, wrapped at 95 characters).

Used to make the PDF copies of the example contracts (examples/contracts/*.pdf), so the PDF
path of ingest is exercised by a document whose text is known. Windows-1252 text only (the font's WinAnsiEncoding); other characters become '?'.

    scripts/text-to-pdf.py IN.txt OUT.pdf
"""
import re
import sys
import textwrap


def escape(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def main(src, dst):
    lines = []
    text = open(src, encoding="utf-8").read()
    # Unicode spaces and hyphens as the font has them (WinAnsiEncoding is Windows-1252).
    text = re.sub("[\u2000-\u200a\u202f\u205f\u3000]", " ", text).replace("\u2011", "-")
    for raw in text.splitlines():
        lines.extend(textwrap.wrap(raw, 95) or [""])
    per_page = 64
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    objects = []  # bodies, object number = index + 1
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, page in enumerate(pages):
        text = ["BT", "/F1 10 Tf", "12 TL", "50 800 Td"]
        for line in page:
            text.append(f"({escape(line)}) '")
        text.append("ET")
        stream = "\n".join(text).encode("cp1252", errors="replace")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream +
                       b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    open(dst, "wb").write(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
