// ProvidedBufferGroup: legacy provided buffers (IORING_OP_PROVIDE_BUFFERS / REMOVE_BUFFERS).
//
// Before buffer rings (5.19), buffers were handed to a group by submitting PROVIDE_BUFFERS
// SQEs, and one is handed back the same way after its completion is processed. This class owns
// `count` buffers of one size (bid i is buffer i) and makes those SQEs; it tracks which buffers
// the kernel holds so a buffer is never provided twice. It mirrors the kernel's list order too
// (io_uring/kbuf.c: provided buffers are appended, selected and removed from the front), so it
// knows which buffers a REMOVE_BUFFERS gave back. The group itself lives in the kernel:
// removing it is an SQE too (remove_all()), which the caller submits before destroying this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "ringkit/abi/cqe.hpp"
#include "ringkit/op/ctl_buffers.hpp"
#include "ringkit/result.hpp"

namespace ringkit {

class ProvidedBufferGroup {
 public:
  // count in 1..65536, buffer_size > 0 (else EINVAL); ENOMEM.
  static result<ProvidedBufferGroup> create(std::uint16_t bgid, std::uint32_t count,
                                            std::uint32_t buffer_size) noexcept;

  [[nodiscard]] std::uint16_t bgid() const noexcept { return bgid_; }
  [[nodiscard]] op::BufGroup group() const noexcept { return op::BufGroup{bgid_}; }
  [[nodiscard]] std::uint32_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint32_t buffer_size() const noexcept { return buffer_size_; }

  // PROVIDE_BUFFERS for every buffer the kernel does not hold yet, as one SQE when they are all
  // free (the usual start), else EBUSY: provide them one by one with provide().
  result<op::ProvideBuffers> provide_all() noexcept;
  // PROVIDE_BUFFERS for buffer `bid` alone (after take()); EINVAL out of range, EBUSY when the
  // kernel holds it. The buffer counts as the kernel's from here: submit the SQE.
  result<op::ProvideBuffers> provide(std::uint16_t bid) noexcept;
  // REMOVE_BUFFERS for the whole group (the kernel's count of removed buffers is its result).
  [[nodiscard]] op::RemoveBuffers remove_all() const noexcept;
  // After a REMOVE_BUFFERS completion: the kernel dropped `removed_count` buffers (the CQE's
  // res) from the front of its list; they are the caller's again. EINVAL when the count is
  // negative or more than the kernel held.
  result<void> removed(std::int32_t removed_count) noexcept;

  [[nodiscard]] std::span<std::byte> buffer(std::uint16_t bid) const noexcept;
  // The bytes a completion delivered (IORING_CQE_F_BUFFER of this group's range, res >= 0; else
  // EINVAL); EALREADY when the buffer is not the kernel's. The buffer is the caller's after.
  result<std::span<std::byte>> take(const abi::Cqe& cqe) noexcept;
  [[nodiscard]] bool held_by_kernel(std::uint16_t bid) const noexcept {
    return bid < count_ && links_[bid].held;
  }
  [[nodiscard]] std::uint32_t held_by_kernel_count() const noexcept { return held_count_; }
  // The buffer the kernel would select next (the front of its list); ENOBUFS when it has none.
  result<std::uint16_t> kernel_next() const noexcept;

 private:
  static constexpr std::uint32_t none = ~0u;
  // The kernel's list of this group, threaded through the buffers by index.
  struct Link {
    std::uint32_t prev = none;
    std::uint32_t next = none;
    bool held = false;
  };

  ProvidedBufferGroup() noexcept = default;
  void append(std::uint32_t bid) noexcept;
  void unlink(std::uint32_t bid) noexcept;

  std::unique_ptr<std::byte[]> memory_;
  std::unique_ptr<Link[]> links_;
  std::uint32_t front_ = none;
  std::uint32_t back_ = none;
  std::uint32_t count_ = 0;
  std::uint32_t buffer_size_ = 0;
  std::uint32_t held_count_ = 0;
  std::uint16_t bgid_ = 0;
};

}  // namespace ringkit
