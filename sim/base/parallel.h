#pragma once
// Work spread over threads where the result of each item does not depend on which thread runs
// it or when (keyed draws, outputs written to each item's own place): the results are the same
// for any thread count.

#include <cstddef>
#include <functional>

namespace pcmsim {

/// @brief Threads parallel_for() uses when asked for 0: set by the command line's --threads;
/// by default one per core.
void set_default_threads(int n);
int default_threads();

/// @brief The threads parallel_for() runs @p n items on when asked for @p threads (0: the
/// default): at least 1, at most n.
int worker_count(size_t n, int threads = 0);

/// @brief Runs fn(i, worker) for every i in [0, n) on worker_count(n, threads) threads, the
/// calling thread (worker 0) among them, items taken in order as workers free up; worker is
/// the thread's number, for per-thread scratch. The first exception an item throws stops the
/// others from taking new items and is rethrown here.
void parallel_for(size_t n, const std::function<void(size_t, int)>& fn, int threads = 0);

}  // namespace pcmsim
