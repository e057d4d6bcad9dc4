// The kernel ABI mirror: every io_uring struct and constant of Linux 6.18, as ringkit spells it.
#pragma once

#include "ringkit/abi/buf_ring.hpp"
#include "ringkit/abi/cqe.hpp"
#include "ringkit/abi/enter.hpp"
#include "ringkit/abi/kernel_version.hpp"
#include "ringkit/abi/names.hpp"
#include "ringkit/abi/op_flags.hpp"
#include "ringkit/abi/opcode.hpp"
#include "ringkit/abi/register.hpp"
#include "ringkit/abi/setup.hpp"
#include "ringkit/abi/sqe.hpp"
