/* llsqlite3.h — the lsqlite3 binding's one service to the host.
 *
 * Every connection opened through the lsqlite3 module is kept in a fixed
 * table of slots so that a Ctrl-C can interrupt the queries running on
 * them.  cr_sqlite_interrupt_all() only loads pointers from that table and
 * calls sqlite3_interrupt() on each, so it may be called from a signal
 * handler (or from another thread). */
#ifndef CORPUSRUN_LLSQLITE3_H
#define CORPUSRUN_LLSQLITE3_H

/* Interrupts the running query, if any, of every open connection; each
 * interrupted sqlite3_step returns SQLITE_INTERRUPT.  Async-signal-safe. */
void cr_sqlite_interrupt_all(void);

#endif
