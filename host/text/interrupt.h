/* interrupt.h — a request to stop: set by the host when Ctrl-C arrives,
 * polled by long loops (cores and bindings) at their safe points, where
 * they stop as if the work were done or failed; the host then reports the
 * interruption.  Pure C: no Lua. */
#ifndef CR_INTERRUPT_H
#define CR_INTERRUPT_H

#include <signal.h>

extern volatile sig_atomic_t cr_interrupt_requested;

/* Has a stop been requested?  Cheap enough to call once per row. */
static inline int cr_interrupted(void) { return cr_interrupt_requested != 0; }

#endif
