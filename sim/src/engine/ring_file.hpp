// RingFile: a simulated ring as a File of the world's fd table (what msg_ring, attach_wq and
// registered-file slots see). It names its ring by id, so it outlives the ring harmlessly.
#pragma once

#include "ringkit/sim/file.hpp"

namespace ringkit::sim::detail {

class RingFile final : public File {
 public:
  explicit RingFile(std::uint16_t ring_id) noexcept : File(0x2 /* O_RDWR */), ring_id_(ring_id) {}
  [[nodiscard]] FileKind kind() const noexcept override { return FileKind::ring; }
  // A ring fd is readable when its CQ has entries; the simulator does not poll rings.
  [[nodiscard]] std::uint32_t poll() const noexcept override { return 0; }
  [[nodiscard]] std::uint16_t ring_id() const noexcept { return ring_id_; }

 private:
  std::uint16_t ring_id_;
};

}  // namespace ringkit::sim::detail
