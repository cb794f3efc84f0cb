// iocp backend, recv_pooled: a zero-byte overlapped WSARecv waits for data
// without pinning a buffer (the classic IOCP idle-connection trick); when its
// packet says data (or the end) is there, a receive-pool buffer is taken and
// one plain recv fills it. The recv cannot block: FIONREAD said bytes are
// queued, or select() said the socket is readable with none queued (closed
// or reset, so recv returns at once). Anything else posts the zero-byte read
// again. With the pool empty the operation stays at the head of its read
// queue (close and cancel find it as any receive), its handle waits in
// starved_handles_, and release_recv_buffer restarts it; TCP holds the data.
//
// Thread rules: owning thread only (called from submit, run_once, cancel and
// release_recv_buffer).
#include "iocp_context.hpp"

#include "swarmbench/error.hpp"

namespace swarmbench::detail {

namespace {

/// Readable right now (select with a zero timeout); false on any error.
bool readable_now(SOCKET s) noexcept {
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(s, &readable);
    timeval zero{};
    return ::select(0, &readable, nullptr, nullptr, &zero) > 0;
}

}  // namespace

iocp_context::step iocp_context::start_recv_pooled(operation& op) {
    if ((op.priv_.state & ios_starved) != 0) return recv_pooled_now(op);  // the data is known to wait
    iocp_op_data& d = iocp_data(op);
    WSABUF none;
    none.len = 0;
    none.buf = nullptr;
    d.recv_flags = 0;
    d.ov = OVERLAPPED{};
    DWORD bytes = 0;
    const int rc = ::WSARecv(as_socket(op.handle), &none, 1, &bytes, &d.recv_flags, &d.ov, nullptr);
    return after_call(op, rc == 0, bytes, rc == 0 ? 0 : static_cast<DWORD>(::WSAGetLastError()));
}

iocp_context::step iocp_context::recv_pooled_now(operation& op) {
    if ((op.priv_.state & ios_cancel) != 0 || shutting_down_) {
        op.priv_.state &= ~ios_starved;
        finish_on_handle(op, 0, errc_code(std::errc::operation_canceled));
        return step::finished;
    }
    const SOCKET s = as_socket(op.handle);
    u_long queued = 0;
    if (::ioctlsocket(s, FIONREAD, &queued) != 0) {
        finish_on_handle(op, 0, last_wsa_error());
        return step::finished;
    }
    if (queued == 0 && !readable_now(s)) {
        op.priv_.state &= ~ios_starved;
        return step::again;  // nothing after all: wait with a zero-byte read again
    }
    std::byte* data = recv_pool_.lend_free();
    if (data == nullptr) {
        if ((op.priv_.state & ios_starved) == 0) {
            op.priv_.state |= ios_starved;
            ++counters_.recv_starved;
            starved_handles_.push_back(iocp_data(op).hs);
        }
        return step::waiting;
    }
    op.priv_.state &= ~ios_starved;
    const int n = ::recv(s, reinterpret_cast<char*>(data), static_cast<int>(recv_pool_.buffer_size()), 0);
    if (n > 0) {
        finish_on_handle(op, n, {}, (op.flags & op_flag_multishot) != 0);
        op.data = data;
        return step::finished;
    }
    const DWORD error = n < 0 ? static_cast<DWORD>(::WSAGetLastError()) : 0;
    recv_pool_.give_back(data);
    if (error == WSAEWOULDBLOCK) return step::again;
    // 0: the peer closed; else the error. Either ends a multishot too.
    finish_on_handle(op, 0, error == 0 ? std::error_code{} : op_error(op, error));
    return step::finished;
}

void iocp_context::wake_starved() {
    while (recv_pool_.unlent() > 0 && !starved_handles_.empty()) {
        iocp_handle* hs = starved_handles_.front();
        starved_handles_.pop_front();
        operation* op = hs->read_q.front();
        if (hs->closed || op == nullptr || (op->priv_.state & ios_starved) == 0) continue;  // stale
        // Cleared so that starving again queues the handle again (back of the line).
        op->priv_.state &= ~ios_starved;
        step s = recv_pooled_now(*op);
        if (s == step::again) s = run_op(*op);
        if (s == step::finished) pump(hs->read_q);  // the next receive may go
    }
}

void iocp_context::release_recv_buffer(std::byte* data) noexcept {
    if (!recv_pool_.give_back(data) || shutting_down_) return;
    wake_starved();
}

}  // namespace swarmbench::detail
