/* interrupt.c — the stop request of interrupt.h. */
#include "interrupt.h"

volatile sig_atomic_t cr_interrupt_requested = 0;
