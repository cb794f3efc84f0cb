// epoll backend, recv_pooled: a receive-pool buffer is taken only once the
// descriptor is readable, filled by one recv and handed to the caller; an
// idle socket holds none. With the pool empty the operation stays at the
// head of its read queue (so close and cancel find it as any receive) and
// its descriptor waits in starved_fds_ until release_recv_buffer frees a
// buffer; TCP holds the data meanwhile.
//
// Thread rules: owning thread only (called from submit, run_once, cancel and
// release_recv_buffer).
#include <sys/socket.h>

#include <cerrno>

#include "epoll_context.hpp"

namespace swarmbench::detail {

epoll_context::attempt epoll_context::try_recv_pooled(epoll_fd_state& st, operation& op) {
    const int fd = static_cast<int>(op.handle);
    std::byte* data = recv_pool_.lend_free();
    if (data == nullptr) {
        // A peek needs no buffer: it tells a real wait (data queued) from an
        // idle socket, and ends the operation at once on EOF or an error.
        char probe = 0;
        ssize_t n = 0;
        do {
            n = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
        } while (n < 0 && errno == EINTR);
        const int err = n < 0 ? errno : 0;
        if (err == EAGAIN || err == EWOULDBLOCK) {
            st.readable = false;
            return attempt::blocked;
        }
        if (n <= 0) {
            finish_in_queue(st, op, 0, err == 0 ? std::error_code{} : std::error_code{err, std::system_category()});
            return attempt::finished;
        }
        if (!st.starved) {
            st.starved = true;
            ++counters_.recv_starved;
            starved_fds_.push_back(fd);
        }
        return attempt::blocked;
    }
    st.starved = false;
    const std::size_t want = recv_pool_.buffer_size();
    for (;;) {
        const ssize_t n = ::recv(fd, data, want, MSG_DONTWAIT);
        if (n > 0) {
            // A short read drained the socket; new data will raise an edge.
            if (static_cast<std::size_t>(n) < want && !st.hup) st.readable = false;
            finish_in_queue(st, op, n, {}, (op.flags & op_flag_multishot) != 0);
            op.data = data;
            return attempt::finished;
        }
        const int err = n < 0 ? errno : 0;
        if (err == EINTR) continue;
        recv_pool_.give_back(data);
        if (err == EAGAIN || err == EWOULDBLOCK) {
            st.readable = false;
            return attempt::blocked;
        }
        // 0: the peer closed; else the error. Either ends a multishot too.
        finish_in_queue(st, op, 0, err == 0 ? std::error_code{} : std::error_code{err, std::system_category()});
        return attempt::finished;
    }
}

void epoll_context::wake_starved() {
    while (recv_pool_.unlent() > 0 && !starved_fds_.empty()) {
        const int fd = starved_fds_.front();
        starved_fds_.pop_front();
        epoll_fd_state* st = fds_.find(fd);
        if (st == nullptr || !st->starved) continue;  // served, cancelled or closed since
        st->starved = false;
        process_read(*st);  // takes a buffer, or starves again (back of the line) if none is left
    }
}

void epoll_context::release_recv_buffer(std::byte* data) noexcept {
    if (!recv_pool_.give_back(data) || shutting_down_) return;
    wake_starved();
}

}  // namespace swarmbench::detail
