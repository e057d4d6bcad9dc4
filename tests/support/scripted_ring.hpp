// ScriptedRing: a Ring whose "kernel" is the test itself.
//
// It owns ring memory laid out by kernel_ring_layout(), so the Ring base's inline queue code
// runs on the kernel's shapes. Every enter and register call is recorded with its exact
// arguments; the kernel side (consuming SQEs, posting CQEs, setting SQ flags) is done by the
// test through the kernel_* methods or an on_enter hook.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "ringkit/ring.hpp"
#include "ringkit/ring_layout.hpp"

namespace ringkit::testing {

class ScriptedRing final : public Ring {
 public:
  struct RecordedEnter {
    EnterCall call;
    std::vector<std::byte> arg_bytes;  // a copy of *arg (argsz bytes)
  };
  struct RecordedRegister {
    abi::RegisterOp op;
    std::uint32_t nr_args;
    const void* arg;
    std::vector<std::byte> arg_bytes;  // a copy of the argument the op defines, if any
  };

  // `params` as validate_ring_options() returned them; features are what this fake reports.
  explicit ScriptedRing(const abi::Params& params, std::uint32_t features = 0);

  std::string_view backend_name() const noexcept override { return "scripted"; }
  int ring_fd() const noexcept override { return -1; }
  result<void> register_ring_fd() noexcept override;
  result<void> unregister_ring_fd() noexcept override;

  // ---- the kernel's side ----
  // Consumes up to n published SQEs (as the kernel does at enter), appending them to consumed.
  std::uint32_t kernel_consume(std::uint32_t n);
  // Posts a CQE at the CQ tail; false when the CQ is full (the overflow counter goes up).
  bool kernel_post(std::uint64_t user_data, std::int32_t res, std::uint32_t flags = 0,
                   std::uint64_t extra1 = 0, std::uint64_t extra2 = 0);
  void kernel_set_sq_flags(std::uint32_t flags);
  std::uint32_t kernel_sq_tail() const;
  std::uint32_t kernel_cq_head() const;

  std::vector<abi::Sqe> consumed;
  std::vector<RecordedEnter> enters;
  std::vector<RecordedRegister> registers;
  // Runs inside every enter after recording it; its result is the enter's result. By default
  // the kernel consumes to_submit SQEs and returns that count.
  std::function<result<std::uint32_t>(ScriptedRing&, const EnterCall&)> on_enter;
  // Runs inside every register call after recording it; default: returns 0.
  std::function<result<std::uint32_t>(ScriptedRing&, abi::RegisterOp, void*, std::uint32_t)>
      on_register;

 protected:
  result<std::uint32_t> do_enter(const EnterCall& call) noexcept override;
  result<std::uint32_t> do_register(abi::RegisterOp op, void* arg,
                                    std::uint32_t nr_args) noexcept override;

 private:
  std::uint32_t* ring_word(std::uint32_t offset) const;

  RingLayout layout_;
  std::unique_ptr<std::byte[]> rings_;
  std::unique_ptr<abi::Sqe[]> sqes_;
  std::uint32_t sq_entries_;
  std::uint32_t cq_entries_;
  bool cqe32_;
};

}  // namespace ringkit::testing
