// The control family: poll, timeouts, cancellation, provided buffers, ring messages, epoll,
// waitid and futexes.
#pragma once

#include "ringkit/op/ctl_buffers.hpp"
#include "ringkit/op/ctl_cancel.hpp"
#include "ringkit/op/ctl_poll.hpp"
#include "ringkit/op/ctl_timeout.hpp"
#include "ringkit/op/ctl_wait.hpp"
