// Uses the installed headers and library: validates options and renders an error message.
#include <cstdio>
#include <ringkit/abi.hpp>
#include <ringkit/ring_options.hpp>

int main() {
  ringkit::RingOptions options;
  options.entries = 100;  // not a power of two
  const auto params = ringkit::validate_ring_options(options, ringkit::abi::setup::known_flags);
  if (params || params.error().reason() != ringkit::ErrorReason::entries_not_power_of_two) {
    std::fprintf(stderr, "consumer: expected entries_not_power_of_two\n");
    return 1;
  }
  std::printf("consumer: %s\n", params.error().message().c_str());
  return ringkit::abi::opcode_name(ringkit::abi::Opcode::nop) == "NOP" ? 0 : 1;
}
