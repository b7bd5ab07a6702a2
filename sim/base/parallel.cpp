#include "sim/base/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace pcmsim {

namespace {
std::atomic<int> g_default_threads{0};
}  // namespace

void set_default_threads(int n) { g_default_threads = std::max(0, n); }

int default_threads() {
  const int n = g_default_threads;
  return n > 0 ? n : int(std::max(1u, std::thread::hardware_concurrency()));
}

int worker_count(size_t n, int threads) {
  if (threads <= 0) threads = default_threads();
  return int(std::max<size_t>(1, std::min<size_t>(size_t(threads), n)));
}

void parallel_for(size_t n, const std::function<void(size_t, int)>& fn, int threads) {
  threads = worker_count(n, threads);
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i, 0);
    return;
  }
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](int worker) {
    for (size_t i = next++; i < n; i = next++) {
      try {
        fn(i, worker);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = n;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace pcmsim
