/* logo.h — the kernel's logo, one drawing in two forms: SVG (logo-svg.svg,
 * JupyterLab's launcher) and PNG (logo-32x32.png, logo-64x64.png, the
 * classic notebook).  The letters "cr" are drawn from arcs and a bar, not
 * from a font, so that both forms are the same picture on any machine; the
 * PNG is rasterised here (8x8 samples a pixel) and deflated by zlib, the
 * same bytes on every run.  No Lua. */
#ifndef CR_LOGO_H
#define CR_LOGO_H

#include "buf.h"

/* Appends the SVG document to out; 0, or -1 when out failed to grow. */
int logo_svg(cr_buf *out);

/* Appends a size x size RGBA PNG of the logo to out (1 <= size <= 1024);
 * 0, or -1 on a bad size, on memory or on a zlib failure. */
int logo_png(unsigned size, cr_buf *out);

#endif
