// Strong types for the encoding traps of SQE fields.
//
// A plain fd and a registered-file slot are both "fd" in the SQE, told apart only by
// IOSQE_FIXED_FILE; a direct-descriptor destination is stored +1 (0 means "not direct");
// a provided-buffer group needs IOSQE_BUFFER_SELECT. These types make each mistake a type error.
#pragma once

#include <cstdint>

#include "ringkit/abi/op_flags.hpp"
#include "ringkit/abi/sqe.hpp"

namespace ringkit::op {

// A file descriptor of the process.
struct Fd {
  std::int32_t value = -1;
  friend constexpr bool operator==(Fd, Fd) noexcept = default;
};

// A slot of the ring's registered file table (implies IOSQE_FIXED_FILE).
struct FixedFile {
  std::uint32_t index = 0;
  friend constexpr bool operator==(FixedFile, FixedFile) noexcept = default;
};

// The file an operation acts on: either kind, as the kernel reads sqe->fd and the flag.
class FileRef {
 public:
  constexpr FileRef(Fd fd) noexcept : raw_(fd.value), fixed_(false) {}  // NOLINT
  constexpr FileRef(FixedFile file) noexcept                            // NOLINT
      : raw_(static_cast<std::int32_t>(file.index)), fixed_(true) {}

  [[nodiscard]] constexpr bool fixed() const noexcept { return fixed_; }
  // sqe->fd as the kernel reads it: the descriptor, or the slot index.
  [[nodiscard]] constexpr std::int32_t raw() const noexcept { return raw_; }
  // The IOSQE_* bit this reference implies.
  [[nodiscard]] constexpr std::uint8_t sqe_flags() const noexcept {
    return fixed_ ? abi::sqe_flag::fixed_file : std::uint8_t{0};
  }
  // From sqe->fd and sqe->flags.
  [[nodiscard]] static constexpr FileRef from_sqe(const abi::Sqe& sqe) noexcept {
    return (sqe.flags & abi::sqe_flag::fixed_file)
               ? FileRef(FixedFile{static_cast<std::uint32_t>(sqe.fd)})
               : FileRef(Fd{sqe.fd});
  }

  friend constexpr bool operator==(FileRef, FileRef) noexcept = default;

 private:
  std::int32_t raw_;
  bool fixed_;
};

// Where an operation that creates a file (openat, accept, socket, pipe…) puts it: a normal
// descriptor, a chosen registered slot, or one the kernel allocates (IORING_FILE_INDEX_ALLOC).
class DestSlot {
 public:
  // A normal file descriptor (sqe->file_index 0).
  static constexpr DestSlot descriptor() noexcept { return DestSlot(0); }
  // Registered slot `index` (encoded index + 1, as the kernel expects).
  static constexpr DestSlot slot(std::uint32_t index) noexcept { return DestSlot(index + 1); }
  // A free slot from the alloc range; the CQE's res is the slot chosen.
  static constexpr DestSlot alloc() noexcept { return DestSlot(abi::file_index_alloc); }

  [[nodiscard]] constexpr bool direct() const noexcept { return encoded_ != 0; }
  [[nodiscard]] constexpr bool allocated() const noexcept {
    return encoded_ == abi::file_index_alloc;
  }
  // sqe->file_index as the kernel reads it.
  [[nodiscard]] constexpr std::uint32_t encoded() const noexcept { return encoded_; }
  [[nodiscard]] static constexpr DestSlot from_encoded(std::uint32_t encoded) noexcept {
    return DestSlot(encoded);
  }
  // sqe->file_index is the word splice_fd_in shares.
  [[nodiscard]] static constexpr DestSlot from_sqe(const abi::Sqe& sqe) noexcept {
    return DestSlot(static_cast<std::uint32_t>(sqe.splice_fd_in));
  }
  constexpr void to_sqe(abi::Sqe& sqe) const noexcept {
    sqe.splice_fd_in = static_cast<std::int32_t>(encoded_);
  }

  friend constexpr bool operator==(DestSlot, DestSlot) noexcept = default;

 private:
  constexpr explicit DestSlot(std::uint32_t encoded) noexcept : encoded_(encoded) {}
  std::uint32_t encoded_;
};

// A provided-buffer group (implies IOSQE_BUFFER_SELECT; sqe->buf_group).
struct BufGroup {
  std::uint16_t id = 0;
  friend constexpr bool operator==(BufGroup, BufGroup) noexcept = default;
};

// A registered buffer's index (sqe->buf_index).
struct BufIndex {
  std::uint16_t value = 0;
  friend constexpr bool operator==(BufIndex, BufIndex) noexcept = default;
};

}  // namespace ringkit::op
