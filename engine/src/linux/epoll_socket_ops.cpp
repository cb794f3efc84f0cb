// epoll_socket_ops: readiness turned into syscalls for the epoll backend.
// An edge sets readable/writable on the descriptor; the operation at the
// head of the matching queue then tries its syscall, and EAGAIN clears the
// flag until the next edge. Finished operations go to the completion list
// (never to a callback from here).
//
// Thread rules: owning thread only (called from submit, cancel and run_once).
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "epoll_context.hpp"
#include "posix_io.hpp"
#include "swarmbench/log.hpp"

namespace swarmbench::detail {
namespace {

std::error_code sys_error(int err) noexcept { return {err, std::system_category()}; }

// Whether a listener has a connection in its accept queue (level check).
bool connection_waiting(int listener) noexcept {
    pollfd p{};
    p.fd = listener;
    p.events = POLLIN;
    int rc = 0;
    do {
        rc = ::poll(&p, 1, 0);
    } while (rc < 0 && errno == EINTR);
    return rc > 0 && (p.revents & POLLIN) != 0;
}

}  // namespace

void epoll_context::on_event(int fd, std::uint32_t events) {
    epoll_fd_state* st = fds_.find(fd);
    if (st == nullptr || !st->registered) return;  // closed since: stale event
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) st->readable = true;
    if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) st->writable = true;
    // After a FIN, RST or error no further edge may come: from now on only
    // EAGAIN (not a short transfer) may clear readiness.
    if ((events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) st->hup = true;
    if (!st->read_q.empty()) process_read(*st);
    if (!st->write_q.empty()) process_write(*st);
}

void epoll_context::process_read(epoll_fd_state& st) {
    while (operation* op = st.read_q.front()) {
        if (!st.readable) return;
        attempt a = attempt::blocked;
        switch (op->code) {
            case op_code::accept: a = try_accept(st, *op); break;
            case op_code::recv_pooled: a = try_recv_pooled(st, *op); break;
            default: a = try_recv(st, *op); break;
        }
        if (a == attempt::blocked) return;
    }
}

void epoll_context::process_write(epoll_fd_state& st) {
    while (operation* op = st.write_q.front()) {
        attempt a = attempt::blocked;
        switch (op->code) {
            case op_code::connect: a = try_connect(st, *op); break;
            case op_code::send:
                if (!st.writable) return;
                a = try_send(st, *op);
                break;
            default: a = try_shutdown(st, *op); break;
        }
        if (a == attempt::blocked) return;
    }
}

epoll_context::attempt epoll_context::try_accept(epoll_fd_state& st, operation& op) {
    const int fd = static_cast<int>(op.handle);
    const bool multishot = (op.flags & op_flag_multishot) != 0;
    for (;;) {
        sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        const int nfd = ::accept4(fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (nfd >= 0) {
            posix_prepare_accepted(nfd);
            forget_fd(nfd);
            op.peer = from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
            // Multishot: one completion per connection; deliver() re-arms it
            // after the callback, so several results never share the op.
            finish_in_queue(st, op, nfd, {}, multishot);
            return attempt::finished;
        }
        const int err = errno;
        // Interrupted, or a connection that died in the backlog: try the next one.
        if (err == EINTR || err == ECONNABORTED) continue;
        // accept4 takes the descriptor before looking at the queue, so with no
        // connection waiting EMFILE is not this operation's failure yet.
        const bool out_of_fds = err == EMFILE || err == ENFILE;
        if (err == EAGAIN || err == EWOULDBLOCK || (out_of_fds && !connection_waiting(fd))) {
            st.readable = false;
            return attempt::blocked;
        }
        // EMFILE/ENFILE and the rest end the operation (multishot included).
        // The listener stays readable, so retrying here would spin.
        SWARMBENCH_TRACE("accept on fd {}: {}", fd, sys_error(err).message());
        finish_in_queue(st, op, 0, sys_error(err));
        return attempt::finished;
    }
}

epoll_context::attempt epoll_context::try_recv(epoll_fd_state& st, operation& op) {
    const int fd = static_cast<int>(op.handle);
    const bool all = (op.flags & op_flag_recv_all) != 0;
    for (;;) {
        const std::size_t want = op.size - op.priv_.done;
        const ssize_t n = ::recv(fd, op.data + op.priv_.done, want, MSG_DONTWAIT);
        if (n > 0) {
            op.priv_.done += static_cast<std::uint64_t>(n);
            // A short read drained the socket; new data will raise an edge.
            const bool drained = static_cast<std::size_t>(n) < want && !st.hup;
            if (drained) st.readable = false;
            if (!all || op.priv_.done == op.size) {
                finish_in_queue(st, op, static_cast<std::int64_t>(op.priv_.done), {});
                return attempt::finished;
            }
            ++counters_.requeued;
            if (drained) return attempt::blocked;
            continue;
        }
        if (n == 0) {  // EOF (or size 0): result is what we have
            finish_in_queue(st, op, static_cast<std::int64_t>(op.priv_.done), {});
            return attempt::finished;
        }
        const int err = errno;
        if (err == EINTR) continue;
        if (err == EAGAIN || err == EWOULDBLOCK) {
            st.readable = false;
            return attempt::blocked;
        }
        finish_in_queue(st, op, static_cast<std::int64_t>(op.priv_.done), sys_error(err));
        return attempt::finished;
    }
}

epoll_context::attempt epoll_context::try_send(epoll_fd_state& st, operation& op) {
    const int fd = static_cast<int>(op.handle);
    for (;;) {
        const std::size_t want = op.size - op.priv_.done;
        if (want == 0) {
            finish_in_queue(st, op, static_cast<std::int64_t>(op.priv_.done), {});
            return attempt::finished;
        }
        const ssize_t n = ::send(fd, op.data + op.priv_.done, want, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            op.priv_.done += static_cast<std::uint64_t>(n);
            if (op.priv_.done == op.size) {
                finish_in_queue(st, op, static_cast<std::int64_t>(op.priv_.done), {});
                return attempt::finished;
            }
            // Short write: the send buffer is full and the kernel set
            // SOCK_NOSPACE, so an EPOLLOUT edge follows when room appears.
            ++counters_.requeued;
            if (!st.hup) {
                st.writable = false;
                return attempt::blocked;
            }
            continue;
        }
        const int err = n == 0 ? EAGAIN : errno;
        if (err == EINTR) continue;
        if (err == EAGAIN || err == EWOULDBLOCK) {
            st.writable = false;
            return attempt::blocked;
        }
        finish_in_queue(st, op, static_cast<std::int64_t>(op.priv_.done), sys_error(err));
        return attempt::finished;
    }
}

epoll_context::attempt epoll_context::try_connect(epoll_fd_state& st, operation& op) {
    const int fd = static_cast<int>(op.handle);
    if ((op.priv_.state & eps_connecting) == 0) {
        sockaddr_storage ss;
        const socklen_t len = to_sockaddr(op.peer, ss);
        if (len == 0) {
            finish_in_queue(st, op, 0, std::make_error_code(std::errc::address_family_not_supported));
            return attempt::finished;
        }
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&ss), len) == 0) {
            finish_in_queue(st, op, 0, {});
            return attempt::finished;
        }
        const int err = errno;
        // EINTR: the attempt goes on in the background, like EINPROGRESS.
        if (err == EINPROGRESS || err == EINTR || err == EALREADY) {
            op.priv_.state |= eps_connecting;
            st.writable = false;
            return attempt::blocked;
        }
        finish_in_queue(st, op, 0, sys_error(err));
        return attempt::finished;
    }
    if (!st.writable) return attempt::blocked;
    int so_error = 0;
    socklen_t len = sizeof(so_error);
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) so_error = errno;
    op.priv_.state &= ~eps_connecting;
    finish_in_queue(st, op, 0, so_error == 0 ? std::error_code{} : sys_error(so_error));
    return attempt::finished;
}

epoll_context::attempt epoll_context::try_shutdown(epoll_fd_state& st, operation& op) {
    // Runs once the sends queued before it are done, so the FIN follows them.
    const int rc = ::shutdown(static_cast<int>(op.handle), SHUT_WR);
    finish_in_queue(st, op, 0, rc == 0 ? std::error_code{} : sys_error(errno));
    return attempt::finished;
}

}  // namespace swarmbench::detail
