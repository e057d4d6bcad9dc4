// Pipes of the simulated world: pipe2(2) and the pipe side of splice/tee.
//
// A pipe is one bounded byte buffer (default 65536 bytes, F_SETPIPE_SZ-style resizable) shared
// by a read end and a write end, each a File. Results follow fs/pipe.c in non-blocking form:
// - read: data -> bytes; empty with a writer -> -EAGAIN; empty without writers -> 0 (EOF).
//   O_DIRECT ("packet mode", pipe(7)): a read returns at most one packet; the rest of a packet
//   longer than the read is discarded.
// - write: no reader -> -EPIPE (no SIGPIPE is modelled); up to PIPE_BUF (4096) bytes are atomic
//   (all or -EAGAIN); larger writes take what fits (short count) or -EAGAIN if nothing fits.
//   In packet mode each write is split into packets of at most PIPE_BUF bytes.
// - poll: reader in|rdnorm with data, hup without writers; writer out|wrnorm when a PIPE_BUF
//   write fits (Linux's "not full": its slot-based ring always takes a PIPE_BUF write when a
//   slot is free), err without readers.
// - The io_uring offset of a read/write is ignored: pipes are streams (FMODE_STREAM).
// - Reading a write end or writing a read end gives -EBADF (the fd lacks FMODE_READ/WRITE).
// Closing an end (its File's last reference) updates the counts and wakes the other end.
#pragma once

#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>

#include "ringkit/result.hpp"
#include "ringkit/sim/file.hpp"
#include "ringkit/sim/world/byte_queue.hpp"

namespace ringkit::sim {

inline constexpr std::size_t pipe_buf_bytes = 4096;  // PIPE_BUF
inline constexpr std::size_t pipe_page_bytes = 4096;
inline constexpr std::size_t pipe_default_capacity = 65536;
// /proc/sys/fs/pipe-max-size: an unprivileged F_SETPIPE_SZ above it is -EPERM.
inline constexpr std::size_t pipe_max_size = 1048576;

class PipeEnd;
struct PipePair;

// The buffer both ends share. Ends hold it alive; it knows the ends only through raw pointers
// that an end clears when it is released.
class PipeBuffer : public boost::intrusive_ref_counter<PipeBuffer, boost::thread_unsafe_counter> {
 public:
  explicit PipeBuffer(bool packet_mode) noexcept;

  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return bytes_.capacity(); }
  [[nodiscard]] std::size_t free_space() const noexcept { return bytes_.free_space(); }
  [[nodiscard]] bool has_reader() const noexcept { return reader_ != nullptr; }
  [[nodiscard]] bool has_writer() const noexcept { return writer_ != nullptr; }
  [[nodiscard]] bool packet_mode() const noexcept { return packet_mode_; }

 private:
  friend class PipeEnd;
  friend result<PipePair> make_pipe(std::uint32_t flags) noexcept;
  friend std::int64_t tee_pipe(PipeEnd& from_reader, PipeEnd& to_writer, std::size_t len) noexcept;

  void wake_ends() noexcept;

  ByteQueue bytes_;
  std::deque<std::size_t> packets_;  // packet lengths, front first (packet mode only)
  PipeEnd* reader_ = nullptr;
  PipeEnd* writer_ = nullptr;
  bool packet_mode_ = false;
};

class PipeEnd final : public File {
 public:
  PipeEnd(boost::intrusive_ptr<PipeBuffer> buffer, bool reader, std::uint32_t status) noexcept;
  ~PipeEnd() override;

  [[nodiscard]] FileKind kind() const noexcept override {
    return reader_ ? FileKind::pipe_reader : FileKind::pipe_writer;
  }
  [[nodiscard]] std::uint32_t poll() const noexcept override;
  std::int64_t read(std::span<const iovec> iov, std::int64_t offset,
                    std::uint32_t rw_flags) noexcept override;
  std::int64_t write(std::span<const iovec> iov, std::int64_t offset,
                     std::uint32_t rw_flags) noexcept override;

  [[nodiscard]] PipeBuffer& buffer() const noexcept { return *buffer_; }

  // F_GETPIPE_SZ.
  [[nodiscard]] std::int64_t capacity() const noexcept {
    return static_cast<std::int64_t>(buffer_->capacity());
  }
  // F_SETPIPE_SZ: rounds up to a power-of-two number of pages (at least one) and returns the
  // new size; -EPERM above pipe_max_size (unprivileged), -EBUSY when the queued bytes would
  // not fit, -EINVAL when the size cannot be rounded (above 2^31).
  std::int64_t set_capacity(std::uint64_t bytes) noexcept;

  // For splice/tee. peek copies queued bytes without consuming them; consume drops up to n
  // (and wakes the writer); append writes like write() (atomicity, -EPIPE, -EAGAIN).
  [[nodiscard]] std::size_t peek(std::span<std::byte> out, std::size_t offset = 0) const noexcept {
    return buffer_->bytes_.peek(out, offset);
  }
  std::size_t consume(std::size_t n) noexcept;
  std::int64_t append(std::span<const std::byte> bytes) noexcept;

 private:
  friend class PipeBuffer;
  friend std::int64_t tee_pipe(PipeEnd& from_reader, PipeEnd& to_writer, std::size_t len) noexcept;

  std::int64_t write_iov(std::span<const iovec> iov) noexcept;

  boost::intrusive_ptr<PipeBuffer> buffer_;
  bool reader_;
};

struct PipePair {
  FileRef reader;
  FileRef writer;
};

// pipe2(2): flags O_NONBLOCK, O_CLOEXEC, O_DIRECT; any other bit is -EINVAL (including
// O_NOTIFICATION_PIPE, not modelled). O_CLOEXEC belongs to the descriptors: the caller passes it
// to FdTable::install. O_NONBLOCK and O_DIRECT become the ends' status flags.
result<PipePair> make_pipe(std::uint32_t flags) noexcept;

// tee(2) between two pipes: copies up to `len` bytes from `from_reader`'s pipe into
// `to_writer`'s without consuming. Returns the count; 0 when the source is empty and has no
// writer; -EAGAIN when the source is empty (with a writer) or the target is full; -EPIPE when
// the target has no reader; -EINVAL when both are the same pipe or an end has the wrong
// direction.
std::int64_t tee_pipe(PipeEnd& from_reader, PipeEnd& to_writer, std::size_t len) noexcept;

}  // namespace ringkit::sim
