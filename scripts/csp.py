#!/usr/bin/env python3
"""Trunk's post-build hook: gives the page a content security policy.

Scripts may come only from the site itself, plus WebAssembly compilation ('wasm-unsafe-eval')
and the one inline module Trunk writes to load the app, allowed by its hash (computed here,
after Trunk wrote it, so the policy always matches the build). The policy goes into the page as
a <meta> tag, so every host serves it, and into dist/_headers for hosts that read that file.
Styles may be inline: the UI sets style attributes (bar widths, colours), never scripts."""

import base64
import hashlib
import os
import re
import sys

staging = os.environ["TRUNK_STAGING_DIR"]
index = os.path.join(staging, "index.html")
with open(index, encoding="utf-8") as f:
    html = f.read()

inline = re.findall(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", html, re.S)
hashes = [
    "'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode()
    for s in inline
]
policy = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",  # the thread pool's workers start from a blob: copy of their script
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
)

anchor = '<meta charset="utf-8" />'
if anchor not in html:
    sys.exit("csp.py: index.html has no %s to put the policy after" % anchor)
meta = '<meta http-equiv="Content-Security-Policy" content="%s" />' % policy
html = html.replace(anchor, anchor + "\n    " + meta, 1)
with open(index, "w", encoding="utf-8") as f:
    f.write(html)

headers = os.path.join(staging, "_headers")
if os.path.exists(headers):
    with open(headers, "a", encoding="utf-8") as f:
        f.write("  Content-Security-Policy: %s\n" % policy)
print("csp.py: %d inline script(s) allowed by hash" % len(hashes))
