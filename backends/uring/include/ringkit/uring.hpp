// The kernel backend (ringkit::uring): UringRing, io_uring availability, the kernel release.
#pragma once

#include "ringkit/uring/availability.hpp"
#include "ringkit/uring/kernel_release.hpp"
#include "ringkit/uring/uring_ring.hpp"
