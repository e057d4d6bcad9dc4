// File: one open file description of the simulated world (the kernel's struct file).
//
// Every object an op can act on (regular file, directory, pipe end, socket, eventfd, another
// ring) is reached through a File. A File answers the calls the kernel's file operations answer
// — read/write at an offset, poll — with the same results: a byte count or -errno. -EAGAIN
// means "would block": the engine then parks the request on the File's wait list, exactly where
// the kernel arms its poll handler, and retries when wake() reports readiness. Object-specific
// calls (sockets, pipes, directories) live on the subclasses; ops reach them through kind().
//
// Files are reference counted (the fd table, registered-file slots and in-flight requests each
// hold a reference), like the kernel's fget/fput, so a file closed while a request uses it stays
// alive until that request is done. The last reference going away is the kernel's ->release:
// a subclass's destructor tells its peers (EOF for a pipe reader, HUP for a socket peer).
#pragma once

#include <sys/uio.h>

#include <boost/intrusive/list.hpp>
#include <boost/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>
#include <cerrno>
#include <cstdint>
#include <span>

namespace ringkit::sim {

// poll(2) event bits, as the kernel's EPOLL* values (what POLL_ADD takes and returns).
namespace poll_event {
inline constexpr std::uint32_t in = 0x001;
inline constexpr std::uint32_t pri = 0x002;
inline constexpr std::uint32_t out = 0x004;
inline constexpr std::uint32_t err = 0x008;
inline constexpr std::uint32_t hup = 0x010;
inline constexpr std::uint32_t nval = 0x020;
inline constexpr std::uint32_t rdnorm = 0x040;
inline constexpr std::uint32_t rdband = 0x080;
inline constexpr std::uint32_t wrnorm = 0x100;
inline constexpr std::uint32_t wrband = 0x200;
inline constexpr std::uint32_t msg = 0x400;
inline constexpr std::uint32_t rdhup = 0x2000;
// Always reported, whether asked for or not (as poll(2) does).
inline constexpr std::uint32_t always = err | hup;
}  // namespace poll_event

enum class FileKind : std::uint8_t {
  regular,
  directory,
  pipe_reader,
  pipe_writer,
  socket,
  eventfd,
  epoll,
  ring,  // another simulated io_uring instance (msg_ring, attach_wq)
};

// Something waiting for a File to become ready: a parked request, a poll request, an epoll
// watch. The engine owns waiters; a File only links them into its list and wakes them.
class Waiter : public boost::intrusive::list_base_hook<
                   boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
 public:
  // Events this waiter cares about; err and hup always match.
  std::uint32_t interest = 0;

  // Called by File::wake() with the File's current events that match `interest`. The waiter
  // is unlinked before the call; it may relink itself (multishot) from inside.
  virtual void on_ready(std::uint32_t events) noexcept = 0;

 protected:
  Waiter() noexcept = default;
  ~Waiter() = default;
};

using WaitList = boost::intrusive::list<Waiter, boost::intrusive::constant_time_size<false>>;

class File : public boost::intrusive_ref_counter<File, boost::thread_unsafe_counter> {
 public:
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  virtual ~File();

  [[nodiscard]] virtual FileKind kind() const noexcept = 0;
  // The events that are true now (poll_event bits), as the file's ->poll would report them.
  [[nodiscard]] virtual std::uint32_t poll() const noexcept = 0;

  // Reads into `iov` at `offset`; offset -1 uses and advances the file position (for files
  // that have one). Returns the bytes read (0 at end of file) or -errno; -EAGAIN when it would
  // block. rw_flags are the RWF_* bits of preadv2.
  virtual std::int64_t read(std::span<const iovec> iov, std::int64_t offset,
                            std::uint32_t rw_flags) noexcept;
  // The same for writing; a short count means the object took only that much (full buffers).
  virtual std::int64_t write(std::span<const iovec> iov, std::int64_t offset,
                             std::uint32_t rw_flags) noexcept;
  // O_* status flags the file was opened with (access mode, O_NONBLOCK, O_APPEND, O_DIRECT...).
  [[nodiscard]] std::uint32_t status_flags() const noexcept { return status_flags_; }
  void set_status_flags(std::uint32_t flags) noexcept { status_flags_ = flags; }
  [[nodiscard]] bool readable() const noexcept;
  [[nodiscard]] bool writable() const noexcept;

  // Links `w` to be woken when one of its interests (or err/hup) becomes true.
  void add_waiter(Waiter& w) noexcept { waiters_.push_back(w); }
  // Wakes every waiter whose interest matches the current events, in the order they waited.
  // Objects call it after every state change that can make an event true.
  void wake() noexcept;
  [[nodiscard]] bool has_waiters() const noexcept { return !waiters_.empty(); }

 protected:
  explicit File(std::uint32_t status_flags) noexcept : status_flags_(status_flags) {}

 private:
  WaitList waiters_;
  std::uint32_t status_flags_ = 0;
};

using FileRef = boost::intrusive_ptr<File>;

}  // namespace ringkit::sim
