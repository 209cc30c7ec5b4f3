#!/usr/bin/env python3
"""Recount the petition's signatures from a clone, with Python 3's standard library alone.

    python3 scripts/verify/recount.py [--signatures DIR] [--blocked FILE] [--json] [--compare TALLY]
                                      [--open-data SITE]

Reads every signature file under signatures/ (GitHub signatures at <aa>/<bb>/<user id>.md, paper
and email ones at offline/<aa>/<id>.md), checks each as the site's loader does
(scripts/core/signature-file.ts, scripts/core/offline-signature.ts), leaves out blocked accounts
(content/moderation/blocked-accounts.yml), and prints the count, the count per channel, per
country and per day, and the digest that data/tally.json publishes. --compare data/tally.json
(a file or an http(s) URL) checks those figures and exits 1 naming each that differs.
--open-data SITE (a built site's folder or a published site's URL) reads the open data as any
reader would: data/signatures/index.json, then every CSV part it lists, each checked against its
size, SHA-256 and row count; it recounts the signatures and the digest from the CSV alone and
exits 1 naming each way they differ from the files.

This is a second implementation, written from the description in data/tally.json
(digest.description) and the file format, so that nobody has to trust the site's own code. It
reads the subset of YAML the signature processor writes (one `key: value` a line; strings
double-quoted, single-quoted or plain; whole numbers bare) and reports any other file as
unreadable rather than guessing. Where it is simpler than the site's rules (a "character" is a
code point that is not a combining mark, where the site counts grapheme clusters) it can only
disagree on files the processor never writes; every file it leaves out is listed with why.
"""

import argparse
import csv
import datetime
import gzip
import io
import hashlib
import json
import os
import re
import sys
import unicodedata
import urllib.request

MAX_FILE_BYTES = 16 * 1024
NAME_LIMITS = (100, 400, 1200)  # characters, code points, UTF-8 bytes
REASON_LIMITS = (1000, 4000, 12000)
MAX_STACKED_MARKS = 6

# ISO 3166-1 alpha-2, as the site accepts them (scripts/core/countries.ts; a test keeps the two
# lists equal).
COUNTRY_CODES = frozenset(
    """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH
ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT
HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS
LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI
NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG
SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
""".split()
)

GITHUB_PATH = re.compile(r"^(\d{2})/(\d{2})/([1-9]\d{0,15})\.md$")
OFFLINE_PATH = re.compile(r"^offline/([0-9a-f]{2})/([cr][0-9a-f]{40})\.md$")
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
INSTANT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHA256 = re.compile(r"^(?:[0-9a-f]{64})?$")
BATCH = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(?:[ \t]+(.*))?$")
SAFE_INTEGER = 2**53 - 1

CONTROL = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f]")
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff\ufff9-\ufffb]")
URL_LIKE = re.compile(
    r"(?:https?://|www\.|(?<![a-z0-9-])[a-z0-9-]+\.(?:com|net|org|ru|cn|io|info|xyz|top|ly|me|co)\b)",
    re.IGNORECASE | re.ASCII,
)
# What JavaScript's String.prototype.trim removes: its white space and line terminators.
JS_SPACE = "\t\n\u000b\u000c\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


class Unreadable(Exception):
    """A file outside the subset of YAML this recount reads, or not a signature file."""


# --- reading a file -------------------------------------------------------------------------

YAML_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\u0085",
    "_": "\u00a0", "L": "\u2028", "P": "\u2029",
}


def double_quoted(text):
    """A YAML double-quoted scalar (quotes included) on one line, escapes and all."""
    if len(text) < 2 or not text.endswith('"'):
        raise Unreadable("a double-quoted value does not end on its line")
    out = []
    i, end = 1, len(text) - 1
    while i < end:
        ch = text[i]
        if ch == '"':
            raise Unreadable("text after a double-quoted value")
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= end:
            raise Unreadable("a double-quoted value ends in a backslash")
        code = text[i + 1]
        width = {"x": 2, "u": 4, "U": 8}.get(code)
        if width:
            digits = text[i + 2 : i + 2 + width]
            if len(digits) != width or not re.fullmatch(r"[0-9A-Fa-f]+", digits):
                raise Unreadable("a bad \\%s escape" % code)
            out.append(chr(int(digits, 16)))
            i += 2 + width
        elif code in YAML_ESCAPES:
            out.append(YAML_ESCAPES[code])
            i += 2
        else:
            raise Unreadable("an unknown escape \\%s" % code)
    value = "".join(out)
    # JSON.parse and the YAML library read "\ud83d\ude00" as one character: so do we.
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def plain(text):
    """A plain YAML scalar (core schema): null, booleans, numbers or text."""
    value = re.sub(r"[ \t]+#.*$", "", text).strip()
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    if re.fullmatch(r"[-+]?[0-9]+", value):
        return int(value)
    if re.fullmatch(r"0o[0-7]+", value):
        return int(value[2:], 8)
    if re.fullmatch(r"0x[0-9a-fA-F]+", value):
        return int(value[2:], 16)
    if re.fullmatch(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", value):
        return float(value)
    if value[0] in "[]{}&*!|>%@`'\"" or value.startswith("- ") or ": " in value:
        raise Unreadable("a value this recount does not read (%s)" % value[:20])
    return value


def read_front_matter(raw):
    """The fields and body of a signature file's text (LF or CRLF)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw
    if not text.startswith("---\n"):
        raise Unreadable("file does not start with front matter (---)")
    close = text.find("\n---", 3)
    if close < 0:
        raise Unreadable("the front matter does not end (---)")
    header = text[4:close]
    rest = text[close + 4 :]
    newline = rest.find("\n")
    if rest[: newline if newline >= 0 else len(rest)].strip():
        raise Unreadable("text after the closing ---")
    body = rest[newline + 1 :] if newline >= 0 else ""
    fields = {}
    for line in header.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = KEY_LINE.match(line)
        if not match:
            raise Unreadable("a front matter line this recount does not read: %r" % line[:40])
        key, value = match.group(1), (match.group(2) or "").rstrip(" \t")
        if key in fields:
            raise Unreadable("the key %s appears twice" % key)
        if value.startswith('"'):
            fields[key] = double_quoted(value)
        elif value.startswith("'"):
            if len(value) < 2 or not value.endswith("'") or re.search(r"(?<!')'(?!')", value[1:-1]):
                raise Unreadable("a single-quoted value does not end on its line")
            fields[key] = value[1:-1].replace("''", "'")
        else:
            fields[key] = plain(value)
    return fields, body


# --- the text rules (scripts/core/text.ts) --------------------------------------------------


def js_trim(value):
    return value.strip(JS_SPACE + "".join(c for c in set(value) if unicodedata.category(c) == "Zs"))


def normalise(value):
    return js_trim(unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n"))


def too_long(value, limits):
    characters, code_points, size = limits
    if len(value.encode("utf-8", "surrogatepass")) > size or len(value) > code_points:
        return True
    # A user-perceived character: a code point that is not a combining mark (graphemes, nearly).
    return sum(1 for c in value if not unicodedata.category(c).startswith("M")) > characters


def stacked_marks(value):
    run = 0
    for c in value:
        run = run + 1 if unicodedata.category(c).startswith("M") else 0
        if run > MAX_STACKED_MARKS:
            return True
    return False


def text_problem(field, value, is_name):
    limits = NAME_LIMITS if is_name else REASON_LIMITS
    if too_long(value, limits):
        return "%s is longer than %d characters" % (field, limits[0])
    if stacked_marks(value):
        return "%s stacks too many combining marks" % field
    if CONTROL.search(value) or (is_name and re.search("[\t\n]", value)):
        return "%s contains control characters" % field
    if BIDI.search(value):
        return "%s contains bidi characters" % field
    if INVISIBLE.search(value):
        return "%s contains invisible characters" % field
    if is_name and re.match("[=+\\-@\t\r]", value):
        return "%s starts like a spreadsheet formula" % field
    if is_name and URL_LIKE.search(value):
        return "%s contains a web address" % field
    return None


def stored_name_problem(field, value):
    if not isinstance(value, str):
        return "%s is missing or not text" % field
    if value == "":
        return "%s is empty" % field
    problem = text_problem(field, value, True)
    if problem:
        return problem
    if value != normalise(value):
        return "%s is not trimmed NFC text" % field
    return None


def whole(value):
    """An integer the way JavaScript's Number.isSafeInteger sees YAML's number, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    return value if abs(value) <= SAFE_INTEGER else None


def valid_instant(text):
    match = INSTANT.match(text)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    # Date.parse's rules: any day up to 31 in any month, and 24:00:00 for midnight.
    if not (1 <= month <= 12 and 1 <= day <= 31 and minute <= 59 and second <= 59):
        return False
    return hour < 24 or (hour == 24 and minute == 0 and second == 0)


def calendar_day(text):
    if not DAY.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
        return True
    except ValueError:
        return False


# --- the two kinds of signature file --------------------------------------------------------


def github_record(raw, relative):
    match = GITHUB_PATH.match(relative)
    path_id = int(match.group(3)) if match else 0
    low = "%04d" % (path_id % 10000)
    if not match or path_id > SAFE_INTEGER or relative != "%s/%s/%d.md" % (low[2:4], low[0:2], path_id):
        return None, "file is not at signatures/<aa>/<bb>/<user id>.md"
    fields, body = read_front_matter(raw)
    allowed = ["name", "country", "login", "user_id", "issue", "signed_at", "letter_sha256", "channel"]
    unknown = [key for key in fields if key not in allowed]
    if unknown:
        return None, "unexpected field(s): " + ", ".join(unknown)
    if "channel" in fields and fields["channel"] != "github":
        return None, 'channel is not "github"'
    name = fields.get("name")
    problem = stored_name_problem("name", name)
    if problem:
        return None, problem
    country = fields.get("country")
    if not isinstance(country, str) or country not in COUNTRY_CODES:
        return None, "country is not an ISO 3166-1 alpha-2 code"
    login = fields.get("login")
    if not isinstance(login, str) or not LOGIN.match(login):
        return None, "login is not a GitHub login"
    user_id = whole(fields.get("user_id"))
    if user_id is None or user_id <= 0:
        return None, "user_id is not a positive whole number"
    if user_id != path_id:
        return None, "user_id %d does not match the file name (%d)" % (user_id, path_id)
    issue = whole(fields.get("issue"))
    if issue is None or issue <= 0:
        return None, "issue is not a positive whole number"
    signed_at = fields.get("signed_at")
    if not isinstance(signed_at, str) or not valid_instant(signed_at):
        return None, "signed_at is not a UTC time like 2026-11-23T19:00:00Z"
    letter, reason, problem = letter_and_reason(fields, body)
    if problem:
        return None, problem
    return {
        "user_id": user_id, "login": login, "name": name, "country": country, "issue": issue,
        "signed_at": signed_at, "letter_sha256": letter, "reason": reason,
    }, None


def letter_and_reason(fields, body):
    """The letter digest and the reason, shared by online and offline files: (letter, reason, problem)."""
    letter = fields.get("letter_sha256")
    letter = "" if letter is None else letter
    if not isinstance(letter, str) or not SHA256.match(letter):
        return None, None, "letter_sha256 is not a SHA-256 hex digest"
    reason = normalise(body)
    return letter, reason, text_problem("reason", reason, False)


def offline_record(raw, relative):
    match = OFFLINE_PATH.match(relative)
    if not match or match.group(2)[1:3] != match.group(1):
        return None, "file is not at signatures/offline/<aa>/<id>.md"
    record_id = match.group(2)
    fields, body = read_front_matter(raw)
    allowed = ["channel", "name", "country", "signed_at", "batch", "row", "collector", "letter_sha256"]
    unknown = [key for key in fields if key not in allowed]
    if unknown:
        return None, "unexpected field(s): " + ", ".join(unknown)
    channel = fields.get("channel")
    if channel not in ("paper", "email"):
        return None, 'channel is not "paper" or "email"'
    problem = stored_name_problem("name", fields.get("name"))
    if problem:
        return None, problem
    country = fields.get("country")
    if not isinstance(country, str) or country not in COUNTRY_CODES:
        return None, "country is not an ISO 3166-1 alpha-2 code"
    signed_at = fields.get("signed_at")
    if not isinstance(signed_at, str) or not calendar_day(signed_at):
        return None, "signed_at is not a date like 2026-11-23"
    batch = fields.get("batch")
    if not isinstance(batch, str) or not BATCH.match(batch):
        return None, "batch is not a batch id"
    row = whole(fields.get("row"))
    if row is None or row <= 0:
        return None, "row is not a positive whole number"
    if record_id.startswith("r"):
        expected = "r" + hashlib.sha256(("%s\n%d" % (batch, row)).encode("utf-8")).hexdigest()[:40]
        if record_id != expected:
            return None, "the file name does not match batch %s, row %d" % (batch, row)
    problem = stored_name_problem("collector", fields.get("collector"))
    if problem:
        return None, problem
    letter, reason, problem = letter_and_reason(fields, body)
    if problem:
        return None, problem
    return {
        "channel": channel, "id": record_id, "name": fields["name"], "country": country,
        "signed_at": signed_at, "batch": batch, "row": row, "collector": fields["collector"],
        "letter_sha256": letter, "reason": reason,
    }, None


# --- the folder, the blocked list, the tally ------------------------------------------------


def signature_files(folder):
    """Every *.md below the folder but its top README.md, as sorted ("/" path, regular) pairs.

    An entry that is not a regular file (a symbolic link, a pipe, a device) is never opened, as the
    site's loaders never open one: a link could name /dev/zero or a file outside the clone.
    """
    found = []

    def walk(absolute, relative):
        for entry in os.scandir(absolute):
            name = relative + "/" + entry.name if relative else entry.name
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, name)
            elif entry.name.endswith(".md") and name != "README.md":
                found.append((name, entry.is_file(follow_symlinks=False)))

    walk(folder, "")
    return sorted(found)


def blocked_accounts(file):
    """The user ids of content/moderation/blocked-accounts.yml (a YAML list of `- user_id: N` entries)."""
    try:
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return set()
    ids = set()
    for line in text.splitlines():
        match = re.match(r"^\s*(?:-\s+)?user_id:\s*['\"]?(\d+)['\"]?\s*(?:#.*)?$", line)
        if match:
            ids.add(int(match.group(1)))
    return ids


def load(folder, blocked):
    records, skipped = [], []
    for relative, regular in signature_files(folder) if os.path.isdir(folder) else []:
        if not regular:
            skipped.append({"file": relative, "problem": "not a regular file (a link or a submodule)"})
            continue
        with open(os.path.join(folder, relative), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            skipped.append({"file": relative, "problem": "file is larger than %d bytes" % MAX_FILE_BYTES})
            continue
        raw = data.decode("utf-8", "replace")
        try:
            if relative.startswith("offline/"):
                record, problem = offline_record(raw, relative)
            else:
                record, problem = github_record(raw, relative)
        except Unreadable as error:
            record, problem = None, "unreadable by this recount: %s" % error
        if record is None:
            skipped.append({"file": relative, "problem": problem})
        elif "user_id" in record and record["user_id"] in blocked:
            skipped.append({"file": relative, "problem": "the account is blocked"})
        else:
            records.append(record)
    return records, skipped


def js_json(value):
    """JSON.stringify's text for our records: no spaces, non-ASCII as is, the same escapes."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


GITHUB_KEYS = ["user_id", "login", "name", "country", "issue", "signed_at", "letter_sha256", "reason"]
OFFLINE_KEYS = ["channel", "id", "name", "country", "signed_at", "batch", "row", "collector", "letter_sha256", "reason"]


def digest(records):
    """The tally's digest, as data/tally.json's digest.description says."""
    hash_ = hashlib.sha256()
    github = sorted((r for r in records if "user_id" in r), key=lambda r: r["user_id"])
    offline = sorted((r for r in records if "user_id" not in r), key=lambda r: r["id"])
    for record in github:
        hash_.update((js_json({k: record[k] for k in GITHUB_KEYS}) + "\n").encode("utf-8", "surrogatepass"))
    for record in offline:
        hash_.update((js_json({k: record[k] for k in OFFLINE_KEYS}) + "\n").encode("utf-8", "surrogatepass"))
    return hash_.hexdigest()


def tally(records, skipped):
    by_channel = {"github": 0, "paper": 0, "email": 0}
    by_country, by_day = {}, {}
    for record in records:
        by_channel[record.get("channel", "github")] += 1
        by_country[record["country"]] = by_country.get(record["country"], 0) + 1
        day = record["signed_at"][:10]
        by_day[day] = by_day.get(day, 0) + 1
    return {
        "signature_count": len(records),
        "country_count": len(by_country),
        "signatures_by_channel": by_channel,
        "signatures_by_country": dict(sorted(by_country.items())),
        "signatures_by_day": dict(sorted(by_day.items())),
        "digest": digest(records),
        "skipped": skipped,
    }


def compare(ours, source):
    """Lines naming every figure of a published data/tally.json that differs from ours."""
    if re.match(r"^https?://", source):
        with urllib.request.urlopen(source, timeout=60) as response:
            published = json.loads(response.read(16 * 1024 * 1024).decode("utf-8"))
    else:
        with open(source, encoding="utf-8") as handle:
            published = json.load(handle)
    theirs = {
        "signature_count": published.get("signature_count"),
        "country_count": published.get("country_count"),
        "signatures_by_channel": published.get("signatures_by_channel"),
        "signatures_by_country": dict(
            sorted((c.get("code"), c.get("signature_count")) for c in published.get("signatures_by_country", []))
        ),
        "signatures_by_day": {d.get("date"): d.get("signature_count") for d in published.get("signatures_by_day", [])},
        "digest": (published.get("digest") or {}).get("value"),
    }
    return [
        "%s: the files give %s, %s says %s" % (key, json.dumps(ours[key]), source, json.dumps(theirs[key]))
        for key in theirs
        if ours[key] != theirs[key]
    ]


MAX_OPEN_DATA_BYTES = 64 * 1024 * 1024
TEXT_COLUMNS = ("login", "name", "country", "signed_at", "letter_sha256", "reason", "channel", "id", "batch", "collector")


def read_site_file(site, relative):
    """A file of a built site (a folder) or a published one (an http(s) URL), as bytes."""
    if re.match(r"^https?://", site):
        url = site.rstrip("/") + "/" + relative
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read(MAX_OPEN_DATA_BYTES + 1)
    else:
        with open(os.path.join(site, *relative.split("/")), "rb") as handle:
            data = handle.read(MAX_OPEN_DATA_BYTES + 1)
    if len(data) > MAX_OPEN_DATA_BYTES:
        raise ValueError("%s is larger than %d bytes" % (relative, MAX_OPEN_DATA_BYTES))
    return data


def unguard(cell):
    """A text cell a spreadsheet would read as a formula (or one starting with an apostrophe) was
    written with one apostrophe in front: the index's "csv" note. Exactly one is taken off."""
    return cell[1:] if cell.startswith("'") else cell


def csv_record(row):
    """One CSV row back as the record the digest covers."""
    cells = {key: (unguard(value) if key in TEXT_COLUMNS else value) for key, value in row.items()}
    if cells.get("channel") == "github":
        return {"user_id": int(cells["user_id"]), "login": cells["login"], "name": cells["name"],
                "country": cells["country"], "issue": int(cells["issue"]), "signed_at": cells["signed_at"],
                "letter_sha256": cells["letter_sha256"], "reason": cells["reason"]}
    return {"channel": cells["channel"], "id": cells["id"], "name": cells["name"], "country": cells["country"],
            "signed_at": cells["signed_at"], "batch": cells["batch"], "row": int(cells["row"]),
            "collector": cells["collector"], "letter_sha256": cells["letter_sha256"], "reason": cells["reason"]}


def read_open_data(site):
    """Every signature of a site's open data, and every problem met on the way (index, parts)."""
    index = json.loads(read_site_file(site, "data/signatures/index.json").decode("utf-8"))
    problems, records = [], []
    if index.get("format") != "petition-signatures/2":
        problems.append("data/signatures/index.json: format %r is not petition-signatures/2" % index.get("format"))
        return records, problems, index
    expected_first = 1
    for number, part in enumerate(index.get("parts", []), start=1):
        where = "data/signatures/%d.csv.gz" % number
        if part.get("url") != "%d.csv.gz" % number or part.get("first") != expected_first:
            problems.append("%s: the index lists %r from rank %r, expected part %d from rank %d"
                            % (where, part.get("url"), part.get("first"), number, expected_first))
        data = read_site_file(site, where)
        if len(data) != part.get("bytes") or hashlib.sha256(data).hexdigest() != part.get("sha256"):
            problems.append("%s: its size or SHA-256 is not what the index says" % where)
        text = gzip.decompress(data).decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        if len(rows) != part.get("rows"):
            problems.append("%s: holds %d rows, the index says %r" % (where, len(rows), part.get("rows")))
        records.extend(csv_record(row) for row in rows)
        expected_first += len(rows)
    return records, problems, index


def compare_open_data(ours, site):
    """Lines naming every way a site's open data differs from the recount of the files."""
    try:
        records, problems, index = read_open_data(site)
    except (OSError, ValueError, KeyError) as error:
        return ["the open data of %s could not be read: %s" % (site, error)]
    if problems:
        return problems
    theirs = {"signature_count": len(records), "digest": digest(records)}
    lines = ["open data %s: the files give %s, the CSV parts give %s" % (key, json.dumps(ours[key]), json.dumps(theirs[key]))
             for key in theirs if ours[key] != theirs[key]]
    if index.get("signature_count") != ours["signature_count"]:
        lines.append("data/signatures/index.json: signature_count %r, the files give %d"
                     % (index.get("signature_count"), ours["signature_count"]))
    return lines


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signatures", default=os.path.join(root, "signatures"), help="the signatures folder")
    parser.add_argument(
        "--blocked",
        default=os.path.join(root, "content", "moderation", "blocked-accounts.yml"),
        help="the blocked accounts list",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--compare", metavar="TALLY", help="a data/tally.json (file or URL) to check")
    parser.add_argument("--open-data", metavar="SITE", help="a built site's folder or a site's URL whose CSV parts to recount")
    args = parser.parse_args(argv)
    result = tally(*load(args.signatures, blocked_accounts(args.blocked)))
    for skip in result["skipped"]:
        print("skipped %s: %s" % (skip["file"], skip["problem"]), file=sys.stderr)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        channels = result["signatures_by_channel"]
        print("signatures: %d (GitHub %d, paper %d, email %d)" % (
            result["signature_count"], channels["github"], channels["paper"], channels["email"]))
        print("countries:  %d" % result["country_count"])
        print("sha256:     %s" % result["digest"])
    if args.compare and not report(compare(result, args.compare), "matches %s" % args.compare):
        return 1
    if args.open_data and not report(
        compare_open_data(result, args.open_data),
        "the open data of %s gives the same count and digest" % args.open_data,
    ):
        return 1
    return 0


def report(differences, agreed):
    """Prints each difference, or `agreed` when there is none; True when there is none."""
    for line in differences:
        print("DIFFERS " + line, file=sys.stderr)
    if not differences:
        print(agreed, file=sys.stderr)
    return not differences


if __name__ == "__main__":
    sys.exit(main())
