"""The web formats: HTTP server, CDN and storage access logs (Apache/nginx, nginx ``log_format``, S3, CloudFront, W3C).

Formats (``FORMATS``): ``combined`` and ``common`` (one reader, in ``clf``: a file may mix both shapes),
``nginx`` (the user's ``log_format``, in ``nginx``), ``s3`` (S3 server access logs, in ``s3``), ``cloudfront``
(standard logs) and ``w3c`` (W3C extended, as IIS writes it), both in ``w3c``. Each ``read`` returns a lazy DuckDB
relation with ``events.COLUMNS``.

How a file is read; no Python code runs per line:

1. ``arrow_lines`` splits the file into lines on ``\\n`` with Arrow (``split_pattern`` over 16 MB chunks, in C)
   and numbers them with NumPy, so ``line`` is the exact 1-based line number, ``wc -l`` style: blank and
   ``#`` lines count, a lone CR does not end a line, one CR before the LF is dropped. Gzip is inflated
   incrementally (recognised by its magic bytes, whatever the name).
2. DuckDB takes those batches (pyarrow feeds them, at most ~128 MB ahead) and does the rest in SQL, on all
   its threads, with the pieces in ``web_sql``: ``try(decode(b))``
   turns the bytes into text (NULL for invalid UTF-8, which is then a rejected row showing its bytes as
   ``\\xHH``); ``string_split`` on ``"`` then on spaces or tabs cuts fields, ``try_strptime`` and
   ``try_cast`` convert them. A line that does not fit (field count, date, status, size) is a row with
   ``ok`` false and ``raw`` = the line, at its number. Only blank lines and W3C directives are dropped.

Measured on 1,000,000 generated combined lines (198 MB; 2 cores shared with other work; DuckDB 1.5.6;
reading to the end with every column aggregated), against GoAccess's ~80,000 lines/s (the end-to-end
comparison is benchmarks/access_logs.py):

- this reader, every column computed: 0.65 s, about 1.5 M lines/s (8 M lines: 5.1 s); gzip: 0.95 s
  (inflation runs beside the parse; ``gzip.decompress`` of that file alone takes 1.1 s). Peak RSS 306,
  310 and 307 MB for 2, 4 and 8 M lines (gzip: 295 and 308 MB for 2 and 4 M).
- DuckDB's CSV reader splitting on ``' '`` with quotes: 0.63 s, but it cannot give line numbers, skips
  blank lines, drops rejects into a side table and lets an unterminated quote run over the next lines.
- ``regexp_extract`` with a 9-group struct: 2.7 s.
- the CSV reader with one VARCHAR column, ``row_number() OVER ()`` and the same SQL: 1.3 s, on one core,
  because the streaming window forces its pipeline onto one thread. It also stops at the first invalid
  UTF-8 byte (or, with ``ignore_errors``, drops the line and shifts every later number), its Latin-1 mode
  refuses bytes 0x80-0x9F, and it counts a lone CR as a line end.

The relation can be run more than once (each run reads the file again); see ``arrow_lines.LineStream`` for
how memory is kept flat while pyarrow feeds DuckDB.

A gzip file that ends early or is corrupt gives its lines up to the damage, then one rejected row,
numbered after them, whose ``raw`` says so: the import records it instead of failing.
"""

from __future__ import annotations

from celtrace.logs import clf, nginx, s3, w3c
from celtrace.logs.formats import Format

FORMATS: list[Format] = [
    Format(
        "cloudfront",
        "Amazon CloudFront standard logs (tab-separated, #Fields header)",
        w3c.sniff_cloudfront,
        w3c.read_cloudfront,
    ),
    Format("w3c", "W3C extended log format, as IIS writes it (#Fields header)", w3c.sniff_w3c, w3c.read_w3c),
    Format("s3", "Amazon S3 server access logs", s3.sniff_s3, s3.read_s3),
    Format(
        "combined", "Apache/nginx combined log format (common lines accepted too)", clf.sniff_combined, clf.read_clf
    ),
    Format("common", "Apache/nginx common log format (combined lines accepted too)", clf.sniff_common, clf.read_clf),
    Format("nginx", "nginx with a custom log_format (give --log-format)", nginx.sniff_never, nginx.read_nginx),
]
"""The web formats, most specific first; "combined" and "common" share one reader (see ``clf.read_clf``)."""
