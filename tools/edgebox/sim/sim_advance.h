/* Moving the simulated market forward: every order is checked against the path walked since the last
 * call, segment by segment, each at the wall time its segment ends (so fills carry the moment the path
 * reached them, not the moment a client next asked). */
#ifndef EB_TOOLS_SIM_ADVANCE_H
#define EB_TOOLS_SIM_ADVANCE_H

#include <stdint.h>

#include "tools/edgebox/sim/sim_book.h"
#include "tools/edgebox/sim/sim_market.h"

/* Sweeps the book from *pos to the position at now_ms and sets *pos to it. */
void eb_sim_advance(const eb_sim_market_t *m, eb_sim_book_t *b, double *pos, int64_t now_ms);

#endif
