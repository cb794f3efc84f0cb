// remote_registry: see remote_registry.hpp.
#include "remote_registry.hpp"

#include <algorithm>

namespace swarmbench::detail {

remote_registry::client* remote_registry::find(const std::string& key) {
    auto it = std::find_if(clients_.begin(), clients_.end(), [&](const client& c) { return c.key == key; });
    return it == clients_.end() ? nullptr : &*it;
}

const remote_registry::client* remote_registry::find(const std::string& key) const {
    auto it = std::find_if(clients_.begin(), clients_.end(), [&](const client& c) { return c.key == key; });
    return it == clients_.end() ? nullptr : &*it;
}

void remote_registry::seen(const std::string& key, std::uint32_t pieces) {
    std::lock_guard lock(mutex_);
    if (find(key) == nullptr) clients_.push_back({key, bt::bitfield(pieces)});
}

remote_registry::update remote_registry::have(const std::string& key, std::uint32_t piece) {
    std::lock_guard lock(mutex_);
    client* c = find(key);
    if (c == nullptr || piece >= c->has.size() || c->has.get(piece)) return {};
    c->has.set(piece);
    return {1, c->has.all()};
}

remote_registry::update remote_registry::have_bits(const std::string& key, const bt::bitfield& bits) {
    std::lock_guard lock(mutex_);
    client* c = find(key);
    if (c == nullptr || bits.size() != c->has.size()) return {};
    const bool was_complete = c->has.all();
    const std::uint32_t before = c->has.count();
    for (std::uint32_t i = 0; i < bits.size(); ++i)
        if (bits.get(i) && !c->has.get(i)) c->has.set(i);
    return {c->has.count() - before, !was_complete && c->has.all()};
}

bool remote_registry::complete(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const client* c = find(key);
    return c != nullptr && c->has.all();
}

std::uint32_t remote_registry::clients() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::uint32_t>(clients_.size());
}

std::uint32_t remote_registry::complete_clients() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::uint32_t>(
        std::count_if(clients_.begin(), clients_.end(), [](const client& c) { return c.has.all(); }));
}

}  // namespace swarmbench::detail
