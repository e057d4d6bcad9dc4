#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ (small, meaningful inputs; see each target's
header comment for its input format). Run from anywhere: python3 fuzz/make_corpus.py
Existing seeds with the same names are overwritten; other files (added crashes, minimized
corpora) are left alone."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(bytes(data))


# ---- sqe_decode: one 64-byte SQE ----------------------------------------------------------
def sqe(opcode, flags=0, ioprio=0, fd=0, off=0, addr=0, length=0, op_flags=0, buf_index=0,
        personality=0, splice_fd_in=0, addr3=0):
    return struct.pack("<BBHiQQIIHHiQ16x", opcode, flags, ioprio, fd, off, addr, length, op_flags,
                       buf_index, personality, splice_fd_in, addr3)


SQE_SEEDS = {
    "nop": sqe(0, fd=-1),
    "nop_inject": sqe(0, fd=-1, length=(-5) & 0xffffffff, op_flags=1),
    "readv": sqe(1, fd=3, addr=0x7000, length=2, off=0),
    "read_fixed": sqe(4, fd=3, addr=0x10000, length=64, buf_index=1),
    "poll_add": sqe(6, fd=5, op_flags=1),
    "poll_multishot": sqe(6, fd=5, length=1, op_flags=1),
    "timeout_count": sqe(11, fd=-1, addr=0x8000, length=1, off=2),
    "async_cancel_any": sqe(14, fd=-1, op_flags=4),
    "openat": sqe(18, fd=-100, addr=0x9000, length=0o644, op_flags=0o102),
    "openat_direct": sqe(18, fd=-100, addr=0x9000, splice_fd_in=3),
    "read_select": sqe(22, flags=0x20, fd=3, length=64, off=(1 << 64) - 1, buf_index=7),
    "write_fixed_file": sqe(23, flags=0x01, fd=0, addr=0xa000, length=16),
    "send": sqe(26, fd=4, addr=0xb000, length=100),
    "recv_multishot": sqe(27, flags=0x20, fd=4, ioprio=2, buf_index=1),
    "provide_buffers": sqe(31, fd=4, addr=0xc000, length=32, off=0, buf_index=1),
    "accept_multishot": sqe(13, fd=6, ioprio=1),
    "files_update_alloc": sqe(20, fd=-1, addr=0xd000, length=2, off=0xffffffff),
    "read_multishot": sqe(49, flags=0x20, fd=3, buf_index=2),
}

# ---- builders: a selector byte (the case), then its arguments ------------------------------
def builder_seed(case, args=b""):
    return bytes([case]) + args


BUILDER_ARGS = bytes(range(1, 41))

# ---- buf_ring: mode, entries, size, [min_left], then operations ---------------------------
TRANSFER, TAKE, TAKE_TWICE, RECYCLE, CHECK = 0, 1, 2, 3, 4


def u16(v):
    return list(struct.pack("<H", v))


BUF_RING_SEEDS = {
    # Plain ring of 4 buffers of 16 bytes: transfer, take, recycle, take twice.
    "plain_cycle": [0, 2, 15] + [TRANSFER] + u16(10) + u16(1000) + [TAKE, 0, RECYCLE, 0] +
                   [TRANSFER] + u16(0) + u16(500) + [TAKE, 0, TAKE_TWICE, 1, RECYCLE, 4, CHECK],
    # Drain the ring: -ENOBUFS once every buffer is out.
    "plain_empty": [0, 1, 7] + ([TRANSFER] + u16(8) + u16(1000)) * 3 + [TAKE, 0, TAKE, 0] +
                   [RECYCLE, 1, RECYCLE, 1],
    # Incremental ring, min_left 4: partial transfers keep the buffer (F_BUF_MORE).
    "incremental": [2, 1, 31, 4] + ([TRANSFER] + u16(5) + u16(1000)) * 4 +
                   [TAKE, 0, TAKE, 0, TAKE, 0, TAKE, 0, RECYCLE, 0, CHECK],
    "incremental_zero": [2, 0, 8, 0] + [TRANSFER] + u16(3) + u16(0) + [TAKE, 0] +
                        [TRANSFER] + u16(0) + u16(1000) + [TAKE, 0],
    # Raw add/advance: add two entries past the tail, publish them, consume them.
    "raw": [1, 2, 8] + [0] + list(struct.pack("<QIHB", 0x1000, 64, 9, 0)) +
           [0] + list(struct.pack("<QIHB", 0x2000, 32, 10, 1)) + [1, 2] +
           [2] + list(struct.pack("<I", 0)) * 1 + [2] + list(struct.pack("<I", 16)),
}

# ---- registration: a selector byte per step, arguments after --------------------------------
(REG_FILES, REG_FILES_TAGS, REG_SPARSE, UPDATE, UNREG_FILES, RANGE, CLOSE, FILES_UPDATE_OP,
 READ_SLOT, REG_BUFFERS, UPDATE_BUFFERS, UNREG_BUFFERS) = range(12)
PIPE = [4, 5, 6, 7, 8, 9]  # pick_fd: 4 + k is pipe k; 0 is -1, 1 skip, 2 closed fd, 3 ring fd

REGISTRATION_SEEDS = {
    "sparse_update_read": [REG_SPARSE, 4, UPDATE, 0, 1, 2, PIPE[0], PIPE[1], READ_SLOT, 1,
                           READ_SLOT, 2, CLOSE, 1, READ_SLOT, 1, UNREG_FILES],
    "tags": [REG_FILES_TAGS, 3, PIPE[0], 1, 0, 0, PIPE[2], 2, UPDATE, 1, 0, 1, PIPE[3], 1,
             READ_SLOT, 0, UNREG_FILES],
    "alloc": [REG_SPARSE, 6, RANGE, 2, 3, FILES_UPDATE_OP, 1, 3, PIPE[0], PIPE[1], PIPE[2],
              FILES_UPDATE_OP, 1, 0, PIPE[4], CLOSE, 3, FILES_UPDATE_OP, 1, 0, PIPE[5],
              READ_SLOT, 3],
    "errors": [UPDATE, 0, 0, 1, 0, 0, UNREG_FILES, CLOSE, 0, REG_FILES, 2, 2, 3, RANGE, 0, 1,
               REG_FILES, 2, 0, PIPE[1], REG_FILES, 1, PIPE[0], UPDATE, 0, 0xff, 1, PIPE[1]],
    "buffers": [REG_BUFFERS, 1, 3, 1, 1, 0, 0, 2, 2, UPDATE_BUFFERS, 1, 2, 3, 1, 0, 0,
                UNREG_BUFFERS, REG_BUFFERS, 0, 2, 6, 1, REG_BUFFERS, 2, 4, UNREG_BUFFERS],
}

# ---- sim_program: u16 program length, program bytes, then the tape -------------------------
(NOP, NOP_FAIL, TIMEOUT, TIMEOUT_COUNT, TIMEOUT_MULTI, TIMEOUT_REMOVE, POLL, POLL_MULTI, CANCEL,
 LINK_TIMEOUT, READ_SELECT) = range(11)


def step(kind, param=10, target=0, flags=15):
    # flags: 0..2 link, 3 hardlink, 4 drain, 5 skip-success, 6 link+skip, else none
    return [kind, param, target, flags]


def program(steps, batches, cq=0, buf_entries=2, buf_size=8, incremental=0):
    out = [len(steps) - 1]
    for s in steps:
        out += s
    for size, actions, extra in batches:
        out += [size - 1, actions] + extra
    out += [cq, buf_entries, buf_size, incremental]
    return out


def sim_input(prog, tape=b""):
    return list(struct.pack("<H", len(prog))) + prog + list(tape)


SIGNAL, REAP, FEED, RECYCLE_ACT = 1, 2, 4, 8
SIM_SEEDS = {
    "nops": sim_input(program([step(NOP)] * 4, [(4, REAP, [])])),
    "timeouts_linked": sim_input(program(
        [step(NOP, flags=0), step(LINK_TIMEOUT, 5), step(TIMEOUT, 20), step(TIMEOUT_REMOVE, 1, 2),
         step(TIMEOUT_MULTI, 3)], [(3, REAP, []), (2, 0, [])], cq=1)),
    "poll_cancel": sim_input(program(
        [step(POLL), step(POLL_MULTI), step(CANCEL, 1, 1), step(NOP_FAIL, flags=5)],
        [(2, SIGNAL | REAP, []), (2, SIGNAL, [])])),
    "buffers": sim_input(program(
        [step(READ_SELECT, 8), step(READ_SELECT, 0), step(READ_SELECT, 4), step(NOP)],
        [(2, FEED | REAP | RECYCLE_ACT, [20, 2]), (2, FEED | REAP, [5])], buf_entries=1,
        buf_size=6, incremental=1)),
    # Faults on: latency and CQ pressure drawn from the tape (each kind: a 1 turns it on).
    "reordered": sim_input(program([step(NOP)] * 6 + [step(TIMEOUT_COUNT, 2)],
                                   [(4, REAP, []), (3, REAP, [])], cq=0),
                           tape=bytes([1, 0x40, 0x0d, 0x03, 0, 0, 0, 0, 0, 0, 1, 0x10, 0x27, 0x00,
                                       1, 0xa0, 0x86, 0x01]) + bytes(range(7, 200, 3))),
}


def main():
    for name, data in SQE_SEEDS.items():
        write("sqe_decode", name, data)
    for case in range(29):
        write("builders", "case_%02d" % case, builder_seed(case, BUILDER_ARGS))
    for name, data in BUF_RING_SEEDS.items():
        write("buf_ring", name, data)
    for name, data in REGISTRATION_SEEDS.items():
        write("registration", name, data)
    for name, data in SIM_SEEDS.items():
        write("sim_program", name, data)


if __name__ == "__main__":
    main()
