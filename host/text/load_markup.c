/* load_markup.c — visible text of HTML and text of XML/TEI elements, with
 * Debian's libxml2.  Whitespace collapses as a browser shows it; block
 * elements start new lines.  No network, no external entities. */
#include "load.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grow.h"
#include "lazylib.h"

/* libxml2 is opened when the first HTML or XML document is read, not linked:
 * it brings ICU, which every start would map and relocate (lazylib.h). */
#ifndef CR_XML2_SONAME
#define CR_XML2_SONAME "libxml2.so.2"
#endif
#define XML_FUNCS(X)                                                                                       \
    X(htmlReadMemory) X(xmlDocGetRootElement) X(xmlFreeDoc) X(xmlGetDocEntity) X(xmlGetLastError)          \
    X(xmlGetNsProp) X(xmlGetProp) X(xmlNodeGetContent) X(xmlNodeListGetString) X(xmlReadMemory)            \
    X(xmlResetLastError) X(xmlSetGenericErrorFunc) X(xmlFree)
static struct {
    XML_FUNCS(CR_LAZY_POINTER)
} xml_api;
static cr_lazylib xml_lib = {CR_XML2_SONAME, {XML_FUNCS(CR_LAZY_NAME) NULL}, (void **)&xml_api, NULL, 0, ""};
#define htmlReadMemory (*xml_api.htmlReadMemory)
#define xmlDocGetRootElement (*xml_api.xmlDocGetRootElement)
#define xmlFreeDoc (*xml_api.xmlFreeDoc)
#define xmlGetDocEntity (*xml_api.xmlGetDocEntity)
#define xmlGetLastError (*xml_api.xmlGetLastError)
#define xmlGetNsProp (*xml_api.xmlGetNsProp)
#define xmlGetProp (*xml_api.xmlGetProp)
#define xmlNodeGetContent (*xml_api.xmlNodeGetContent)
#define xmlNodeListGetString (*xml_api.xmlNodeListGetString)
#define xmlReadMemory (*xml_api.xmlReadMemory)
#define xmlResetLastError (*xml_api.xmlResetLastError)
#define xmlSetGenericErrorFunc (*xml_api.xmlSetGenericErrorFunc)
#define xmlFree (*xml_api.xmlFree)   /* a variable: the library's free function */

/* libxml2 reports some problems (a duplicate xml:id, for one) through its
 * generic handler, which writes to stderr whatever the parse options say;
 * the loader reports problems itself. */
static void quiet(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

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

int ld_html_text(const char *s, size_t n, cr_buf *text, cr_buf *title, char *msg, size_t msgsize) {
    cr_buf_reset(text);
    cr_buf_reset(title);
    if (n == 0) return 0;
    if (n > (size_t)0x7fffffff) {
        snprintf(msg, msgsize, "HTML file too large");
        return -1;
    }
    if (cr_lazylib_load(&xml_lib, msg, msgsize)) return -1;
    xmlSetGenericErrorFunc(NULL, quiet);
    htmlDocPtr doc = htmlReadMemory(s, (int)n, NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                    HTML_PARSE_NONET);
    if (!doc) {
        snprintf(msg, msgsize, "cannot parse HTML");
        return -1;
    }
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
    else snprintf(msg, msgsize, "out of memory");
    return rc;
}

static const char *local_name(xmlNodePtr n) { return (const char *)n->name; }

/* ---- words with attributes (BNC XML, TEI) ------------------------------- */
#define XW_MAX_ATTRS 32   /* attributes kept per word; more are left out */

/* BNC's <w> words and <c> punctuation, TEI's <w> and <pc>. */
static int is_word_elem(xmlNodePtr n) {
    if (n->type != XML_ELEMENT_NODE) return 0;
    const char *name = (const char *)n->name;
    return strcmp(name, "w") == 0 || strcmp(name, "c") == 0 || strcmp(name, "pc") == 0;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* An attribute's name as written: xml:id keeps its prefix. */
static void attr_name(xmlAttrPtr a, char *out, size_t size) {
    if (a->ns && a->ns->prefix) snprintf(out, size, "%s:%s", (const char *)a->ns->prefix, (const char *)a->name);
    else snprintf(out, size, "%s", (const char *)a->name);
}

typedef struct xwords {
    ld_tokens *t;
    cr_buf *text;
    xmlDocPtr doc;
    char names[XW_MAX_ATTRS][64];
    size_t nnames;              /* attributes of the elements, "word" not counted */
    long hw, lemma;             /* their indices among names, or -1 */
    int trailing;               /* some word element ends with whitespace */
    size_t words;
    int gap;                    /* before the next word: 0 none, 1 space, 2 paragraph */
    int in_sent, err;
} xwords;

static long name_index(const xwords *x, const char *name) {
    for (size_t i = 0; i < x->nnames; i++)
        if (strcmp(x->names[i], name) == 0) return (long)i;
    return -1;
}

/* First pass: the attribute names, whether words carry their spaces. */
static void xw_survey(xwords *x, xmlNodePtr top) {
    for (xmlNodePtr n = top; n; n = next_node(top, n, 0)) {
        if (!is_word_elem(n)) continue;
        x->words++;
        for (xmlAttrPtr a = n->properties; a; a = a->next) {
            char name[64];
            attr_name(a, name, sizeof name);
            if (name_index(x, name) < 0 && x->nnames < XW_MAX_ATTRS && strcmp(name, "word") != 0)
                memcpy(x->names[x->nnames++], name, sizeof name);
        }
        xmlChar *c = xmlNodeGetContent(n);
        if (c) {
            size_t l = strlen((const char *)c);
            if (l && is_space((char)c[l - 1])) x->trailing = 1;
            xmlFree(c);
        }
    }
}

static int xw_sentence(xwords *x, xmlNodePtr s) {
    ld_tokens *t = x->t;
    if (t->nsent == t->scap) {
        size_t cap = t->scap * 3;
        size_t *v = cr_grow(t->sent, &cap, 3 * (t->nsent + 1), sizeof *v, 96);
        if (!v) return -1;
        t->sent = v;
        t->scap = cap / 3;
    }
    xmlChar *id = xmlGetProp(s, (const xmlChar *)"n");
    if (!id) id = xmlGetNsProp(s, (const xmlChar *)"id", XML_XML_NAMESPACE);
    size_t *v = &t->sent[3 * t->nsent];
    v[0] = t->n;
    v[1] = t->sinfo.len;
    if (id) cr_buf_add(&t->sinfo, (const char *)id, strlen((const char *)id));
    cr_buf_addc(&t->sinfo, 0);
    v[2] = t->sinfo.len;
    cr_buf_addc(&t->sinfo, 0);
    xmlFree(id);
    if (t->sinfo.failed) return -1;
    t->nsent++;
    x->in_sent = 1;
    return 0;
}

static void xw_sentence_end(xwords *x) {
    ld_tokens *t = x->t;
    if (x->in_sent && t->nsent && t->sent[3 * (t->nsent - 1)] == t->n) t->nsent--; /* held no word */
    x->in_sent = 0;
}

static void xw_val(ld_tokens *t, size_t a, const char *v, size_t len) {
    t->off[t->n * t->nattr + a] = t->vals.len;
    cr_buf_add(&t->vals, v, len);
    cr_buf_addc(&t->vals, 0);
}

/* One word element: its form (the content, whitespace trimmed) and values. */
static int xw_word(xwords *x, xmlNodePtr n) {
    ld_tokens *t = x->t;
    xmlChar *content = xmlNodeGetContent(n);
    const char *c = content ? (const char *)content : "";
    size_t b = 0, e = strlen(c);
    while (b < e && is_space(c[b])) b++;
    int ends_space = e > b && is_space(c[e - 1]);
    while (e > b && is_space(c[e - 1])) e--;
    if (e == b) { /* an empty word is no token */
        xmlFree(content);
        return 0;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap * t->nattr, cap2 = t->cap * 2;
        size_t *off = cr_grow(t->off, &cap, (t->n + 1) * t->nattr, sizeof *off, 256);
        size_t *span = off ? cr_grow(t->span, &cap2, 2 * (t->n + 1), sizeof *span, 512) : NULL;
        if (off) t->off = off;
        if (!span) {
            xmlFree(content);
            return -1;
        }
        t->span = span;
        size_t c1 = cap / t->nattr, c2 = cap2 / 2;
        t->cap = c1 < c2 ? c1 : c2;
    }
    if (x->text->len) {
        if (x->gap == 2) cr_buf_add(x->text, "\n\n", 2);
        else if (x->gap == 1) cr_buf_addc(x->text, ' ');
    }
    t->span[2 * t->n] = x->text->len;
    cr_buf_add(x->text, c + b, e - b);
    t->span[2 * t->n + 1] = x->text->len;
    x->gap = !x->trailing || ends_space;
    /* the values, then written in the order of the names (ld_tokens_val
     * measures a value up to the next one) */
    xmlChar *v[XW_MAX_ATTRS] = {0};
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        char name[64];
        attr_name(a, name, sizeof name);
        long k = name_index(x, name);
        if (k >= 0 && !v[k]) v[k] = xmlNodeListGetString(x->doc, a->children, 1);
    }
    xw_val(t, 0, c + b, e - b);
    for (size_t k = 0; k < x->nnames; k++) {
        const char *vs = v[k] ? (const char *)v[k] : "";
        xw_val(t, k + 1, vs, strlen(vs));
    }
    if (x->hw >= 0 && x->lemma < 0) {
        const char *vs = v[x->hw] ? (const char *)v[x->hw] : "";
        xw_val(t, x->nnames + 1, vs, strlen(vs));
    }
    for (size_t k = 0; k < x->nnames; k++) xmlFree(v[k]);
    xmlFree(content);
    if (t->vals.failed || x->text->failed) return -1;
    t->n++;
    return 0;
}

/* Second pass: the words under top, in document order. */
static int xw_collect(xwords *x, xmlNodePtr top) {
    xmlNodePtr n = top;
    for (;;) {
        int enter = 0;
        if (n->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)n->name;
            if (is_word_elem(n)) {
                if (xw_word(x, n)) return -1;
            } else {
                if (block_level(name) == 2 && x->gap < 2) x->gap = 2;
                if (strcmp(name, "s") == 0) {
                    if (x->gap < 1) x->gap = 1;
                    xw_sentence_end(x);
                    if (xw_sentence(x, n)) return -1;
                }
                enter = n->children != NULL;
            }
        }
        if (enter) {
            n = n->children;
            continue;
        }
        /* leave n and every ancestor that has no next sibling */
        for (;;) {
            if (n->type == XML_ELEMENT_NODE) {
                if (strcmp((const char *)n->name, "s") == 0) {
                    xw_sentence_end(x);
                    if (x->gap < 1) x->gap = 1;
                }
                if (block_level((const char *)n->name) == 2) x->gap = 2;
            }
            if (n == top) return 0;
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
            if (!n) return 0;
        }
    }
}

static int xw_begin(xwords *x) {
    ld_tokens *t = x->t;
    t->n = 0;
    t->nsent = 0;
    cr_buf_reset(&t->vals);
    cr_buf_reset(&t->sinfo);
    cr_buf_reset(&t->names);
    x->hw = name_index(x, "hw");
    x->lemma = name_index(x, "lemma");
    size_t nattr = 1 + x->nnames + (x->hw >= 0 && x->lemma < 0);
    if (t->nattr != nattr) { /* the arrays hold rows of the old width */
        free(t->off);
        t->off = NULL;
        free(t->span);
        t->span = NULL;
        t->cap = 0;
    }
    t->nattr = nattr;
    cr_buf_add(&t->names, "word", 5);
    for (size_t i = 0; i < x->nnames; i++) cr_buf_add(&t->names, x->names[i], strlen(x->names[i]) + 1);
    if (x->hw >= 0 && x->lemma < 0) cr_buf_add(&t->names, "lemma", 6);
    return t->names.failed ? -1 : 0;
}

int ld_xml_text(const char *s, size_t n, const char *element, cr_buf *text, cr_buf *title,
                ld_tokens *words, char *msg, size_t msgsize) {
    cr_buf_reset(text);
    cr_buf_reset(title);
    if (words) words->n = 0;
    if (n > (size_t)0x7fffffff) {
        snprintf(msg, msgsize, "XML file too large");
        return -1;
    }
    if (cr_lazylib_load(&xml_lib, msg, msgsize)) return -1;
    xmlResetLastError();
    xmlSetGenericErrorFunc(NULL, quiet);
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
    if (!want && strcmp(local_name(root), "bncDoc") == 0)
        want = find_elem(root, "wtext", NULL) ? "wtext" : "stext";
    /* title */
    xmlNodePtr tn = find_elem(root, "title", "titleStmt");
    if (!tn) tn = find_elem(root, "title", NULL);
    if (tn && title_text(tn, doc, title)) rc = -1;
    tb t = {text, 0, 0, 0};
    walkopts w = {NULL, doc};
    xwords *xw = NULL;
    if (words && rc == 0) {
        xw = calloc(1, sizeof *xw);
        if (!xw) rc = -1;
        else {
            xw->t = words;
            xw->text = text;
            xw->doc = doc;
            for (xmlNodePtr cur = root; cur;) { /* the same elements as below */
                if (!want || elem_matches(cur, want, NULL)) {
                    xw_survey(xw, cur);
                    if (!want) break;
                    cur = next_node(root, cur, 1);
                } else cur = next_node(root, cur, 0);
            }
            if (xw->words && xw->nnames == 0) xw->words = 0; /* <w> without attributes: plain text */
            if (xw->words && xw_begin(xw)) t.err = 1;
        }
    }
    if (xw && xw->words) {
        for (xmlNodePtr cur = root; cur && !t.err;) {
            if (!want || elem_matches(cur, want, NULL)) {
                if (xw_collect(xw, cur)) t.err = 1;
                xw->gap = 2;
                if (!want) break;
                cur = next_node(root, cur, 1);
            } else cur = next_node(root, cur, 0);
        }
        if (want && !xw->t->n && !t.err) {
            snprintf(msg, msgsize, "no <%s> element", want);
            rc = -2;
        }
    } else if (!want) node_text(&t, root, &w);
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
    free(xw);
    xmlFreeDoc(doc);
    if (rc == -1) snprintf(msg, msgsize, "out of memory");
    if (rc == 0 && (cr_buf_addc(text, '\0') || cr_buf_addc(title, '\0'))) rc = -1;
    if (rc == 0) { text->len--; title->len--; }
    return rc ? -1 : 0;
}
