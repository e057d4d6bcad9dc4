#include "ringkit/sim/world/pipe.hpp"

#include <fcntl.h>

#include <algorithm>
#include <bit>

namespace ringkit::sim {

PipeBuffer::PipeBuffer(bool packet_mode) noexcept
    : bytes_(pipe_default_capacity), packet_mode_(packet_mode) {}

void PipeBuffer::wake_ends() noexcept {
  // Waking may run waiter code that drops the other end; take references first.
  const FileRef reader(reader_);
  const FileRef writer(writer_);
  if (reader) reader->wake();
  if (writer) writer->wake();
}

PipeEnd::PipeEnd(boost::intrusive_ptr<PipeBuffer> buffer, bool reader,
                 std::uint32_t status) noexcept
    : File(status), buffer_(std::move(buffer)), reader_(reader) {}

PipeEnd::~PipeEnd() {
  // pipe_release: the other end sees EOF (reader gone: writers get EPIPE/POLLERR).
  PipeEnd* other = nullptr;
  if (reader_) {
    buffer_->reader_ = nullptr;
    other = buffer_->writer_;
  } else {
    buffer_->writer_ = nullptr;
    other = buffer_->reader_;
  }
  if (other != nullptr) {
    const FileRef keep(other);
    other->wake();
  }
}

std::uint32_t PipeEnd::poll() const noexcept {
  std::uint32_t events = 0;
  const PipeBuffer& b = *buffer_;
  if (reader_) {
    if (b.size() != 0) events |= poll_event::in | poll_event::rdnorm;
    if (!b.has_writer()) events |= poll_event::hup;
  } else {
    if (b.free_space() >= std::min(pipe_buf_bytes, b.capacity())) {
      events |= poll_event::out | poll_event::wrnorm;
    }
    if (!b.has_reader()) events |= poll_event::err;
  }
  return events;
}

std::int64_t PipeEnd::read(std::span<const iovec> iov, std::int64_t, std::uint32_t) noexcept {
  if (!reader_) return -EBADF;
  PipeBuffer& b = *buffer_;
  const std::size_t want = iov_length(iov);
  if (want == 0) return 0;  // pipe_read: "Null read succeeds", before looking for data
  if (b.bytes_.empty()) return b.has_writer() ? -EAGAIN : 0;
  std::size_t got = 0;
  if (b.packet_mode_) {
    // One packet per read; a short read discards the packet's rest (pipe(7), O_DIRECT).
    const std::size_t packet = b.packets_.front();
    b.packets_.pop_front();
    got = b.bytes_.peek_iov(iov, 0, 0, std::min(packet, want));
    b.bytes_.consume(packet);
  } else {
    got = b.bytes_.peek_iov(iov, 0, 0, want);
    b.bytes_.consume(got);
  }
  b.wake_ends();
  return static_cast<std::int64_t>(got);
}

std::int64_t PipeEnd::write(std::span<const iovec> iov, std::int64_t, std::uint32_t) noexcept {
  if (reader_) return -EBADF;
  return write_iov(iov);
}

std::int64_t PipeEnd::write_iov(std::span<const iovec> iov) noexcept {
  PipeBuffer& b = *buffer_;
  if (!b.has_reader()) return -EPIPE;
  const std::size_t total = iov_length(iov);
  if (total == 0) return 0;
  const std::size_t room = b.bytes_.free_space();
  // Up to PIPE_BUF bytes are written at once or not at all (pipe(7)).
  if (room == 0 || (total <= pipe_buf_bytes && room < total)) return -EAGAIN;
  const std::size_t took = b.bytes_.push_iov(iov, 0, total);
  if (b.packet_mode_) {
    for (std::size_t left = took; left != 0;) {
      const std::size_t packet = std::min(left, pipe_buf_bytes);
      b.packets_.push_back(packet);
      left -= packet;
    }
  }
  b.wake_ends();
  return static_cast<std::int64_t>(took);
}

std::int64_t PipeEnd::append(std::span<const std::byte> bytes) noexcept {
  if (reader_) return -EBADF;
  const iovec v{const_cast<std::byte*>(bytes.data()), bytes.size()};  // only read
  return write_iov(std::span<const iovec>(&v, 1));
}

std::size_t PipeEnd::consume(std::size_t n) noexcept {
  PipeBuffer& b = *buffer_;
  std::size_t done = 0;
  if (b.packet_mode_) {
    // Consuming keeps packet boundaries: a partly consumed packet shrinks.
    while (done < n && !b.packets_.empty()) {
      const std::size_t take = std::min(n - done, b.packets_.front());
      b.packets_.front() -= take;
      if (b.packets_.front() == 0) b.packets_.pop_front();
      done += b.bytes_.consume(take);
    }
  } else {
    done = b.bytes_.consume(n);
  }
  if (done != 0) b.wake_ends();
  return done;
}

std::int64_t PipeEnd::set_capacity(std::uint64_t bytes) noexcept {
  // round_pipe_size (fs/pipe.c): a power-of-two number of pages, at least one.
  if (bytes > (std::uint64_t{1} << 31)) return -EINVAL;
  std::uint64_t pages = (bytes + pipe_page_bytes - 1) / pipe_page_bytes;
  if (pages == 0) pages = 1;
  const std::uint64_t size = std::bit_ceil(pages) * pipe_page_bytes;
  if (size > pipe_max_size) return -EPERM;
  PipeBuffer& b = *buffer_;
  if (size < b.bytes_.size()) return -EBUSY;
  b.bytes_.set_capacity(static_cast<std::size_t>(size));
  b.wake_ends();
  return static_cast<std::int64_t>(size);
}

result<PipePair> make_pipe(std::uint32_t flags) noexcept {
  constexpr std::uint32_t allowed = O_NONBLOCK | O_CLOEXEC | O_DIRECT;
  if ((flags & ~allowed) != 0) return Error{EINVAL};
  const std::uint32_t status = flags & (O_NONBLOCK | O_DIRECT);
  boost::intrusive_ptr<PipeBuffer> buffer(new PipeBuffer((flags & O_DIRECT) != 0));
  auto* reader = new PipeEnd(buffer, true, status | O_RDONLY);
  auto* writer = new PipeEnd(buffer, false, status | O_WRONLY);
  buffer->reader_ = reader;
  buffer->writer_ = writer;
  return PipePair{FileRef(reader), FileRef(writer)};
}

std::int64_t tee_pipe(PipeEnd& from_reader, PipeEnd& to_writer, std::size_t len) noexcept {
  // do_tee (fs/splice.c): same pipe -> EINVAL; then the input, then the output is checked.
  if (!from_reader.reader_ || to_writer.reader_) return -EINVAL;
  PipeBuffer& in = *from_reader.buffer_;
  PipeBuffer& out = *to_writer.buffer_;
  if (&in == &out) return -EINVAL;
  if (len == 0) return 0;
  if (in.bytes_.empty()) return in.has_writer() ? -EAGAIN : 0;
  if (!out.has_reader()) return -EPIPE;
  const std::size_t n = std::min({len, in.bytes_.size(), out.bytes_.free_space()});
  if (n == 0) return -EAGAIN;
  // Copy through the target's free space directly: peek into a bounded stack chunk.
  std::byte chunk[4096];
  std::size_t done = 0;
  while (done < n) {
    const std::size_t run = std::min(n - done, sizeof chunk);
    in.bytes_.peek(std::span<std::byte>(chunk, run), done);
    out.bytes_.push(std::span<const std::byte>(chunk, run));
    if (out.packet_mode_) out.packets_.push_back(run);
    done += run;
  }
  out.wake_ends();
  return static_cast<std::int64_t>(done);
}

}  // namespace ringkit::sim
