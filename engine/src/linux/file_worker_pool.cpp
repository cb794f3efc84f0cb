// Placeholder until the epoll backend lands.
