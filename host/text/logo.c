/* logo.c — the kernel's logo as SVG and as PNG (logo.h).
 *
 * The drawing, in a 64 x 64 box: a rounded square of BLUE, and on it in
 * white the letter c (a ring of C_R's mid radius and STROKE's width, open
 * on the right between -45 and 45 degrees) and the letter r (a bar, and a
 * quarter ring from the bar's middle up to the right).  The SVG draws the
 * rings as stroked arcs with butt ends, which cover exactly the points the
 * rasteriser's tests accept. */
#include "logo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define BOX 64.0
#define CORNER 10.0
#define STROKE 5.0
/* the c: centre and mid radius */
#define C_X 22.0
#define C_Y 37.0
#define C_R 9.0
/* the r: the bar [R_X0, R_X0 + STROKE] x [R_Y0, R_Y1], the arm's centre and mid radius */
#define R_X0 38.0
#define R_Y0 26.5
#define R_Y1 48.5
#define ARM_X 50.5
#define ARM_Y 37.0
#define ARM_R 10.0

static const unsigned char BLUE[3] = {0x1f, 0x4e, 0x79};

/* cos 45 degrees, for the ends of the c's arc in the SVG */
#define COS45 0.70710678118654752

int logo_svg(cr_buf *out) {
    double d = C_R * COS45;
    return cr_buf_addf(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" viewBox=\"0 0 64 64\">\n"
        "<rect width=\"64\" height=\"64\" rx=\"%g\" fill=\"#%02x%02x%02x\"/>\n"
        "<g fill=\"none\" stroke=\"#ffffff\" stroke-width=\"%g\" stroke-linecap=\"butt\">\n"
        "<path d=\"M %.4f %.4f A %g %g 0 1 1 %.4f %.4f\"/>\n"
        "<path d=\"M %g %g A %g %g 0 0 1 %g %g\"/>\n"
        "</g>\n"
        "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"#ffffff\"/>\n"
        "</svg>\n",
        CORNER, BLUE[0], BLUE[1], BLUE[2], STROKE, C_X + d, C_Y + d, C_R, C_R, C_X + d, C_Y - d,
        ARM_X - ARM_R, ARM_Y, ARM_R, ARM_R, ARM_X, ARM_Y - ARM_R, R_X0, R_Y0, STROKE, R_Y1 - R_Y0);
}

/* Whether (x, y) lies between radii r - STROKE/2 and r + STROKE/2 of (cx, cy),
 * its offset from the centre returned in *dx, *dy. */
static int in_ring(double x, double y, double cx, double cy, double r, double *dx, double *dy) {
    *dx = x - cx;
    *dy = y - cy;
    double d2 = *dx * *dx + *dy * *dy;
    double lo = r - STROKE / 2, hi = r + STROKE / 2;
    return d2 >= lo * lo && d2 <= hi * hi;
}

static int in_square(double x, double y) {
    if (x < 0 || y < 0 || x > BOX || y > BOX) return 0;
    double cx = x < CORNER ? CORNER : x > BOX - CORNER ? BOX - CORNER : x;
    double cy = y < CORNER ? CORNER : y > BOX - CORNER ? BOX - CORNER : y;
    return (x - cx) * (x - cx) + (y - cy) * (y - cy) <= CORNER * CORNER;
}

static int in_letters(double x, double y) {
    double dx, dy;
    /* the c: the ring but its opening, the points right of the centre within 45 degrees */
    if (in_ring(x, y, C_X, C_Y, C_R, &dx, &dy) && !(dx > 0 && (dy < 0 ? -dy : dy) < dx)) return 1;
    /* the r: the bar, and the arm's quarter ring up and left of its centre */
    if (x >= R_X0 && x <= R_X0 + STROKE && y >= R_Y0 && y <= R_Y1) return 1;
    return in_ring(x, y, ARM_X, ARM_Y, ARM_R, &dx, &dy) && dx <= 0 && dy <= 0;
}

#define SAMPLES 8 /* a pixel's samples per side */

/* One pixel's RGBA: the average of its samples, each transparent, blue or white. */
static void shade(unsigned size, unsigned px, unsigned py, unsigned char rgba[4]) {
    double unit = BOX / size;
    unsigned blue = 0, white = 0;
    for (unsigned sy = 0; sy < SAMPLES; sy++)
        for (unsigned sx = 0; sx < SAMPLES; sx++) {
            double x = (px + (sx + 0.5) / SAMPLES) * unit, y = (py + (sy + 0.5) / SAMPLES) * unit;
            if (!in_square(x, y)) continue;
            if (in_letters(x, y)) white++;
            else blue++;
        }
    unsigned cover = blue + white;
    if (cover == 0) {
        memset(rgba, 0, 4);
        return;
    }
    for (int i = 0; i < 3; i++) /* colour of the covered part, rounded */
        rgba[i] = (unsigned char)((BLUE[i] * blue + 255u * white + cover / 2) / cover);
    rgba[3] = (unsigned char)((255u * cover + SAMPLES * SAMPLES / 2) / (SAMPLES * SAMPLES));
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A PNG chunk: length, type, data, CRC-32 of type and data. */
static int chunk(cr_buf *out, const char type[4], const unsigned char *data, size_t len) {
    unsigned char n[4], crc[4];
    if (len > 0x7fffffffu) return -1;
    put32(n, (uint32_t)len);
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, (const Bytef *)type, 4);
    if (len > 0) c = crc32(c, data, (uInt)len);
    put32(crc, (uint32_t)c);
    cr_buf_add(out, n, 4);
    cr_buf_add(out, type, 4);
    if (len > 0) cr_buf_add(out, data, len);
    return cr_buf_add(out, crc, 4);
}

int logo_png(unsigned size, cr_buf *out) {
    if (size < 1 || size > 1024) return -1;
    size_t row = 1 + 4 * (size_t)size; /* filter byte (0, none), then RGBA */
    size_t raw_len = row * size;
    unsigned char *raw = malloc(raw_len);
    uLongf z_len = compressBound((uLong)raw_len);
    unsigned char *z = malloc(z_len);
    int rc = -1;
    if (raw == NULL || z == NULL) goto out;
    for (unsigned y = 0; y < size; y++) {
        unsigned char *p = raw + row * y;
        *p++ = 0;
        for (unsigned x = 0; x < size; x++, p += 4) shade(size, x, y, p);
    }
    if (compress2(z, &z_len, raw, (uLong)raw_len, Z_BEST_COMPRESSION) != Z_OK) goto out;
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char ihdr[13];
    put32(ihdr, size);
    put32(ihdr + 4, size);
    ihdr[8] = 8;  /* bits per sample */
    ihdr[9] = 6;  /* colour type: RGBA */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering (every row: none) */
    ihdr[12] = 0; /* not interlaced */
    cr_buf_add(out, signature, sizeof signature);
    chunk(out, "IHDR", ihdr, sizeof ihdr);
    chunk(out, "IDAT", z, z_len);
    if (chunk(out, "IEND", NULL, 0) != 0 || out->failed) goto out;
    rc = 0;
out:
    free(raw);
    free(z);
    return rc;
}
