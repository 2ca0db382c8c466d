use super::*;

fn site_pages() -> BTreeMap<String, String> {
    [
        ("briefings/x.md", "/briefings/x/"),
        ("issues/sanctions.md", "/issues/sanctions/"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn render_with(
    body: &str,
    base_path: &str,
    links: &[(&str, &str)],
    max: usize,
) -> (Rendered, Vec<Problem>) {
    let pages = site_pages();
    let inline_links: Vec<(String, String)> = links
        .iter()
        .map(|(p, u)| (p.to_string(), u.to_string()))
        .collect();
    let ctx = RenderContext {
        pages: &pages,
        base_path,
        inline_links: &inline_links,
        max_inline_links: max,
    };
    render(body, &ctx)
}

fn html(body: &str) -> String {
    render_with(body, "/", &[], 0).0.html
}

fn xref(body: &str, links: &[(&str, &str)], max: usize) -> String {
    render_with(body, "/", links, max).0.html
}

#[test]
fn renders_basic_markdown() {
    let (r, p) = render_with("# Hi\n\nSome *text*.", "/", &[], 0);
    assert!(p.is_empty());
    assert_eq!(
        r.html,
        "<h1 id=\"hi\">Hi</h1>\n<p>Some <em>text</em>.</p>\n"
    );
}

// --- headings -------------------------------------------------------------

#[test]
fn slugs_are_lowercase_ascii_words() {
    assert_eq!(slugify("Hello, World!"), "hello-world");
    assert_eq!(slugify("Über die EU’s Rolle"), "uber-die-eus-rolle");
    assert_eq!(slugify("  2026: talks -- resume "), "2026-talks-resume");
    assert_eq!(slugify("???"), "");
    // same result as content::slugify on Latin text; more scripts beyond it
    let sample = "Oman’s talks: Round 2 — Zürich";
    assert_eq!(slugify(sample), crate::content::slugify(sample));
    assert_eq!(slugify("Straße in Київ"), "strasse-in-kiyiv");
}

#[test]
fn heading_ids_are_unique_and_explicit_ids_win() {
    let body =
        "# Talks\n\n## Talks\n\n## Talks\n\n## Other {#talks-1}\n\n## `code` and *em*\n\n## ???\n";
    let (r, problems) = render_with(body, "/", &[], 0);
    assert!(problems.is_empty(), "{problems:?}");
    let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "talks",
            "talks-2",
            "talks-3",
            "talks-1",
            "code-and-em",
            "section"
        ]
    );
    assert_eq!(r.headings[4].text, "code and em");
    assert_eq!(r.headings[1].level, 2);
    assert!(
        r.html.contains("<h2 id=\"talks-1\">Other</h2>"),
        "{}",
        r.html
    );
}

#[test]
fn duplicate_explicit_ids_are_reported_and_made_unique() {
    let (r, problems) = render_with("# A {#x}\n\n# B {#x}\n", "/", &[], 0);
    assert_eq!(r.headings[1].id, "x-1");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].offset, 10);
}

// --- internal links ---------------------------------------------------------

#[test]
fn internal_links_resolve_under_base_path() {
    let (r, p) = render_with(
        "See [x](@/briefings/x.md#talks) and [y](@/issues/sanctions.md).",
        "/briefs/",
        &[],
        0,
    );
    assert!(p.is_empty());
    assert!(
        r.html.contains("href=\"/briefs/briefings/x/#talks\""),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("href=\"/briefs/issues/sanctions/\""),
        "{}",
        r.html
    );
    let (r, _) = render_with("[x](@/briefings/x.md) [e](@/briefings/%78.md)", "/", &[], 0);
    assert!(
        r.html.contains("<a href=\"/briefings/x/\">e</a>"),
        "{}",
        r.html
    );
    assert!(r.html.contains("href=\"/briefings/x/\""), "{}", r.html);
}

#[test]
fn missing_internal_link_is_a_problem_and_renders_as_text() {
    let body = "Intro.\n\nSee [the talks](@/briefings/nope.md) now, and [x](@/other/x.md).";
    let (r, problems) = render_with(body, "/", &[], 0);
    assert_eq!(problems.len(), 2);
    assert_eq!(problems[0].offset, body.find("[the talks]").unwrap());
    assert!(problems[0].message.contains("@/briefings/nope.md"));
    assert!(problems[0].hint.is_some());
    assert_eq!(
        problems[1].hint.as_deref(),
        Some("did you mean `@/briefings/x.md`?")
    );
    assert!(
        r.html.contains("<p>See the talks now, and x.</p>"),
        "{}",
        r.html
    );
}

// --- sanitising -------------------------------------------------------------

#[test]
fn sanitising_removes_scripts_handlers_and_dangerous_urls() {
    let body = "<script>alert(1)</script>\n\n<p onclick=\"evil()\">hi <a href=\"javascript:alert(1)\">x</a></p>\n\n\
                <iframe src=\"https://evil.example\"></iframe><style>p{}</style>\n\n\
                [a](javascript:alert(2)) [b](vbscript:msgbox) <a href=\"  JaVa\tScript:x\">c</a> \
                <a href=\"data:text/html,<script>\">d</a> <img src=\"x.png\" onerror=\"evil()\">";
    let out = html(body);
    for bad in [
        "<script",
        "alert",
        "onclick",
        "javascript",
        "vbscript",
        "<iframe",
        "<style",
        "onerror",
        "data:",
    ] {
        assert!(!out.to_lowercase().contains(bad), "{bad} survived in {out}");
    }
    assert!(out.contains("<img src=\"x.png\">"), "{out}");
}

#[test]
fn sanitising_keeps_markdown_markup() {
    let body = "## Head {.wide}\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n~~old~~ > no\n\n> quote\n\n\
                ```rust\nfn main() {}\n```\n\n![alt text](pic.png \"Title\") [rel](../x/ \"T\") [frag](#head)\n\n\
                ![dot](data:image/png;base64,AAAA)\n\nNote.[^1]\n\n[^1]: The note.\n";
    let out = html(body);
    for good in [
        "<h2 id=\"head\" class=\"wide\">",
        "<th style=\"text-align:center\">a</th>",
        "<td style=\"text-align:right\">2</td>",
        "<del>old</del>",
        "<blockquote>",
        "<code class=\"language-rust\">",
        "<img src=\"pic.png\" alt=\"alt text\" title=\"Title\">",
        "<a href=\"../x/\" title=\"T\">rel</a>",
        "<a href=\"#head\">frag</a>",
        "src=\"data:image/png;base64,AAAA\"",
        "<sup class=\"footnote-reference\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup>",
        "<div class=\"footnote-definition\" id=\"fn-1\"><sup class=\"footnote-definition-label\">1</sup>",
    ] {
        assert!(out.contains(good), "{good} missing in {out}");
    }
}

#[test]
fn footnotes_are_numbered_by_first_reference() {
    let body = "A[^b] B[^a] C[^b]\n\n[^a]: first defined\n[^b]: second defined\n";
    let out = html(body);
    assert!(
        out.contains(
            "<sup class=\"footnote-reference\" id=\"fnref-b\"><a href=\"#fn-b\">1</a></sup>"
        ),
        "{out}"
    );
    assert!(
        out.contains("<sup class=\"footnote-reference\"><a href=\"#fn-b\">1</a></sup>"),
        "{out}"
    );
    assert!(
        out.contains("id=\"fn-a\"><sup class=\"footnote-definition-label\">2</sup>"),
        "{out}"
    );
}

// --- inline cross-links -----------------------------------------------------

const SANCTIONS: (&str, &str) = ("sanctions", "/issues/sanctions/");

#[test]
fn xref_links_first_mention_only() {
    let out = xref(
        "New sanctions today. More sanctions tomorrow.",
        &[SANCTIONS],
        5,
    );
    assert_eq!(
        out,
        "<p>New <a class=\"xref\" href=\"/issues/sanctions/\">sanctions</a> today. More sanctions tomorrow.</p>\n"
    );
}

#[test]
fn xref_is_case_insensitive_and_keeps_original_text() {
    let out = xref("SANCTIONS rise.", &[SANCTIONS], 5);
    assert!(out.contains(">SANCTIONS</a> rise."), "{out}");
}

#[test]
fn xref_matches_whole_words_only() {
    let out = xref(
        "Unsanctionsed and sanctionsx, then sanctions.",
        &[SANCTIONS],
        5,
    );
    assert!(
        out.contains("then <a class=\"xref\" href=\"/issues/sanctions/\">sanctions</a>."),
        "{out}"
    );
    assert_eq!(out.matches("<a ").count(), 1);
}

#[test]
fn xref_uses_base_path() {
    let (r, _) = render_with("Sanctions.", "/briefs/", &[SANCTIONS], 5);
    assert!(
        r.html.contains("href=\"/briefs/issues/sanctions/\""),
        "{}",
        r.html
    );
}

#[test]
fn xref_longest_phrase_wins_and_earlier_position_first() {
    let links = [
        SANCTIONS,
        ("sanctions relief", "/issues/relief/"),
        ("relief talks", "/issues/talks/"),
    ];
    let out = xref("Sanctions relief talks began.", &links, 5);
    assert_eq!(
        out,
        "<p><a class=\"xref\" href=\"/issues/relief/\">Sanctions relief</a> talks began.</p>\n"
    );
    // the shorter phrase waits for its next mention
    let out = xref("Sanctions relief talks. Then sanctions.", &links, 5);
    assert!(
        out.contains("Then <a class=\"xref\" href=\"/issues/sanctions/\">sanctions</a>."),
        "{out}"
    );
}

#[test]
fn xref_matches_across_line_breaks_and_smart_quotes() {
    let links = [("sanctions relief", "/r/"), ("Iran's deal", "/d/")];
    let out = xref("The sanctions\nrelief and Iran's deal.", &links, 5);
    assert!(
        out.contains("<a class=\"xref\" href=\"/r/\">sanctions\nrelief</a>"),
        "{out}"
    );
    assert!(
        out.contains("<a class=\"xref\" href=\"/d/\">Iran’s deal</a>"),
        "{out}"
    );
}

#[test]
fn xref_never_in_headings() {
    let out = xref("# Sanctions\n\nSanctions now.", &[SANCTIONS], 5);
    assert!(out.contains("<h1 id=\"sanctions\">Sanctions</h1>"), "{out}");
    assert!(out.contains("<p><a class=\"xref\""), "{out}");
}

#[test]
fn xref_never_in_existing_links() {
    let out = xref(
        "[sanctions](https://example.org) and sanctions.",
        &[SANCTIONS],
        5,
    );
    assert!(
        out.contains("<a href=\"https://example.org\">sanctions</a> and <a class=\"xref\""),
        "{out}"
    );
}

#[test]
fn xref_never_in_code() {
    let out = xref(
        "`sanctions`\n\n```\nsanctions\n```\n\n    sanctions\n\nsanctions",
        &[SANCTIONS],
        5,
    );
    assert_eq!(out.matches("class=\"xref\"").count(), 1);
    assert!(
        out.ends_with("<p><a class=\"xref\" href=\"/issues/sanctions/\">sanctions</a></p>\n"),
        "{out}"
    );
}

#[test]
fn xref_never_in_images() {
    let out = xref("![sanctions](x.png) sanctions", &[SANCTIONS], 5);
    assert!(out.contains("alt=\"sanctions\""), "{out}");
    assert!(out.contains("> <a class=\"xref\""), "{out}");
}

#[test]
fn xref_never_in_raw_html() {
    let out = xref(
        "<span>sanctions</span> and <b>sanctions</b><br> sanctions",
        &[SANCTIONS],
        5,
    );
    assert_eq!(out.matches("class=\"xref\"").count(), 1);
    assert!(out.contains("<br> <a class=\"xref\""), "{out}");
    let out = xref("<div>\nsanctions\n</div>\n", &[SANCTIONS], 5);
    assert!(!out.contains("xref"), "{out}");
}

#[test]
fn xref_skips_phrases_whose_page_is_already_linked() {
    let out = xref(
        "[Sanctions](@/issues/sanctions.md#x) first, then sanctions.",
        &[SANCTIONS],
        5,
    );
    assert!(!out.contains("xref"), "{out}");
}

#[test]
fn xref_respects_max_links_and_each_phrase_once() {
    let links = [("alpha", "/a/"), ("beta", "/b/"), ("gamma", "/c/")];
    let out = xref("Alpha beta gamma alpha beta gamma.", &links, 2);
    assert_eq!(out.matches("class=\"xref\"").count(), 2);
    assert!(
        out.contains("href=\"/a/\">Alpha</a> <a class=\"xref\" href=\"/b/\">beta</a> gamma alpha"),
        "{out}"
    );
    assert!(!xref("alpha", &links, 0).contains("xref"));
}

#[test]
fn xref_is_deterministic_and_escapes_urls() {
    let links = [("deal", "/issues/a&b\"/")];
    let a = xref("The deal.", &links, 5);
    assert_eq!(a, xref("The deal.", &links, 5));
    assert!(
        a.contains("href=\"/issues/a&amp;b%22/\"") || a.contains("href=\"/issues/a&amp;b&quot;/\""),
        "{a}"
    );
}

// --- text -----------------------------------------------------------------

#[test]
fn word_count_counts_running_text() {
    let (r, _) = render_with(
        "# Two words\n\nDon't split **bold**ly — ok.\n\n```\nnot counted\n```\n",
        "/",
        &[],
        0,
    );
    assert_eq!(r.word_count, 2 + 4);
}

#[test]
fn plain_text_paragraphs() {
    let body = "# Title\n\nFirst *para*\nline two.\n\n- one\n- two\n  - nested\n\n> quoted\n\n\
                | a | b |\n|---|---|\n| c | d |\n\n```\ncode\n```\n\nText with `code` and ![img](x.png).[^n]\n\n\
                [^n]: footnote text\n\n<div>raw</div>\n";
    assert_eq!(
        plain_text(body),
        "Title\n\nFirst para line two.\n\none\n\ntwo\n\nnested\n\nquoted\n\na\n\nb\n\nc\n\nd\n\nText with and ."
    );
}

#[test]
fn nasty_input_never_panics() {
    let mut inputs: Vec<String> = vec![
        "<div><span><b>unclosed".into(),
        "\0\0# \0heading\0\n\n[\0](@/\0)".into(),
        "[x](@/)".into(),
        "[x](@/#)".into(),
        "# {#}\n# {#}\n".into(),
        "[^]: x\n[^ ]: y\n\n[^]".into(),
        "\u{202e}ṩ̸̛͚ǅ ß İ ﬃ 🇺🇳 \u{fffd}\u{10ffff}".into(),
        "<a href='x\n<script>".into(),
        "| a |\n|---|\n| <img src=x onerror=alert(1)> |".into(),
        "`".repeat(5000),
        "[".repeat(5000),
        "*_".repeat(5000),
    ];
    inputs.push(">".repeat(3000) + " deep");
    inputs.push(
        (0..2000)
            .map(|i| format!("{}- item\n", "  ".repeat(i)))
            .collect(),
    );
    inputs.push("<div>".repeat(3000));
    inputs.push("Ünïcödé İstanbul ǅ ".repeat(200));
    let links = [
        ("İstanbul", "/i/"),
        ("ß", "/s/"),
        ("item", "/it/"),
        ("deep", "/d/"),
    ];
    for input in &inputs {
        let (r, _) = render_with(input, "/briefs/", &links, 3);
        assert!(!r.html.contains("onerror"));
        let _ = plain_text(input);
    }
}

#[test]
fn deep_nesting_is_flattened_and_reported() {
    let body = ">".repeat(5000) + " deep";
    let (r, problems) = render_with(&body, "/", &[], 0);
    assert_eq!(r.html.matches("<blockquote>").count(), nesting::MAX_DEPTH);
    assert!(r.html.contains("deep"));
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("nested"), "{problems:?}");
}
