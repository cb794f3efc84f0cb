#include "common/errc_words.hpp"

namespace swarmbench::detail {

const char* errc_words(std::errc e) noexcept {
    using std::errc;
    switch (e) {
        case errc::address_family_not_supported: return "Address family not supported by protocol";
        case errc::address_in_use: return "Address already in use";
        case errc::address_not_available: return "Cannot assign requested address";
        case errc::already_connected: return "Transport endpoint is already connected";
        case errc::connection_aborted: return "Software caused connection abort";
        case errc::connection_already_in_progress: return "Operation already in progress";
        case errc::connection_refused: return "Connection refused";
        case errc::connection_reset: return "Connection reset by peer";
        case errc::destination_address_required: return "Destination address required";
        case errc::host_unreachable: return "No route to host";
        case errc::message_size: return "Message too long";
        case errc::network_down: return "Network is down";
        case errc::network_unreachable: return "Network is unreachable";
        case errc::no_buffer_space: return "No buffer space available";
        case errc::no_protocol_option: return "Protocol not available";
        case errc::not_a_socket: return "Socket operation on non-socket";
        case errc::not_connected: return "Transport endpoint is not connected";
        case errc::not_supported: return "Operation not supported";
        case errc::operation_canceled: return "Operation canceled";
        case errc::operation_in_progress: return "Operation now in progress";
        case errc::operation_would_block: return "Resource temporarily unavailable";
        case errc::protocol_not_supported: return "Protocol not supported";
        case errc::timed_out: return "Connection timed out";
        case errc::wrong_protocol_type: return "Protocol wrong type for socket";
        default: return nullptr;
    }
}

}  // namespace swarmbench::detail
