// Shared main of the SystemC scenario tests: every SystemC warning or error fails the test.
// libsystemc owns main() and calls sc_main; each test runs in its own process under ctest
// because the kernel elaborates once per process.

#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>

namespace {
const int kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
}

// Visible: libsystemc calls it, and the build hides symbols by default.
__attribute__((visibility("default"))) int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING,
                                          sc_core::SC_DISPLAY | sc_core::SC_THROW);
  sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR,
                                          sc_core::SC_DISPLAY | sc_core::SC_THROW);
  return RUN_ALL_TESTS();
}
