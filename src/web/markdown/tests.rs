//! The escaping cases of the hand-written renderer this one replaced, and Discord's syntax.

use super::{render, render_with};
use crate::web::names::Names;

#[test]
fn script_tags_stay_text() {
    let html = render("<script>alert(1)</script>");
    assert_eq!(html, "&lt;script&gt;alert(1)&lt;&#x2F;script&gt;");
}

#[test]
fn bold_italic_code_and_links() {
    assert_eq!(render("**fett**"), "<strong>fett</strong>");
    assert_eq!(
        render("*kursiv* und _auch_"),
        "<em>kursiv</em> und <em>auch</em>"
    );
    assert_eq!(render("`<b>`"), "<code>&lt;b&gt;</code>");
    assert_eq!(
        render("siehe https://example.com/a?b=1&c=2."),
        "siehe <a href=\"https:&#x2F;&#x2F;example.com&#x2F;a?b=1&amp;c=2\" \
         rel=\"noopener noreferrer nofollow\" target=\"_blank\">https:&#x2F;&#x2F;example.com&#x2F;a?b=1&amp;c=2</a>."
    );
    assert_eq!(
        render("[hier](https://x.y) **[b](https://z)**"),
        "<a href=\"https:&#x2F;&#x2F;x.y\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">hier</a> \
         <strong><a href=\"https:&#x2F;&#x2F;z\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">b</a></strong>"
    );
}

#[test]
fn no_markup_escapes_through_formatting() {
    let html = render(
        "**<img src=x onerror=alert(1)>** [x](javascript:alert(1)) [y](https://a\"onclick=b)",
    );
    assert!(!html.contains("<img"));
    assert!(!html.contains("href=\"javascript"));
    assert!(!html.contains("\"onclick"));
    assert!(html.contains("&lt;img"));
}

#[test]
fn code_keeps_markers_and_snake_case_stays() {
    assert_eq!(render("`**nicht fett**`"), "<code>**nicht fett**</code>");
    assert_eq!(render("snake_case_name"), "snake_case_name");
    assert_eq!(render("2 * 3 * 4"), "2 * 3 * 4");
    assert_eq!(
        render("```rust\nlet x = 1;\n```"),
        "<pre><code>let x = 1;\n</code></pre>"
    );
    assert_eq!(render("**offen"), "**offen");
}

const LINK: &str = "rel=\"noopener noreferrer nofollow\" target=\"_blank\"";

#[test]
fn block_quotes_lists_and_headers() {
    assert_eq!(
        render("> zitiert\nweiter"),
        "<blockquote>zitiert\nweiter</blockquote>"
    );
    assert_eq!(
        render("- eins\n- zwei"),
        "<ul><li>eins</li><li>zwei</li></ul>"
    );
    assert_eq!(
        render("1. eins\n2. zwei"),
        "<ol><li>eins</li><li>zwei</li></ol>"
    );
    assert_eq!(render("3. drei"), "<ol start=\"3\"><li>drei</li></ol>");
    assert_eq!(render("# Titel"), "<h1 class=\"md\">Titel</h1>");
    assert_eq!(render("### klein"), "<h3 class=\"md\">klein</h3>");
    assert_eq!(render("erste\n\nzweite"), "erste\n\nzweite");
    assert_eq!(
        render("Zeile\n---"),
        "Zeile\n---",
        "no setext headings in Discord"
    );
    assert_eq!(render("---"), "---");
}

#[test]
fn discord_only_styles() {
    assert_eq!(render("__unter__"), "<u>unter</u>");
    assert_eq!(render("~~weg~~"), "<s>weg</s>");
    assert_eq!(
        render("das ist ||geheim|| ok"),
        "das ist <span class=\"spoiler\">geheim</span> ok"
    );
    assert_eq!(
        render("||**fett geheim**||"),
        "<span class=\"spoiler\"><strong>fett geheim</strong></span>"
    );
    assert_eq!(render("a || b"), "a || b", "a lone || stays");
    assert_eq!(
        render("-# klein gedruckt\nnormal"),
        "<span class=\"subtext\">klein gedruckt</span>\nnormal"
    );
}

#[test]
fn masked_links_only_for_the_web_and_code_is_verbatim() {
    assert_eq!(
        render("[Regeln](https://example.com/r)"),
        format!("<a href=\"https:&#x2F;&#x2F;example.com&#x2F;r\" {LINK}>Regeln</a>")
    );
    assert_eq!(render("[x](ftp://a)"), "x");
    assert_eq!(render("[x](javascript:alert(1))"), "x");
    assert_eq!(
        render("<https://a.b>"),
        format!("<a href=\"https:&#x2F;&#x2F;a.b\" {LINK}>https:&#x2F;&#x2F;a.b</a>")
    );
    assert_eq!(
        render("```\n<b>**x**</b> <@1>\n```"),
        "<pre><code>&lt;b&gt;**x**&lt;&#x2F;b&gt; &lt;@1&gt;\n</code></pre>"
    );
    assert_eq!(render("`<@1>`"), "<code>&lt;@1&gt;</code>");
    assert_eq!(
        render("![bild](https://x.y/a.png)"),
        "![bild](https:&#x2F;&#x2F;x.y&#x2F;a.png)"
    );
}

#[test]
fn raw_html_never_passes() {
    for raw in [
        "<div onclick=x>hallo</div>",
        "<!-- kommentar -->",
        "text <span style=x>mitten</span>",
        "<a href=\"javascript:alert(1)\">k</a>",
        "*<img src=x onerror=alert(1)>*",
        "\u{E000}script>",
    ] {
        let html = render(raw);
        for tag in [
            "<div",
            "<!--",
            "<span style",
            "<a href=\"javascript",
            "<img",
            "<script",
        ] {
            assert!(!html.contains(tag), "{raw}: {html}");
        }
    }
    assert_eq!(
        render("<b>x</b> **y**"),
        "&lt;b&gt;x&lt;&#x2F;b&gt; <strong>y</strong>"
    );
}

#[test]
fn mentions_show_names() {
    let mut names = Names::default();
    names.users.insert(11, "Anna <Admin>".into());
    names.roles.insert(22, "Support".into());
    names.channels.insert(33, "regeln".into());
    assert_eq!(
        render_with("<@11> <@!11> <@&22> <#33>", &names),
        "<span class=\"mention\">@Anna &lt;Admin&gt;</span> <span class=\"mention\">@Anna \
         &lt;Admin&gt;</span> <span class=\"mention\">@Support</span> <span \
         class=\"mention\">#regeln</span>"
    );
    assert_eq!(
        render_with("<@99> <@&98> <#97>", &names),
        "<span class=\"mention\">@unbekannt</span> <span class=\"mention\">@unbekannt</span> \
         <span class=\"mention\">#97</span>"
    );
    assert_eq!(
        render("**<@11>** <:ok:123>"),
        "<strong><span class=\"mention\">@unbekannt</span></strong> <img class=\"emoji\" \
         src=\"https://cdn.discordapp.com/emojis/123.webp?size=32\" alt=\":ok:\" title=\":ok:\">"
    );
    assert_eq!(
        render("<t:0:R>"),
        "<span class=\"mention time\">01.01.1970 00:00</span>"
    );
    assert_eq!(render("<@abc> <@>"), "&lt;@abc&gt; &lt;@&gt;");
}
