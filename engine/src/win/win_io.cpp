// win_io: see win_io.hpp. Synchronous calls only; nothing here touches a
// completion port except through the handles it returns.
//
// Index:
//  [SECTION] Winsock start-up and extension functions
//  [SECTION] Error codes
//  [SECTION] Addresses
//  [SECTION] Sockets and files
#include "win_io.hpp"

#include "common/errc_words.hpp"

#include <cstring>
#include <new>

namespace swarmbench::detail {

//-----------------------------------------------------------------------------
// [SECTION] Winsock start-up and extension functions
//-----------------------------------------------------------------------------

namespace {

template <class Fn>
bool load_extension(SOCKET s, GUID guid, Fn& out) noexcept {
    DWORD bytes = 0;
    return ::WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof(guid), &out, sizeof(out), &bytes,
                      nullptr, nullptr) == 0 &&
           out != nullptr;
}

winsock_state start_winsock() {
    winsock_state st;
    WSADATA data{};
    if (const int rc = ::WSAStartup(MAKEWORD(2, 2), &data); rc != 0) {
        st.why_not = "WSAStartup failed: " + win_error(static_cast<DWORD>(rc)).message();
        return st;
    }
    // The extension functions belong to the TCP/IP provider; one socket finds them all.
    const SOCKET s = ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) {
        st.why_not = "cannot create a TCP socket: " + last_wsa_error().message();
        return st;
    }
    const bool loaded = load_extension(s, WSAID_ACCEPTEX, st.accept_ex) &&
                        load_extension(s, WSAID_CONNECTEX, st.connect_ex) &&
                        load_extension(s, WSAID_GETACCEPTEXSOCKADDRS, st.accept_ex_addrs);
    if (!loaded) {
        st.why_not = "AcceptEx/ConnectEx unavailable (WSAIoctl): " + last_wsa_error().message();
    }
    // Skipping the completion packet of an inline success is only safe when
    // the socket is the provider's own kernel handle (no layered non-IFS LSP
    // in between, which could still post one: libuv checks the same).
    WSAPROTOCOL_INFOW info{};
    int len = sizeof(info);
    if (::getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, reinterpret_cast<char*>(&info), &len) == 0) {
        st.skip_on_success = (info.dwServiceFlags1 & XP1_IFS_HANDLES) != 0;
    }
    ::closesocket(s);
    st.ok = loaded;
    return st;
}

}  // namespace

const winsock_state& winsock() {
    static const winsock_state state = start_winsock();
    return state;
}

//-----------------------------------------------------------------------------
// [SECTION] Error codes
//-----------------------------------------------------------------------------

namespace {


/// generic_category's conditions with errc_words' messages (see errc_code).
class errc_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "generic (POSIX words)"; }
    std::string message(int ev) const override {
        if (const char* words = errc_words(static_cast<std::errc>(ev))) return words;
        return std::generic_category().message(ev);
    }
    std::error_condition default_error_condition(int ev) const noexcept override {
        return {ev, std::generic_category()};
    }
};

// ERROR_HANDLES_CLOSED (no name in mingw's winerror.h): Wine 8 completes an
// operation pending on a socket closed under it with STATUS_HANDLES_CLOSED,
// which GetQueuedCompletionStatus words as 676; Windows says 995 or 64 there.
constexpr DWORD handles_closed = 676;
}  // namespace

std::error_code errc_code(std::errc e) noexcept {
    static const errc_category_impl category;
    return {static_cast<int>(e), category};
}

bool is_abort_code(DWORD code) noexcept {
    switch (code) {
        case ERROR_OPERATION_ABORTED:   // 995, also WSA_OPERATION_ABORTED: CancelIoEx or a closed handle
        case handles_closed:            // 676: Wine's closed handle
        case ERROR_NETNAME_DELETED:     // 64: the connection went away under the I/O
        case ERROR_CONNECTION_ABORTED:  // 1236: aborted by the local system
        case WSAECONNRESET:             // the WSA words for 64 and 1236
        case WSAECONNABORTED:
            return true;
        default: return false;
    }
}

std::error_code win_error(DWORD code) noexcept {
    using std::errc;
    auto generic = [](errc e) { return errc_code(e); };
    switch (code) {
        case 0: return {};
        // ---- files and handles ----
        case ERROR_FILE_NOT_FOUND:
        case ERROR_PATH_NOT_FOUND:
        case ERROR_INVALID_DRIVE:
        case ERROR_BAD_NETPATH:
        case ERROR_BAD_NET_NAME: return generic(errc::no_such_file_or_directory);
        case ERROR_TOO_MANY_OPEN_FILES: return generic(errc::too_many_files_open);
        case ERROR_ACCESS_DENIED:
        case ERROR_SHARING_VIOLATION:
        case ERROR_LOCK_VIOLATION: return generic(errc::permission_denied);
        case ERROR_INVALID_HANDLE:  // == WSA_INVALID_HANDLE
        case WSAEBADF: return generic(errc::bad_file_descriptor);
        case ERROR_NOT_ENOUGH_MEMORY:  // == WSA_NOT_ENOUGH_MEMORY
        case ERROR_OUTOFMEMORY: return generic(errc::not_enough_memory);
        case ERROR_NO_SYSTEM_RESOURCES:
        case ERROR_NONPAGED_SYSTEM_RESOURCES:
        case WSAENOBUFS: return generic(errc::no_buffer_space);
        case ERROR_WRITE_PROTECT: return generic(errc::read_only_file_system);
        case ERROR_HANDLE_DISK_FULL:
        case ERROR_DISK_FULL: return generic(errc::no_space_on_device);
        case ERROR_FILE_TOO_LARGE: return generic(errc::file_too_large);
        case ERROR_NOT_SUPPORTED: return generic(errc::not_supported);
        case ERROR_FILE_EXISTS:
        case ERROR_ALREADY_EXISTS: return generic(errc::file_exists);
        case ERROR_INVALID_PARAMETER:  // == WSA_INVALID_PARAMETER
        case ERROR_NEGATIVE_SEEK:
        case WSAEINVAL: return generic(errc::invalid_argument);
        case ERROR_FILENAME_EXCED_RANGE: return generic(errc::filename_too_long);
        case ERROR_DIRECTORY: return generic(errc::not_a_directory);
        case ERROR_DIR_NOT_EMPTY: return generic(errc::directory_not_empty);
        case ERROR_BROKEN_PIPE:
        case ERROR_PIPE_NOT_CONNECTED:
        case ERROR_NO_DATA:
        case WSAESHUTDOWN: return generic(errc::broken_pipe);
        case ERROR_SEM_TIMEOUT:
        case WSAETIMEDOUT: return generic(errc::timed_out);
        // ---- aborted or closed (see is_abort_code) ----
        case ERROR_OPERATION_ABORTED: return generic(errc::operation_canceled);
        case ERROR_NETNAME_DELETED:
        case WSAECONNRESET:
        case WSAENETRESET: return generic(errc::connection_reset);
        case handles_closed:
        case ERROR_CONNECTION_ABORTED:
        case ERROR_REQUEST_ABORTED:
        case WSAECONNABORTED: return generic(errc::connection_aborted);
        // ---- sockets ----
        case ERROR_CONNECTION_REFUSED:
        case ERROR_PORT_UNREACHABLE:
        case WSAECONNREFUSED: return generic(errc::connection_refused);
        case ERROR_NETWORK_UNREACHABLE:
        case WSAENETUNREACH: return generic(errc::network_unreachable);
        case ERROR_HOST_UNREACHABLE:
        case WSAEHOSTUNREACH: return generic(errc::host_unreachable);
        case ERROR_CONNECTION_INVALID:
        case WSAENOTCONN: return generic(errc::not_connected);
        case ERROR_CONNECTION_ACTIVE:
        case WSAEISCONN: return generic(errc::already_connected);
        case WSAEINTR: return generic(errc::interrupted);
        case WSAEACCES: return generic(errc::permission_denied);
        case WSAEFAULT: return generic(errc::bad_address);
        case WSAEMFILE: return generic(errc::too_many_files_open);
        case WSAEWOULDBLOCK: return generic(errc::operation_would_block);
        case WSAEINPROGRESS: return generic(errc::operation_in_progress);
        case WSAEALREADY: return generic(errc::connection_already_in_progress);
        case WSAENOTSOCK: return generic(errc::not_a_socket);
        case WSAEDESTADDRREQ: return generic(errc::destination_address_required);
        case WSAEMSGSIZE: return generic(errc::message_size);
        case WSAEPROTOTYPE: return generic(errc::wrong_protocol_type);
        case WSAENOPROTOOPT: return generic(errc::no_protocol_option);
        case WSAEPROTONOSUPPORT: return generic(errc::protocol_not_supported);
        case WSAEOPNOTSUPP: return generic(errc::operation_not_supported);
        case WSAEAFNOSUPPORT: return generic(errc::address_family_not_supported);
        case WSAEADDRINUSE: return generic(errc::address_in_use);
        case WSAEADDRNOTAVAIL: return generic(errc::address_not_available);
        case WSAENETDOWN: return generic(errc::network_down);
        default: break;
    }
    // Unknown: keep the native code; libstdc++ on mingw words it with FormatMessage.
    return {static_cast<int>(code), std::system_category()};
}

//-----------------------------------------------------------------------------
// [SECTION] Addresses
//-----------------------------------------------------------------------------

int to_sockaddr(const endpoint& ep, sockaddr_storage& out) noexcept {
    std::memset(&out, 0, sizeof(out));
    if (ep.family == endpoint::family_t::v4) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&out);
        sin->sin_family = AF_INET;
        sin->sin_port = ::htons(ep.port);
        std::memcpy(&sin->sin_addr, ep.addr.data(), 4);
        return sizeof(sockaddr_in);
    }
    if (ep.family == endpoint::family_t::v6) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = ::htons(ep.port);
        std::memcpy(&sin6->sin6_addr, ep.addr.data(), 16);
        return sizeof(sockaddr_in6);
    }
    return 0;
}

endpoint from_sockaddr(const sockaddr* sa, int len) noexcept {
    endpoint ep;
    if (sa == nullptr) return ep;
    if (sa->sa_family == AF_INET && len >= static_cast<int>(sizeof(sockaddr_in))) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
        ep.family = endpoint::family_t::v4;
        ep.port = ::ntohs(sin->sin_port);
        std::memcpy(ep.addr.data(), &sin->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6 && len >= static_cast<int>(sizeof(sockaddr_in6))) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
        ep.family = endpoint::family_t::v6;
        ep.port = ::ntohs(sin6->sin6_port);
        std::memcpy(ep.addr.data(), &sin6->sin6_addr, 16);
    }
    return ep;
}

//-----------------------------------------------------------------------------
// [SECTION] Sockets and files
//-----------------------------------------------------------------------------

namespace {

void set_int_option(SOCKET s, int level, int name, int value) noexcept {
    ::setsockopt(s, level, name, reinterpret_cast<const char*>(&value), sizeof(value));
}

SOCKET fail_socket(SOCKET s, std::error_code& ec) noexcept {
    ec = last_wsa_error();
    if (s != INVALID_SOCKET) ::closesocket(s);
    return INVALID_SOCKET;
}

std::wstring widen(const std::string& utf8) {
    if (utf8.empty()) return {};
    const int n = ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
    if (n <= 0) return {};
    std::wstring out(static_cast<std::size_t>(n), L'\0');
    ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
    return out;
}

}  // namespace

SOCKET win_new_socket(int af, std::error_code& ec) noexcept {
    ec.clear();
    const winsock_state& ws = winsock();
    if (!ws.ok) {
        ec = errc_code(std::errc::network_down);
        return INVALID_SOCKET;
    }
    const SOCKET s = ::WSASocketW(af, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                                  WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET) ec = last_wsa_error();
    return s;
}

SOCKET win_open_listener(const endpoint& where, int backlog, bool reuse_port, std::error_code& ec) noexcept {
    sockaddr_storage ss;
    const int len = to_sockaddr(where, ss);
    if (len == 0) {
        ec = errc_code(std::errc::address_family_not_supported);
        return INVALID_SOCKET;
    }
    const SOCKET s = win_new_socket(af_of(where.family), ec);
    if (s == INVALID_SOCKET) return s;
    set_int_option(s, SOL_SOCKET, reuse_port ? SO_REUSEADDR : SO_EXCLUSIVEADDRUSE, 1);
    if (::bind(s, reinterpret_cast<const sockaddr*>(&ss), len) != 0) return fail_socket(s, ec);
    if (::listen(s, backlog > 0 ? backlog : SOMAXCONN) != 0) return fail_socket(s, ec);
    return s;
}

SOCKET win_open_tcp_socket(endpoint::family_t family, const endpoint* source, std::error_code& ec) noexcept {
    const bool bound_to_source = source != nullptr && source->valid();
    const endpoint::family_t f = bound_to_source ? source->family : family;
    const SOCKET s = win_new_socket(af_of(f), ec);
    if (s == INVALID_SOCKET) return s;
    set_int_option(s, IPPROTO_TCP, TCP_NODELAY, 1);
    sockaddr_storage ss;
    int len = 0;
    if (bound_to_source) {
        len = to_sockaddr(*source, ss);
    } else {
        std::memset(&ss, 0, sizeof(ss));
        ss.ss_family = static_cast<ADDRESS_FAMILY>(af_of(f));  // ANY:0 (in6addr_any is all zero)
        len = f == endpoint::family_t::v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    }
    if (::bind(s, reinterpret_cast<const sockaddr*>(&ss), len) != 0) return fail_socket(s, ec);
    return s;
}

HANDLE win_open_file(const std::string& path, const file_options& options, std::error_code& ec) noexcept {
    ec.clear();
    std::wstring wide;
    try {
        wide = widen(path);
    } catch (const std::bad_alloc&) {
        ec = errc_code(std::errc::not_enough_memory);
        return INVALID_HANDLE_VALUE;
    }
    if (wide.empty()) {
        ec = errc_code(std::errc::invalid_argument);  // empty or not UTF-8
        return INVALID_HANDLE_VALUE;
    }
    const bool writable = !options.read_only;
    DWORD disposition = OPEN_EXISTING;
    if (writable && options.create) {
        disposition = options.truncate ? CREATE_ALWAYS : OPEN_ALWAYS;
    } else if (writable && options.truncate) {
        disposition = TRUNCATE_EXISTING;
    }
    DWORD flags = FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OVERLAPPED;
    if (options.direct) flags |= FILE_FLAG_NO_BUFFERING;
    // Sharing like POSIX: others may read, write, rename and delete meanwhile.
    const HANDLE h = ::CreateFileW(wide.c_str(), GENERIC_READ | (writable ? GENERIC_WRITE : 0),
                                   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, disposition,
                                   flags, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
        ec = last_win_error();
        return h;
    }
    if (options.preallocate > 0 && writable) {
        LARGE_INTEGER size{};
        if (!::GetFileSizeEx(h, &size)) {
            ec = last_win_error();
        } else if (static_cast<std::uint64_t>(size.QuadPart) < options.preallocate) {
            // Reserve the clusters, then set the end of file like posix_fallocate
            // (which never shrinks). A filesystem that cannot reserve still
            // gets a sized file, as posix_io's ftruncate fallback does.
            FILE_ALLOCATION_INFO alloc{};
            alloc.AllocationSize.QuadPart = static_cast<LONGLONG>(options.preallocate);
            ::SetFileInformationByHandle(h, FileAllocationInfo, &alloc, sizeof(alloc));
            FILE_END_OF_FILE_INFO eof{};
            eof.EndOfFile.QuadPart = static_cast<LONGLONG>(options.preallocate);
            if (!::SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof(eof))) ec = last_win_error();
        }
        if (ec) {
            ::CloseHandle(h);
            return INVALID_HANDLE_VALUE;
        }
    }
    return h;
}

endpoint win_local_endpoint(SOCKET s, std::error_code& ec) noexcept {
    ec.clear();
    sockaddr_storage ss{};
    int len = sizeof(ss);
    if (::getsockname(s, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
        ec = last_wsa_error();
        return {};
    }
    return from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
}

int win_socket_family(SOCKET s) noexcept {
    WSAPROTOCOL_INFOW info{};
    int len = sizeof(info);
    if (::getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, reinterpret_cast<char*>(&info), &len) == 0) {
        return info.iAddressFamily;
    }
    return AF_INET;
}

bool win_is_socket(native_handle h) noexcept {
    if (h == invalid_handle) return false;
    int type = 0;
    int len = sizeof(type);
    return ::getsockopt(as_socket(h), SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &len) == 0;
}

std::error_code win_close(native_handle h) noexcept {
    if (h == invalid_handle) return errc_code(std::errc::bad_file_descriptor);
    if (::closesocket(as_socket(h)) == 0) return {};
    const int err = ::WSAGetLastError();
    if (err != WSAENOTSOCK) return win_error(static_cast<DWORD>(err));
    if (::CloseHandle(as_handle(h))) return {};
    return last_win_error();
}

}  // namespace swarmbench::detail
