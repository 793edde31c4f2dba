/* gazetteer.c — token trie, leftmost-longest and all-matches policies. */
#include "gazetteer.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

enum { LABEL_EXACT = 0, LABEL_PREFIX = 2 }; /* + 1 when sensitive */

int cr_gaz_init(cr_gazetteer *g) {
    memset(g, 0, sizeof *g);
    cr_counter_init(&g->strings);
    for (int i = 0; i < 4; i++) cr_counter_init(&g->keys[i]);
    int e = cr_tuples_init(&g->edges, 3);
    if (e) return e;
    g->nodes = calloc(64, sizeof *g->nodes);
    if (!g->nodes) return CR_ENOMEM;
    g->capnodes = 64;
    g->nnodes = 1; /* the root */
    return CR_OK;
}

void cr_gaz_free(cr_gazetteer *g) {
    cr_counter_free(&g->strings);
    for (int i = 0; i < 4; i++) cr_counter_free(&g->keys[i]);
    cr_tuples_free(&g->edges);
    free(g->nodes);
    free(g->payloads);
    free(g->entries);
    memset(g, 0, sizeof *g);
}

/* Grows *arr (of elem-sized items, *cap of them) to hold one more. */
static int grow(void **arr, size_t *cap, size_t used, size_t elem) {
    if (used < *cap) return CR_OK;
    if (used >= 0xffffffffu) return CR_EOVERFLOW;
    void *p = cr_grow(*arr, cap, used + 1, elem, 64);
    if (!p) return CR_ENOMEM;
    *arr = p;
    return CR_OK;
}

static int64_t edge_find(const cr_gazetteer *g, uint32_t node, unsigned kind, uint32_t label) {
    uint32_t t[3] = { node, kind, label };
    int64_t i = cr_tuples_find(&g->edges, t);
    return i < 0 ? -1 : g->edges.counts[i];
}

static int64_t string_id(cr_gazetteer *g, const char *s, size_t n) {
    return cr_counter_intern(&g->strings, s, n);
}

int cr_gaz_add(cr_gazetteer *g, const cr_gaz_token *toks, size_t n, int sensitive,
               const char *entity, size_t elen, const char *type, size_t tlen,
               const char *alias, size_t alen) {
    if (n < 1 || n > CR_GAZ_MAX_TOKENS) return CR_EINVAL;
    int64_t eid = string_id(g, entity, elen), tid = string_id(g, type, tlen),
            aid = string_id(g, alias, alen);
    if (eid < 0) return (int)eid;
    if (tid < 0) return (int)tid;
    if (aid < 0) return (int)aid;
    uint32_t node = 0;
    int e;
    for (size_t i = 0; i < n; i++) {
        unsigned kind = (toks[i].prefix ? LABEL_PREFIX : LABEL_EXACT) + (sensitive ? 1 : 0);
        if (toks[i].prefix && toks[i].len > g->prefix_maxlen[sensitive ? 1 : 0])
            g->prefix_maxlen[sensitive ? 1 : 0] = toks[i].len;
        int64_t label = cr_counter_intern(&g->keys[kind], toks[i].key, toks[i].len);
        if (label < 0) return (int)label;
        int64_t child = edge_find(g, node, kind, (uint32_t)label);
        if (child < 0) {
            if ((e = grow((void **)&g->nodes, &g->capnodes, g->nnodes, sizeof *g->nodes))) return e;
            child = (int64_t)g->nnodes;
            uint32_t t[3] = { node, kind, (uint32_t)label };
            if ((e = cr_tuples_add(&g->edges, t, child))) return e;
            g->nodes[g->nnodes++] = (cr_gaz_node){ 0, 0 };
            if (toks[i].prefix) {
                g->nodes[node].prefix_edges |= (uint8_t)(1u << (sensitive ? 1 : 0));
                g->prefix_kinds |= 1u << (sensitive ? 1 : 0);
            }
        }
        node = (uint32_t)child;
    }
    g->aliases++;
    if (sensitive) g->has_sensitive = 1;
    /* Append the entry to the node's payload list unless it is there. */
    uint32_t *link = &g->nodes[node].payload;
    while (*link) {
        const cr_gaz_entry *x = &g->entries[g->payloads[*link - 1].entry];
        if (x->entity == eid && x->type == tid && x->alias == aid) return CR_OK;
        link = &g->payloads[*link - 1].next;
    }
    size_t link_off = (size_t)((char *)link - (char *)g->payloads); /* when in payloads */
    int in_payloads = link != &g->nodes[node].payload;
    if ((e = grow((void **)&g->entries, &g->capentries, g->nentries, sizeof *g->entries)) ||
        (e = grow((void **)&g->payloads, &g->cappayloads, g->npayloads, sizeof *g->payloads)))
        return e;
    if (in_payloads) link = (uint32_t *)((char *)g->payloads + link_off);
    g->entries[g->nentries] = (cr_gaz_entry){ (uint32_t)eid, (uint32_t)tid, (uint32_t)aid };
    g->payloads[g->npayloads] = (cr_gaz_payload){ (uint32_t)g->nentries, 0 };
    g->nentries++;
    *link = (uint32_t)++g->npayloads;
    return CR_OK;
}

/* ---- matching ----------------------------------------------------------- */
typedef struct hit {
    size_t end;          /* index of the last token */
    uint32_t entry;
} hit;

typedef struct mctx {
    const cr_gazetteer *g;
    const cr_gaz_text *t;
    size_t n;
    const int64_t *ids;  /* per token: exact-insensitive, exact-sensitive label */
    hit *hits;
    size_t nhits, caphits;
    int err;
} mctx;

static void record(mctx *m, uint32_t node, size_t end) {
    for (uint32_t p = m->g->nodes[node].payload; p; p = m->g->payloads[p - 1].next) {
        if (grow((void **)&m->hits, &m->caphits, m->nhits, sizeof *m->hits)) { m->err = CR_ENOMEM; return; }
        m->hits[m->nhits++] = (hit){ end, m->g->payloads[p - 1].entry };
    }
}

static int utf8_cont(unsigned char c) { return (c & 0xc0) == 0x80; }

static void walk(mctx *m, uint32_t node, size_t pos, size_t start) {
    const cr_gazetteer *g = m->g;
    if (pos > start && g->nodes[node].payload) record(m, node, pos - 1);
    if (m->err || pos >= m->n || pos - start >= CR_GAZ_MAX_TOKENS ||
        m->t[pos].sentence != m->t[start].sentence)
        return;
    for (unsigned s = 0; s < 2; s++) {
        if (s && !g->has_sensitive) break;
        int64_t label = m->ids[2 * pos + s];
        if (label >= 0) {
            int64_t child = edge_find(g, node, LABEL_EXACT + s, (uint32_t)label);
            if (child >= 0) walk(m, (uint32_t)child, pos + 1, start);
        }
        if (!(g->nodes[node].prefix_edges & (1u << s))) continue;
        const char *key = s ? m->t[pos].exact : m->t[pos].key;
        size_t len = s ? m->t[pos].exactlen : m->t[pos].keylen;
        if (!key) continue;
        /* a label is at most prefix_maxlen bytes: the prefixes of a long
         * token beyond that cannot match (and hashing each would make the
         * token's cost quadratic in its length) */
        size_t top = len < g->prefix_maxlen[s] ? len : g->prefix_maxlen[s];
        for (size_t l = 1; l <= top; l++) {
            if (l < len && utf8_cont((unsigned char)key[l])) continue;
            int64_t pl = cr_counter_find(&g->keys[LABEL_PREFIX + s], key, l);
            if (pl < 0) continue;
            int64_t child = edge_find(g, node, LABEL_PREFIX + s, (uint32_t)pl);
            if (child >= 0) walk(m, (uint32_t)child, pos + 1, start);
        }
    }
}

static void sort_hits(hit *h, size_t n) {
    for (size_t i = 1; i < n; i++) {
        hit x = h[i];
        size_t j = i;
        while (j > 0 && (h[j - 1].end > x.end || (h[j - 1].end == x.end && h[j - 1].entry > x.entry))) {
            h[j] = h[j - 1];
            j--;
        }
        h[j] = x;
    }
}

static int emit_hit(mctx *m, size_t start, const hit *h, cr_gaz_emit emit, void *ud) {
    const cr_gazetteer *g = m->g;
    const cr_gaz_entry *e = &g->entries[h->entry];
    const cr_centry *s = g->strings.entries;
    cr_gaz_hit mt = {
        s[e->entity].key, s[e->type].key, s[e->alias].key,
        cr_centry_len(&s[e->entity]), cr_centry_len(&s[e->type]), cr_centry_len(&s[e->alias]),
        m->t[start].start, m->t[h->end].stop, m->t[start].sentence,
        start, h->end, h->entry
    };
    return emit(ud, &mt);
}

int64_t cr_gaz_label(const cr_gazetteer *g, int sensitive, const char *key, size_t len) {
    return cr_counter_find(&g->keys[LABEL_EXACT + (sensitive ? 1 : 0)], key, len);
}

int cr_gaz_match_labels(const cr_gazetteer *g, const cr_gaz_text *toks, const int64_t *labels,
                        size_t n, cr_gaz_policy policy, cr_gaz_emit emit, void *ud) {
    if (n == 0 || g->nentries == 0) return CR_OK;
    mctx m = { g, toks, n, labels, NULL, 0, 0, 0 };
    /* Only a token with a label, or any token when the root has prefix
     * edges, can start a match: the others need no walk. */
    int any = g->nodes[0].prefix_edges != 0;
    int r = 0;
    size_t i = 0;
    while (i < n && !r) {
        if (!any && labels[2 * i] < 0 && labels[2 * i + 1] < 0) { i++; continue; }
        m.nhits = 0;
        walk(&m, 0, i, i);
        if (m.err) { r = m.err; break; }
        if (m.nhits == 0) { i++; continue; }
        sort_hits(m.hits, m.nhits);
        size_t from = 0;
        if (policy == CR_GAZ_LONGEST) {
            size_t last = m.hits[m.nhits - 1].end;
            while (m.hits[from].end != last) from++;
        }
        for (size_t h = from; h < m.nhits && !r; h++) {
            if (h > from && m.hits[h].end == m.hits[h - 1].end && m.hits[h].entry == m.hits[h - 1].entry)
                continue; /* the same entry reached by two paths */
            r = emit_hit(&m, i, &m.hits[h], emit, ud);
        }
        i = policy == CR_GAZ_LONGEST ? m.hits[m.nhits - 1].end + 1 : i + 1;
    }
    free(m.hits);
    return r;
}

int cr_gaz_match(const cr_gazetteer *g, const cr_gaz_text *toks, size_t n,
                 cr_gaz_policy policy, cr_gaz_emit emit, void *ud) {
    if (n == 0 || g->nentries == 0) return CR_OK;
    if (n > SIZE_MAX / (2 * sizeof(int64_t))) return CR_ENOMEM;
    int64_t *ids = malloc(2 * n * sizeof *ids);
    if (!ids) return CR_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        ids[2 * i] = cr_gaz_label(g, 0, toks[i].key, toks[i].keylen);
        ids[2 * i + 1] = g->has_sensitive && toks[i].exact
            ? cr_gaz_label(g, 1, toks[i].exact, toks[i].exactlen) : -1;
    }
    int r = cr_gaz_match_labels(g, toks, ids, n, policy, emit, ud);
    free(ids);
    return r;
}
