// Generation of differential programs: free choices, which normalize() then makes
// deterministic on the kernel.
#pragma once

#include <rapidcheck.h>

#include <cstddef>
#include <string>
#include <vector>

#include "program.hpp"
#include "program_normalize.hpp"

namespace ringkit::differential {

inline rc::Gen<std::string> gen_bytes(std::size_t min, std::size_t max) {
  return rc::gen::container<std::string>(*rc::gen::inRange<std::size_t>(min, max + 1),
                                         rc::gen::inRange('a', 'j'));
}

inline rc::Gen<Op> gen_op() {
  return rc::gen::exec([] {
    Op op;
    op.kind = *rc::gen::weightedElement<OpKind>({{2, OpKind::nop},
                                                 {4, OpKind::file_read},
                                                 {3, OpKind::file_write},
                                                 {4, OpKind::stream_read},
                                                 {2, OpKind::stream_write},
                                                 {2, OpKind::timeout},
                                                 {2, OpKind::link_timeout},
                                                 {2, OpKind::cancel},
                                                 {1, OpKind::timeout_remove},
                                                 {2, OpKind::poll_multishot},
                                                 {3, OpKind::read_multishot},
                                                 {2, OpKind::close}});
    op.link = *rc::gen::weightedElement<Link>({{3, Link::none}, {2, Link::soft}, {1, Link::hard}});
    op.skip_success = *rc::gen::weightedElement<bool>({{5, false}, {1, true}});
    op.drain = *rc::gen::weightedElement<bool>({{9, false}, {1, true}});
    switch (op.kind) {
      case OpKind::nop:
        op.inject = *rc::gen::element<std::int32_t>(0, 0, -EIO, 3);
        break;
      case OpKind::file_read:
      case OpKind::file_write:
        op.object = *rc::gen::inRange<std::uint8_t>(0, file_count);
        op.offset = *rc::gen::inRange<std::uint32_t>(0, 40);
        if (op.kind == OpKind::file_read) {
          op.len = *rc::gen::inRange<std::uint32_t>(0, 24);
          op.select = *rc::gen::weightedElement<bool>({{2, false}, {1, true}});
        } else {
          op.data = *gen_bytes(1, 12);
        }
        op.fixed = *rc::gen::weightedElement<bool>({{2, false}, {1, true}});
        op.bad_slot = op.fixed && *rc::gen::weightedElement<bool>({{9, false}, {1, true}});
        break;
      case OpKind::stream_read:
      case OpKind::stream_write:
        op.object = *rc::gen::inRange<std::uint8_t>(0, stream_count);
        if (op.kind == OpKind::stream_read) {
          op.len = *rc::gen::inRange<std::uint32_t>(0, 24);
          op.select = *rc::gen::weightedElement<bool>({{2, false}, {1, true}});
          op.fixed = *rc::gen::weightedElement<bool>({{2, false}, {1, true}});
          op.bad_slot = op.fixed && *rc::gen::weightedElement<bool>({{9, false}, {1, true}});
        } else {
          op.data = *gen_bytes(1, 12);
        }
        break;
      case OpKind::timeout:
      case OpKind::link_timeout:
        op.long_timeout = *rc::gen::arbitrary<bool>();
        op.ms = *rc::gen::inRange<std::uint32_t>(0, 3);
        if (op.kind == OpKind::timeout) {
          op.count = *rc::gen::weightedElement<std::uint32_t>({{4, 0}, {1, 1}, {1, 2}, {1, 3}});
        }
        break;
      case OpKind::cancel:
      case OpKind::timeout_remove:
        // A user_data of the program (earlier or later), or one past it (unknown).
        op.target = *rc::gen::inRange<std::uint64_t>(0, 24);
        break;
      case OpKind::poll_multishot:
      case OpKind::read_multishot:
        op.object = *rc::gen::inRange<std::uint8_t>(0, stream_count);
        op.fixed = *rc::gen::weightedElement<bool>({{2, false}, {1, true}});
        op.bad_slot = op.fixed && *rc::gen::weightedElement<bool>({{9, false}, {1, true}});
        break;
      case OpKind::close:
        op.fixed = *rc::gen::arbitrary<bool>();
        op.object = *rc::gen::inRange<std::uint8_t>(0, 4);
        op.bad_slot = op.fixed && *rc::gen::weightedElement<bool>({{9, false}, {1, true}});
        break;
    }
    return op;
  });
}

// Containers (not loops) so that shrinking can drop any op or batch, not only the last ones.
inline rc::Gen<Batch> gen_batch() {
  return rc::gen::exec([] {
    Batch batch;
    for (auto& f : batch.feed) {
      f = *rc::gen::weightedElement<bool>({{1, false}, {1, true}}) ? *gen_bytes(1, 16)
                                                                   : std::string();
    }
    for (auto& c : batch.close_writer) {
      c = *rc::gen::weightedElement<bool>({{7, false}, {1, true}});
    }
    batch.recycle = *rc::gen::arbitrary<bool>();
    batch.ops =
        *rc::gen::resize(8, rc::gen::nonEmpty(rc::gen::container<std::vector<Op>>(gen_op())));
    return batch;
  });
}

inline rc::Gen<Program> gen_program() {
  return rc::gen::map(rc::gen::exec([] {
                        Program p;
                        for (auto& c : p.file_content) c = *gen_bytes(0, 24);
                        p.register_files = *rc::gen::weightedElement<bool>({{1, false}, {3, true}});
                        p.buf_entries = *rc::gen::element<std::uint32_t>(0, 1, 2, 4, 8);
                        p.buf_size = *rc::gen::element<std::uint32_t>(4, 8, 16);
                        p.batches = *rc::gen::resize(
                            4,
                            rc::gen::nonEmpty(rc::gen::container<std::vector<Batch>>(gen_batch())));
                        return p;
                      }),
                      [](Program p) { return normalize(std::move(p)); });
}

}  // namespace ringkit::differential
