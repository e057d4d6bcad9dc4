#include "ringkit/provided_buffer_group.hpp"

#include <cerrno>
#include <new>

namespace ringkit {

result<ProvidedBufferGroup> ProvidedBufferGroup::create(std::uint16_t bgid, std::uint32_t count,
                                                        std::uint32_t buffer_size) noexcept {
  // MAX_BIDS_PER_BGID: buffer ids are 16 bits.
  if (count == 0 || count > (1u << 16) || buffer_size == 0) return Error{EINVAL};
  ProvidedBufferGroup g;
  g.memory_.reset(new (std::nothrow) std::byte[std::size_t{count} * buffer_size]);
  g.links_.reset(new (std::nothrow) Link[count]);
  if (!g.memory_ || !g.links_) return Error{ENOMEM};
  g.count_ = count;
  g.buffer_size_ = buffer_size;
  g.bgid_ = bgid;
  return g;
}

void ProvidedBufferGroup::append(std::uint32_t bid) noexcept {
  Link& link = links_[bid];
  link.held = true;
  link.prev = back_;
  link.next = none;
  if (back_ == none) {
    front_ = bid;
  } else {
    links_[back_].next = bid;
  }
  back_ = bid;
  ++held_count_;
}

void ProvidedBufferGroup::unlink(std::uint32_t bid) noexcept {
  Link& link = links_[bid];
  if (link.prev == none) {
    front_ = link.next;
  } else {
    links_[link.prev].next = link.next;
  }
  if (link.next == none) {
    back_ = link.prev;
  } else {
    links_[link.next].prev = link.prev;
  }
  link = Link{};
  --held_count_;
}

result<op::ProvideBuffers> ProvidedBufferGroup::provide_all() noexcept {
  if (held_count_ != 0) return Error{EBUSY};
  for (std::uint32_t bid = 0; bid < count_; ++bid) append(bid);
  return op::ProvideBuffers(memory_.get(), buffer_size_, count_, group(), 0);
}

result<op::ProvideBuffers> ProvidedBufferGroup::provide(std::uint16_t bid) noexcept {
  if (bid >= count_) return Error{EINVAL};
  if (links_[bid].held) return Error{EBUSY};
  append(bid);
  return op::ProvideBuffers(buffer(bid).data(), buffer_size_, 1, group(), bid);
}

op::RemoveBuffers ProvidedBufferGroup::remove_all() const noexcept {
  return op::RemoveBuffers(count_, group());
}

result<void> ProvidedBufferGroup::removed(std::int32_t removed_count) noexcept {
  if (removed_count < 0 || static_cast<std::uint32_t>(removed_count) > held_count_)
    return Error{EINVAL};
  for (std::int32_t i = 0; i < removed_count; ++i) unlink(front_);
  return {};
}

result<std::uint16_t> ProvidedBufferGroup::kernel_next() const noexcept {
  if (front_ == none) return Error{ENOBUFS};
  return static_cast<std::uint16_t>(front_);
}

std::span<std::byte> ProvidedBufferGroup::buffer(std::uint16_t bid) const noexcept {
  if (bid >= count_) return {};
  return {memory_.get() + std::size_t{bid} * buffer_size_, buffer_size_};
}

result<std::span<std::byte>> ProvidedBufferGroup::take(const abi::Cqe& cqe) noexcept {
  if ((cqe.flags & abi::cqe_flag::buffer) == 0 || cqe.res < 0) return Error{EINVAL};
  const std::uint16_t bid = abi::cqe_buffer_id(cqe.flags);
  if (bid >= count_ || static_cast<std::uint32_t>(cqe.res) > buffer_size_) return Error{EINVAL};
  if (!links_[bid].held) return Error{EALREADY};
  unlink(bid);
  return buffer(bid).first(static_cast<std::size_t>(cqe.res));
}

}  // namespace ringkit
