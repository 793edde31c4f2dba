/* load_markup.c — visible text of HTML and text of XML/TEI elements, with
 * Debian's libxml2.  Whitespace collapses as a browser shows it; block
 * elements start new lines.  No network, no external entities. */
#include "load.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- text builder ------------------------------------------------------- */
typedef struct tb {
    cr_buf *out;
    int space;      /* whitespace pending */
    int breaks;     /* newlines pending (0..2) */
    int err;
} tb;

static void tb_break(tb *t, int n) {
    if (t->breaks < n) t->breaks = n;
}

static void tb_text(tb *t, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            t->space = 1;
            continue;
        }
        if (t->out->len > 0) {
            if (t->breaks) {
                for (int k = 0; k < t->breaks; k++) t->err |= cr_buf_addc(t->out, '\n');
            } else if (t->space) t->err |= cr_buf_addc(t->out, ' ');
        }
        t->breaks = 0;
        t->space = 0;
        /* copy the run of non-space bytes at once */
        size_t j = i + 1;
        while (j < n && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' && s[j] != '\f') j++;
        t->err |= cr_buf_add(t->out, s + i, j - i);
        i = j - 1;
    }
}

static int in_list(const char *name, const char *const *list) {
    for (; *list; list++)
        if (strcasecmp(name, *list) == 0) return 1;
    return 0;
}

static const char *const para_elems[] = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl",
    "section", "article", "header", "footer", "aside", "nav", "main", "figure", "form", "hr",
    "address", "fieldset", "details", "body",
    /* TEI */
    "head", "lg", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7", "ab", "sp",
    "list", "titlePage", "opener", "closer", "front", "back", NULL};

static const char *const line_elems[] = {
    "br", "li", "tr", "dt", "dd", "figcaption", "caption", "option", "summary", "legend",
    "td", "th", "title",
    /* TEI */
    "l", "lb", "item", "speaker", "label", "row", "cell", "titlePart", "byline", "dateline",
    "docTitle", "docAuthor", "salute", "signed", NULL};

static int block_level(const char *name) {
    if (in_list(name, para_elems)) return 2;
    if (in_list(name, line_elems)) return 1;
    return 0;
}

static const char *const skip_html[] = {"script", "style", "noscript", "template", "head", "svg",
                                        "math", "iframe", "object", "canvas", NULL};

typedef struct walkopts {
    const char *const *skip;   /* elements whose content is not text */
    xmlDocPtr doc;
} walkopts;

/* Appends the text under node (iteratively, no recursion). */
static void node_text(tb *t, xmlNodePtr top, const walkopts *w) {
    xmlNodePtr n = top;
    int down = 1;
    while (n) {
        if (down) {
            int enter = 0;
            if (n->type == XML_ELEMENT_NODE) {
                const char *name = (const char *)n->name;
                if (!(w->skip && in_list(name, w->skip))) {
                    int b = block_level(name);
                    if (b) tb_break(t, b);
                    enter = n->children != NULL;
                }
            } else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
                if (n->content) tb_text(t, (const char *)n->content, strlen((const char *)n->content));
            } else if (n->type == XML_ENTITY_REF_NODE && w->doc) {
                xmlEntityPtr ent = xmlGetDocEntity(w->doc, n->name);
                if (ent && ent->etype == XML_INTERNAL_GENERAL_ENTITY && ent->content)
                    tb_text(t, (const char *)ent->content, strlen((const char *)ent->content));
            }
            if (enter) { n = n->children; continue; }
        }
        /* leaving n */
        if (n->type == XML_ELEMENT_NODE && n != top) {
            int b = block_level((const char *)n->name);
            if (b) tb_break(t, b);
        }
        if (n == top) break;
        if (n->next) { n = n->next; down = 1; continue; }
        n = n->parent;
        down = 0;
        if (n == top) {
            int b = n->type == XML_ELEMENT_NODE ? block_level((const char *)n->name) : 0;
            if (b) tb_break(t, b);
            break;
        }
    }
}

static int elem_matches(xmlNodePtr n, const char *name, const char *within) {
    return n->type == XML_ELEMENT_NODE && strcasecmp((const char *)n->name, name) == 0 &&
           (!within || (n->parent && n->parent->type == XML_ELEMENT_NODE &&
                        strcasecmp((const char *)n->parent->name, within) == 0));
}

/* Next node in document order under top, not entering n's children when
 * skip_children; NULL at the end of top. */
static xmlNodePtr next_node(xmlNodePtr top, xmlNodePtr n, int skip_children) {
    if (!skip_children && n->type == XML_ELEMENT_NODE && n->children) return n->children;
    for (;;) {
        if (n == top) return NULL;
        if (n->next) return n->next;
        n = n->parent;
        if (!n) return NULL;
    }
}

static xmlNodePtr find_elem(xmlNodePtr top, const char *name, const char *within) {
    for (xmlNodePtr n = top; n; n = next_node(top, n, 0))
        if (elem_matches(n, name, within)) return n;
    return NULL;
}

/* Walks from the first child so siblings are included. */
static void children_text(tb *t, xmlNodePtr parent, const walkopts *w) {
    for (xmlNodePtr c = parent->children; c; c = c->next) node_text(t, c, w);
}

/* Appends the text inside title element tn to title; -1 when out of memory. */
static int title_text(xmlNodePtr tn, xmlDocPtr doc, cr_buf *title) {
    cr_buf tmp = {0};
    tb tt = {&tmp, 0, 0, 0};
    walkopts tw = {NULL, doc};
    children_text(&tt, tn, &tw);
    int rc = (tt.err || cr_buf_add(title, tmp.data ? tmp.data : "", tmp.len)) ? -1 : 0;
    cr_buf_free(&tmp);
    return rc;
}

int ld_html_text(const char *s, size_t n, cr_buf *text, cr_buf *title) {
    cr_buf_reset(text);
    cr_buf_reset(title);
    if (n == 0) return 0;
    if (n > (size_t)0x7fffffff) return -1;
    htmlDocPtr doc = htmlReadMemory(s, (int)n, NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                    HTML_PARSE_NONET);
    if (!doc) return -1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc = 0;
    if (root) {
        xmlNodePtr tn = find_elem(root, "title", NULL);
        if (tn && title_text(tn, NULL, title)) rc = -1;
        tb t = {text, 0, 0, 0};
        walkopts w = {skip_html, NULL};
        node_text(&t, root, &w);
        if (t.err) rc = -1;
    }
    xmlFreeDoc(doc);
    if (rc == 0 && (cr_buf_addc(text, '\0') || cr_buf_addc(title, '\0'))) rc = -1;
    if (rc == 0) { text->len--; title->len--; }
    return rc;
}

static const char *local_name(xmlNodePtr n) { return (const char *)n->name; }

int ld_xml_text(const char *s, size_t n, const char *element, cr_buf *text, cr_buf *title,
                char *msg, size_t msgsize) {
    cr_buf_reset(text);
    cr_buf_reset(title);
    if (n > (size_t)0x7fffffff) {
        snprintf(msg, msgsize, "XML file too large");
        return -1;
    }
    xmlResetLastError();
    xmlDocPtr doc = xmlReadMemory(s, (int)n, NULL, "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        if (e && e->message) {
            size_t ml = strlen(e->message);
            while (ml && (e->message[ml - 1] == '\n' || e->message[ml - 1] == ' ')) ml--;
            snprintf(msg, msgsize, "XML not well-formed at line %d: %.*s", e->line, (int)ml, e->message);
        } else snprintf(msg, msgsize, "XML not well-formed");
        return -1;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc = 0;
    if (!root) {
        snprintf(msg, msgsize, "XML has no root element");
        xmlFreeDoc(doc);
        return -1;
    }
    int tei = strcmp(local_name(root), "TEI") == 0 || strcmp(local_name(root), "TEI.2") == 0 ||
              strcmp(local_name(root), "teiCorpus") == 0;
    const char *want = element ? element : tei ? "text" : NULL;
    /* title */
    xmlNodePtr tn = find_elem(root, "title", "titleStmt");
    if (!tn) tn = find_elem(root, "title", NULL);
    if (tn && title_text(tn, doc, title)) rc = -1;
    tb t = {text, 0, 0, 0};
    walkopts w = {NULL, doc};
    if (!want) node_text(&t, root, &w);
    else {
        /* every element named want, not nested in another match */
        size_t found = 0;
        for (xmlNodePtr cur = root; cur;) {
            if (elem_matches(cur, want, NULL)) {
                tb_break(&t, 2);
                node_text(&t, cur, &w);
                found++;
                cur = next_node(root, cur, 1);
            } else cur = next_node(root, cur, 0);
        }
        if (!found) {
            snprintf(msg, msgsize, "no <%s> element", want);
            rc = -2;
        }
    }
    if (t.err) rc = -1;
    xmlFreeDoc(doc);
    if (rc == -1) snprintf(msg, msgsize, "out of memory");
    if (rc == 0 && (cr_buf_addc(text, '\0') || cr_buf_addc(title, '\0'))) rc = -1;
    if (rc == 0) { text->len--; title->len--; }
    return rc ? -1 : 0;
}
