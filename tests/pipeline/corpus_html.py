"""HTML pages in the shape Sphinx, MkDocs (Material), Docusaurus and WordPress print them."""

from __future__ import annotations

from tests.pipeline.corpus import Case, Prose


def _section_html(prose: Prose, level: int, title: str, anchor: str, paragraphs: int) -> str:
    link = f'<a class="headerlink" href="#{anchor}" title="Permalink to this heading">¶</a>'
    body = "".join(prose.html(4, br=n == 0) for n in range(paragraphs))
    return f'<section id="{anchor}"><h{level}>{title}{link}</h{level}>\n{body}'


def sphinx() -> tuple[bytes, Case]:
    """A Sphinx page (basic theme): related bars, sidebar TOC, ¶ anchors, numbered sections."""
    case = Case(
        "3. Configuring Widgets",
        ["3. Configuring Widgets", "3.1. Versions", "3.2. Installing", "3.3. Troubleshooting"],
        {"permalink anchors", "table of contents", "code blocks", "footnotes", "navigation"}
        | {"outside the main content"},
        absent=("¶", "Permalink", "Quick search", "Widgetry 2.1 documentation", "footnote body"),
    )
    p = Prose(case, 1)
    related = (
        '<div class="related" role="navigation" aria-label="related navigation"><h3>Navigation'
        '</h3><ul><li><a href="genindex.html" accesskey="I">index</a></li><li><a href="n.html" '
        'accesskey="N">next</a> |</li><li><a href="index.html">Widgetry 2.1 documentation</a>'
        " &#187;</li></ul></div>"
    )
    toc = (
        '<nav class="contents local" id="contents"><p class="topic-title">Contents</p><ul>'
        '<li><a class="reference internal" href="#versions">3.1. Versions</a><ul><li>'
        '<a class="reference internal" href="#pinning">3.1.1. Pinning</a></li></ul></li>'
        '<li><a class="reference internal" href="#installing">3.2. Installing</a></li>'
        '<li><a class="reference internal" href="#trouble">3.3. Troubleshooting</a></li></ul></nav>'
    )
    code = '<div class="highlight-python"><div class="highlight"><pre>import widgets\n</pre></div>'
    code += "</div>"
    table = (
        '<table class="docutils"><thead><tr><th><p>Option</p></th><th><p>Default</p></th></tr>'
        "</thead><tbody><tr><td><p>size</p></td><td><p>10</p></td></tr><tr><td><p>colour</p>"
        "</td><td><p>blue</p></td></tr></tbody></table>"
    )
    footnote = (
        '<p>See the note<a class="footnote-reference brackets" href="#f1" id="r1" '
        'role="doc-noteref"><span class="fn-bracket">[</span>1<span class="fn-bracket">]</span>'
        '</a> for details.</p><aside class="footnote-list brackets"><aside class="footnote '
        'brackets" id="f1" role="doc-footnote"><span class="label"><a role="doc-backlink" '
        'href="#r1">1</a></span><p>The footnote body is not read inline.</p></aside></aside>'
    )
    case.sentences.append("See the note for details.")
    main = (
        _section_html(p, 1, '<span class="section-number">3. </span>Configuring Widgets', "c", 1)
        + toc
        + _section_html(p, 2, "3.1. Versions", "versions", 2)
        + code
        + p.html(3)
        + _section_html(p, 3, "3.1.1. Pinning", "pinning", 1)
        + "</section></section>"
        + _section_html(p, 2, "3.2. Installing", "installing", 2)
        + table
        + footnote
        + "</section>"
        + _section_html(p, 2, "3.3. Troubleshooting", "trouble", 2)
        + "</section></section>"
    )
    sidebar = (
        '<div class="sphinxsidebar" role="navigation" aria-label="main navigation"><h3>Previous '
        'topic</h3><p class="topless"><a href="prev.html">2. Installing</a></p><div id="searchbox"'
        ' role="search"><h3>Quick search</h3><form><input type="text" name="q"/></form></div></div>'
    )
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><title>3. Configuring '
        "Widgets — Widgetry 2.1 documentation</title></head><body>"
        f'{related}<div class="document"><div class="documentwrapper"><div class="bodywrapper">'
        f'<div class="body" role="main">{main}</div></div></div>{sidebar}</div>{related}'
        '<div class="footer">&#169; Copyright 2024, The Widgetry Team.</div></body></html>'
    )
    return page.encode(), case


def mkdocs() -> tuple[bytes, Case]:
    """An MkDocs Material page: skip link, edit button, nav and TOC sidebars, footer pager."""
    case = Case(
        "Getting started",
        ["Getting started", "Installation", "Configuration", "Next steps"],
        {"skip links", "navigation", "table of contents", "edit links", "permalink anchors"}
        | {"code blocks", "outside the main content", "previous/next links"},
        absent=("Skip to content", "Permanent link", "Edit this page", "Previous", "Material"),
    )
    p = Prose(case, 2)

    def heading(level: int, text: str, anchor: str) -> str:
        link = f'<a class="headerlink" href="#{anchor}" title="Permanent link">&para;</a>'
        return f'<h{level} id="{anchor}">{text}{link}</h{level}>'

    nav = (
        '<div class="md-sidebar md-sidebar--primary"><nav class="md-nav md-nav--primary" '
        'aria-label="Navigation"><ul><li><a href="../">Home</a></li><li><a href="../usage/">'
        "Usage</a></li></ul></nav></div>"
        '<div class="md-sidebar md-sidebar--secondary"><nav class="md-nav md-nav--secondary" '
        'aria-label="Table of contents"><label class="md-nav__title">Table of contents</label>'
        '<ul><li><a href="#installation">Installation</a></li><li><a href="#configuration">'
        'Configuration</a></li><li><a href="#next-steps">Next steps</a></li></ul></nav></div>'
    )
    article = (
        '<a href="https://github.com/acme/widgetry/edit/main/docs/start.md" title="Edit this '
        'page" class="md-content__button md-icon">Edit this page</a>'
        + heading(1, "Getting started", "getting-started")
        + p.html(3)
        + heading(2, "Installation", "installation")
        + p.html(4)
        + '<div class="highlight"><pre><code>pip install widgetry</code></pre></div>'
        + p.html(3)
        + heading(2, "Configuration", "configuration")
        + p.html(4, br=True)
        + heading(3, "Colours", "colours")
        + p.html(4)
        + '<div class="admonition note"><p class="admonition-title">Note</p>'
        + p.html(2)
        + "</div>"
        + heading(2, "Next steps", "next-steps")
        + p.html(4)
    )
    page = (
        '<!doctype html><html lang="en"><head><title>Getting started - Widgetry</title>'
        '</head><body><a href="#getting-started" class="md-skip">Skip to content</a><header '
        'class="md-header"><nav class="md-header__inner" aria-label="Header">Widgetry</nav>'
        '</header><div class="md-container"><main class="md-main"><div class="md-main__inner">'
        f'{nav}<div class="md-content"><article class="md-content__inner md-typeset">{article}'
        '</article></div></div></main><footer class="md-footer"><nav class="md-footer__inner" '
        'aria-label="Footer"><a href="../install/" class="md-footer__link--prev" rel="prev">'
        'Previous Install</a><a href="../usage/" class="md-footer__link--next" rel="next">Next '
        'Usage</a></nav></footer><div class="md-copyright">Made with Material for MkDocs</div>'
        "</div></body></html>"
    )
    return page.encode(), case


def docusaurus() -> tuple[bytes, Case]:
    """A Docusaurus doc page: skip link, navbar, breadcrumbs, hash links, TOC column, pager."""
    case = Case(
        "Quick start",
        ["Quick start", "Install", "Configure", "Deploy"],
        {"skip links", "navigation", "breadcrumbs", "permalink anchors", "footers"}
        | {"previous/next links", "table of contents", "code blocks"},
        absent=("Skip to main content", "Direct link", "Edit this page", "Previous", "Home"),
    )
    p = Prose(case, 3)

    def h2(text: str, anchor: str) -> str:
        return (
            f'<h2 class="anchor anchorWithStickyNavbar" id="{anchor}">{text}<a href="#{anchor}" '
            f'class="hash-link" aria-label="Direct link to {text}" title="Direct link to {text}">'
            "\u200b</a></h2>"
        )

    markdown = (
        "<header><h1>Quick start</h1></header>"
        + p.html(4)
        + h2("Install", "install")
        + p.html(4)
        + '<div class="language-bash codeBlockContainer"><pre class="prism-code"><code>npm i '
        "widgetry</code></pre></div>"
        + p.html(3)
        + h2("Configure", "configure")
        + p.html(4)
        + "<table><thead><tr><th>Command</th><th>What it does</th></tr></thead><tbody><tr><td>"
        "<code>start</code></td><td>Runs the site.</td></tr><tr><td><code>build</code></td>"
        "<td>Builds it.</td></tr></tbody></table>" + h2("Deploy", "deploy") + p.html(4) + p.html(3)
    )
    article = (
        '<nav class="theme-doc-breadcrumbs" aria-label="Breadcrumbs"><ul class="breadcrumbs">'
        '<li><a href="/">Home</a></li><li>Guides</li><li>Quick start</li></ul></nav>'
        f'<div class="theme-doc-markdown markdown">{markdown}</div>'
        '<footer class="theme-doc-footer">'
        '<div class="row"><div class="col"><a href="https://github.com/acme/site/edit/main/docs/'
        'quick-start.md" class="theme-edit-this-page">Edit this page</a></div></div></footer>'
    )
    toc = (
        '<div class="col col--3"><div class="tableOfContents theme-doc-toc-desktop"><ul class='
        '"table-of-contents"><li><a href="#install" class="table-of-contents__link">Install</a>'
        '</li><li><a href="#configure">Configure</a></li><li><a href="#deploy">Deploy</a></li>'
        "</ul></div></div>"
    )
    pager = (
        '<nav class="pagination-nav" aria-label="Docs pages"><a class="pagination-nav__link" '
        'href="/docs/intro"><div class="pagination-nav__sublabel">Previous</div><div>'
        "Introduction</div></a></nav>"
    )
    page = (
        '<!doctype html><html lang="en"><head><title data-rh="true">Quick start | Widgetry'
        '</title><meta property="og:title" content="Quick start | Widgetry"></head><body>'
        '<div id="__docusaurus"><div role="region" aria-label="Skip to main content"><a class='
        '"skipToContent_fXgn" href="#__docusaurus_skipToContent_fallback">Skip to main content'
        '</a></div><nav aria-label="Main" class="navbar"><a href="/">Widgetry</a><a href="/docs">'
        'Docs</a></nav><div id="__docusaurus_skipToContent_fallback" class="main-wrapper">'
        '<aside class="theme-doc-sidebar-container"><nav aria-label="Docs sidebar" class="menu">'
        '<a href="/docs/intro">Introduction</a></nav></aside><main class="docMainContainer">'
        f'<div class="row"><div class="col"><article>{article}</article>{pager}</div>{toc}</div>'
        '</main></div><footer class="footer">Copyright © 2024 Acme.</footer></div></body></html>'
    )
    case.sentences += ["Command: start, What it does: Runs the site.", "Builds it."]
    return page.encode(), case


def blog() -> tuple[bytes, Case]:
    """A WordPress-style post: site header, entry meta, figure, post navigation, comments."""
    case = Case(
        "Walking the Ridge in Winter",
        ["Walking the Ridge in Winter", "Gear", "The route", "Weather"],
        {"skip links", "outside the main content", "navigation", "footers", "comments"}
        | {"cookie banner", "previous/next links", "related and promotional blocks"},
        absent=("Skip to content", "Great post", "Autumn on the Moor", "We use cookies"),
    )
    p = Prose(case, 4)
    content = (
        p.html(4)
        + p.html(5, br=True)
        + "<h2>Gear</h2>"
        + p.html(3)
        + "<ul><li>Warm boots with a stiff sole for the frozen ground.</li><li>A map and a "
        "compass.</li><li>Tea in a flask.</li></ul>"
        + '<figure class="wp-block-image"><img src="ridge.jpg" alt=""/><figcaption>The ridge at'
        " dawn, seen from the east.</figcaption></figure>"
        + "<h2>The route</h2>"
        + p.html(4)
        + "<blockquote>"
        + p.html(2)
        + "</blockquote>"
        + "<h2>Weather</h2>"
        + p.html(4)
        + "<p>Nobody reads the cookie notice, the contents page or the navigation menu of a "
        "mountain hut, but everybody reads the weather board.</p>"
    )
    case.sentences += [
        "Warm boots with a stiff sole for the frozen ground.",
        "The ridge at dawn, seen from the east.",
        "Nobody reads the cookie notice, the contents page or the navigation menu of a mountain"
        " hut, but everybody reads the weather board.",
    ]
    page = (
        '<!DOCTYPE html><html lang="en-US"><head><title>Walking the Ridge in Winter – Hill '
        'Notes</title><meta property="og:site_name" content="Hill Notes"><meta name="author" '
        'content="Sam Walker"></head><body class="single-post"><a class="skip-link screen-reader'
        '-text" href="#content">Skip to content</a><div id="page" class="site"><header id="mast'
        'head" class="site-header"><p class="site-title"><a href="/">Hill Notes</a></p><nav id='
        '"site-navigation" class="main-navigation"><ul><li><a href="/">Home</a></li><li><a href'
        '="/about">About</a></li></ul></nav></header><div id="content" class="site-content">'
        '<main id="main" class="site-main"><article class="post"><header class="entry-header">'
        '<h1 class="entry-title">Walking the Ridge in Winter</h1></header><div class="entry-'
        f'content">{content}</div><footer class="entry-footer">Posted in <a href="/c/walks">'
        'Walks</a></footer></article><nav class="navigation post-navigation" aria-label="Posts">'
        '<div class="nav-links"><a href="/autumn" rel="prev">Autumn on the Moor</a></div></nav>'
        '<div id="comments" class="comments-area"><ol class="comment-list"><li>Great post!</li>'
        '</ol></div></main><aside id="secondary" class="widget-area">Recent posts</aside></div>'
        '<footer id="colophon" class="site-footer">Proudly powered by WordPress</footer></div>'
        '<div id="cookie-notice" role="dialog">We use cookies. <a href="#">Ok</a></div></body>'
        "</html>"
    )
    return page.encode(), case
