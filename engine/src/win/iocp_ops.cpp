// iocp_ops: the overlapped calls of the IOCP backend and what their results
// mean. start_*() issues one call for an operation; after_call() decides
// whether a packet is owed (pending, or an inline success on a handle that
// still posts one) or the result is known now (an inline success with
// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, or an immediate failure, neither of
// which posts a packet); advance() turns a result into "issue the rest" or a
// finished operation on the completion list, never into a callback.
//
// Thread rules: owning thread only (called from submit, cancel, run_once and
// the destructor).
#include "iocp_context.hpp"

#include <utility>

#include "swarmbench/error.hpp"

namespace swarmbench::detail {
namespace {

std::error_code canceled() noexcept { return errc_code(std::errc::operation_canceled); }

void reset_overlapped(OVERLAPPED& ov, std::uint64_t offset = 0) noexcept {
    ov = OVERLAPPED{};
    ov.Offset = static_cast<DWORD>(offset);
    ov.OffsetHigh = static_cast<DWORD>(offset >> 32);
}

// Connections that died between the client's connect and our AcceptEx: the
// listener is fine, so a new AcceptEx takes the next one. Bounded, so a
// listener that keeps failing this way cannot spin for ever.
constexpr std::uint32_t max_accept_retries = 64;

bool connection_went_away(DWORD error) noexcept {
    return is_abort_code(error) && error != ERROR_OPERATION_ABORTED;
}

}  // namespace

//-----------------------------------------------------------------------------
// Issuing
//-----------------------------------------------------------------------------

iocp_context::step iocp_context::run_op(operation& op) {
    for (;;) {
        const step s = start(op);
        if (s != step::again) return s;
    }
}

void iocp_context::pump(op_queue& q) {
    while (operation* op = q.front()) {
        if ((op->priv_.state & ios_kernel) != 0) return;  // its packet will pump again
        // In flight or waiting: it stays the head. Finished: it left the
        // queue; the next one may go.
        if (run_op(*op) != step::finished) return;
    }
}

iocp_context::step iocp_context::start(operation& op) {
    switch (op.code) {
        case op_code::accept: return start_accept(op);
        case op_code::connect: return start_connect(op);
        case op_code::recv: return start_recv(op);
        case op_code::recv_pooled: return start_recv_pooled(op);
        case op_code::send: return start_send(op);
        case op_code::shutdown: return start_shutdown(op);
        case op_code::read_at:
        case op_code::write_at: return start_file_io(op);
        default: break;
    }
    finish_on_handle(op, 0, make_error_code(engine_errc::invalid_operation));
    return step::finished;
}

iocp_context::step iocp_context::after_call(operation& op, bool ok, DWORD bytes, DWORD error) {
    if (ok && iocp_data(op).hs->skip_on_success) return advance(op, bytes, 0);  // no packet will come
    if (ok || error == ERROR_IO_PENDING) {
        op.priv_.state |= ios_kernel;
        ++owed_packets_;
        return step::in_flight;
    }
    return advance(op, 0, error);  // failed at once: no packet either
}

iocp_context::step iocp_context::start_accept(operation& op) {
    iocp_op_data& d = iocp_data(op);
    if (d.hs->listening < 0) {
        // Asked once per handle: Windows fails AcceptEx on a socket that is
        // not listening (WSAEINVAL), but Wine leaves it pending for ever.
        int on = 0;
        int len = sizeof(on);
        const int rc =
            ::getsockopt(as_socket(op.handle), SOL_SOCKET, SO_ACCEPTCONN, reinterpret_cast<char*>(&on), &len);
        d.hs->listening = rc == 0 && on != 0 ? 1 : 0;
    }
    if (d.hs->listening == 0) {
        finish_on_handle(op, 0, win_error(WSAEINVAL));
        return step::finished;
    }
    std::error_code ec;
    const SOCKET s = win_new_socket(d.hs->family, ec);
    if (s == INVALID_SOCKET) {
        finish_on_handle(op, 0, ec);
        return step::finished;
    }
    d.accept_socket = s;
    reset_overlapped(d.ov);
    DWORD bytes = 0;
    const BOOL ok = winsock().accept_ex(as_socket(op.handle), s, d.addresses, 0, accept_addr_len, accept_addr_len,
                                        &bytes, &d.ov);
    return after_call(op, ok != FALSE, bytes, ok ? 0 : static_cast<DWORD>(::WSAGetLastError()));
}

iocp_context::step iocp_context::start_connect(operation& op) {
    iocp_op_data& d = iocp_data(op);
    sockaddr_storage ss;
    const int len = to_sockaddr(op.peer, ss);
    if (len == 0) {
        finish_on_handle(op, 0, errc_code(std::errc::address_family_not_supported));
        return step::finished;
    }
    const SOCKET s = as_socket(op.handle);
    auto call = [&] {
        reset_overlapped(d.ov);
        return winsock().connect_ex(s, reinterpret_cast<const sockaddr*>(&ss), len, nullptr, 0, nullptr, &d.ov);
    };
    BOOL ok = call();
    DWORD error = ok ? 0 : static_cast<DWORD>(::WSAGetLastError());
    if (error == WSAEINVAL) {
        // ConnectEx wants a bound socket; one we adopted may not be. Bind to
        // ANY:0 of the destination's family and try once more.
        sockaddr_storage any{};
        any.ss_family = ss.ss_family;
        const int any_len = ss.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
        if (::bind(s, reinterpret_cast<const sockaddr*>(&any), any_len) == 0) {
            ok = call();
            error = ok ? 0 : static_cast<DWORD>(::WSAGetLastError());
        }
    }
    return after_call(op, ok != FALSE, 0, error);
}

iocp_context::step iocp_context::start_recv(operation& op) {
    iocp_op_data& d = iocp_data(op);
    const auto want = static_cast<ULONG>(op.size - op.priv_.done);
    // A zero-byte WSARecv would wait for data (the "readable" probe) rather
    // than return 0 as POSIX recv does.
    if (want == 0) return advance(op, 0, 0);
    WSABUF buf;
    buf.len = want;
    buf.buf = reinterpret_cast<char*>(op.data + op.priv_.done);
    d.recv_flags = 0;
    reset_overlapped(d.ov);
    DWORD bytes = 0;
    const int rc = ::WSARecv(as_socket(op.handle), &buf, 1, &bytes, &d.recv_flags, &d.ov, nullptr);
    return after_call(op, rc == 0, bytes, rc == 0 ? 0 : static_cast<DWORD>(::WSAGetLastError()));
}

iocp_context::step iocp_context::start_send(operation& op) {
    iocp_op_data& d = iocp_data(op);
    const auto want = static_cast<ULONG>(op.size - op.priv_.done);
    if (want == 0) return advance(op, 0, 0);
    WSABUF buf;
    buf.len = want;
    buf.buf = reinterpret_cast<char*>(op.data + op.priv_.done);
    reset_overlapped(d.ov);
    DWORD bytes = 0;
    const int rc = ::WSASend(as_socket(op.handle), &buf, 1, &bytes, 0, &d.ov, nullptr);
    return after_call(op, rc == 0, bytes, rc == 0 ? 0 : static_cast<DWORD>(::WSAGetLastError()));
}

iocp_context::step iocp_context::start_shutdown(operation& op) {
    // Synchronous, and only once the sends queued before it are done, so the FIN follows them.
    const int rc = ::shutdown(as_socket(op.handle), SD_SEND);
    return advance(op, 0, rc == 0 ? 0 : static_cast<DWORD>(::WSAGetLastError()));
}

iocp_context::step iocp_context::start_file_io(operation& op) {
    iocp_op_data& d = iocp_data(op);
    const auto want = static_cast<DWORD>(op.size - op.priv_.done);
    if (want == 0) return advance(op, 0, 0);
    reset_overlapped(d.ov, op.offset + op.priv_.done);
    std::byte* at = op.data + op.priv_.done;
    // No byte count: for overlapped handles it is only meaningful in the packet.
    const BOOL ok = op.code == op_code::read_at ? ::ReadFile(as_handle(op.handle), at, want, nullptr, &d.ov)
                                                : ::WriteFile(as_handle(op.handle), at, want, nullptr, &d.ov);
    return after_call(op, ok != FALSE, 0, ok ? 0 : ::GetLastError());
}

//-----------------------------------------------------------------------------
// Results
//-----------------------------------------------------------------------------

DWORD iocp_context::packet_error(operation& op) {
    iocp_op_data& d = iocp_data(op);
    // Cancelled or closed by us: the code does not matter (op_error says
    // operation_canceled), and the handle may be gone.
    if ((op.priv_.state & (ios_cancel | ios_timed_out)) != 0 || d.hs == nullptr || d.hs->closed) {
        return ERROR_OPERATION_ABORTED;
    }
    // The packet holds an NTSTATUS; these calls word it as the API would.
    DWORD bytes = 0;
    if (d.hs->kind == iocp_handle::kind_t::socket) {
        DWORD flags = 0;
        if (!::WSAGetOverlappedResult(as_socket(op.handle), &d.ov, &bytes, FALSE, &flags)) {
            return static_cast<DWORD>(::WSAGetLastError());
        }
    } else if (!::GetOverlappedResult(as_handle(op.handle), &d.ov, &bytes, FALSE)) {
        return ::GetLastError();
    }
    return ERROR_GEN_FAILURE;  // the status said failure but the API saw none
}

std::error_code iocp_context::op_error(const operation& op, DWORD error) const {
    const std::uint32_t s = op.priv_.state;
    if ((s & ios_timed_out) != 0) return errc_code(std::errc::timed_out);
    // Whatever code a cancelled or closed operation ends with (995, Wine's
    // 676, 64, 1236, or a failure that raced the cancel), it was ours.
    const iocp_handle* hs = iocp_data(op).hs;
    if ((s & ios_cancel) != 0 || (hs != nullptr && hs->closed) || error == ERROR_OPERATION_ABORTED) {
        return canceled();
    }
    return win_error(error);
}

void iocp_context::on_packet(operation& op, const OVERLAPPED_ENTRY& entry) {
    iocp_op_data& d = iocp_data(op);
    iocp_handle* hs = d.hs;
    op.priv_.state &= ~ios_kernel;
    --owed_packets_;
    DWORD error = 0;
    if ((op.priv_.state & ios_worker) != 0) {
        op.priv_.state &= ~ios_worker;
        error = d.worker_error;
    } else if (static_cast<LONG>(d.ov.Internal) < 0) {  // !NT_SUCCESS
        error = packet_error(op);
    }
    const std::uint32_t queue = op.priv_.state & (ios_read_q | ios_write_q);
    step s = advance(op, entry.dwNumberOfBytesTransferred, error);
    if (s == step::again) s = run_op(op);
    if (hs == nullptr) return;
    if (s == step::finished && !hs->closed) {
        if ((queue & ios_read_q) != 0) pump(hs->read_q);
        if ((queue & ios_write_q) != 0) pump(hs->write_q);
    }
    if (hs->closed) {
        if (hs->close_waiter != nullptr && hs->active.empty()) finish_deferred_close(*hs);
        release_if_idle(hs);
    }
}

iocp_context::step iocp_context::advance(operation& op, DWORD bytes, DWORD error) {
    const bool cancel_asked = (op.priv_.state & ios_cancel) != 0;
    auto done = [&op] { return static_cast<std::int64_t>(op.priv_.done); };
    switch (op.code) {
        case op_code::accept: {
            if (error == 0) return accepted(op);
            iocp_op_data& d = iocp_data(op);
            if (d.accept_socket != INVALID_SOCKET) ::closesocket(std::exchange(d.accept_socket, INVALID_SOCKET));
            if (connection_went_away(error) && !cancel_asked && !shutting_down_ && !d.hs->closed &&
                op.priv_.aux < max_accept_retries) {
                ++op.priv_.aux;
                return step::again;
            }
            finish_on_handle(op, 0, op_error(op, error));
            return step::finished;
        }
        case op_code::connect:
            if ((op.priv_.state & ios_heap) != 0) {
                timers_.remove(op);
                op.priv_.state &= ~ios_heap;
            }
            if (error != 0) {
                finish_on_handle(op, 0, op_error(op, error));
                return step::finished;
            }
            // Without it getpeername, getsockname and shutdown misbehave on the socket.
            ::setsockopt(as_socket(op.handle), SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0);
            finish_on_handle(op, 0, {});
            return step::finished;
        case op_code::recv:
            if (error != 0) {
                finish_on_handle(op, done(), op_error(op, error));
                return step::finished;
            }
            if (bytes > 0) {
                op.priv_.done += bytes;
                if ((op.flags & op_flag_recv_all) != 0 && op.priv_.done < op.size) {
                    if (cancel_asked) {
                        finish_on_handle(op, done(), canceled());
                        return step::finished;
                    }
                    ++counters_.requeued;
                    return step::again;
                }
            }
            finish_on_handle(op, done(), {});  // full, partial, or 0 at end of stream
            return step::finished;
        case op_code::recv_pooled:
            if (error != 0) {
                finish_on_handle(op, 0, op_error(op, error));
                return step::finished;
            }
            return recv_pooled_now(op);  // the zero-byte read says data (or the end) is there
        case op_code::send:
        case op_code::write_at:
            if (error != 0) {
                finish_on_handle(op, done(), op_error(op, error));
                return step::finished;
            }
            op.priv_.done += bytes;
            if (op.priv_.done < op.size) {
                if (cancel_asked || bytes == 0) {
                    // Cancelled half-way, or a transfer that stopped moving.
                    finish_on_handle(op, done(), cancel_asked ? canceled() : win_error(ERROR_WRITE_FAULT));
                    return step::finished;
                }
                ++counters_.requeued;
                return step::again;
            }
            finish_on_handle(op, done(), {});
            return step::finished;
        case op_code::read_at:
            if (error == ERROR_HANDLE_EOF) {  // at or past the end: the result is what we have
                error = 0;
                bytes = 0;
            }
            if (error != 0) {
                finish_on_handle(op, done(), op_error(op, error));
                return step::finished;
            }
            op.priv_.done += bytes;
            // Short only at the end of the file: read on until EOF says so.
            if (bytes > 0 && op.priv_.done < op.size && !cancel_asked) {
                ++counters_.requeued;
                return step::again;
            }
            finish_on_handle(op, done(), {});
            return step::finished;
        case op_code::shutdown:
        case op_code::fsync:
        case op_code::fdatasync:
            finish_on_handle(op, 0, error != 0 ? op_error(op, error) : std::error_code{});
            return step::finished;
        default: break;
    }
    finish_on_handle(op, 0, make_error_code(engine_errc::invalid_operation));
    return step::finished;
}

iocp_context::step iocp_context::accepted(operation& op) {
    iocp_op_data& d = iocp_data(op);
    const SOCKET s = std::exchange(d.accept_socket, INVALID_SOCKET);
    SOCKET listener = as_socket(op.handle);
    op.priv_.aux = 0;
    std::error_code ec;
    // Makes the socket inherit the listener's properties, so getsockname,
    // getpeername and shutdown work on it.
    if (::setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, reinterpret_cast<const char*>(&listener),
                     sizeof(listener)) != 0) {
        ec = last_wsa_error();
    }
    if (!ec) {
        const int one = 1;
        ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof(one));
        sockaddr* local = nullptr;
        sockaddr* remote = nullptr;
        int local_len = 0;
        int remote_len = 0;
        winsock().accept_ex_addrs(d.addresses, 0, accept_addr_len, accept_addr_len, &local, &local_len, &remote,
                                  &remote_len);
        op.peer = from_sockaddr(remote, remote_len);
        register_handle(static_cast<native_handle>(s), iocp_handle::kind_t::socket, d.hs->family, ec, 0);
    }
    if (ec) {
        ::closesocket(s);
        finish_on_handle(op, 0, ec);
        return step::finished;
    }
    // Multishot: one completion per connection; deliver() re-arms it after
    // the callback, so several results never share the operation.
    finish_on_handle(op, static_cast<std::int64_t>(s), {}, (op.flags & op_flag_multishot) != 0);
    return step::finished;
}

}  // namespace swarmbench::detail
