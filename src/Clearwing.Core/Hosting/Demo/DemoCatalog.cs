namespace Clearwing.Hosting;

/// <summary>The finders of the demo program: two static analyzers (SARIF), a fuzzer and an AI model (native findings).</summary>
internal enum DemoFinder
{
    CodeQl,
    Semgrep,
    Fuzzer,
    Model,
}

/// <summary>
/// A kind of flaw, as each finder names it (a null rule: that finder does not see this kind). Messages and evidence are
/// templates: {fn} the function, {file} the file, {input} what the project parses, {n} and {m} sizes.
/// </summary>
/// <param name="Vector">The CVSS vector a person sets on confirmation; {UI} is the project's user interaction.</param>
/// <param name="Total">SSVC technical impact: total control (else partial).</param>
/// <param name="Quality">A code-quality rule, not a security one: its cases stay out of the queue (docs/signal.md).</param>
internal sealed record FlawKind(
    string Cwe, string Name, string Severity, double SecuritySeverity,
    string? CodeQl, string? Semgrep, string? Crash, string? ModelRule,
    string ToolMessage, string ModelMessage, string[] Snippets, string Vector, bool Total, bool Quality = false)
{
    public string? Rule(DemoFinder finder) => finder switch
    {
        DemoFinder.CodeQl => CodeQl,
        DemoFinder.Semgrep => Semgrep,
        DemoFinder.Fuzzer => Crash,
        _ => ModelRule,
    };
}

/// <summary>A place flaws are found: a file and a function in it.</summary>
internal sealed record DemoSite(string File, string Function);

/// <summary>
/// A project of the demo program and the org that maintains it: its sources (sites), the kinds of flaw its language has,
/// its finders, the disclosure profile it runs on, and the package its downstream users install.
/// </summary>
/// <param name="Package">The package URL (without a version) products carry, and <paramref name="Ranges"/> the vers ranges cases affect.</param>
/// <param name="UserInteraction">CVSS UI for its flaws: a TLS peer needs none, an image must be opened.</param>
internal sealed record DemoProject(
    string Name, string Team, string Member, string Repository, string Profile, string Input, string UserInteraction,
    string Package, string[] Ranges, string[] FixedVersions, DemoFinder[] Finders, FlawKind[] Kinds, DemoSite[] Sites,
    string[] Callers, int Flaws, int NewFlaws);

/// <summary>The demo program's content: orgs, projects, the flaws their languages have, and the products downstream ships.</summary>
internal static class DemoCatalog
{
    public const string Coordinator = "clearwing-coordination";
    public const string Validator = "northgate-validation";
    public const string Hospital = "st-aurelia-hospital";
    public const string Distro = "larkspur-linux";
    public const string Admin = "admin@clearwing.example";
    public const string Triager = "triage@clearwing.example";
    public const string Analyst = "analyst@northgate.example";
    public const string HospitalMember = "secops@st-aurelia.example";
    public const string DistroMember = "security@larkspur.example";

    /// <summary>Memory-safety flaws of C code, as CodeQL, a libFuzzer harness under AddressSanitizer and a model report them.</summary>
    static readonly FlawKind[] C =
    [
        new("CWE-787", "Heap buffer overflow (write)", "critical", 9.8, "cpp/overrunning-write", null, "Heap-buffer-overflow WRITE {w}",
            "heap-overflow",
            "This 'memcpy' writes up to {n} bytes into a buffer of {m} bytes: the length comes from the {input} and is not checked in {fn}.",
            "In {fn}, the length field of the {input} is used as the copy size without comparing it to the destination's capacity " +
            "({m} bytes); a crafted {input} overflows the heap buffer with attacker-chosen bytes.",
            ["memcpy(out + off, in, len);", "memcpy(ctx->buf + ctx->used, data, n);", "memcpy(dst->data, src, hdr.length);"],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:{UI}/S:U/C:H/I:H/A:H", Total: true),
        new("CWE-125", "Heap buffer overflow (read)", "high", 7.5, "cpp/overflow-buffer", null, "Heap-buffer-overflow READ {w}", "out-of-bounds-read",
            "This call to 'memcmp' may read {n} bytes past the end of its {m}-byte source in {fn}.",
            "{fn} reads a {w}-byte field at an offset taken from the {input} without checking that the offset plus {w} stays " +
            "inside the {m}-byte buffer; heap memory next to it is read and can leak into the output.",
            ["len = load_be32(p + off);", "if (memcmp(p, tag, 4) == 0)", "v = buf[pos + 3];"],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:{UI}/S:U/C:H/I:N/A:L", Total: false),
        new("CWE-190", "Integer overflow in size computation", "high", 8.1, "cpp/tainted-arithmetic", null, "Integer-overflow", "integer-overflow",
            "A value read from the {input} flows to an arithmetic expression that may overflow: the product is used as an allocation size in {fn}.",
            "The product of width, height and bytes per pixel in {fn} is computed in 32 bits: values from the {input} above " +
            "65535 wrap it, the buffer is allocated too small, and the rows written after it overflow the heap.",
            ["size = w * h * bpp;", "total = count * sizeof(*ent);", "need = hdr_len + body_len + 5;"],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:{UI}/S:U/C:H/I:H/A:H", Total: true),
        new("CWE-416", "Use after free", "critical", 9.0, "cpp/use-after-free", null, "Heap-use-after-free READ 8", "use-after-free",
            "Memory pointed to by 'ctx->pending' may have been freed on the error path before this use in {fn}.",
            "When the {input} ends early, the error path in {fn} frees the pending buffer but leaves the pointer in the context; " +
            "the next call reads through the stale pointer.",
            ["ctx->cb(ctx->pending, len);", "if (s->session->ticket != NULL)", "frame->next->prev = frame;"],
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:{UI}/S:U/C:H/I:H/A:H", Total: true),
        new("CWE-415", "Double free", "high", 8.1, "cpp/double-free", null, "Attempting double-free", "double-free",
            "Memory pointed to by 'buf' may already have been freed on the error path when it is freed again in {fn}.",
            "Both the error path and the cleanup in {fn} free the same decoded buffer when the {input} is truncated after its header.",
            ["free(ext->data);", "tv_free(list);", "vista_free(row_buf);"],
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:{UI}/S:U/C:H/I:H/A:H", Total: true),
        new("CWE-476", "NULL pointer dereference", "medium", 5.9, "cpp/inconsistent-null-check", null, "Null-dereference READ", "null-dereference",
            "The result of this call is dereferenced without a NULL check in {fn}, although it is checked in {m} other places.",
            "{fn} dereferences the result of the lookup without checking it; an {input} naming an unknown entry crashes the process.",
            ["n = tbl->entries[id]->len;", "ext->parse(ctx, ext->data);", "p = find_chunk(img, tag)->data;"],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:{UI}/S:U/C:N/I:N/A:H", Total: false),
        new("CWE-789", "Uncontrolled memory allocation", "medium", 6.5, "cpp/uncontrolled-allocation-size", null,
            "Out-of-memory (malloc(4294967295))", "uncontrolled-allocation",
            "This allocation size is derived from the {input} and might overflow or exhaust memory in {fn}.",
            "{fn} allocates as many bytes as the {input} declares, up to 4 GiB, before reading any of them; a few bytes of input " +
            "make the process allocate gigabytes.",
            ["buf = malloc(declared_len);", "tbl = calloc(n, sizeof(*tbl));", "if (!(p = tv_alloc(hdr.size)))"],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:{UI}/S:U/C:N/I:N/A:H", Total: false),
        new("CWE-674", "Uncontrolled recursion", "medium", 6.5, null, null, "Stack-overflow", "unbounded-recursion",
            "", "{fn} recurses once per nested element of the {input} with no depth limit; a deeply nested {input} exhausts the stack.",
            ["return parse_nested(p, end, depth + 1);", "rc = walk(node->child);"],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:{UI}/S:U/C:N/I:N/A:H", Total: false),
        new("CWE-457", "Use of uninitialized variable", "medium", 5.3, "cpp/uninitialized-local", null, "Use-of-uninitialized-value", null,
            "The variable 'len' may be used uninitialized in {fn}.", "",
            ["if (flags & FLAG_LAST)", "out->len = len;"],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:{UI}/S:U/C:L/I:N/A:N", Total: false),
        new("CWE-130", "Length field inconsistent with the data", "high", 7.5, null, null, null, "length-mismatch",
            "", "{fn} trusts the length in the {input}'s header up to 2^14+2048 bytes, but the buffer it decrypts into holds " +
            "2^14; an oversized record is accepted and decrypted past the end of the buffer.",
            ["if (rec_len > MAX_CIPHERTEXT) return ERR_RECORD_OVERFLOW;", "body_len = load_be16(hdr + 3);"],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:{UI}/S:U/C:N/I:L/A:H", Total: false),
        new("CWE-208", "Timing side channel in a secret comparison", "medium", 5.9, null, null, null, "timing-side-channel",
            "", "{fn} compares the MAC with memcmp, which returns at the first differing byte; the time taken tells an attacker " +
            "how many leading bytes of a forged MAC are right.",
            ["if (memcmp(mac, expected, mac_len) != 0)", "return memcmp(tag, calc, 16) == 0;"],
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", Total: false),
        new("CWE-401", "Memory leak on an error path", "low", 3.7, "cpp/memory-may-not-be-freed", null, "Direct-leak", null,
            "This memory allocated in {fn} may not be released on the error path at line {n}.", "",
            ["return ERR_DECODE;", "goto out;"],
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:{UI}/S:U/C:N/I:N/A:L", Total: false),
        new("CWE-121", "Stack buffer overflow", "critical", 9.8, "cpp/very-likely-overrunning-write", null, "Stack-buffer-overflow WRITE 1",
            "stack-overflow",
            "This 'sprintf' may write up to {n} bytes into the {m}-byte stack buffer 'name' in {fn}.",
            "{fn} formats a name from the {input} into a {m}-byte stack buffer with sprintf; a long name overwrites the return address.",
            ["sprintf(name, \"%s:%s\", prefix, value);", "strcpy(tmp, field);"],
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:{UI}/S:U/C:H/I:H/A:H", Total: true),
        new("", "Unused static function", "low", 0, "cpp/unused-static-function", null, null, null,
            "Static function {fn} is unreachable.", "", ["static int {fn}_legacy(void)"], "", Total: false, Quality: true),
    ];

    /// <summary>Web-framework flaws of Python code, as CodeQL, Semgrep and a model report them.</summary>
    static readonly FlawKind[] Python =
    [
        new("CWE-89", "SQL injection", "critical", 9.8, "py/sql-injection",
            "python.lang.security.audit.formatted-sql-query.formatted-sql-query", null, "sql-injection",
            "This SQL query depends on a user-provided value and is built by string formatting in {fn}.",
            "{fn} interpolates the caller's column name into the ORDER BY clause; a request parameter passed straight through " +
            "from a list view reaches it unquoted, so '?sort=id;DROP TABLE' runs.",
            ["sql += f\" ORDER BY {field} {direction}\"", "cursor.execute(\"SELECT * FROM %s WHERE %s\" % (table, clause))",
                "return self.raw(f\"{self.base} WHERE {expr}\")"],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N", Total: true),
        new("CWE-22", "Path traversal", "high", 7.5, "py/path-injection",
            "python.flask.security.injection.path-traversal-open.path-traversal-open", null, "path-traversal",
            "This path depends on a user-provided value and may reach files outside the static root in {fn}.",
            "{fn} joins the URL path to the static root and opens it without resolving '..' segments or symlinks; " +
            "'/static/..%2f..%2fetc/passwd' serves any file the server can read.",
            ["return open(os.path.join(self.root, name), \"rb\")", "full = self.root / request.path_params[\"path\"]"],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", Total: false),
        new("CWE-79", "Cross-site scripting", "medium", 6.1, "py/reflective-xss",
            "python.flask.security.audit.directly-returned-format-string.directly-returned-format-string", null, "cross-site-scripting",
            "Cross-site scripting vulnerability due to a user-provided value returned unescaped from {fn}.",
            "{fn} marks the joined string safe after formatting user-supplied values into it, so the template engine no longer " +
            "escapes them.",
            ["return Markup(\"<li>%s</li>\" % item)", "return mark_safe(sep.join(values))"],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", Total: false),
        new("CWE-601", "Open redirect", "medium", 6.1, "py/url-redirection",
            "python.django.security.injection.open-redirect.open-redirect", null, "open-redirect",
            "Untrusted URL redirection depends on a user-provided value in {fn}.",
            "{fn} accepts '//evil.example' as a relative URL, since it only checks that the target starts with '/'.",
            ["return redirect(request.args.get(\"next\", \"/\"))", "if target.startswith(\"/\"): return Redirect(target)"],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", Total: false),
        new("CWE-502", "Deserialization of untrusted data", "critical", 9.0, "py/unsafe-deserialization",
            "python.lang.security.deserialization.pickle.avoid-pickle", null, "unsafe-deserialization",
            "Unsafe deserialization depends on a user-provided value in {fn}.",
            "{fn} unpickles the session cookie once its signature checks out, and the signing key defaults to a constant when " +
            "SECRET_KEY is unset; anyone can then forge a cookie that runs code.",
            ["return pickle.loads(base64.b64decode(payload))", "data = pickle.loads(signer.unsign(raw))"],
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", Total: true),
        new("CWE-1333", "Inefficient regular expression", "medium", 5.3, "py/polynomial-redos", null, null, "regex-denial-of-service",
            "This regular expression that depends on a user-provided value may run slow on strings with many repetitions of ' ' in {fn}.",
            "The header pattern in {fn} has nested quantifiers; a 40 KB header takes the worker minutes to reject.",
            ["_param = re.compile(r'(?:\\s*;\\s*(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|[^;]*))*')", "m = BOUNDARY_RE.match(header)"],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", Total: false),
        new("CWE-918", "Server-side request forgery", "high", 8.6, "py/full-ssrf",
            "python.requests.security.ssrf-requests.ssrf-requests", null, "server-side-request-forgery",
            "The full URL of this request depends on a user-provided value in {fn}.",
            "{fn} fetches any URL a user registers as a webhook, including http://169.254.169.254/, and returns the body in the " +
            "delivery log.",
            ["resp = requests.get(url, timeout=self.timeout)", "return urlopen(hook.target).read()"],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:H/SI:N/SA:N", Total: false),
        new("CWE-209", "Stack trace exposure", "medium", 5.3, "py/stack-trace-exposure", null, null, null,
            "Stack trace information flows to this location and may be exposed to an external user in {fn}.", "",
            ["return Response(traceback.format_exc(), status=500)"],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", Total: false),
        new("CWE-312", "Clear-text logging of sensitive data", "medium", 4.9, "py/clear-text-logging-sensitive-data", null, null, null,
            "This expression logs sensitive data (password) as clear text in {fn}.", "",
            ["logger.info(\"login %s %s\", user, password)", "log.debug(\"headers: %r\", request.headers)"],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", Total: false),
        new("CWE-614", "Cookie without the Secure flag", "low", 3.1, "py/insecure-cookie",
            "python.flask.security.audit.secure-set-cookie.secure-set-cookie", null, null,
            "Cookie is added without the Secure attribute in {fn}.", "",
            ["response.set_cookie(self.cookie_name, value, httponly=True)"],
            "CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:P/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", Total: false),
        new("CWE-78", "OS command injection", "high", 8.8, "py/command-line-injection",
            "python.lang.security.audit.subprocess-shell-true.subprocess-shell-true", null, "command-injection",
            "This command line depends on a user-provided value and runs in a shell in {fn}.",
            "{fn} passes the watched file's name to a shell; a file named '$(curl …)' in the project folder runs commands.",
            ["subprocess.run(f\"{cmd} {path}\", shell=True)", "os.system(\"touch \" + marker)"],
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", Total: true),
        new("CWE-640", "Password reset poisoning via the Host header", "high", 8.1, null, null, null, "host-header-poisoning",
            "", "{fn} builds the reset link from the request's Host header, which the client controls; the victim's email then " +
            "carries a link to the attacker's host with a valid token.",
            ["url = f\"{request.scheme}://{request.host}/reset/{token}\"", "link = request.build_absolute_uri(path)"],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N", Total: true),
        new("CWE-352", "CSRF check bypass", "high", 7.1, null, "python.django.security.audit.csrf-exempt.no-csrf-exempt", null, "csrf-bypass",
            "Detected a view exempt from CSRF protection in {fn}.",
            "{fn} accepts a request whose Origin header is 'null' as same-origin, so a sandboxed iframe can post forms.",
            ["if origin in (None, \"null\") or origin == self.allowed:", "@csrf_exempt"],
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N", Total: false),
        new("CWE-328", "Weak hash for passwords", "medium", 5.9, "py/weak-sensitive-data-hashing",
            "python.lang.security.audit.md5-used-as-password.md5-used-as-password", null, null,
            "Sensitive data is used in a hashing algorithm (MD5) that is insecure for passwords in {fn}.", "",
            ["return hashlib.md5(salt + password).hexdigest()"],
            "CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", Total: false),
        new("", "Unused import", "low", 0, "py/unused-import", null, null, null,
            "Import of 'typing' is not used in {file}.", "", ["from typing import Any  # {fn}"], "", Total: false, Quality: true),
    ];

    public static readonly DemoProject[] Projects =
    [
        new("tessera-tls", "tessera-maintainers", "lead@tessera-tls.example", "https://git.example.org/tessera/tessera-tls.git", "project-zero",
            "TLS record", "N", "pkg:deb/debian/libtessera-tls3", ["vers:deb/>=3.3.0-1|<3.4.2-1", "vers:deb/>=3.4.0-1|<3.4.2-1", "vers:deb/<3.4.2-1"],
            ["3.4.2", "3.4.3"], [DemoFinder.CodeQl, DemoFinder.Fuzzer, DemoFinder.Model], C,
            Sites(("src/ssl/record.c", ["tls_record_read", "tls_record_decrypt", "tls_record_write", "tls_record_check_padding"]),
                ("src/ssl/handshake.c", ["tls_parse_handshake_header", "tls_process_client_hello", "tls_process_server_hello",
                    "tls_process_certificate_verify"]),
                ("src/ssl/extensions.c", ["tls_ext_parse_alpn", "tls_ext_parse_sni", "tls_ext_parse_key_share", "tls_ext_parse_psk"]),
                ("src/ssl/session_ticket.c", ["ticket_decrypt", "ticket_parse"]),
                ("src/dtls/reassembly.c", ["dtls_reassemble_fragment", "dtls_record_replay_check"]),
                ("src/x509/parse.c", ["x509_parse_extensions", "x509_parse_san", "x509_parse_validity"]),
                ("src/x509/name.c", ["x509_name_to_string", "x509_name_compare"]),
                ("src/asn1/der.c", ["der_read_length", "der_read_integer", "der_read_oid", "der_skip_nested"]),
                ("src/crypto/rsa_pad.c", ["rsa_pkcs1_unpad", "rsa_oaep_decode"]),
                ("src/crypto/ecdsa.c", ["ecdsa_verify_asn1", "ecdsa_sig_from_der"]),
                ("src/crypto/hmac.c", ["hmac_verify", "hmac_final"]),
                ("src/ocsp/response.c", ["ocsp_parse_single_response", "ocsp_check_nonce"]),
                ("src/pem/decode.c", ["pem_decode_base64", "pem_read_bio"]),
                ("src/bio/buffer.c", ["bio_buffer_grow", "bio_read_line"])),
            ["tls_handshake_step src/ssl/handshake.c:211", "tls_read_bytes src/ssl/record.c:96", "LLVMFuzzerTestOneInput fuzz/client_fuzzer.c:41"],
            Flaws: 125, NewFlaws: 14),
        new("libvista", "vista-imaging", "maintainer@vista-imaging.example", "https://git.example.org/vista/libvista.git", "oss-fuzz",
            "PNG chunk", "R", "pkg:deb/debian/libvista-image2", ["vers:deb/<2.8.4-1", "vers:deb/>=2.8.0-1|<2.8.4-1"],
            ["2.8.4", "2.8.5"], [DemoFinder.CodeQl, DemoFinder.Fuzzer, DemoFinder.Model], C,
            Sites(("src/png/chunk.c", ["png_read_chunk_header", "png_handle_iCCP", "png_handle_tEXt", "png_handle_PLTE", "png_handle_tRNS"]),
                ("src/png/inflate.c", ["png_inflate_idat", "png_zstream_grow"]),
                ("src/png/filter.c", ["png_unfilter_paeth", "png_unfilter_row"]),
                ("src/png/apng.c", ["apng_read_fctl", "apng_blend_frame"]),
                ("src/jpeg/huffman.c", ["jpeg_decode_huffman", "jpeg_build_huffman_table"]),
                ("src/jpeg/marker.c", ["jpeg_read_sof", "jpeg_read_dqt", "jpeg_read_app1"]),
                ("src/jpeg/progressive.c", ["jpeg_decode_ac_refine", "jpeg_decode_dc_first"]),
                ("src/gif/lzw.c", ["gif_lzw_decode", "gif_lzw_reset"]),
                ("src/gif/frames.c", ["gif_read_image_descriptor", "gif_compose_frame"]),
                ("src/webp/vp8l.c", ["vp8l_read_huffman_codes", "vp8l_decode_transform"]),
                ("src/tiff/ifd.c", ["tiff_read_ifd", "tiff_read_strip_offsets"]),
                ("src/exif/exif.c", ["exif_parse_ifd_entry", "exif_read_maker_note"]),
                ("src/core/image.c", ["image_alloc_pixels", "image_resize_bilinear"]),
                ("src/core/icc.c", ["icc_parse_tag_table", "icc_read_curve"])),
            ["vista_decode_png src/png/read.c:88", "vista_decode src/core/decode.c:142", "LLVMFuzzerTestOneInput fuzz/decode_fuzzer.c:24"],
            Flaws: 125, NewFlaws: 14),
        new("harbor-web", "harbor-web-team", "security@harbor-web.example", "https://git.example.org/harbor/harbor-web.git", "coordinator",
            "HTTP request", "N", "pkg:pypi/harbor-web", ["vers:pypi/>=4.0.0|<4.2.3", "vers:pypi/<4.2.3"],
            ["4.2.3", "4.2.4"], [DemoFinder.CodeQl, DemoFinder.Semgrep, DemoFinder.Model], Python,
            Sites(("harbor/orm/query.py", ["QueryBuilder.order_by", "QueryBuilder.where_raw", "QueryBuilder.extra", "QueryBuilder.annotate"]),
                ("harbor/orm/backends/postgres.py", ["PostgresBackend.quote_name", "PostgresBackend.explain"]),
                ("harbor/static/handler.py", ["StaticFileHandler.resolve_path", "StaticFileHandler.serve"]),
                ("harbor/uploads/storage.py", ["FileSystemStorage.save", "FileSystemStorage.url_for"]),
                ("harbor/templating/filters.py", ["render_markdown", "mark_safe_join"]),
                ("harbor/templating/errors.py", ["debug_error_page", "render_traceback"]),
                ("harbor/routing/redirect.py", ["redirect_next", "safe_redirect"]),
                ("harbor/sessions/cookie.py", ["SignedCookieSession.load", "SignedCookieSession.save"]),
                ("harbor/http/multipart.py", ["parse_content_disposition", "MultipartParser.read_headers"]),
                ("harbor/http/request.py", ["Request.host", "Request.build_absolute_uri"]),
                ("harbor/auth/password_reset.py", ["send_reset_email", "verify_reset_token"]),
                ("harbor/auth/hashers.py", ["LegacyHasher.encode", "LegacyHasher.verify"]),
                ("harbor/middleware/csrf.py", ["CsrfMiddleware.check_origin", "CsrfMiddleware.process_view"]),
                ("harbor/webhooks/fetch.py", ["fetch_remote", "WebhookClient.deliver"]),
                ("harbor/admin/export.py", ["export_csv", "export_json"]),
                ("harbor/cli/runserver.py", ["run_reloader", "watch_files"]),
                ("harbor/logging/request_log.py", ["log_request", "log_login"])),
            [], Flaws: 120, NewFlaws: 12),
    ];

    static DemoSite[] Sites(params (string File, string[] Functions)[] files) =>
        [.. files.SelectMany(f => f.Functions.Select(function => new DemoSite(f.File, function)))];

    /// <summary>Why a person rejects a finding as a false positive.</summary>
    public static readonly string[] FalsePositives =
    [
        "The length is bounded by the caller, which rejects inputs over the limit before this point.",
        "Only compiled with the legacy option, which no supported build enables.",
        "The value is a compile-time constant here; the analyzer cannot see the macro.",
        "The sanitizer report comes from the fuzz harness's own setup, not the library.",
        "The input is escaped by the template layer before it reaches this call.",
    ];

    /// <summary>Products and their components, as CycloneDX describes them: (ref, name, version, purl, the refs it depends on).</summary>
    public static readonly (string Org, string Product, string Version, (string Name, string Version, string Purl, string[] DependsOn)[] Components,
        string[] Direct)[] Products =
    [
        (Hospital, "patient-portal", "5.2.0",
        [
            ("harbor-web", "4.2.1", "pkg:pypi/harbor-web@4.2.1", ["markupsafe", "itsdangerous"]),
            ("harbor-thumbnails", "1.1.0", "pkg:pypi/harbor-thumbnails@1.1.0", ["harbor-web", "libvista-image2"]),
            ("tessera-py", "3.4.1", "pkg:pypi/tessera-py@3.4.1", ["libtessera-tls3"]),
            ("gunicorn", "22.0.0", "pkg:pypi/gunicorn@22.0.0", ["packaging"]),
            ("psycopg", "3.2.1", "pkg:pypi/psycopg@3.2.1", ["libpq5", "typing-extensions"]),
            ("requests", "2.32.3", "pkg:pypi/requests@2.32.3", ["urllib3", "idna", "certifi", "charset-normalizer"]),
            ("pydantic", "2.8.2", "pkg:pypi/pydantic@2.8.2", ["pydantic-core", "typing-extensions", "annotated-types"]),
            ("markupsafe", "2.1.5", "pkg:pypi/markupsafe@2.1.5", []),
            ("itsdangerous", "2.2.0", "pkg:pypi/itsdangerous@2.2.0", []),
            ("packaging", "24.1", "pkg:pypi/packaging@24.1", []),
            ("urllib3", "2.2.2", "pkg:pypi/urllib3@2.2.2", []),
            ("idna", "3.7", "pkg:pypi/idna@3.7", []),
            ("certifi", "2024.7.4", "pkg:pypi/certifi@2024.7.4", []),
            ("charset-normalizer", "3.3.2", "pkg:pypi/charset-normalizer@3.3.2", []),
            ("pydantic-core", "2.20.1", "pkg:pypi/pydantic-core@2.20.1", ["typing-extensions"]),
            ("typing-extensions", "4.12.2", "pkg:pypi/typing-extensions@4.12.2", []),
            ("annotated-types", "0.7.0", "pkg:pypi/annotated-types@0.7.0", []),
            ("libpq5", "15.8-0+deb12u1", "pkg:deb/debian/libpq5@15.8-0%2Bdeb12u1?arch=amd64&distro=debian-12", ["libtessera-tls3", "libc6"]),
            ("libtessera-tls3", "3.4.1-2", "pkg:deb/debian/libtessera-tls3@3.4.1-2?arch=amd64&distro=debian-12", ["libc6"]),
            ("libvista-image2", "2.8.3-1", "pkg:deb/debian/libvista-image2@2.8.3-1?arch=amd64&distro=debian-12", ["zlib1g", "libc6"]),
            ("zlib1g", "1:1.2.13.dfsg-1", "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12", ["libc6"]),
            ("libc6", "2.36-9+deb12u7", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12", []),
        ],
        ["harbor-web", "harbor-thumbnails", "tessera-py", "gunicorn", "psycopg", "requests", "pydantic"]),
        (Hospital, "pacs-viewer", "11.4.2",
        [
            ("libdcmtk17", "3.6.7-9", "pkg:deb/debian/libdcmtk17@3.6.7-9?arch=amd64&distro=debian-12",
                ["libvista-image2", "libtessera-tls3", "libc6"]),
            ("libqt6gui6", "6.4.2+dfsg-10", "pkg:deb/debian/libqt6gui6@6.4.2%2Bdfsg-10?arch=amd64&distro=debian-12", ["libpng16-16", "libc6"]),
            ("libvista-image2", "2.7.5-1", "pkg:deb/debian/libvista-image2@2.7.5-1?arch=amd64&distro=debian-12", ["zlib1g", "libc6"]),
            ("libtessera-tls3", "3.3.9-1", "pkg:deb/debian/libtessera-tls3@3.3.9-1?arch=amd64&distro=debian-12", ["libc6"]),
            ("libpng16-16", "1.6.39-2", "pkg:deb/debian/libpng16-16@1.6.39-2?arch=amd64&distro=debian-12", ["zlib1g"]),
            ("zlib1g", "1:1.2.13.dfsg-1", "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12", ["libc6"]),
            ("libc6", "2.36-9+deb12u7", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12", []),
        ],
        ["libdcmtk17", "libqt6gui6"]),
        (Distro, "larkspur-13-container-base", "13.2",
        [
            ("libtessera-tls3", "3.4.1-2", "pkg:deb/debian/libtessera-tls3@3.4.1-2?arch=amd64&distro=debian-12", ["libc6"]),
            ("libvista-image2", "2.8.3-1", "pkg:deb/debian/libvista-image2@2.8.3-1?arch=amd64&distro=debian-12", ["zlib1g", "libc6"]),
            ("python3.11", "3.11.2-6+deb12u2", "pkg:deb/debian/python3.11@3.11.2-6%2Bdeb12u2?arch=amd64&distro=debian-12",
                ["libtessera-tls3", "libc6"]),
            ("harbor-web", "4.1.7", "pkg:pypi/harbor-web@4.1.7", ["markupsafe"]),
            ("markupsafe", "2.1.2", "pkg:pypi/markupsafe@2.1.2", []),
            ("ca-certificates", "20230311", "pkg:deb/debian/ca-certificates@20230311?arch=all&distro=debian-12", []),
            ("zlib1g", "1:1.2.13.dfsg-1", "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12", ["libc6"]),
            ("libc6", "2.36-9+deb12u7", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12", []),
        ],
        ["libtessera-tls3", "libvista-image2", "python3.11", "harbor-web", "ca-certificates", "zlib1g", "libc6"]),
    ];
}
