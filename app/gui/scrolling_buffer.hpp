// scrolling_buffer: a fixed-capacity ring of values in time order, like
// ImPlot's ScrollingBuffer: once full, each push overwrites the oldest and
// moves `offset`. Indexing hides the wrap: [0] is always the oldest.
//
// Thread rules: plain value; one thread (the UI's).
#pragma once

#include <cstddef>
#include <vector>

namespace swarmbench::gui {

template <class T>
class scrolling_buffer {
public:
    explicit scrolling_buffer(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

    void push(const T& value) {
        if (data_.size() < capacity_) {
            data_.push_back(value);
        } else {
            data_[offset_] = value;
            offset_ = (offset_ + 1) % capacity_;
        }
    }
    void clear() {
        data_.clear();
        offset_ = 0;
    }
    std::size_t size() const noexcept { return data_.size(); }
    bool empty() const noexcept { return data_.empty(); }
    std::size_t capacity() const noexcept { return capacity_; }
    /// i-th oldest (0 <= i < size()).
    const T& operator[](std::size_t i) const { return data_[(offset_ + i) % data_.size()]; }
    const T& back() const { return (*this)[data_.size() - 1]; }

private:
    std::size_t capacity_;   // most values kept
    std::size_t offset_ = 0; // index of the oldest once full
    std::vector<T> data_;    // storage, wrapped at offset_
};

}  // namespace swarmbench::gui
